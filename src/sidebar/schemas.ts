// Zod schemas for what the server sends the pages. google.script.run hands back whatever the
// server returned, and a server deployed from another version can differ: parsing here turns a
// mismatch into one clear error instead of a half-drawn page. zod/mini keeps the page small
// (the classic build would add about 200 KB to every sidebar load).
import * as z from "zod/mini";
import type { ResearchProgress } from "../core/types";
import type { ConnectionTestResult, ModelsResult, SaveSettingsResult, SettingsView } from "../addon/settings-ui";
import { SETTING_KEYS } from "../core/setting-keys";
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

const settingKeySchema = z.enum(SETTING_KEYS);
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
