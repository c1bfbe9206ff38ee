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
  "TAVILY_PRICE_PER_CREDIT",
  "LLM_INPUT_PRICE_PER_MTOK",
  "LLM_OUTPUT_PRICE_PER_MTOK",
  "WORKER_TIME_BUDGET_SECONDS",
  "LIVE_LOOKUPS_PER_DAY",
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];
