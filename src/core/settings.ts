import * as z from "zod/mini";
import "./zod-english";
import type { Profile, Service } from "./types";
import { NUMBER_RULES, SETTING_KEYS, type NumberSettingKey, type SettingKey } from "./setting-keys";
import { baseUrlFormProblem, baseUrlProblem, normaliseBaseUrl, sameBaseUrl } from "./allowlist";

// Defaults and parsing of the settings: values live in properties as strings.
export { SETTING_KEYS, type SettingKey };

export const DEFAULT_LLM_BASE_URL = "https://api.crusoe.ai/v1";
/** A sensible first choice; the settings view lists the provider's /models so it can be changed. */
export const DEFAULT_LLM_MODEL = "meta-llama/Llama-3.3-70B-Instruct";

export const SETTING_DEFAULTS: Record<SettingKey, string> = {
  TAVILY_API_KEY: "",
  LLM_API_KEY: "",
  LLM_BASE_URL: DEFAULT_LLM_BASE_URL,
  LLM_MODEL: DEFAULT_LLM_MODEL,
  PROFILE: "gpu-infrastructure",
  // Requests per wave: large enough that the providers' per-minute limits, not the wave, set the
  // pace (a wave lasts about one LLM call, 3-5 s); halved on 429.
  TAVILY_CONCURRENCY: "200",
  LLM_CONCURRENCY: "200",
  // Production keys' requests per minute; a Tavily development key allows 100, Crusoe without a
  // payment method 30.
  TAVILY_RPM: "1000",
  LLM_RPM: "600",
  CACHE_TTL_DAYS: "30",
  NO_DATA_TTL_DAYS: "7",
  RELEVANCE_THRESHOLD: "0.6",
  EVIDENCE_BUDGET_CHARS: "16000",
  JOB_BUDGET_USD: "",
  // Ask before a run estimated above this many dollars; blank never asks.
  CONFIRM_ABOVE_USD: "5",
  TAVILY_PRICE_PER_CREDIT: "0.008",
  LLM_INPUT_PRICE_PER_MTOK: "0.25",
  LLM_OUTPUT_PRICE_PER_MTOK: "0.75",
  WORKER_TIME_BUDGET_SECONDS: "270",
  // Live =TERRITORY_TIER lookups spend the spreadsheet owner's keys for every editor: capped per document per day.
  LIVE_LOOKUPS_PER_DAY: "20",
};

export interface Settings {
  tavilyApiKey: string;
  llmApiKey: string;
  llmBaseUrl: string;
  llmModel: string;
  profile: Profile;
  tavilyConcurrency: number;
  llmConcurrency: number;
  tavilyRpm: number;
  llmRpm: number;
  cacheTtlDays: number;
  /** How long a "No reliable data" outcome is remembered. */
  noDataTtlDays: number;
  relevanceThreshold: number;
  evidenceBudgetChars: number;
  /** null: no budget. */
  jobBudgetUsd: number | null;
  /** null: never ask before a run. */
  confirmAboveUsd: number | null;
  tavilyPricePerCredit: number;
  llmInputPricePerMTok: number;
  llmOutputPricePerMTok: number;
  workerTimeBudgetSeconds: number;
  /** Paid live lookups of =TERRITORY_TIER per document per day; 0 turns them off. */
  liveLookupsPerDay: number;
}

// Each validator is built on first use (z.lazy): executions that read no settings, such as the
// sidebar's progress polls, do not construct them.
const num = (key: NumberSettingKey) =>
  z.lazy(() => {
    const { min, max, integer } = NUMBER_RULES[key];
    const base = z.coerce
      .number({ message: "must be a number" })
      .check(z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`));
    return integer ? base.check(z.int("must be a whole number")) : base;
  });

const trimmed = () => z.string().check(z.trim());

// The form of the URL only: whether this deployment may reach it is checked in validateSettings.
const baseUrlString = () =>
  z.pipe(
    z.string().check(
      z.trim(),
      z.superRefine((s, ctx) => {
        const problem = baseUrlFormProblem(s);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    ),
    z.transform(normaliseBaseUrl),
  );

/** Dollars, or blank for null ("none" / "never"); zero allowed only where it means something. */
const blankOrDollars = (zeroAllowed: boolean, message: string) =>
  z.lazy(() =>
    z.pipe(
      z.string().check(
        z.trim(),
        z.refine((s) => {
          const n = Number(s);
          return s === "" || (Number.isFinite(n) && n >= 0 && (n > 0 || zeroAllowed));
        }, message),
      ),
      z.transform((s: string) => (s === "" ? null : Number(s))),
    ),
  );

/** Field validators, shared by the settings form and the worker. */
export const SETTING_FIELDS = {
  TAVILY_API_KEY: z.lazy(trimmed),
  LLM_API_KEY: z.lazy(trimmed),
  LLM_BASE_URL: z.lazy(baseUrlString),
  LLM_MODEL: z.lazy(() => trimmed().check(z.minLength(1, "choose a model"))),
  PROFILE: z.lazy(() =>
    z.enum(["gpu-infrastructure", "managed-inference"], { message: "must be gpu-infrastructure or managed-inference" }),
  ),
  TAVILY_CONCURRENCY: num("TAVILY_CONCURRENCY"),
  LLM_CONCURRENCY: num("LLM_CONCURRENCY"),
  TAVILY_RPM: num("TAVILY_RPM"),
  LLM_RPM: num("LLM_RPM"),
  CACHE_TTL_DAYS: num("CACHE_TTL_DAYS"),
  NO_DATA_TTL_DAYS: num("NO_DATA_TTL_DAYS"),
  RELEVANCE_THRESHOLD: num("RELEVANCE_THRESHOLD"),
  EVIDENCE_BUDGET_CHARS: num("EVIDENCE_BUDGET_CHARS"),
  JOB_BUDGET_USD: blankOrDollars(false, "must be blank (no budget) or a positive number"),
  CONFIRM_ABOVE_USD: blankOrDollars(true, "must be blank (never ask) or a number of dollars"),
  TAVILY_PRICE_PER_CREDIT: num("TAVILY_PRICE_PER_CREDIT"),
  LLM_INPUT_PRICE_PER_MTOK: num("LLM_INPUT_PRICE_PER_MTOK"),
  LLM_OUTPUT_PRICE_PER_MTOK: num("LLM_OUTPUT_PRICE_PER_MTOK"),
  WORKER_TIME_BUDGET_SECONDS: num("WORKER_TIME_BUDGET_SECONDS"),
  LIVE_LOOKUPS_PER_DAY: num("LIVE_LOOKUPS_PER_DAY"),
} satisfies Record<SettingKey, z.ZodMiniType>;

/** Settings whose blank means "none" ("no budget", "never ask") rather than "use the default". */
export const BLANK_IS_A_CHOICE: readonly SettingKey[] = ["JOB_BUDGET_USD", "CONFIRM_ABOVE_USD"];

export type RawSettings = Partial<Record<SettingKey, string>>;
export type SettingErrors = Partial<Record<SettingKey, string>>;

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";

function deploymentBaseUrl(script: RawSettings): string {
  return isSet(script.LLM_BASE_URL) ? script.LLM_BASE_URL : DEFAULT_LLM_BASE_URL;
}

/** The deployment's own base URL when the user has no LLM key and only the deployer's exists; else null. */
export function withheldDeployerKeyUrl({ user, script }: { user: RawSettings; script: RawSettings }): string | null {
  return !isSet(user.LLM_API_KEY) && isSet(script.LLM_API_KEY) ? normaliseBaseUrl(deploymentBaseUrl(script)) : null;
}

/**
 * Merges user values over deployment defaults (script properties) over built-in defaults; blank
 * means unset. The deployer's LLM key goes only to the deployment's own base URL (its script
 * LLM_BASE_URL, or the default): a user who points the add-on elsewhere must bring their own key.
 */
export function mergeRawSettings(user: RawSettings, script: RawSettings): Record<SettingKey, string> {
  const merged = { ...SETTING_DEFAULTS };
  for (const key of SETTING_KEYS) {
    const fromScript = script[key];
    const fromUser = user[key];
    // A blank that means "none" is a choice, not an unset value.
    const counts = (value: string | undefined): value is string => (BLANK_IS_A_CHOICE.includes(key) ? value !== undefined : isSet(value));
    if (counts(fromScript)) merged[key] = fromScript;
    if (counts(fromUser)) merged[key] = fromUser;
  }
  if (!isSet(user.LLM_API_KEY) && !sameBaseUrl(merged.LLM_BASE_URL, deploymentBaseUrl(script))) merged.LLM_API_KEY = "";
  return merged;
}

/**
 * Parses every setting. `allowlist` is the manifest's urlFetchWhitelist the add-on was built with:
 * Google refuses any other URL, so an LLM base URL outside it is refused here, before anything is
 * saved or paid for.
 */
export function validateSettings(
  raw: Record<SettingKey, string>,
  allowlist: readonly string[],
): { settings: Settings | null; errors: SettingErrors } {
  const errors: SettingErrors = {};
  const parsed: Partial<Record<SettingKey, unknown>> = {};
  for (const key of SETTING_KEYS) {
    const result = SETTING_FIELDS[key].safeParse(raw[key]);
    if (result.success) parsed[key] = result.data;
    else errors[key] = result.error.issues[0]?.message ?? "is not valid";
  }
  if (typeof parsed.LLM_BASE_URL === "string") {
    const problem = baseUrlProblem(parsed.LLM_BASE_URL, allowlist);
    if (problem) errors.LLM_BASE_URL = problem;
  }
  if (Object.keys(errors).length > 0) return { settings: null, errors };
  const v = parsed as { [K in SettingKey]: z.output<(typeof SETTING_FIELDS)[K]> };
  return {
    errors,
    settings: {
      tavilyApiKey: v.TAVILY_API_KEY,
      llmApiKey: v.LLM_API_KEY,
      llmBaseUrl: v.LLM_BASE_URL,
      llmModel: v.LLM_MODEL,
      profile: v.PROFILE,
      tavilyConcurrency: v.TAVILY_CONCURRENCY,
      llmConcurrency: v.LLM_CONCURRENCY,
      tavilyRpm: v.TAVILY_RPM,
      llmRpm: v.LLM_RPM,
      cacheTtlDays: v.CACHE_TTL_DAYS,
      noDataTtlDays: v.NO_DATA_TTL_DAYS,
      relevanceThreshold: v.RELEVANCE_THRESHOLD,
      evidenceBudgetChars: v.EVIDENCE_BUDGET_CHARS,
      jobBudgetUsd: v.JOB_BUDGET_USD,
      confirmAboveUsd: v.CONFIRM_ABOVE_USD,
      tavilyPricePerCredit: v.TAVILY_PRICE_PER_CREDIT,
      llmInputPricePerMTok: v.LLM_INPUT_PRICE_PER_MTOK,
      llmOutputPricePerMTok: v.LLM_OUTPUT_PRICE_PER_MTOK,
      workerTimeBudgetSeconds: v.WORKER_TIME_BUDGET_SECONDS,
      liveLookupsPerDay: v.LIVE_LOOKUPS_PER_DAY,
    },
  };
}

/** Which keys are missing, in the words the user sees (the settings page's labels). */
export function missingKeys(settings: Settings): string[] {
  const missing: string[] = [];
  if (!settings.tavilyApiKey) missing.push("web search key (Tavily)");
  if (!settings.llmApiKey) missing.push("AI key");
  return missing;
}

/** The API keys of the settings, by the service each one is sent to. */
export function apiKeys(settings: Pick<Settings, "tavilyApiKey" | "llmApiKey">): Record<Service, string> {
  return { tavily: settings.tavilyApiKey, llm: settings.llmApiKey };
}

/** The API keys as the secrets to mask in any text a provider or the network echoes. */
export function apiKeySecrets(settings: Pick<Settings, "tavilyApiKey" | "llmApiKey">): string[] {
  return Object.values(apiKeys(settings));
}

// Keys are masked in one place for every surface.
export { maskSecret } from "./secrets";
