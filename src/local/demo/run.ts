// `npm run demo`: the built add-on (dist/Code.js) researching the companies of a CSV file in the
// local Apps Script runtime, driven the way the sidebar drives it, offline from recordings or live.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as z from "zod/mini";
import { DEFAULT_LLM_BASE_URL, SETTING_FIELDS } from "../../core/settings";
import { pauseText, type PauseReason } from "../../core/status";
import { TIERS } from "../../core/types";
import { commandResultSchema, progressSchema } from "../../core/wire";
import { driveRun } from "../drive";
import type { ProviderHandler } from "../providers";
import { LocalRuntime, loadBuiltAddon, type FetchMode } from "../runtime";
import { CsvError, decodeCsvBytes, outputProblem, parseCsv, writeCsv } from "./csv";
import { writeFileAtomic } from "./files";
import { createLiveHandler, Recorder, tavilyRedirect, type Redirect } from "./live";
import { loadRecordings, SAMPLE_NOTE } from "./recordings";
import { createReplayHandler } from "./replay";
import { formatUsd, ProgressPrinter, renderTable, shortSources, terminalText } from "./report";
import { countCompanies, dataRange, findCompanyColumn, foldHeader } from "./sheet";
import { loadState, saveState, type Mode } from "./state";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const DEFAULT_INPUT = join(REPO_ROOT, "examples", "companies.csv");
const RECORDINGS_DIR = join(REPO_ROOT, "examples", "recordings");
const CACHE_SHEET = "_territory_cache";
const DATA_SHEET = "Sheet1";
/** Keys the offline run puts in Settings: the add-on refuses to start without keys, the replay ignores them. */
const OFFLINE_KEY = "offline-replay";
/** A run of a few thousand rows needs a few dozen worker executions; far more means it is stuck. */
const MAX_WORKER_EXECUTIONS = 400;

const USAGE = `Usage: npm run demo -- [file.csv] [--out result.csv] [--fresh] [--record DIR]

  file.csv      companies, one per row under a header (Company, Company Name, Name, Organization
                or Account; else the first column). Default: examples/companies.csv
  --out FILE    where to write the result CSV (default: <file>.result.csv beside the input)
  --fresh       ignore the cache kept from earlier runs (<output>.state.json)
  --record DIR  live mode only: save the provider responses as recordings in DIR

Offline (default) it replays the sample recordings in examples/recordings. With TAVILY_API_KEY and
LLM_API_KEY in the environment (optionally LLM_BASE_URL, LLM_MODEL, PROFILE) it calls the real services.`;

/** A failure the user can act on: one line saying what to do, and the exit code. */
export class DemoError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface DemoIo {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  columns: number;
  env: Record<string, string | undefined>;
  cwd: string;
}

interface Options {
  input: string;
  inputGiven: boolean;
  output: string;
  statePath: string;
  fresh: boolean;
  recordDir: string | null;
}

function parseOptions(argv: readonly string[], cwd: string): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { out: { type: "string" }, fresh: { type: "boolean" }, record: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    throw new DemoError(`${error instanceof Error ? error.message : String(error)}. Run npm run demo -- --help for the options.`, 2);
  }
  if (parsed.values.help) return "help";
  if (parsed.positionals.length > 1)
    throw new DemoError(`one CSV file at a time, got ${parsed.positionals.length}. Run npm run demo -- --help for the options.`, 2);
  const given = parsed.positionals[0];
  const input = given === undefined ? DEFAULT_INPUT : resolve(cwd, given);
  const stem = join(dirname(input), basename(input, extname(input)));
  const output = parsed.values.out === undefined ? `${stem}.result.csv` : resolve(cwd, parsed.values.out);
  if (output === input) throw new DemoError("--out names the input file; choose another file for the result.", 2);
  // The state goes beside the output, named after it without its ".result.csv"/".csv" ending.
  const statePath = output.replace(/(\.result)?\.csv$/i, "") + ".state.json";
  return {
    input,
    inputGiven: given !== undefined,
    output,
    statePath,
    fresh: parsed.values.fresh === true,
    recordDir: parsed.values.record === undefined ? null : resolve(cwd, parsed.values.record),
  };
}

interface LiveSettings {
  tavilyKey: string;
  llmKey: string;
  /** Only the settings the environment gives; the add-on's defaults apply to the rest. */
  properties: Record<string, string>;
  /** Where to send requests instead of the providers (tests against local servers). */
  redirects: Redirect[];
  llmHost: string;
  llmBase: string;
  describe: string;
}

function envSetting(env: DemoIo["env"], key: "LLM_BASE_URL" | "LLM_MODEL" | "PROFILE"): string | null {
  const raw = env[key]?.trim();
  if (!raw) return null;
  const parsed = SETTING_FIELDS[key].safeParse(raw);
  if (!parsed.success)
    throw new DemoError(
      `${key} ${parsed.error.issues[0]?.message ?? "is not valid"} (got "${raw}"). Fix it in your environment and run again.`,
    );
  return parsed.data;
}

function liveSettings(env: DemoIo["env"]): LiveSettings | null {
  const tavilyKey = env.TAVILY_API_KEY?.trim() ?? "";
  const llmKey = env.LLM_API_KEY?.trim() ?? "";
  if (tavilyKey === "" || llmKey === "") return null;
  const properties: Record<string, string> = {};
  const baseUrl = envSetting(env, "LLM_BASE_URL");
  const model = envSetting(env, "LLM_MODEL");
  const profile = envSetting(env, "PROFILE");
  if (baseUrl) properties.LLM_BASE_URL = baseUrl;
  if (model) properties.LLM_MODEL = model;
  if (profile) properties.PROFILE = profile;
  const tavilyServer = serverUrl(env, "TAVILY_BASE_URL");
  const llmServer = serverUrl(env, "LLM_SERVER_URL");
  const llmBase = baseUrl ?? DEFAULT_LLM_BASE_URL;
  const redirects = [...(tavilyServer ? [tavilyRedirect(tavilyServer)] : []), ...(llmServer ? [{ from: llmBase, to: llmServer }] : [])];
  const describe = `Live run: calling Tavily (${tavilyServer ?? "https://api.tavily.com"}) and the LLM at ${llmServer ?? llmBase}${model ? ` (model ${model})` : ""}${
    profile ? `, profile ${profile}` : ""
  }.`;
  return { tavilyKey, llmKey, properties, redirects, llmHost: new URL(llmBase).host, llmBase, describe };
}

/**
 * A server to send one provider's requests to instead (tests against local fake servers). Not an
 * add-on setting, so any http(s) URL will do.
 */
function serverUrl(env: DemoIo["env"], key: "TAVILY_BASE_URL" | "LLM_SERVER_URL"): string | null {
  const raw = env[key]?.trim();
  if (!raw) return null;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new DemoError(`${key} must be an http or https URL (got "${raw}"). Fix it in your environment and run again.`);
  }
  return raw;
}

function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") ? rel : path;
}

function readTable(path: string, shown: string): string[][] {
  if (!existsSync(path))
    throw new DemoError(`${shown} does not exist. Pass the path of a CSV file with a header row: npm run demo -- path/to/file.csv`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "";
    throw new DemoError(
      code === "EISDIR"
        ? `${shown} is a folder. Pass the path of a CSV file: npm run demo -- path/to/file.csv`
        : `${shown} cannot be read (${code || "error"}). Check its permissions and run again.`,
    );
  }
  try {
    return parseCsv(decodeCsvBytes(bytes)).rows;
  } catch (error) {
    if (error instanceof CsvError)
      throw new DemoError(`${shown} is not a readable CSV: ${error.message}. Fix the file or export it again as CSV (UTF-8).`);
    throw error;
  }
}

/** Runs a global of the add-on and returns its value, or fails the demo with the script's error. */
function call<T>(rt: LocalRuntime, fn: string, kind: "menu" | "sidebar", schema: z.ZodMiniType<T>): T {
  const result = rt.run(fn, [], { kind });
  if (result.error !== null)
    throw new DemoError(
      `the add-on's ${fn} failed: ${result.error}. Run npm run build and try again; if it persists, report it with this line.`,
    );
  const parsed = z.safeParse(schema, result.value);
  if (!parsed.success) throw new DemoError(`the add-on's ${fn} returned something unexpected. Run npm run build and try again.`);
  return parsed.data;
}

/** What to do about a pause in a terminal: the keys and base URL come from the environment here. */
function demoAdvice(reason: PauseReason, mode: Mode): string {
  switch (reason.kind) {
    case "keyRejected":
      return reason.service === "tavily"
        ? "Check TAVILY_API_KEY in your environment and run again."
        : "Check LLM_API_KEY (and LLM_BASE_URL) in your environment and run again.";
    case "modelNotFound":
      return mode === "live" ? "Check LLM_MODEL and LLM_BASE_URL in your environment and run again." : "Run again with --fresh.";
    case "settings":
      return "Set TAVILY_API_KEY and LLM_API_KEY in your environment and run again.";
    case "planLimit":
    case "outOfCredit":
    case "budget":
    case "dailyQuota":
    case "rateLimited":
      return mode === "live" ? "Fix the cause with your provider and run again; finished rows are not kept." : "Run again with --fresh.";
  }
}

export function runDemo(argv: readonly string[], io: DemoIo): number {
  let options: Options | "help";
  try {
    options = parseOptions(argv, io.cwd);
  } catch (error) {
    if (error instanceof DemoError) {
      io.err(`Error: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  if (options === "help") {
    io.out(USAGE + "\n");
    return 0;
  }
  try {
    const live = liveSettings(io.env);
    io.out(
      live
        ? `${live.describe}\n`
        : `Offline demo: replaying the sample recordings in ${display(RECORDINGS_DIR, io.cwd)} (not live data). Set TAVILY_API_KEY and LLM_API_KEY for a live run.\n`,
    );
    return research(options, live, io);
  } catch (error) {
    if (error instanceof DemoError) {
      io.err(`Error: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

function research(options: Options, live: LiveSettings | null, io: DemoIo): number {
  const mode: Mode = live ? "live" : "offline";
  const shownInput = display(options.input, io.cwd);
  if (options.recordDir !== null && !live)
    throw new DemoError("--record needs a live run: set TAVILY_API_KEY and LLM_API_KEY in the environment.", 2);

  const problem = outputProblem(options.output);
  if (problem !== null)
    throw new DemoError(`cannot write the result to ${display(options.output, io.cwd)}: ${problem}. Choose another place with --out.`, 2);
  const rows = readTable(options.input, shownInput);
  const header = rows[0];
  if (header === undefined || header.every((h) => h.trim() === "")) {
    throw new DemoError(`${shownInput} is empty. Put a header row (for example "Company") and one company per row.`);
  }
  const column = findCompanyColumn(header);
  const columnName = column.header.trim() === "" ? "column A" : `"${column.header}"`;
  const companies = countCompanies(rows, column.index);
  if (companies === 0) {
    const why = column.byHeader ? "" : " (no Company, Company Name, Name, Organization or Account header, so the first column is used)";
    throw new DemoError(`${shownInput} has no company names under ${columnName}${why}. Add one company per row below the header.`);
  }
  if (!column.byHeader) io.out(`No Company/Name/Organization/Account header in ${shownInput}: using the first column, ${columnName}.\n`);

  const state = options.fresh ? ({ kind: "none" } as const) : loadState(options.statePath);
  const shownState = display(options.statePath, io.cwd);
  let cacheRows: unknown[][] | null = null;
  if (state.kind === "unreadable") io.out(`Ignoring ${shownState} (${state.reason}); starting without a cache.\n`);
  else if (state.kind === "ok" && state.state.mode !== mode)
    io.out(`Ignoring ${shownState}: it holds ${state.state.mode} results, this is a ${mode} run.\n`);
  else if (state.kind === "ok") cacheRows = state.state.cacheSheet;
  const cachedEntries = cacheRows ? Math.max(0, cacheRows.length - 1) : 0;
  if (cachedEntries > 0)
    io.out(
      `Using the cache of earlier runs: ${cachedEntries} compan${cachedEntries === 1 ? "y" : "ies"} in ${shownState} (--fresh to start over).\n`,
    );

  let addon: ReturnType<typeof loadBuiltAddon>;
  try {
    addon = loadBuiltAddon();
  } catch {
    throw new DemoError("dist/Code.js is missing. Build the add-on first: npm run build (npm run demo does it for you).");
  }

  const recorder = live && options.recordDir !== null ? new Recorder([live.tavilyKey, live.llmKey]) : null;
  let fetchMode: FetchMode;
  if (live) {
    // The runtime's real-HTTP mode keeps fetchAll parallel; the demo's own handler is needed only to
    // redirect (tests) or to record, and sends the requests of a wave one after another.
    fetchMode =
      live.redirects.length === 0 && recorder === null
        ? { kind: "http" }
        : { kind: "handler", handler: createLiveHandler({ redirects: live.redirects, ...(recorder ? { recorder } : {}) }) };
  } else {
    let handler: ProviderHandler;
    try {
      handler = createReplayHandler(loadRecordings(RECORDINGS_DIR));
    } catch (error) {
      throw new DemoError(
        `the sample recordings cannot be read: ${error instanceof Error ? error.message : String(error)}. Restore examples/recordings from git.`,
      );
    }
    fetchMode = { kind: "handler", handler };
  }

  // A live LLM_BASE_URL is allowed as `npm run push` with LLM_BASE_URL allows it in the manifest.
  const whitelist =
    live && addon.urlFetchWhitelist ? [...addon.urlFetchWhitelist, `${new URL(live.llmBase).origin}/`] : addon.urlFetchWhitelist;
  const rt = new LocalRuntime({ ...addon, urlFetchWhitelist: whitelist, fetch: fetchMode, startTime: Date.now() });
  const sheet = rt.spreadsheet.getSheetByName(DATA_SHEET) ?? rt.spreadsheet.insertSheet(DATA_SHEET);
  sheet.load(rows);
  if (cacheRows) {
    const cache = rt.spreadsheet.insertSheet(CACHE_SHEET);
    cache.load(cacheRows);
    cache.hidden = true;
  }
  rt.userProperties.setProperties(
    live
      ? { TAVILY_API_KEY: live.tavilyKey, LLM_API_KEY: live.llmKey, ...live.properties }
      : { TAVILY_API_KEY: OFFLINE_KEY, LLM_API_KEY: OFFLINE_KEY },
  );
  rt.spreadsheet.setSelection(DATA_SHEET, [dataRange(rows.length, header.length)]);

  const realStart = Date.now();
  const virtualStart = rt.clock.now();
  const queued = call(rt, "researchSelectedRows", "menu", commandResultSchema);
  if (!queued.ok) throw new DemoError(`the add-on did not start: ${queued.message}`);
  io.out(`${queued.message}\n`);

  const printer = new ProgressPrinter(io.out, io.isTTY);
  let progress = call(rt, "getResearchProgress", "sidebar", progressSchema);
  printer.update(progress);
  // As the sidebar does: one worker after the other. A worker stopped at Google's 6-minute limit
  // is simply followed by the next one, which picks up what is still queued.
  const drive = driveRun(rt, {
    mode: "open",
    settled: () => progress.pause !== null || !progress.running,
    maxExecutions: MAX_WORKER_EXECUTIONS,
    afterWorker: ({ result }) => {
      if (result.error !== null && !result.killed) {
        printer.end();
        throw new DemoError(
          `the add-on's worker failed: ${result.error}. Run npm run build and try again; if it persists, report it with this line.`,
        );
      }
      progress = call(rt, "getResearchProgress", "sidebar", progressSchema);
      printer.update(progress);
    },
  });
  if (!drive.settled) {
    printer.end();
    throw new DemoError(
      `the run did not finish after ${drive.workers.length} worker executions. Run again with --fresh; if it persists, report it.`,
    );
  }
  printer.end();
  if (progress.pause !== null) throw new DemoError(`the run paused: ${pauseText(progress.pause)}. ${demoAdvice(progress.pause, mode)}`);

  const table = sheet.dump();
  const summary = summarise(table);
  if (summary.waiting > 0) {
    throw new DemoError(`the run stopped with ${summary.waiting} row(s) still waiting. Run again; if it persists, report it.`);
  }

  // Everything below happens only after a complete run: the files appear whole or not at all.
  const shownOutput = display(options.output, io.cwd);
  try {
    writeFileAtomic(options.output, writeCsv(table));
    saveState(options.statePath, mode, rt.spreadsheet.getSheetByName(CACHE_SHEET)?.dump() ?? [], new Date());
  } catch (error) {
    throw new DemoError(
      `cannot write the result (${error instanceof Error ? error.message : String(error)}). Choose another place with --out.`,
    );
  }
  const recorded = recorder && options.recordDir !== null ? recorder.save(options.recordDir, new Date()) : [];

  io.out("\n" + renderTable(summary.rows, io.columns) + "\n\n");
  const tiers = TIERS.filter((t) => (progress.tiers[t] ?? 0) > 0)
    .map((t) => `${progress.tiers[t]} ${t}`)
    .join(", ");
  const byHost = rt.stats.urlFetch.byHost;
  const searches = byHost["api.tavily.com"] ?? 0;
  const llmCalls = byHost[live ? live.llmHost : new URL(DEFAULT_LLM_BASE_URL).host] ?? 0;
  const researched = progress.done + progress.noData + progress.failed;
  io.out(
    `${summary.rows.length} compan${summary.rows.length === 1 ? "y" : "ies"}: ${tiers || "no tiers"}. ` +
      `${progress.done} researched, ${progress.cached} from the cache, ${progress.noData} without reliable data, ${progress.failed} failed.\n`,
  );
  io.out(
    `Requests: ${searches} search${searches === 1 ? "" : "es"}, ${llmCalls} LLM call${llmCalls === 1 ? "" : "s"}. ` +
      `Cost ${formatUsd(progress.costUsd)} (${progress.tavilyCredits} Tavily credits, ${progress.llmTokens.toLocaleString("en-US")} LLM tokens` +
      `${researched > 0 && progress.costUsd > 0 ? `, ${formatUsd(progress.costUsd / researched)} per researched company` : ""}).\n`,
  );
  if (searches === 0 && llmCalls === 0 && progress.cached > 0)
    io.out(`Every company came from the cache kept in ${shownState}: 0 searches, 0 LLM calls.\n`);
  const virtualSeconds = (rt.clock.now() - virtualStart) / 1000;
  io.out(
    `Apps Script time ${virtualSeconds.toFixed(1)} s in ${rt.stats.executions} executions (the runtime's virtual clock); real time ${((Date.now() - realStart) / 1000).toFixed(1)} s.\n`,
  );
  io.out(`Wrote ${shownOutput}. The cache is kept in ${shownState} (--fresh to start over).\n`);
  if (recorder && options.recordDir !== null)
    io.out(`Recorded ${recorded.length} compan${recorded.length === 1 ? "y" : "ies"} in ${display(options.recordDir, io.cwd)}.\n`);
  if (!live) io.out(`(${SAMPLE_NOTE}.)\n`);
  return 0;
}

const TERMINAL_STATUS = /^(Done|Done \(cached\)|No reliable data|Error: .*|Cancelled)$/s;

/** The rows of the result table, read back from the sheet by header as the add-on wrote them. */
function summarise(table: unknown[][]): { rows: Parameters<typeof renderTable>[0][number][]; waiting: number } {
  const header = (table[0] ?? []).map((h) => String(h ?? ""));
  const at = (name: string) => header.findIndex((h) => foldHeader(h) === foldHeader(name));
  const companyColumn = findCompanyColumn(header).index;
  const [tier, score, useCase, rationale, sources, status] = ["Tier", "Score", "Use Case", "Rationale", "Sources", "Status"].map(at);
  const cell = (row: unknown[], index: number | undefined) => (index === undefined || index < 0 ? "" : row[index]);
  const rows: Parameters<typeof renderTable>[0][number][] = [];
  let waiting = 0;
  for (const row of table.slice(1)) {
    const company = terminalText(cell(row, companyColumn));
    if (company === "") continue;
    const statusText = String(cell(row, status) ?? "");
    if (!TERMINAL_STATUS.test(statusText)) waiting++;
    rows.push({
      company,
      tier: terminalText(cell(row, tier)),
      score: terminalText(cell(row, score)),
      useCase: terminalText(cell(row, useCase)),
      status: terminalText(statusText),
      rationale: terminalText(cell(row, rationale)),
      sources: shortSources(cell(row, sources)),
    });
  }
  return { rows, waiting };
}
