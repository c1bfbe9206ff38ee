// Zod schemas for what the server sends the pages. google.script.run hands back whatever the
// server returned, and a server deployed from another version can differ: parsing here turns a
// mismatch into one clear error instead of a half-drawn page. zod/mini keeps the page small
// (the classic build would add about 200 KB to every sidebar load).
import * as z from "zod/mini";
import type { ResearchProgress } from "../core/types";
import type { ConnectionTestResult, ModelsResult, SaveSettingsResult, SettingsView } from "../addon/settings-ui";
import type { SettingKey } from "../core/settings";
import type { CommandResult } from "../addon/commands";

const count = z.number();
export const tierSchema = z.enum(["HOT", "WARM", "WATCH", "COLD", "UNKNOWN"]);

export const progressSchema = z.object({
  total: count,
  queued: count,
  researching: count,
  done: count,
  cached: count,
  noData: count,
  failed: count,
  cancelled: count,
  paused: count,
  tiers: z.record(tierSchema, count),
  costUsd: z.number(),
  tavilyCredits: z.number(),
  llmTokens: z.number(),
  startedAt: z.number(),
  etaSeconds: z.number(),
  running: z.boolean(),
  message: z.string(),
  isPaused: z.boolean(),
  slowWhenClosed: z.boolean(),
  recent: z.array(
    z.object({
      company: z.string(),
      tier: z.union([tierSchema, z.literal("")]),
      score: z.nullable(z.number()),
      status: z.string(),
    }),
  ),
  errors: z.array(z.object({ row: z.number(), company: z.string(), status: z.string() })),
}) satisfies z.ZodMiniType<ResearchProgress>;

// Listed here rather than imported (the core's settings module pulls in classic zod). `satisfies`
// rejects a name the core does not know, and settingsViewSchema's `satisfies` rejects a missing one.
const SETTING_KEY_LIST = [
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
  "RELEVANCE_THRESHOLD",
  "EVIDENCE_BUDGET_CHARS",
  "JOB_BUDGET_USD",
  "TAVILY_PRICE_PER_CREDIT",
  "LLM_INPUT_PRICE_PER_MTOK",
  "LLM_OUTPUT_PRICE_PER_MTOK",
  "WORKER_TIME_BUDGET_SECONDS",
] as const satisfies readonly SettingKey[];
const settingKeySchema = z.enum(SETTING_KEY_LIST);
const settingErrorsSchema = z.partialRecord(settingKeySchema, z.string());

export const settingsViewSchema = z.object({
  values: z.record(settingKeySchema, z.string()),
  keysSet: z.object({ TAVILY_API_KEY: z.boolean(), LLM_API_KEY: z.boolean() }),
  defaults: z.record(settingKeySchema, z.string()),
  errors: settingErrorsSchema,
}) satisfies z.ZodMiniType<SettingsView>;

export const saveResultSchema = z.object({
  ok: z.boolean(),
  errors: settingErrorsSchema,
  message: z.string(),
  view: settingsViewSchema,
}) satisfies z.ZodMiniType<SaveSettingsResult>;

export const connectionResultSchema = z.object({ ok: z.boolean(), message: z.string() }) satisfies z.ZodMiniType<ConnectionTestResult>;

export const modelsResultSchema = z.object({
  ok: z.boolean(),
  models: z.array(z.string()),
  message: z.string(),
}) satisfies z.ZodMiniType<ModelsResult>;

/** What cancelResearch, retryFailedRows and resumeResearch answer. */
export const commandResultSchema = z.object({ ok: z.boolean(), message: z.string(), queued: z.number() }) satisfies z.ZodMiniType<CommandResult>;
