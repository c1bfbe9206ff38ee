// One bench scenario: N companies, sidebar open or closed, a first run and then a cached rerun of
// the same companies on a fresh sheet of the same spreadsheet.
import { SETTING_DEFAULTS } from "../../core/settings";
import { lowerBound } from "./bound";
import { wavesOf } from "./calls";
import { companyNames } from "./companies";
import { driveRun, runRecorded, type Mode } from "../drive";
import { readProgress } from "./runs";
import { BENCH_NO_DATA_SHARE, createWorld, loadCompanies, readRows, type MakeRuntime, type RateLimits, type World } from "./setup";
import { countStates, SETTLED, type RowState } from "./sheet";

const PRICES = {
  credit: Number(SETTING_DEFAULTS.TAVILY_PRICE_PER_CREDIT),
  inputPerToken: Number(SETTING_DEFAULTS.LLM_INPUT_PRICE_PER_MTOK) / 1e6,
  outputPerToken: Number(SETTING_DEFAULTS.LLM_OUTPUT_PRICE_PER_MTOK) / 1e6,
};

export interface ScenarioFigures {
  /** The scenario's N. */
  size: number;
  /** Companies in this run (the rerun takes those the first run researched). */
  n: number;
  mode: Mode;
  run: "first" | "rerun";
  wallMs: number;
  /** 0 for a rerun: nothing has to be fetched. */
  boundMs: number;
  /** wall / bound; null when the bound is 0. */
  ratio: number | null;
  executions: number;
  workerExecutions: number;
  triggerRuntimeMs: number;
  /** HTTP requests sent (what Apps Script's UrlFetch quota counts). */
  urlFetches: number;
  fetchAllCalls: number;
  /** Waves the worker reported (a killed execution counts its fetchAll calls instead). */
  waves: number;
  /** Range reads and writes of the worker executions. */
  workerRangeCalls: number;
  rangeCallsPerWave: number | null;
  llmInputTokensPerCompany: number;
  llmOutputTokensPerCompany: number;
  tavilyCreditsPerCompany: number;
  usdPerCompany: number;
  /** What the add-on's own progress said it spent, per company; null if it did not say. */
  addOnUsdPerCompany: number | null;
  tavilyRequests: number;
  llmRequests: number;
  rows: Record<RowState, number>;
  settled: boolean;
  stalls: number;
  /** Distinct execution errors (kills excluded). */
  errors: string[];
}

function counters(world: World) {
  return {
    tavilyRequests: world.tavily.requests,
    searches: world.tavily.searches,
    credits: world.tavily.creditsServed,
    searchLatencyMs: world.tavily.searchLatencyMsServed,
    llmRequests: world.llm.requests,
    completions: world.llm.completions,
    promptTokens: world.llm.promptTokensServed,
    completionTokens: world.llm.completionTokensServed,
    llmLatencyMs: world.llm.completionLatencyMsServed,
  };
}

function measure(
  world: World,
  limits: RateLimits,
  size: number,
  n: number,
  mode: Mode,
  run: "first" | "rerun",
  sheetName: string,
): ScenarioFigures {
  const { rt } = world;
  const before = counters(world);
  const startedAt = rt.clock.now();
  const menu = runRecorded(rt, "researchSelectedRows", "menu");
  const result = driveRun(rt, {
    mode,
    settled: () => readRows(rt, sheetName).every((r) => SETTLED.has(r.state)),
    progress: () =>
      readRows(rt, sheetName)
        .map((r) => r.status)
        .join("\n"),
  });
  const after = counters(world);
  const d = <K extends keyof typeof before>(k: K) => after[k] - before[k];
  const progress = readProgress(world);

  const executions = [menu, ...result.workers];
  const sum = (pick: (s: (typeof executions)[number]["stats"]) => number) => executions.reduce((t, e) => t + pick(e.stats), 0);
  const waves = wavesOf(result.workers);
  const workerRangeCalls = result.workers.reduce((t, w) => t + w.stats.rangeCalls, 0);

  const rows = countStates(readRows(rt, sheetName));
  const searches = d("searches");
  const completions = d("completions");
  const bound =
    run === "first"
      ? lowerBound({
          companies: n,
          // Every company researched to Done needed a judgement; no-data ones may never reach the model.
          judged: rows.done,
          tavilyRpm: limits.tavilyRpm,
          llmRpm: limits.llmRpm,
          searchLatencyMs: searches > 0 ? d("searchLatencyMs") / searches : 3000,
          llmLatencyMs: completions > 0 ? d("llmLatencyMs") / completions : 2000,
        }).boundMs
      : 0;
  const wallMs = result.endedAt - startedAt;
  const per = (x: number) => (n > 0 ? x / n : 0);
  const usd = d("credits") * PRICES.credit + d("promptTokens") * PRICES.inputPerToken + d("completionTokens") * PRICES.outputPerToken;
  return {
    size,
    n,
    mode,
    run,
    wallMs,
    boundMs: bound,
    ratio: bound > 0 ? wallMs / bound : null,
    executions: sum((s) => s.executions),
    workerExecutions: result.workers.length,
    triggerRuntimeMs: sum((s) => s.triggerRuntimeMs),
    urlFetches: sum((s) => s.urlFetch.requests),
    fetchAllCalls: sum((s) => s.urlFetch.fetchAll),
    waves,
    workerRangeCalls,
    rangeCallsPerWave: waves > 0 ? workerRangeCalls / waves : null,
    llmInputTokensPerCompany: per(d("promptTokens")),
    llmOutputTokensPerCompany: per(d("completionTokens")),
    tavilyCreditsPerCompany: per(d("credits")),
    usdPerCompany: per(usd),
    addOnUsdPerCompany: progress ? per(progress.costUsd) : null,
    tavilyRequests: d("tavilyRequests"),
    llmRequests: d("llmRequests"),
    rows,
    settled: result.settled,
    stalls: result.stalls,
    errors: menu.result.error ? [String(menu.result.error), ...result.errors] : result.errors,
  };
}

/** First run, then the same companies again on a new sheet (answered from the cache). */
export function runScenario(makeRuntime: MakeRuntime, limits: RateLimits, n: number, mode: Mode): [ScenarioFigures, ScenarioFigures] {
  const world = createWorld(makeRuntime, { limits, noDataShare: BENCH_NO_DATA_SHARE });
  const companies = companyNames(n);
  loadCompanies(world.rt, "Companies", companies);
  const first = measure(world, limits, n, n, mode, "first", "Companies");
  // The cached rerun measures the companies the first run researched to Done; no-data ones would
  // answer "No reliable data (cached)", which says nothing about serving results from the cache.
  const researched = readRows(world.rt, "Companies")
    .filter((r) => r.state === "done" || r.state === "cached")
    .map((r) => r.company);
  loadCompanies(world.rt, "Rerun", researched);
  const rerun = measure(world, limits, n, researched.length, mode, "rerun", "Rerun");
  return [first, rerun];
}
