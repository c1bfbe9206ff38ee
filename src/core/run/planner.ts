// The queue planner: given the rows the sheet holds now and what the worker has in flight, which
// rows to write, which companies to claim and which to leave queued, and what that does to the run
// state. Pure: the adapter reads the sheet and the cache, calls these, and writes what they return.
// Every Status it writes comes from the row-status table.
import { estimateCompanyCostUsd, isFresh, startCompany, type Outcome } from "../engine";
import { companyKey } from "../company-key";
import { normaliseDomain } from "../names";
import type { Settings } from "../settings";
import { statusText, type PauseReason } from "../status";
import type { CacheEntry, Service } from "../types";
import { outcomeStatus, readStatus, transition, type RowEvent, type RowEventKind } from "./row-status";
import {
  budgetPause,
  budgetReached,
  companiesBudgetAllows,
  isSkipped,
  pause,
  recordCancelled,
  recordOutcome,
  recordSkipped,
  researchOptions,
  type RunState,
} from "./run-state";
import { capCellText, scoreNote, type OutputHeader } from "./sheet-layout";
import type { Job } from "./wave";

/** Cache rows looked up per pass, to keep each lookup's reads bounded. */
export const LOOKUP_BATCH = 500;

/** A row whose Status says it waits (Queued) or is claimed (Researching). */
export interface QueueRow {
  sheet: string;
  row: number;
  company: string;
  domain: string | null;
  key: string;
  kind: "queued" | "researching";
  /** Re-research: the cache's answers are not wanted. */
  refresh: boolean;
}

/** Output cells of a row, and the note of its Score cell. */
export type RowCells = Partial<Record<OutputHeader, string | number>> & { scoreNote?: string };

export interface RowWrite {
  row: QueueRow;
  /** The row-status event this write makes. */
  event: RowEventKind;
  cells: RowCells;
}

export interface RowOutcome {
  row: QueueRow;
  outcome: Outcome;
}

const BLANK_RESULT: RowCells = { Tier: "", Score: "", "Use Case": "", Rationale: "", Sources: "" };

/**
 * The cells of a row the event moves on: `cells`, and the Status the row-status table gives (a
 * transition the table does not hold throws).
 */
function rowWrite(row: QueueRow, event: RowEvent, cells: RowCells = {}): RowWrite {
  const next = transition(row, event);
  return { row, event: event.kind, cells: next === null ? cells : { ...cells, Status: capCellText(statusText(next)) } };
}

/** The result cells of an outcome, without its Status. */
function resultCells(outcome: Outcome): RowCells {
  switch (outcome.kind) {
    case "done": {
      const r = outcome.result;
      return {
        Tier: r.tier,
        Score: r.score ?? "",
        "Use Case": capCellText(r.useCase),
        Rationale: capCellText(r.rationale),
        Sources: capCellText(r.sources.join("\n")),
        scoreNote: scoreNote(r),
      };
    }
    case "noData":
      return { ...BLANK_RESULT, Tier: "UNKNOWN", Rationale: capCellText(outcome.rationale) };
    case "error":
    case "paused":
      return BLANK_RESULT;
  }
}

/** A waiting or claimed row of this outcome's company, settled: its result cells and Status. */
function settledWrite(row: QueueRow, outcome: Outcome): RowWrite {
  return rowWrite(row, { kind: "settle", outcome }, resultCells(outcome));
}

/** A claimed row back in the queue, keeping what it asked of the cache. */
function released(row: QueueRow): QueueRow {
  const next = transition(row, { kind: "release" });
  return next?.kind === "queued" ? { ...row, kind: "queued", refresh: next.refresh } : row;
}

/** The output cells of a row that got this outcome, with the Status the table's settle gives (the custom function answers with them too). */
export function outcomeCells(outcome: Outcome): RowCells {
  return { ...resultCells(outcome), Status: capCellText(statusText(outcomeStatus(outcome))) };
}

/** Whether a row with this Status is in the queue: waiting (Queued) or claimed (Researching). */
export function inQueue(status: unknown): boolean {
  const { kind } = readStatus(status);
  return kind === "queued" || kind === "researching";
}

/**
 * A row of a queue sheet as the worker reads it: a waiting or claimed row with a company, not
 * skipped earlier in the run; null for any other row.
 */
export function queueRow(
  run: RunState,
  profile: Settings["profile"],
  cells: { sheet: string; row: number; status: unknown; company: string; website: string | null },
): QueueRow | null {
  const { kind, refresh } = readStatus(cells.status);
  if (kind !== "queued" && kind !== "researching") return null;
  const { sheet, row, company } = cells;
  if (company === "" || isSkipped(run, { sheet, row, company })) return null;
  const domain = cells.website === null ? null : normaliseDomain(cells.website);
  return { sheet, row, company, domain, key: companyKey(profile, company, domain), kind, refresh };
}

/**
 * Rows claimed earlier: finished companies are written; rows claimed by a killed execution, or
 * handed off (`release`), go back to the queue. Returns the rows waiting after this pass.
 */
export function settleClaimed(input: {
  rows: readonly QueueRow[];
  inFlight: ReadonlySet<string>;
  finished: ReadonlyMap<string, Outcome>;
  release: boolean;
}): { writes: RowWrite[]; outcomes: RowOutcome[]; waiting: QueueRow[]; claimed: QueueRow[] } {
  const writes: RowWrite[] = [];
  const outcomes: RowOutcome[] = [];
  const waiting: QueueRow[] = [];
  const claimed: QueueRow[] = [];
  for (const row of input.rows) {
    if (row.kind === "queued") {
      waiting.push(row);
      continue;
    }
    const outcome = input.finished.get(row.key);
    if (outcome && outcome.kind !== "paused") {
      writes.push(settledWrite(row, outcome));
      outcomes.push({ row, outcome });
    } else if (outcome || input.release || !input.inFlight.has(row.key)) {
      // Paused companies wait like the rest (the pause writes them); stale rows have no worker.
      writes.push(rowWrite(row, { kind: "release" }));
      waiting.push(released(row));
    } else {
      claimed.push(row);
    }
  }
  return { writes, outcomes, waiting, claimed };
}

export type Stop = { kind: "cancel" } | { kind: "pause"; reason: PauseReason };

/**
 * A cancel or a pause: every waiting or claimed row shows it; the worker drops what it has in
 * flight. A claim a pause stops goes back to the queue first, and waits there paused.
 */
export function stopRows(rows: readonly QueueRow[], stop: Stop): { writes: RowWrite[]; cancelled: number } {
  if (stop.kind === "cancel") return { writes: rows.map((row) => rowWrite(row, { kind: "cancel" })), cancelled: rows.length };
  const event: RowEvent = { kind: "pause", reason: stop.reason };
  const writes = rows.map((row) => ({ ...rowWrite(row.kind === "researching" ? released(row) : row, event), row }));
  return { writes, cancelled: 0 };
}

/** Waiting rows grouped by company key, in sheet order: duplicates are researched once. */
export function groupByKey(rows: readonly QueueRow[]): Map<string, QueueRow[]> {
  const groups = new Map<string, QueueRow[]>();
  for (const row of rows) {
    const group = groups.get(row.key);
    if (group) group.push(row);
    else groups.set(row.key, [row]);
  }
  return groups;
}

/**
 * The cache entry a company may start from. A refresh wants nothing the cache answered before this
 * run, but evidence this run paid for and has not judged yet is judged, not searched again.
 */
export function usableEntry(
  entry: CacheEntry | undefined,
  refresh: boolean,
  runStartedAt: number,
  fresh: (entry: CacheEntry) => boolean,
): CacheEntry | null {
  if (!entry || !fresh(entry)) return null;
  if (!refresh) return entry;
  return entry.status === "unjudged" && entry.fetchedAt >= runStartedAt ? entry : null;
}

/** One pass's start: the rows written now, and what the run state says after them. */
export interface Settled {
  run: RunState;
  writes: RowWrite[];
  /** Rows waiting for a claim; none when the run stops. */
  waiting: QueueRow[];
  /** A cancel or pause stopped the run: what is in flight is dropped. */
  stopped: boolean;
}

/**
 * The first half of a pass over the sheets: write finished results, put stale rows back in the
 * queue, then apply a cancel, the budget's pause or the run's pause to every row still waiting.
 */
export function settle(input: {
  run: RunState;
  rows: readonly QueueRow[];
  inFlight: ReadonlySet<string>;
  finished: ReadonlyMap<string, Outcome>;
  release: boolean;
  cancelling: boolean;
  /** The most the run may spend (spendingCapUsd). */
  budgetUsd: number | null;
}): Settled {
  const settled = settleClaimed(input);
  let run = settled.outcomes.reduce((next, { row, outcome }) => recordOutcome(next, row, outcome), input.run);
  // Spent with nothing left to do is a run that ended, not one waiting for more money.
  const rowsLeft = settled.waiting.length + settled.claimed.length > 0;
  if (rowsLeft && budgetReached(run, input.budgetUsd)) run = pause(run, { kind: "budget" });
  const stop: Stop | null = input.cancelling ? { kind: "cancel" } : run.paused ? { kind: "pause", reason: run.paused } : null;
  if (!stop) return { run, writes: settled.writes, waiting: settled.waiting, stopped: false };
  // The wave in flight has been written above; companies it left unfinished stop here too (their
  // paid evidence waits in the cache, marked not yet judged).
  const stopped = stopRows([...settled.waiting, ...settled.claimed], stop);
  return { run: recordCancelled(run, stopped.cancelled), writes: [...settled.writes, ...stopped.writes], waiting: [], stopped: true };
}

/** The keys whose cache entries this pass looks up: waiting companies not in flight, a bounded batch. */
export function keysToLookUp(waiting: readonly QueueRow[], inFlight: ReadonlySet<string>): Set<string> {
  return new Set([...groupByKey(waiting).keys()].filter((key) => !inFlight.has(key)).slice(0, LOOKUP_BATCH));
}

export interface AdmissionInput {
  /** Rows waiting for a claim, in sheet order. */
  waiting: readonly QueueRow[];
  /** Keys whose cache entries were looked up this pass; the rest wait for a later pass. */
  lookedUp: ReadonlySet<string>;
  entries: ReadonlyMap<string, CacheEntry>;
  inFlight: ReadonlySet<string>;
  /** Companies that may still be claimed: free room in the wave. */
  room: number;
  /** Companies the budget still pays for. */
  budgetAllows: number;
  /** The pause when the budget leaves nothing in flight and rows wait (budget reached, or below one company). */
  budgetPause: PauseReason;
  /** Services that may not be called before this execution must end (a long Retry-After). */
  blocked: ReadonlySet<Service>;
  runStartedAt: number;
  fresh: (entry: CacheEntry) => boolean;
  options: Parameters<typeof startCompany>[2];
  now: number;
}

export interface Admission {
  writes: RowWrite[];
  /** Companies the cache answered at once. */
  outcomes: RowOutcome[];
  claims: Job[];
  /** Rows still waiting after this pass. */
  left: number;
  /** Rows were left waiting only because the budget is spent. */
  budgetBlocked: boolean;
  /** Rows left waiting because their company's next request goes to a blocked service. */
  blockedRows: number;
  /**
   * The budget pause, when the budget left no company in flight and rows wait: the run pauses,
   * and `writes` show it on every row left waiting.
   */
  pause: PauseReason | null;
}

/** Claims waiting rows for new companies while the wave has room and the budget allows. */
export function admit(input: AdmissionInput): Admission {
  const writes: RowWrite[] = [];
  const outcomes: RowOutcome[] = [];
  const claims: Job[] = [];
  let left = 0;
  let blockedRows = 0;
  let budgetBlocked = false;
  for (const [key, group] of groupByKey(input.waiting)) {
    const first = group[0];
    if (!first) continue;
    if (input.inFlight.has(key)) {
      // Queued again while the company is in flight: it gets the same result.
      for (const row of group) writes.push(rowWrite(row, { kind: "claim", refresh: row.refresh }));
      continue;
    }
    if (!input.lookedUp.has(key)) {
      left += group.length;
      continue;
    }
    const refresh = group.some((row) => row.refresh);
    const entry = usableEntry(input.entries.get(key), refresh, input.runStartedAt, input.fresh);
    const state = startCompany({ company: first.company, domain: first.domain }, entry, input.options, input.now);
    if (state.outcome) {
      const outcome = state.outcome;
      for (const row of group) {
        writes.push(settledWrite(row, outcome));
        outcomes.push({ row, outcome });
      }
      continue;
    }
    if (state.pending && input.blocked.has(state.pending.service)) {
      // Claiming it now would only hand it back at the end of this execution.
      left += group.length;
      blockedRows += group.length;
      continue;
    }
    if (claims.length >= input.room || claims.length >= input.budgetAllows) {
      if (claims.length < input.room) budgetBlocked = true;
      left += group.length;
      continue;
    }
    claims.push({ key, company: first.company, state });
    for (const row of group) writes.push(rowWrite(row, { kind: "claim", refresh }, BLANK_RESULT));
  }
  let pause: PauseReason | null = null;
  if (budgetBlocked && input.inFlight.size + claims.length === 0 && left > 0) {
    // Nothing in flight will finish and nothing may start: the run waits for a larger budget.
    pause = input.budgetPause;
    const answered = new Set(outcomes.map((o) => o.row.key));
    writes.push(
      ...stopRows(
        input.waiting.filter((row) => !answered.has(row.key)),
        { kind: "pause", reason: pause },
      ).writes,
    );
  }
  return { writes, outcomes, claims, left, budgetBlocked, blockedRows, pause };
}

/** The second half of a pass: admission with the run's room, budget and fallbacks, and its outcomes recorded. */
export function admitWaiting(input: {
  run: RunState;
  settings: Settings;
  waiting: readonly QueueRow[];
  lookedUp: ReadonlySet<string>;
  entries: ReadonlyMap<string, CacheEntry>;
  inFlight: ReadonlySet<string>;
  blocked: ReadonlySet<Service>;
  /** The most the run may spend (spendingCapUsd). */
  budgetUsd: number | null;
  now: number;
}): Admission & { run: RunState } {
  const { run, settings, inFlight, now } = input;
  const capacity = run.pacing.waveSize.tavily + run.pacing.waveSize.llm;
  const perCompanyUsd = estimateCompanyCostUsd(settings);
  const admission = admit({
    waiting: input.waiting,
    lookedUp: input.lookedUp,
    entries: input.entries,
    inFlight,
    room: Math.max(0, capacity - inFlight.size),
    budgetAllows: companiesBudgetAllows(run, input.budgetUsd, perCompanyUsd, inFlight.size),
    // Below one company is JOB_BUDGET_USD's own pause (raise it in Settings); a confirmed maximum reached is the budget's.
    budgetPause: budgetPause(settings.jobBudgetUsd, perCompanyUsd),
    blocked: input.blocked,
    runStartedAt: run.startedAt,
    fresh: (entry) => isFresh(entry, settings, now),
    options: researchOptions(run, settings),
    now,
  });
  let next = admission.outcomes.reduce((r, { row, outcome }) => recordOutcome(r, row, outcome), run);
  if (admission.pause) next = pause(next, admission.pause);
  return { ...admission, run: next };
}

/** Writes grouped by sheet and row, later writes of a row (a pause after a requeue) winning cell by cell. */
export function rowUpdates(writes: readonly RowWrite[]): Map<string, Map<number, RowCells>> {
  const bySheet = new Map<string, Map<number, RowCells>>();
  for (const { row, cells } of writes) {
    let updates = bySheet.get(row.sheet);
    if (!updates) bySheet.set(row.sheet, (updates = new Map()));
    updates.set(row.row, { ...updates.get(row.row), ...cells });
  }
  return bySheet;
}

/**
 * After the writes: a row that could not be written (a protected range) is reported once and left
 * alone for the rest of the run, which goes on with the other rows and ends without it; a company
 * none of whose claimed rows could be written is not researched (`drop`).
 */
export function afterWrites(
  run: RunState,
  writes: readonly RowWrite[],
  skipped: readonly { sheet: string; row: number; company: string; reason: string }[],
): { run: RunState; drop: string[] } {
  const failed = new Set(skipped.map((s) => `${s.row}:${s.sheet}`));
  const anyWritten = new Map<string, boolean>();
  for (const { row, event } of writes) {
    if (event !== "claim") continue;
    anyWritten.set(row.key, (anyWritten.get(row.key) ?? false) || !failed.has(`${row.row}:${row.sheet}`));
  }
  return {
    run: skipped.reduce((next, s) => recordSkipped(next, s, s.reason), run),
    drop: [...anyWritten].filter(([, written]) => !written).map(([key]) => key),
  };
}
