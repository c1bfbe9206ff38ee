// Hostile providers: runs against providers that refuse, throttle or fail, checking that nothing is
// paid twice, that what the add-on reports is what the providers billed, and that every run ends or
// pauses instead of retrying forever.
import type { ExecutionRecord } from "../drive";
import type { Charge } from "../providers";
import { SERVICE_CALL_MS } from "../runtime";
import { companyNames } from "./companies";
import { lowerBound } from "./bound";
import { runSheet, type RunOutcome } from "./runs";
import { formatColumns, type Target } from "./report";
import {
  BENCH_NO_DATA_SHARE,
  createWorld,
  DEV_LIMITS,
  PRODUCTION_LIMITS,
  readRows,
  type MakeRuntime,
  type RateLimits,
  type World,
  type WorldOptions,
} from "./setup";
import { countStates, type RowState } from "./sheet";

export interface HostileScenario {
  name: string;
  companies: number;
  limits: RateLimits;
  /** A new set of fault functions per run (they may keep state, such as when an outage began). */
  faults?: () => NonNullable<WorldOptions["faults"]>;
  kills?: number;
  /** The model refuses everything for this long from its first request (for the bound). */
  llmOutageMs?: number;
  /** When the run pauses, the user presses Resume this long after the start. */
  resumeAfterMs?: number;
  /** Virtual time after which a run that neither ended nor paused counts as running forever. */
  maxVirtualMs: number;
}

const MINUTE = 60_000;
const OUTAGE_MS = 40 * MINUTE;

/** The model answers 429 with Retry-After 600 for `ms` from its first request, then is healthy. */
function llmOutage(ms: number): () => NonNullable<WorldOptions["faults"]> {
  return () => {
    let first: number | null = null;
    return {
      llm: ({ request }) => {
        first ??= request.sentAt;
        return request.sentAt - first < ms ? { kind: "status", status: 429, retryAfterSeconds: 600 } : null;
      },
    };
  };
}

/** The scenarios at the sizes of the bench; `scale` shrinks the company counts for the test suite. */
export function hostileScenarios(scale = 1): HostileScenario[] {
  const n = (count: number) => Math.max(5, Math.round(count * scale));
  return [
    {
      name: "LLM out of credit from the first call",
      companies: n(50),
      limits: PRODUCTION_LIMITS,
      faults: () => ({ llm: () => ({ kind: "outOfCredit" }) }),
      maxVirtualMs: 3 * 60 * MINUTE,
    },
    {
      name: "LLM 429 Retry-After 600 for 40 min, then healthy",
      companies: n(100),
      limits: PRODUCTION_LIMITS,
      faults: llmOutage(OUTAGE_MS),
      llmOutageMs: OUTAGE_MS,
      resumeAfterMs: OUTAGE_MS + MINUTE,
      maxVirtualMs: 3 * 60 * MINUTE,
    },
    {
      name: "development keys (Tavily 100/min, LLM 30/min)",
      companies: n(400),
      limits: DEV_LIMITS,
      maxVirtualMs: 6 * 60 * MINUTE,
    },
    {
      name: "10% random 429/5xx, 20 kills",
      companies: n(1000),
      limits: PRODUCTION_LIMITS,
      faults: () => ({
        tavily: { rate: 0.1, seed: 11, kinds: [429, 500, 502, 503] },
        llm: { rate: 0.1, seed: 12, kinds: [429, 500, 502, 503] },
      }),
      kills: Math.max(2, Math.round(20 * scale)),
      maxVirtualMs: 12 * 60 * MINUTE,
    },
  ];
}

export type Outcome = "ended" | "paused" | "running";

/** What the fakes billed against what the add-on's progress reports. */
export interface Billing {
  /** Every request Tavily received, refused or not. */
  tavilyRequests: number;
  /** Billed searches with each company's first query, and with a re-search query. */
  firstSearches: number;
  researchSearches: number;
  /**
   * First-query searches billed for answers that came back after their execution was killed: the
   * script never saw them, so searching again is the only way on, and no add-on can avoid it.
   */
  firstSearchesLostToKills: number;
  creditsReported: number | null;
  creditsBilled: number;
  tokensReported: number | null;
  tokensBilled: number;
  /**
   * Billed for answers that came back after their execution was killed: the script never saw them,
   * so no add-on can report them. Reported must equal billed minus these.
   */
  creditsInFlightAtKills: number;
  tokensInFlightAtKills: number;
}

export interface HostileFigures extends Billing {
  name: string;
  companies: number;
  limits: RateLimits;
  outcome: Outcome;
  /** The add-on's message when the run first stopped paused, and when. */
  pause: { message: string; atMs: number } | null;
  resumed: boolean;
  wallMs: number;
  boundMs: number | null;
  ratio: number | null;
  kills: number;
  rows: Record<RowState, number>;
  errors: string[];
}

/**
 * The `charges` sent by an execution that was killed before their answers could be kept. fetchAll
 * returns only when its last answer is in, so an answer is lost with every other of the same call
 * (same sentAt, in `sameCalls`: every service's charges). Keeping an answer takes one service call
 * after it is in (`keepMs`, the runtime's cost of a call): an answer back later than that before
 * the kill is one no add-on could have kept.
 */
export function lostToKills<C extends Charge>(
  charges: readonly C[],
  executions: readonly ExecutionRecord[],
  sameCalls: readonly Charge[] = charges,
  keepMs = SERVICE_CALL_MS,
): C[] {
  const killed = executions.filter((e) => e.result.killed).map((e) => ({ from: e.result.startedAt, at: e.result.endedAt }));
  const callEnds = new Map<number, number>();
  for (const c of sameCalls) callEnds.set(c.sentAt, Math.max(callEnds.get(c.sentAt) ?? 0, c.answeredAt));
  const returnedAt = (c: C) => Math.max(c.answeredAt, callEnds.get(c.sentAt) ?? 0);
  return charges.filter((c) => killed.some((k) => c.sentAt >= k.from && c.sentAt <= k.at && returnedAt(c) + keepMs > k.at));
}

const total = (charges: readonly Charge[]) => charges.reduce((t, c) => t + c.amount, 0);

export function billing(world: World, run: RunOutcome): Billing {
  const { tavily, llm } = world;
  const calls = [...tavily.charges, ...llm.charges];
  const lostSearches = lostToKills(tavily.charges, run.executions, calls);
  return {
    tavilyRequests: tavily.requests,
    firstSearches: tavily.searchesByQuery.first,
    researchSearches: tavily.searchesByQuery.research,
    firstSearchesLostToKills: lostSearches.filter((c) => !c.research).length,
    creditsReported: run.progress?.tavilyCredits ?? null,
    creditsBilled: tavily.creditsServed,
    tokensReported: run.progress?.llmTokens ?? null,
    tokensBilled: llm.promptTokensServed + llm.completionTokensServed,
    creditsInFlightAtKills: total(lostSearches),
    tokensInFlightAtKills: total(lostToKills(llm.charges, run.executions, calls)),
  };
}

/** One line: billed searches per company and reported against billed credits and tokens. */
export function formatBilling(b: Billing, companies: number): string {
  const lost = (n: number) => (n > 0 ? ` (${n} lost to kills)` : "");
  return (
    `billed first-query searches per company ${perCompany(b.firstSearches, companies)}${lost(b.firstSearchesLostToKills)}, ${b.researchSearches} re-searches; ` +
    `credits reported ${b.creditsReported ?? "?"} of ${b.creditsBilled} billed${lost(b.creditsInFlightAtKills)}; ` +
    `tokens reported ${b.tokensReported ?? "?"} of ${b.tokensBilled} billed${lost(b.tokensInFlightAtKills)}`
  );
}

export function runHostile(makeRuntime: MakeRuntime, scenario: HostileScenario): HostileFigures {
  const world = createWorld(makeRuntime, {
    limits: scenario.limits,
    noDataShare: BENCH_NO_DATA_SHARE,
    ...(scenario.faults ? { faults: scenario.faults() } : {}),
  });
  const run = runSheet(world, {
    sheet: "Hostile",
    companies: companyNames(scenario.companies),
    ...(scenario.kills ? { kills: { count: scenario.kills, seed: 21 } } : {}),
    ...(scenario.resumeAfterMs !== undefined ? { resumeAfterMs: scenario.resumeAfterMs } : {}),
    maxVirtualMs: scenario.maxVirtualMs,
    // Only the virtual-time ceiling decides that a run goes on forever.
    maxIdleExecutions: Number.POSITIVE_INFINITY,
  });
  const { tavily, llm } = world;
  const rows = countStates(readRows(world.rt, "Hostile"));
  const outcome: Outcome = run.progress?.pause ? "paused" : run.drives.every((d) => d.settled) ? "ended" : "running";
  const wallMs = run.endedAt - run.startedAt;
  const searchLatencyMs = tavily.searches > 0 ? tavily.searchLatencyMsServed / tavily.searches : 3000;
  // A bound only for a run that ended: a paused run stopped on purpose, long before any bound.
  const boundMs =
    outcome === "ended"
      ? lowerBound({
          companies: scenario.companies,
          judged: rows.done,
          tavilyRpm: scenario.limits.tavilyRpm,
          llmRpm: scenario.limits.llmRpm,
          searchLatencyMs,
          llmLatencyMs: llm.completions > 0 ? llm.completionLatencyMsServed / llm.completions : 2000,
          ...(scenario.llmOutageMs !== undefined ? { llmFromMs: searchLatencyMs + scenario.llmOutageMs } : {}),
        }).boundMs
      : null;
  return {
    name: scenario.name,
    companies: scenario.companies,
    limits: scenario.limits,
    ...billing(world, run),
    outcome,
    pause: run.firstStop.paused ? { message: run.firstStop.message, atMs: run.firstStop.atMs } : null,
    resumed: run.resumed,
    wallMs,
    boundMs,
    ratio: boundMs !== null && boundMs > 0 ? wallMs / boundMs : null,
    kills: run.kills,
    rows,
    errors: run.errors,
  };
}

export function hostileTargets(figs: readonly HostileFigures[]): Target[] {
  const worst = (pick: (f: HostileFigures) => number) => (figs.length === 0 ? null : Math.max(...figs.map(pick)));
  const mismatches = (pick: (f: HostileFigures) => number | null, billed: (f: HostileFigures) => number) =>
    figs.filter((f) => pick(f) === null || pick(f) !== billed(f)).length;
  const credits = mismatches(
    (f) => f.creditsReported,
    (f) => f.creditsBilled - f.creditsInFlightAtKills,
  );
  const tokens = mismatches(
    (f) => f.tokensReported,
    (f) => f.tokensBilled - f.tokensInFlightAtKills,
  );
  const running = figs.filter((f) => f.outcome === "running").length;
  const searches = worst((f) => (f.firstSearches - f.firstSearchesLostToKills) / f.companies);
  return [
    {
      name: "hostile: billed searches per company, re-search and searches lost to kills aside (worst scenario)",
      value: searches,
      limit: 1,
      pass: searches !== null && searches <= 1,
    },
    {
      name: "hostile: scenarios whose reported credits differ from those billed (less answers lost to kills)",
      value: credits,
      limit: 0,
      pass: figs.length > 0 && credits === 0,
    },
    {
      name: "hostile: scenarios whose reported tokens differ from those billed (less answers lost to kills)",
      value: tokens,
      limit: 0,
      pass: figs.length > 0 && tokens === 0,
    },
    { name: "hostile: scenarios that neither ended nor paused", value: running, limit: 0, pass: figs.length > 0 && running === 0 },
  ];
}

const minutes = (ms: number) => `${(ms / MINUTE).toFixed(1)} min`;
/** The add-on's progress message repeats the Status cell's "Paused: " prefix. */
const pauseNote = (message: string) => message.replace(/^Paused:\s*/, "");
const perCompany = (x: number, n: number) => (n > 0 ? (x / n).toFixed(2) : "n/a");

export function formatHostile(figs: readonly HostileFigures[]): string {
  const header = [
    "scenario",
    "N",
    "Tavily req/co",
    "billed searches/co(lost to kills)",
    "re-search",
    "credits rep/billed(lost to kills)",
    "tokens rep/billed(lost to kills)",
    "outcome",
    "wall",
    "bound",
    "ratio",
  ];
  const cells = figs.map((f) => [
    f.name,
    String(f.companies),
    perCompany(f.tavilyRequests, f.companies),
    perCompany(f.firstSearches, f.companies) +
      (f.firstSearchesLostToKills > 0 ? `(${perCompany(f.firstSearchesLostToKills, f.companies)})` : ""),
    String(f.researchSearches),
    `${f.creditsReported ?? "?"}/${f.creditsBilled}${f.creditsInFlightAtKills > 0 ? `(${f.creditsInFlightAtKills})` : ""}`,
    `${f.tokensReported ?? "?"}/${f.tokensBilled}${f.tokensInFlightAtKills > 0 ? `(${f.tokensInFlightAtKills})` : ""}`,
    f.outcome === "paused"
      ? `paused: ${pauseNote(f.pause?.message ?? "")}`
      : `${f.outcome}${f.pause ? ` (paused at ${minutes(f.pause.atMs)}: ${pauseNote(f.pause.message)}; resumed)` : ""}${f.kills > 0 ? `, ${f.kills} kills` : ""}`,
    minutes(f.wallMs),
    f.boundMs === null ? "-" : minutes(f.boundMs),
    f.ratio === null ? "-" : f.ratio.toFixed(2),
  ]);
  return formatColumns(header, cells, (i) => i === 0 || i === 7);
}
