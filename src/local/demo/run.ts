// `npm run demo`: the built add-on (dist/Code.js) researching the companies of a CSV file in the
// local Apps Script runtime, driven the way the sidebar drives it, offline from recordings or live.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as z from "zod/mini";
import { CACHE_SHEET_NAME } from "../../addon/cache-sheet";
import { estimateCompanyCostUsd } from "../../core/engine";
import { normaliseCompanyName } from "../../core/names";
import { COLUMN_TAG, OUTPUT_HEADERS } from "../../core/run/sheet-layout";
import { DEFAULT_LLM_BASE_URL, mergeRawSettings, validateSettings, type RawSettings } from "../../core/settings";
import { pauseText, statusKind, type PauseReason } from "../../core/status";
import { TIERS } from "../../core/types";
import { commandResultSchema, estimateResultSchema, progressSchema } from "../../core/wire";
import { driveRun } from "../drive";
import { LocalRuntime, loadBuiltAddon, type FetchMode } from "../runtime";
import { CsvError, decodeCsvBytes, outputProblem, parseCsv, SEPARATOR_NAMES, writeCsv, type ParsedCsv } from "./csv";
import { DemoError } from "./errors";
import { consent, estimateLines, maximumCostUsd } from "./estimate";
import { writeFileAtomic } from "./files";
import { createLiveHandler, Recorder } from "./live";
import { loadRecordings, RecordingIndex, SAMPLE_NOTE, type Recording } from "./recordings";
import { createReplayHandler } from "./replay";
import { failureLines, formatUsd, ProgressPrinter, renderTable, shortSources, terminalText, wrap, type FailedRow } from "./report";
import { liveSettings, moneyLimits, type LiveSettings, type MoneyLimits } from "./settings";
import { countCompanies, findCompanyColumn, rowRanges } from "./sheet";
import { loadState, saveState, type Mode } from "./state";

export { DemoError } from "./errors";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const DEFAULT_INPUT = join(REPO_ROOT, "examples", "companies.csv");
const RECORDINGS_DIR = join(REPO_ROOT, "examples", "recordings");
const DATA_SHEET = "Sheet1";
/** Keys the offline run puts in Settings: the add-on refuses to start without keys, the replay ignores them. */
const OFFLINE_KEY = "offline-replay";
/** A run of a few thousand rows needs a few dozen worker executions; far more means it is stuck. */
const MAX_WORKER_EXECUTIONS = 400;
/** Finished, result written, but some rows failed. */
const EXIT_ROWS_FAILED = 3;
/** What the table and the summary say of a name the offline replay has no recording for. */
const NOT_RECORDED = "not in the offline recordings; set keys for a live run";

const USAGE = `Usage: npm run demo -- [file.csv] [--out result.csv] [--fresh] [--yes] [--record DIR]

  file.csv      companies, one per row under a header (Company, Company Name, Name, Organization
                or Account; else the first column), with commas, semicolons or tabs between the
                columns. Default: examples/companies.csv
  --out FILE    where to write the result CSV (default: <file>.result.csv beside the input)
  --fresh       ignore the cache kept from earlier runs (<output>.state.json)
  --yes, -y     live mode: accept the estimate without being asked (needed when the input is not
                a terminal)
  --record DIR  live mode only: save the provider responses as recordings in DIR

Offline (default) it replays the sample recordings in examples/recordings: nothing is paid (the
cost shown is what the recorded requests cost live), and a company without a recording is listed as
not in the recordings, not researched. With TAVILY_API_KEY and LLM_API_KEY in the environment
(optionally LLM_BASE_URL, LLM_MODEL, PROFILE) it calls the real services: it prints the estimate
(expected and maximum cost) and asks before it spends.

  JOB_BUDGET_USD     stop the run when it has spent this many dollars (blank or unset: no budget)
  CONFIRM_ABOVE_USD  live mode: ask only when the expected cost is above this many dollars
                     (unset: ask before any cost; blank: never ask)

Exit status: 0 every row finished; 1 the run stopped or could not start, or you answered no;
2 a wrong option or setting, or a live run that must ask with no terminal to ask on and no --yes;
3 the result is written but some rows failed: run the same command again to retry them (the
finished ones come from the cache, at no cost).`;

export interface DemoIo {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  columns: number;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Shows a question and returns the line the user types; absent when standard input is not a terminal. */
  ask?: (question: string) => string;
}

interface Options {
  input: string;
  inputGiven: boolean;
  output: string;
  statePath: string;
  fresh: boolean;
  yes: boolean;
  recordDir: string | null;
}

function parseOptions(argv: readonly string[], cwd: string): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: "string" },
        fresh: { type: "boolean" },
        yes: { type: "boolean", short: "y" },
        record: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
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
    yes: parsed.values.yes === true,
    recordDir: parsed.values.record === undefined ? null : resolve(cwd, parsed.values.record),
  };
}

function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") ? rel : path;
}

function readTable(path: string, shown: string): ParsedCsv {
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
    return parseCsv(decodeCsvBytes(bytes));
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

/** What to do about a pause in a terminal: the keys, base URL and budget come from the environment here. */
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
    case "budget":
    case "budgetBelowCompany":
      return "Raise JOB_BUDGET_USD (or unset it) in your environment and run again.";
    case "askedToWait":
      return mode === "live" ? "Run again after that time." : "Run again with --fresh.";
    case "columnClash":
      return "Run again with --fresh.";
    case "planLimit":
    case "outOfCredit":
    case "dailyQuota":
    case "rateLimited":
      return mode === "live" ? "Fix the cause with your provider and run again." : "Run again with --fresh.";
  }
}

export function runDemo(argv: readonly string[], io: DemoIo): number {
  try {
    const options = parseOptions(argv, io.cwd);
    if (options === "help") {
      io.out(USAGE + "\n");
      return 0;
    }
    const live = liveSettings(io.env);
    const limits = moneyLimits(io.env);
    io.out(
      live
        ? `${live.describe}\n`
        : `Offline demo: replaying the sample recordings in ${display(RECORDINGS_DIR, io.cwd)} (not live data). Set TAVILY_API_KEY and LLM_API_KEY for a live run.\n`,
    );
    return research(options, live, limits, io);
  } catch (error) {
    if (error instanceof DemoError) {
      io.err(`Error: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

/**
 * Sheet rows (1-based, the header is row 1) whose company the offline replay has no recording for.
 * A name with no letters or digits is not among them: the add-on answers it itself, with no request.
 */
function unrecordedRows(rows: readonly (readonly string[])[], column: number, index: RecordingIndex): Set<number> {
  const unrecorded = new Set<number>();
  rows.forEach((row, i) => {
    const company = (row[column] ?? "").trim();
    if (i > 0 && normaliseCompanyName(company) !== "" && index.byName(company) === null) unrecorded.add(i + 1);
  });
  return unrecorded;
}

function research(options: Options, live: LiveSettings | null, limits: MoneyLimits, io: DemoIo): number {
  const mode: Mode = live ? "live" : "offline";
  const shownInput = display(options.input, io.cwd);
  if (options.recordDir !== null && !live)
    throw new DemoError("--record needs a live run: set TAVILY_API_KEY and LLM_API_KEY in the environment.", 2);

  const problem = outputProblem(options.output);
  if (problem !== null)
    throw new DemoError(`cannot write the result to ${display(options.output, io.cwd)}: ${problem}. Choose another place with --out.`, 2);
  const { rows, separator } = readTable(options.input, shownInput);
  const header = rows[0];
  if (header === undefined || header.every((h) => h.trim() === "")) {
    throw new DemoError(`${shownInput} is empty. Put a header row (for example "Company") and one company per row.`);
  }
  if (separator !== ",")
    io.out(`Reading ${shownInput} as ${SEPARATOR_NAMES[separator]}-separated columns; the result is written the same way.\n`);
  const column = findCompanyColumn(header);
  const columnName = column.header.trim() === "" ? "column A" : `"${column.header}"`;
  const companies = countCompanies(rows, column.index);
  if (companies === 0) {
    const why = column.byHeader ? "" : " (no Company, Company Name, Name, Organization or Account header, so the first column is used)";
    throw new DemoError(`${shownInput} has no company names under ${columnName}${why}. Add one company per row below the header.`);
  }
  if (!column.byHeader) io.out(`No Company/Name/Organization/Account header in ${shownInput}: using the first column, ${columnName}.\n`);

  let recordings: Recording[] | null = null;
  if (!live) {
    try {
      recordings = loadRecordings(RECORDINGS_DIR);
    } catch (error) {
      throw new DemoError(
        `the sample recordings cannot be read: ${error instanceof Error ? error.message : String(error)}. Restore examples/recordings from git.`,
      );
    }
  }
  // Offline, a name without a recording is not handed to the add-on at all: a replayed "no result"
  // would read as the rep's company having no web presence, and cost pretend money.
  const unrecorded = recordings ? unrecordedRows(rows, column.index, new RecordingIndex(recordings)) : new Set<number>();
  if (unrecorded.size === companies) {
    throw new DemoError(
      `none of the ${companies} companies in ${shownInput} is in the offline recordings; set TAVILY_API_KEY and LLM_API_KEY for a live run (npm run demo alone replays the sample).`,
    );
  }

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
    fetchMode = { kind: "handler", handler: createReplayHandler(recordings ?? []) };
  }

  // A live LLM_BASE_URL is allowed as `npm run push` with LLM_BASE_URL allows it in the manifest.
  const whitelist =
    live && addon.urlFetchWhitelist ? [...addon.urlFetchWhitelist, `${new URL(live.llmBase).origin}/`] : addon.urlFetchWhitelist;
  const rt = new LocalRuntime({ ...addon, urlFetchWhitelist: whitelist, fetch: fetchMode, startTime: Date.now() });
  const sheet = rt.spreadsheet.getSheetByName(DATA_SHEET) ?? rt.spreadsheet.insertSheet(DATA_SHEET);
  sheet.load(rows);
  if (cacheRows) {
    const cache = rt.spreadsheet.insertSheet(CACHE_SHEET_NAME);
    cache.load(cacheRows);
    cache.hidden = true;
  }
  const properties: RawSettings = {
    ...(live
      ? { TAVILY_API_KEY: live.tavilyKey, LLM_API_KEY: live.llmKey, ...live.properties }
      : { TAVILY_API_KEY: OFFLINE_KEY, LLM_API_KEY: OFFLINE_KEY }),
    ...(limits.budget === null ? {} : { JOB_BUDGET_USD: limits.budget }),
    // The add-on's threshold for asking: a terminal user sees no sidebar estimate first, so a live
    // run asks before any cost unless told otherwise; the replay costs nothing and never asks.
    CONFIRM_ABOVE_USD: live ? (limits.confirmAbove ?? "0") : "",
  };
  rt.userProperties.setProperties(properties);
  const selected = rows.map((_, i) => i + 1).filter((row) => row > 1 && !unrecorded.has(row));
  rt.spreadsheet.setSelection(DATA_SHEET, rowRanges(selected, header.length));

  let agreed = false;
  if (live) {
    const estimated = call(rt, "estimateSelectedRows", "sidebar", estimateResultSchema);
    if (!estimated.ok) throw new DemoError(`the add-on did not start: ${estimated.message}`);
    const { settings, errors } = validateSettings(mergeRawSettings(properties, {}), whitelist ?? []);
    if (!settings) throw new DemoError(`a setting is not valid: ${Object.values(errors).join("; ")}. Fix it in your environment.`, 2);
    const maximumUsd = maximumCostUsd(estimated.estimate, estimateCompanyCostUsd(settings));
    for (const line of estimateLines(estimated.estimate, maximumUsd)) io.out(`${line}\n`);
    const decision = consent(estimated.estimate, { yes: options.yes, ask: io.ask, maximumUsd });
    if (decision.kind === "refused") throw new DemoError(decision.message, 2);
    if (decision.kind === "declined") {
      io.out("Nothing was researched and nothing was spent.\n");
      return 1;
    }
    agreed = decision.asked;
  }
  // The add-on asks the same question with an alert when the run passes the same threshold: it gets
  // the answer given here, and an alert the terminal did not answer spends nothing.
  rt.ui.alertAnswers = [agreed ? "YES" : "NO"];

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
  const cacheSheet = () => rt.spreadsheet.getSheetByName(CACHE_SHEET_NAME)?.dump() ?? [];
  if (progress.pause !== null) {
    // What was paid for before the pause is kept, so the next run does not pay for it again.
    const paid = cacheSheet();
    let kept = "";
    if (paid.length > 1) {
      try {
        saveState(options.statePath, mode, paid, new Date());
        kept = ` What was paid for is kept in ${shownState} and is not paid for again.`;
      } catch {
        kept = ` What was paid for could not be kept (${shownState} is not writable).`;
      }
    }
    throw new DemoError(`the run paused: ${pauseText(progress.pause)}. ${demoAdvice(progress.pause, mode)}${kept}`);
  }

  const table = sheet.dump();
  const outputColumn = (name: (typeof OUTPUT_HEADERS)[number]) => (sheet.columnTagged(COLUMN_TAG, name) ?? 0) - 1;
  const summary = summarise(table, column.index, outputColumn, unrecorded);
  if (summary.waiting > 0) {
    throw new DemoError(`the run stopped with ${summary.waiting} row(s) still waiting. Run again; if it persists, report it.`);
  }

  // Everything below happens only after a complete run: the files appear whole or not at all.
  const shownOutput = display(options.output, io.cwd);
  try {
    writeFileAtomic(options.output, writeCsv(table, separator));
    saveState(options.statePath, mode, cacheSheet(), new Date());
  } catch (error) {
    throw new DemoError(
      `cannot write the result (${error instanceof Error ? error.message : String(error)}). Choose another place with --out.`,
    );
  }
  const recorded = recorder && options.recordDir !== null ? recorder.save(options.recordDir, new Date()) : [];

  io.out("\n" + renderTable(summary.rows, io.columns) + "\n\n");
  if (summary.failed.length > 0) io.out(failureLines(summary.failed, io.columns).join("\n") + "\n\n");
  if (summary.unrecorded.length > 0) {
    const names = `${summary.unrecorded.length} ${NOT_RECORDED} (TAVILY_API_KEY, LLM_API_KEY); not researched, $0: ${summary.unrecorded.join(", ")}.`;
    io.out(wrap(names, io.columns, "", "  ").join("\n") + "\n\n");
  }
  const tiers = TIERS.filter((t) => (progress.tiers[t] ?? 0) > 0)
    .map((t) => `${progress.tiers[t]} ${t}`)
    .join(", ");
  const byHost = rt.stats.urlFetch.byHost;
  const searches = byHost["api.tavily.com"] ?? 0;
  const llmCalls = byHost[live ? live.llmHost : new URL(DEFAULT_LLM_BASE_URL).host] ?? 0;
  const researched = progress.done + progress.noData + progress.failed;
  io.out(
    `${summary.rows.length} compan${summary.rows.length === 1 ? "y" : "ies"}: ${tiers || "no tiers"}. ` +
      `${progress.done} researched, ${progress.cached} from the cache, ${progress.noData} without reliable data, ${progress.failed} failed` +
      `${unrecorded.size > 0 ? `, ${unrecorded.size} not in the offline recordings ($0)` : ""}.\n`,
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
  if (summary.failed.length > 0) {
    const finished = summary.rows.length - summary.failed.length - unrecorded.size;
    io.err(
      `Failed: ${summary.failed.length} of ${summary.rows.length} compan${summary.rows.length === 1 ? "y" : "ies"} (messages above). ` +
        `Fix what a message asks for, or run the same command again to retry them` +
        `${finished > 0 ? `: the ${finished} finished come from the cache at no cost` : ""}.\n`,
    );
    return EXIT_ROWS_FAILED;
  }
  return 0;
}

type TableRow = Parameters<typeof renderTable>[0][number];

/**
 * The rows of the result table, read back from the sheet as the add-on wrote them: each output in
 * the column the add-on tagged for it (a user's own "Status" column is not the add-on's), each
 * Status read by the add-on's own rule.
 */
function summarise(
  table: unknown[][],
  companyColumn: number,
  outputColumn: (name: (typeof OUTPUT_HEADERS)[number]) => number,
  unrecorded: ReadonlySet<number>,
): { rows: TableRow[]; failed: FailedRow[]; unrecorded: string[]; waiting: number } {
  const [tier, score, useCase, rationale, sources, status] = OUTPUT_HEADERS.map(outputColumn);
  const cell = (row: unknown[], index: number | undefined) => (index === undefined || index < 0 ? "" : row[index]);
  const rows: TableRow[] = [];
  const failed: FailedRow[] = [];
  const notRecorded: string[] = [];
  let waiting = 0;
  table.forEach((row, i) => {
    const company = terminalText(cell(row, companyColumn));
    if (i === 0 || company === "") return;
    if (unrecorded.has(i + 1)) {
      notRecorded.push(company);
      rows.push({ company, tier: "", score: "", useCase: "", status: "Not in recordings", rationale: "", sources: "" });
      return;
    }
    const statusText = String(cell(row, status) ?? "");
    switch (statusKind(statusText)) {
      case "queued":
      case "researching":
      case "paused":
      case "none":
      case "other":
        waiting++;
        break;
      case "error":
        failed.push({ row: i + 1, company, status: statusText });
        break;
      case "done":
      case "cached":
      case "noData":
      case "cancelled":
        break;
    }
    rows.push({
      company,
      tier: terminalText(cell(row, tier)),
      score: terminalText(cell(row, score)),
      useCase: terminalText(cell(row, useCase)),
      status: terminalText(statusText),
      rationale: terminalText(cell(row, rationale)),
      sources: shortSources(cell(row, sources)),
    });
  });
  return { rows, failed, unrecorded: notRecorded, waiting };
}
