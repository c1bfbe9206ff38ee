// Every list researched by every model, each run in a fresh local runtime as a user's fresh
// spreadsheet would be: from recordings (replay) or from the live services (optionally recorded).
import type { ProviderHandler } from "../providers";
import type { LabelList } from "./labels";
import type { RecordingPool } from "./recordings";
import type { ListResult } from "./report";
import { researchList, type ModelRun, type OutcomeKind } from "./research";
import { createKeyedReplay, observe, recordInto, shareSearches, type Miss } from "./services";

/** Keys the replay puts in Settings: the add-on refuses to start without keys, the recordings ignore them. */
const OFFLINE_KEY = "offline-replay";

const OUTCOME_WORDS: readonly [OutcomeKind, string][] = [
  ["judged", "judged"],
  ["noData", "no reliable data"],
  ["error", "errors"],
  ["notRecorded", "not recorded"],
];

export type EvalSource =
  | { kind: "replay"; pool: RecordingPool; rekey: boolean }
  | {
      kind: "live";
      handler: ProviderHandler;
      /** Keys and base URL of the run. */
      settings: Record<string, string>;
      /** An LLM origin the deployment would add to the manifest's urlFetchWhitelist. */
      allowOrigin: string | null;
      /** What --record must never write. */
      secrets: readonly string[];
      record: { pool: RecordingPool; note: string } | null;
    };

export interface EvaluateOptions {
  lists: readonly LabelList[];
  models: readonly string[];
  source: EvalSource;
  /** Further settings for every run (prices, or a test's evidence budget). */
  settings?: Record<string, string>;
  /** Told when each run starts and ends. */
  progress?: (text: string) => void;
}

export function evaluate(options: EvaluateOptions): ListResult[] {
  const { source } = options;
  // One sharing layer for the whole eval: every model of every list judges the same search answers.
  let shared: ProviderHandler | null = null;
  return options.lists.map((list) => ({
    list,
    runs: options.models.map((model): ModelRun => {
      options.progress?.(`${list.name} with ${model}: ${list.rows.length} companies…`);
      const misses: Miss[] = [];
      let handler: ProviderHandler;
      let settings: Record<string, string>;
      if (source.kind === "replay") {
        handler = createKeyedReplay(source.pool, { profile: list.profile, rekey: source.rekey, misses });
        settings = { TAVILY_API_KEY: OFFLINE_KEY, LLM_API_KEY: OFFLINE_KEY };
      } else {
        shared ??= shareSearches(source.handler);
        const record = source.record;
        handler = record ? observe(shared, recordInto(record.pool, list.profile, source.secrets, record.note)) : shared;
        settings = source.settings;
      }
      const run = researchList(list, model, {
        handler,
        settings: { ...settings, ...options.settings },
        misses,
        urlFetchWhitelist: (whitelist) =>
          source.kind === "live" && source.allowOrigin && whitelist ? [...whitelist, `${source.allowOrigin}/`] : whitelist,
        ...(source.kind === "live" ? { startTime: Date.now() } : {}),
      });
      const count = (kind: string) => run.companies.filter((c) => c.kind === kind).length;
      const said = OUTCOME_WORDS.filter(([kind]) => count(kind) > 0).map(([kind, words]) => `${count(kind)} ${words}`);
      options.progress?.(`${list.name} with ${model}: ${said.join(", ")}.`);
      return run;
    }),
  }));
}
