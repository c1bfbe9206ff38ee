// The property keys of the settings, in a module without zod so the sidebar's small bundle can use them;
// src/core/settings.ts holds their defaults and parses their values.
export const SETTING_KEYS = [
  "TAVILY_API_KEY",
  "LLM_API_KEY",
  "LLM_BASE_URL",
  "LLM_MODEL",
  "PROFILE",
  "TAVILY_CONCURRENCY",
  "LLM_CONCURRENCY",
  "TAVILY_RPM",
  "LLM_RPM",
  "CACHE_TTL_DAYS",
  "NO_DATA_TTL_DAYS",
  "RELEVANCE_THRESHOLD",
  "EVIDENCE_BUDGET_CHARS",
  "JOB_BUDGET_USD",
  "CONFIRM_ABOVE_USD",
  "TAVILY_PRICE_PER_CREDIT",
  "LLM_INPUT_PRICE_PER_MTOK",
  "LLM_OUTPUT_PRICE_PER_MTOK",
  "WORKER_TIME_BUDGET_SECONDS",
  "LIVE_LOOKUPS_PER_DAY",
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** The two API keys: masked wherever a setting is shown, removable on their own. */
export const SECRET_KEYS = ["TAVILY_API_KEY", "LLM_API_KEY"] as const satisfies readonly SettingKey[];
export type SecretKey = (typeof SECRET_KEYS)[number];

export interface NumberRule {
  min: number;
  max: number;
  integer: boolean;
}

/** Bounds of the numeric settings: the validators and the settings page's help text both read these. */
export const NUMBER_RULES = {
  TAVILY_CONCURRENCY: { min: 1, max: 200, integer: true },
  LLM_CONCURRENCY: { min: 1, max: 200, integer: true },
  TAVILY_RPM: { min: 1, max: 100_000, integer: true },
  LLM_RPM: { min: 1, max: 100_000, integer: true },
  CACHE_TTL_DAYS: { min: 0, max: 3650, integer: false },
  NO_DATA_TTL_DAYS: { min: 0, max: 3650, integer: false },
  RELEVANCE_THRESHOLD: { min: 0, max: 1, integer: false },
  EVIDENCE_BUDGET_CHARS: { min: 1000, max: 200_000, integer: true },
  TAVILY_PRICE_PER_CREDIT: { min: 0, max: 100, integer: false },
  LLM_INPUT_PRICE_PER_MTOK: { min: 0, max: 1000, integer: false },
  LLM_OUTPUT_PRICE_PER_MTOK: { min: 0, max: 1000, integer: false },
  WORKER_TIME_BUDGET_SECONDS: { min: 30, max: 330, integer: true },
  LIVE_LOOKUPS_PER_DAY: { min: 0, max: 10_000, integer: true },
} as const satisfies Partial<Record<SettingKey, NumberRule>>;
export type NumberSettingKey = keyof typeof NUMBER_RULES;
