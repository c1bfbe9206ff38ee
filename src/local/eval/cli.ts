// `npm run eval`: labelled lists researched through the built add-on, offline from the recordings
// or live, the judgments compared with the labels; a markdown report and a one-line summary.
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_LLM_BASE_URL, DEFAULT_LLM_MODEL, SETTING_FIELDS } from "../../core/settings";
import { PROFILES, type Profile } from "../../core/types";
import { writeFileAtomic } from "../demo/files";
import { createLiveHandler } from "../demo/live";
import type { ProviderHandler } from "../providers";
import { evaluate, type EvalSource } from "./evaluate";
import { judgmentsOf, saveJudgments } from "./judgments";
import { EvalError, profileOfFile, readLabelList, type LabelList } from "./labels";
import { figures, rate } from "./metrics";
import { RecordingPool } from "./recordings";
import { renderReport, summaryLine, type ListResult } from "./report";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const EVAL_DIR = join(REPO_ROOT, "examples", "eval");
export const DEFAULT_LISTS = [join(EVAL_DIR, "gpu-infrastructure.csv"), join(EVAL_DIR, "managed-inference.csv")];
export const DEFAULT_RECORDINGS = join(EVAL_DIR, "recordings");
export const DEFAULT_JUDGMENTS = join(EVAL_DIR, "judgments.json");

const USAGE = `Usage: npm run eval -- [--list FILE ...] [--models a,b] [--min-agreement 0.8] [options]

  --list FILE         a labelled CSV: company, expected_class; optional website, expected_tier,
                      reason, source, tags (repeat for several). Default: the two lists in examples/eval
  --profile P         the profile of a list not named after one (gpu-infrastructure, managed-inference)
  --models a,b        LLM models to run side by side (default: LLM_MODEL, else the add-on's default)
  --min-agreement X   exit 1 when any model's class agreement on any list is below X (0.8 or 80%)
  --out FILE          the markdown report (default: eval-report.md)
  --recordings DIR    recordings to replay or record into (default: examples/eval/recordings)
  --record            live only: keep the services' answers in the recordings
  --rekey             offline only: key each recorded answer to the request the add-on sends now,
                      keeping the answer (a claim that the model would answer alike; review the diff)
  --save-judgments F  write the run's judgments as the regression guard's expectation

Offline (default) it replays the recordings: a company whose request was not recorded as sent is
reported "not recorded", never counted as wrong. With TAVILY_API_KEY and LLM_API_KEY in the
environment (optionally LLM_BASE_URL, TAVILY_PRICE_PER_CREDIT, LLM_INPUT_PRICE_PER_MTOK,
LLM_OUTPUT_PRICE_PER_MTOK) it calls the real services; the models share each search.`;

export interface EvalIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** Stand-ins for the real services (tests: the fake providers), used as a live run would use them. */
export interface LiveServices {
  handler: ProviderHandler;
  tavilyKey: string;
  llmKey: string;
  describe: string;
}

interface Options {
  lists: string[];
  profile: Profile | null;
  models: string[] | null;
  minAgreement: number | null;
  out: string;
  recordings: string;
  record: boolean;
  rekey: boolean;
  saveJudgments: string | null;
}

function usageError(message: string): EvalError {
  return new EvalError(`${message}. Run npm run eval -- --help for the options.`, 2);
}

function parseMinAgreement(raw: string): number {
  const text = raw.trim();
  const n = Number(text.replace(/%$/, ""));
  const value = text.endsWith("%") || n > 1 ? n / 100 : n;
  if (text === "" || !Number.isFinite(value) || value < 0 || value > 1)
    throw usageError(`--min-agreement must be between 0 and 1, or a percentage (got "${raw}")`);
  return value;
}

function parseOptions(argv: readonly string[], cwd: string): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        list: { type: "string", multiple: true },
        profile: { type: "string" },
        models: { type: "string" },
        "min-agreement": { type: "string" },
        out: { type: "string" },
        recordings: { type: "string" },
        record: { type: "boolean" },
        rekey: { type: "boolean" },
        "save-judgments": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message.replace(/\.$/, "") : String(error));
  }
  const v = parsed.values;
  if (v.help) return "help";
  if (v.profile !== undefined && !(PROFILES as readonly string[]).includes(v.profile))
    throw usageError(`--profile must be ${PROFILES.join(" or ")}`);
  const models =
    v.models === undefined
      ? null
      : v.models
          .split(",")
          .map((m) => m.trim())
          .filter((m) => m !== "");
  if (models !== null && models.length === 0) throw usageError("--models needs at least one model name");
  if (v.record && v.rekey) throw usageError("--record and --rekey do not go together");
  return {
    lists: v.list?.map((l) => resolve(cwd, l)) ?? DEFAULT_LISTS,
    profile: (v.profile as Profile | undefined) ?? null,
    models: models === null ? null : [...new Set(models)],
    minAgreement: v["min-agreement"] === undefined ? null : parseMinAgreement(v["min-agreement"]),
    out: resolve(cwd, v.out ?? "eval-report.md"),
    recordings: v.recordings === undefined ? DEFAULT_RECORDINGS : resolve(cwd, v.recordings),
    record: v.record === true,
    rekey: v.rekey === true,
    saveJudgments: v["save-judgments"] === undefined ? null : resolve(cwd, v["save-judgments"]),
  };
}

function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") ? rel : path;
}

/** A setting from the environment, checked as the add-on checks it; null when unset. */
function envSetting(
  env: EvalIo["env"],
  key: "LLM_BASE_URL" | "TAVILY_PRICE_PER_CREDIT" | "LLM_INPUT_PRICE_PER_MTOK" | "LLM_OUTPUT_PRICE_PER_MTOK",
): string | null {
  const raw = env[key]?.trim();
  if (!raw) return null;
  const parsed = SETTING_FIELDS[key].safeParse(raw);
  if (!parsed.success)
    throw new EvalError(`${key} ${parsed.error.issues[0]?.message ?? "is not valid"} (got "${raw}"). Fix it in your environment.`);
  return String(parsed.data);
}

function priceSettings(env: EvalIo["env"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ["TAVILY_PRICE_PER_CREDIT", "LLM_INPUT_PRICE_PER_MTOK", "LLM_OUTPUT_PRICE_PER_MTOK"] as const) {
    const value = envSetting(env, key);
    if (value !== null) out[key] = value;
  }
  return out;
}

function liveServices(env: EvalIo["env"]): (LiveServices & { baseUrl: string | null }) | null {
  const tavilyKey = env.TAVILY_API_KEY?.trim() ?? "";
  const llmKey = env.LLM_API_KEY?.trim() ?? "";
  if (tavilyKey === "" || llmKey === "") return null;
  const baseUrl = envSetting(env, "LLM_BASE_URL");
  return {
    handler: createLiveHandler({ redirects: [] }),
    tavilyKey,
    llmKey,
    baseUrl,
    describe: `Live: Tavily and the LLM at ${baseUrl ?? DEFAULT_LLM_BASE_URL}; each search is made once and shared by the models.`,
  };
}

function loadLists(options: Options, cwd: string): LabelList[] {
  return options.lists.map((path) => {
    const profile = options.profile ?? profileOfFile(path);
    if (profile === null) throw usageError(`${shown(path, cwd)} is not named after a profile; say which with --profile`);
    return readLabelList(path, shown(path, cwd), profile);
  });
}

export function runEval(argv: readonly string[], io: EvalIo, stand?: LiveServices): number {
  try {
    const options = parseOptions(argv, io.cwd);
    if (options === "help") {
      io.out(USAGE + "\n");
      return 0;
    }
    return run(options, io, stand);
  } catch (error) {
    if (error instanceof EvalError) {
      io.err(`Error: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

function run(options: Options, io: EvalIo, stand: LiveServices | undefined): number {
  const lists = loadLists(options, io.cwd);
  const live = stand ? { ...stand, baseUrl: null } : liveServices(io.env);
  if (options.record && !live) throw new EvalError("--record needs a live run: set TAVILY_API_KEY and LLM_API_KEY in the environment.", 2);
  if (options.rekey && live) throw new EvalError("--rekey works on the recordings offline: unset TAVILY_API_KEY or LLM_API_KEY.", 2);
  const models = options.models ?? [io.env.LLM_MODEL?.trim() || DEFAULT_LLM_MODEL];
  const shownRecordings = shown(options.recordings, io.cwd);
  let pool: RecordingPool | null = null;
  if (!live || options.record) {
    try {
      pool = RecordingPool.load(options.recordings);
    } catch (error) {
      throw new EvalError(
        `the recordings in ${shownRecordings} cannot be read: ${error instanceof Error ? error.message : String(error)}.`,
      );
    }
  }
  let source: EvalSource;
  let heading: string;
  let mode: string;
  if (live) {
    const settings: Record<string, string> = { TAVILY_API_KEY: live.tavilyKey, LLM_API_KEY: live.llmKey };
    if (live.baseUrl) settings.LLM_BASE_URL = live.baseUrl;
    const note = `recorded from the live services by npm run eval --record on ${new Date().toISOString().slice(0, 10)}`;
    source = {
      kind: "live",
      handler: live.handler,
      settings,
      allowOrigin: live.baseUrl ? new URL(live.baseUrl).origin : null,
      secrets: [live.tavilyKey, live.llmKey],
      record: options.record && pool ? { pool, note } : null,
    };
    heading = live.describe;
    mode = "live";
  } else {
    source = { kind: "replay", pool: pool as RecordingPool, rekey: options.rekey };
    heading =
      `Offline: replayed the recordings in ${shownRecordings} (read each one's _note: samples are not live data). ` +
      "A company whose request has no recording as sent is reported as not recorded, never counted as wrong or as no data.";
    mode = options.rekey ? "offline, re-keying" : "offline replay";
  }
  io.out(`${heading}\n`);

  const results = evaluate({ lists, models, source, settings: priceSettings(io.env), progress: (text) => io.out(`${text}\n`) });

  if (pool && (options.record || options.rekey)) {
    const written = pool.save();
    io.out(
      options.record
        ? `Recorded into ${written.length} file(s) in ${shownRecordings}.\n`
        : `Re-keyed ${written.length} recording(s) in ${shownRecordings}: their answers now stand for the requests sent today. Review the diff.\n`,
    );
  }
  const report = renderReport(results, `${heading}\n\nRun on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC.`);
  try {
    writeFileAtomic(options.out, report);
    if (options.saveJudgments) saveJudgments(options.saveJudgments, judgmentsOf(results));
  } catch (error) {
    throw new EvalError(
      `cannot write the report (${error instanceof Error ? error.message : String(error)}). Choose another place with --out.`,
    );
  }
  io.out(`${summaryLine(results, mode)}\n`);
  io.out(`Report: ${shown(options.out, io.cwd)}\n`);
  if (options.saveJudgments) io.out(`Judgments saved to ${shown(options.saveJudgments, io.cwd)}.\n`);
  return options.minAgreement === null ? 0 : checkAgreement(results, options.minAgreement, io);
}

function checkAgreement(results: readonly ListResult[], min: number, io: EvalIo): number {
  const below: string[] = [];
  for (const { list, runs } of results) {
    for (const run of runs) {
      const agreement = rate(figures(run.companies).classAgreement);
      if (agreement === null) below.push(`${list.name} with ${run.model}: no company was answered`);
      else if (agreement < min) below.push(`${list.name} with ${run.model}: ${Math.round(agreement * 100)}%`);
    }
  }
  if (below.length === 0) return 0;
  io.err(`Class agreement below ${Math.round(min * 100)}%: ${below.join("; ")}.\n`);
  return 1;
}
