// The contract between the pages (sidebar, settings) and the server functions they call through
// google.script.run: every shape that crosses, as a type and as a zod/mini schema. The server
// builds these values; the pages parse them at the boundary, because a page and a server from
// different deployments can disagree. Plain JSON only: google.script.run refuses Date objects.
// The result schemas are built on first use (z.lazy): the server loads this module with every
// execution for its argument schemas, and only a page parses results.
import * as z from "zod/mini";
import type { PauseReason } from "./status";
import { SECRET_KEYS, SETTING_KEYS, type SecretKey } from "./setting-keys";
import type { RecentRow, Service, Tier } from "./types";

const count = z.number();
/** A 1-based column number. */
const column = () => z.number().check(z.int(), z.positive());
/** The fields every yes/no answer of a server function shares. */
const okMessage = () => ({ ok: z.boolean(), message: z.string() });
const service = z.enum(["tavily", "llm"]) satisfies z.ZodMiniType<Service>;
export const tierSchema = z.enum(["HOT", "WARM", "WATCH", "COLD", "UNKNOWN"]) satisfies z.ZodMiniType<Tier>;

export const pauseReasonSchema = z.lazy(
  () =>
    z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("keyRejected"), service }),
      z.object({ kind: z.literal("planLimit"), limit: z.enum(["plan", "payAsYouGo"]) }),
      z.object({ kind: z.literal("outOfCredit"), service }),
      z.object({ kind: z.literal("modelNotFound") }),
      z.object({ kind: z.literal("budget") }),
      z.object({ kind: z.literal("dailyQuota") }),
      z.object({ kind: z.literal("rateLimited"), service }),
      z.object({ kind: z.literal("settings") }),
      z.object({ kind: z.literal("askedToWait"), service, until: z.number() }),
      z.object({ kind: z.literal("budgetBelowCompany"), budgetUsd: z.number(), companyUsd: z.number() }),
      z.object({
        kind: z.literal("columnClash"),
        sheet: z.string(),
        clashes: z.array(z.object({ output: z.string(), columns: z.array(z.object({ letter: z.string(), header: z.string() })) })),
      }),
      z.object({
        kind: z.literal("cacheUnwritable"),
        cause: z.enum(["protected", "full", "other"]),
        sheet: z.string(),
        google: z.string(),
      }),
    ]) satisfies z.ZodMiniType<PauseReason>,
);

const recentRowSchema = z.lazy(
  () =>
    z.object({
      company: z.string(),
      tier: z.union([tierSchema, z.literal("")]),
      score: z.nullable(z.number()),
      status: z.string(),
    }) satisfies z.ZodMiniType<RecentRow>,
);

/**
 * A row that failed or was skipped; the sidebar lists it once and selects it on a click. `skipped`:
 * its cells could not be written (a protected range), so Retry cannot help it.
 */
const errorRowSchema = z.lazy(() =>
  z.object({ sheet: z.string(), row: z.number(), company: z.string(), status: z.string(), skipped: z.boolean() }),
);
export type ErrorRow = z.infer<typeof errorRowSchema>;

/** getResearchProgress(): counts from the Status column, money and times from the run state. */
export const progressSchema = z.lazy(() =>
  z.object({
    total: count,
    queued: count,
    researching: count,
    done: count,
    cached: count,
    noData: count,
    failed: count,
    /** Of the failed rows, those whose cells could not be written (a protected range). */
    skipped: count,
    cancelled: count,
    paused: count,
    tiers: z.record(tierSchema, count),
    costUsd: z.number(),
    tavilyCredits: z.number(),
    llmTokens: z.number(),
    /** Epoch ms, 0 when no run has started. */
    startedAt: z.number(),
    /** Epoch ms when the last run ended, 0 while it runs or when unknown. */
    finishedAt: z.number(),
    /** Seconds, 0 when unknown or finished. */
    etaSeconds: z.number(),
    running: z.boolean(),
    /** The pause reason in words (the Status cells say the same), "" when not paused. */
    message: z.string(),
    /** Why the run waits for the user; the pages choose advice and buttons from this, never from text. */
    pause: z.nullable(pauseReasonSchema),
    isPaused: z.boolean(),
    /**
     * What a closed sidebar means for an active run: it goes on about every minute, about hourly (a
     * published add-on's trigger), or it stops until the sidebar is open again (Google refused the
     * trigger, or gives its executions no lock on the document); the rows stay queued.
     */
    whenClosed: z.enum(["continues", "hourly", "stops"]),
    /** Who owns the active run when it is not the viewer ("" otherwise): their sidebar or trigger drives it. */
    ownedBy: z.string(),
    recent: z.array(recentRowSchema),
    errors: z.array(errorRowSchema),
  }),
);
export type ResearchProgress = z.infer<typeof progressSchema>;

/** What the menu commands and the sidebar's buttons answer. */
export const commandResultSchema = z.lazy(() => z.object({ ...okMessage(), queued: z.number() }));
export type CommandResult = z.infer<typeof commandResultSchema>;

/**
 * What queues paid work: Research (`research`) or Re-research (`refresh`) of the selected rows, Retry
 * failed rows, Resume paused rows. Each is estimated and confirmed the same way.
 */
export type QueueAction = "research" | "refresh" | "retry" | "resume";
/** The actions the sidebar offers. */
export const sidebarActionSchema = z.lazy(() => z.enum(["research", "retry", "resume"]) satisfies z.ZodMiniType<QueueAction>);
export type SidebarAction = z.infer<typeof sidebarActionSchema>;

/** A column as the rep sees it: its letters, its header and the first few names in it. */
const columnFields = () => ({ letter: z.string(), header: z.string(), names: z.array(z.string()) });

/** What queueing would do and cost, before anything is queued. */
export const runEstimateSchema = z.lazy(() =>
  z.object({
    action: z.enum(["research", "refresh", "retry", "resume"]) satisfies z.ZodMiniType<QueueAction>,
    /** Rows that would be queued, the resumed ones included. */
    rows: count,
    /** Of those, rows that were paused and resume. */
    resumed: count,
    /**
     * A run its owner left for a day, which this user takes over (their keys pay from now on): whose
     * it was, and how many of the rows are its waiting rows, which go on. Null otherwise.
     */
    takenOver: z.nullable(z.object({ from: z.string(), rows: count })),
    /** Distinct companies among them. */
    companies: count,
    /** Companies the cache answers with a result (no request). */
    cached: count,
    /** Companies the cache answers as having no reliable data (no request). */
    cachedNoData: count,
    /** Companies whose evidence is cached but must be judged again (one LLM call, no search). */
    judgeOnly: count,
    /** Companies researched from scratch. */
    research: count,
    /** Of those, companies whose last research found nothing reliable: expected to need every search. */
    researchAgain: count,
    /** Expected dollars. */
    costUsd: z.number(),
    /** The most the rows can cost: every company searched as often as the research allows. */
    maximumUsd: z.number(),
    seconds: z.number(),
    /** The run's budget (JOB_BUDGET_USD), null for none. */
    budgetUsd: z.nullable(z.number()),
    /** The cost above which the user is asked first (CONFIRM_ABOVE_USD), null for never. */
    confirmAboveUsd: z.nullable(z.number()),
    /** The company column of each sheet with rows to queue. */
    columns: z.array(z.object({ sheet: z.string(), ...columnFields(), byHeader: z.boolean() })),
    /**
     * When no header names the company column and the selection spans several columns: the columns
     * the rep may choose from, and the one chosen (null: none yet, the leftmost is estimated).
     */
    columnChoice: z.nullable(z.object({ chosen: z.nullable(count), options: z.array(z.object({ column: count, ...columnFields() })) })),
    /** Names this plan (sheets by id, rows, companies, what the cache answers, the figures); Start sends it back. */
    planId: z.string(),
  }),
);
export type RunEstimate = z.infer<typeof runEstimateSchema>;
export type ColumnShown = RunEstimate["columns"][number];
export type ColumnChoice = NonNullable<RunEstimate["columnChoice"]>;

/** estimateQueue(): an estimate, or why there is nothing to queue. */
export const estimateResultSchema = z.lazy(() =>
  z.union([z.object({ ok: z.literal(true), estimate: runEstimateSchema }), z.object({ ok: z.literal(false), message: z.string() })]),
);
export type EstimateResult = z.infer<typeof estimateResultSchema>;

/** startQueue(): queued, or what would be queued now differs from the estimate the user saw (here is the new one). */
export const sidebarStartSchema = z.lazy(() =>
  z.union([
    z.object({ kind: z.literal("queued"), result: commandResultSchema }),
    z.object({ kind: z.literal("changed"), estimate: runEstimateSchema }),
    z.object({ kind: z.literal("refused"), result: commandResultSchema }),
  ]),
);
export type SidebarStart = z.infer<typeof sidebarStartSchema>;

/** The cache panel: what the hidden cache sheet holds. */
export const cacheStatsSchema = z.lazy(() =>
  z.object({
    /** Companies with a validated result. */
    companies: count,
    /** Companies remembered as having no reliable data. */
    noData: count,
    /** Searches paid for and not yet judged. */
    unjudged: count,
    /** Epoch ms of the oldest entry, 0 when the cache is empty. */
    oldestAt: z.number(),
    /** Cells the cache sheet takes of the spreadsheet's limit. */
    cells: count,
    cellLimit: count,
  }),
);
export type CacheStats = z.infer<typeof cacheStatsSchema>;

export const clearCacheResultSchema = z.lazy(() => z.object({ removed: count, message: z.string(), stats: cacheStatsSchema }));
export type ClearCacheResult = z.infer<typeof clearCacheResultSchema>;

const settingKeySchema = z.lazy(() => z.enum(SETTING_KEYS));
const settingErrorsSchema = z.lazy(() => z.partialRecord(settingKeySchema, z.string()));
export type { SecretKey };

export const settingsViewSchema = z.lazy(() =>
  z.object({
    /** Every setting as the page shows it; the two keys masked (empty when not set). */
    values: z.record(settingKeySchema, z.string()),
    keysSet: z.object({ TAVILY_API_KEY: z.boolean(), LLM_API_KEY: z.boolean() }),
    /** What a blank field falls back to (built-in defaults; keys have none). */
    defaults: z.record(settingKeySchema, z.string()),
    /** Problems with what is stored now, keyed by setting. */
    errors: settingErrorsSchema,
  }),
);
export type SettingsView = z.infer<typeof settingsViewSchema>;

export const saveResultSchema = z.lazy(() =>
  z.object({
    ok: z.boolean(),
    /** Field-level messages keyed by setting; empty when saved. */
    errors: settingErrorsSchema,
    /** A message about the form as a whole ("" when there is none). */
    message: z.string(),
    /** The stored settings after the call (unchanged when ok is false). */
    view: settingsViewSchema,
  }),
);
export type SaveSettingsResult = z.infer<typeof saveResultSchema>;

/** The technical part of a test's answer (provider, HTTP status, its message), shown in smaller text. */
const detail = () => z.optional(z.string());

export const connectionResultSchema = z.lazy(() => z.object({ ...okMessage(), detail: detail() }));
export type ConnectionTestResult = z.infer<typeof connectionResultSchema>;

export const modelsResultSchema = z.lazy(() => z.object({ ...okMessage(), detail: detail(), models: z.array(z.string()) }));
export type ModelsResult = z.infer<typeof modelsResultSchema>;

/**
 * The server functions the pages call, with their arguments and the schema of their result.
 * The add-on's entry file implements them (a test checks its exports against `ServerApi`); the
 * pages import only this module, so no server code reaches a page.
 */
export const SERVER_RESULTS = {
  getResearchProgress: progressSchema,
  runResearchWorker: z.unknown(),
  cancelResearch: commandResultSchema,
  estimateQueue: estimateResultSchema,
  startQueue: sidebarStartSchema,
  selectRow: commandResultSchema,
  showSettings: z.unknown(),
  getCacheStats: cacheStatsSchema,
  clearCache: clearCacheResultSchema,
  getSettingsView: settingsViewSchema,
  saveSettings: saveResultSchema,
  removeKey: saveResultSchema,
  testConnection: connectionResultSchema,
  listModels: modelsResultSchema,
} as const;

/** Arguments of the server functions that take any, parsed on the server before use. */
export const SERVER_ARGS = {
  estimateQueue: z.lazy(() => z.tuple([sidebarActionSchema, z.nullable(column())])),
  startQueue: z.lazy(() => z.tuple([sidebarActionSchema, z.string(), z.nullable(column())])),
  selectRow: z.lazy(() => z.tuple([z.string(), z.number(), z.string()])),
  // Every entry (null, or nothing from the console), or those older than a whole number of days.
  clearCache: z.lazy(() => z.tuple([z.optional(z.nullable(z.number().check(z.int(), z.nonnegative())))])),
  removeKey: z.lazy(() => z.tuple([z.enum(SECRET_KEYS)])),
} as const;

/** What a refusal says for a function a user may also call by hand (from the script editor). */
const ARG_REFUSALS: Partial<Record<keyof typeof SERVER_ARGS, string>> = {
  clearCache:
    "Nothing was cleared: give a whole number of days, 0 or more, to clear the entries older than that, or nothing to clear every entry.",
};

/** The arguments of `name`, or an error saying the page sent something else. */
export function parseArgs<K extends keyof typeof SERVER_ARGS>(name: K, args: readonly unknown[]): z.output<(typeof SERVER_ARGS)[K]> {
  const parsed = SERVER_ARGS[name].safeParse(args);
  if (!parsed.success) throw new Error(ARG_REFUSALS[name] ?? `${name} was called with arguments it cannot use; reload the sidebar.`);
  return parsed.data as z.output<(typeof SERVER_ARGS)[K]>;
}

type Results = { [K in keyof typeof SERVER_RESULTS]: z.output<(typeof SERVER_RESULTS)[K]> };

export interface ServerApi {
  getResearchProgress(): Results["getResearchProgress"];
  runResearchWorker(): unknown;
  cancelResearch(): Results["cancelResearch"];
  /** What `action` would queue and cost; `column`: the company column the rep chose (see `columnChoice`). */
  estimateQueue(action: SidebarAction, column: number | null): Results["estimateQueue"];
  /** Queues what `action` queues, if it is still the plan the rep saw estimated (`planId`). */
  startQueue(action: SidebarAction, planId: string, column: number | null): Results["startQueue"];
  /** Selects the row of `sheet` that holds `company` (at `row` when it is still there). */
  selectRow(sheet: string, row: number, company: string): Results["selectRow"];
  showSettings(): unknown;
  getCacheStats(): Results["getCacheStats"];
  /** Removes every cache entry, or those fetched more than `olderThanDays` days ago. */
  clearCache(olderThanDays: number | null): Results["clearCache"];
  getSettingsView(): Results["getSettingsView"];
  saveSettings(form: Record<string, string>): Results["saveSettings"];
  removeKey(key: SecretKey): Results["removeKey"];
  testConnection(service: Service, form?: Record<string, string>): Results["testConnection"];
  listModels(form?: Record<string, string>): Results["listModels"];
}
export type ServerFunction = keyof ServerApi;
