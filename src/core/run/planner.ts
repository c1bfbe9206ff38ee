// The queue planner: given the rows the sheet holds now and what the worker has in flight, which
// rows to write, which companies to claim and which to leave queued. Pure: the adapter reads the
// sheet and the cache, calls these, and writes what they return.
import { startCompany, type CompanyState, type Outcome, type ResearchOptions } from "../engine";
import { statusText, type PauseReason } from "../status";
import type { CacheEntry, Service } from "../types";
import { outcomeStatus } from "./run-state";
import { capCellText, scoreNote, type OutputHeader } from "./sheet-layout";

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
  cells: RowCells;
}

export interface RowOutcome {
  row: QueueRow;
  outcome: Outcome;
}

const BLANK_RESULT: RowCells = { Tier: "", Score: "", "Use Case": "", Rationale: "", Sources: "" };

/** The output cells of a row that got this outcome. */
export function outcomeCells(outcome: Outcome): RowCells {
  const Status = capCellText(statusText(outcomeStatus(outcome)));
  switch (outcome.kind) {
    case "done": {
      const r = outcome.result;
      return {
        Tier: r.tier,
        Score: r.score ?? "",
        "Use Case": capCellText(r.useCase),
        Rationale: capCellText(r.rationale),
        Sources: capCellText(r.sources.join("\n")),
        Status,
        scoreNote: scoreNote(r),
      };
    }
    case "noData":
      return { ...BLANK_RESULT, Tier: "UNKNOWN", Rationale: capCellText(outcome.rationale), Status };
    case "error":
    case "paused":
      return { ...BLANK_RESULT, Status };
  }
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
      writes.push({ row, cells: outcomeCells(outcome) });
      outcomes.push({ row, outcome });
    } else if (outcome || input.release || !input.inFlight.has(row.key)) {
      // Paused companies wait like the rest (the pause writes them); stale rows have no worker.
      const requeued: QueueRow = { ...row, kind: "queued" };
      writes.push({ row, cells: { Status: statusText({ kind: "queued", refresh: row.refresh }) } });
      waiting.push(requeued);
    } else {
      claimed.push(row);
    }
  }
  return { writes, outcomes, waiting, claimed };
}

export type Stop = { kind: "cancel" } | { kind: "pause"; reason: PauseReason };

/** A cancel or a pause: every waiting or claimed row shows it; the worker drops what it has in flight. */
export function stopRows(rows: readonly QueueRow[], stop: Stop): { writes: RowWrite[]; cancelled: number } {
  const Status = statusText(stop.kind === "cancel" ? { kind: "cancelled" } : { kind: "paused", reason: stop.reason });
  return { writes: rows.map((row) => ({ row, cells: { Status } })), cancelled: stop.kind === "cancel" ? rows.length : 0 };
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

export interface Claim {
  key: string;
  company: string;
  state: CompanyState;
}

export interface AdmissionInput {
  groups: ReadonlyMap<string, QueueRow[]>;
  /** Keys whose cache entries were looked up this pass; the rest wait for a later pass. */
  lookedUp: ReadonlySet<string>;
  entries: ReadonlyMap<string, CacheEntry>;
  inFlight: ReadonlySet<string>;
  /** Companies that may still be claimed: free room in the wave. */
  room: number;
  /** Companies the budget still pays for. */
  budgetAllows: number;
  /** Services that may not be called before this execution must end (a long Retry-After). */
  blocked: ReadonlySet<Service>;
  runStartedAt: number;
  fresh: (entry: CacheEntry) => boolean;
  options: ResearchOptions;
  now: number;
}

export interface Admission {
  writes: RowWrite[];
  /** Companies the cache answered at once. */
  outcomes: RowOutcome[];
  claims: Claim[];
  /** Rows still waiting after this pass. */
  left: number;
  /** Rows were left waiting only because the budget is spent. */
  budgetBlocked: boolean;
  /** Rows left waiting because their company's next request goes to a blocked service. */
  blockedRows: number;
}

/** Claims waiting rows for new companies while the wave has room and the budget allows. */
export function admit(input: AdmissionInput): Admission {
  const writes: RowWrite[] = [];
  const outcomes: RowOutcome[] = [];
  const claims: Claim[] = [];
  let left = 0;
  let blockedRows = 0;
  let budgetBlocked = false;
  for (const [key, group] of input.groups) {
    const first = group[0];
    if (!first) continue;
    if (input.inFlight.has(key)) {
      // Queued again while the company is in flight: it gets the same result.
      for (const row of group) writes.push({ row, cells: { Status: statusText({ kind: "researching", refresh: row.refresh }) } });
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
        writes.push({ row, cells: outcomeCells(outcome) });
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
    const Status = statusText({ kind: "researching", refresh });
    for (const row of group) writes.push({ row, cells: { ...BLANK_RESULT, Status } });
  }
  return { writes, outcomes, claims, left, budgetBlocked, blockedRows };
}
