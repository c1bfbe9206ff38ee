// Every change of a row's Status, in one table: which event may move a row on from which Status,
// and to what. The commands, the planner and the worker ask it; none writes a Status of its own.
// The words are status.ts's; this file holds the rules.
import type { Outcome } from "../engine";
import { isRefresh, statusKind, statusText, type PauseReason, type RowStatus, type StatusKind } from "../status";

/** What can happen to a row. */
export type RowEvent =
  /** Research selected rows: the row waits for research, and the cache may answer it. */
  | { kind: "queue" }
  /** Re-research selected rows: the row waits for research that ignores the cache. */
  | { kind: "queueIgnoringCache" }
  /** The worker claims a waiting row for its company; `refresh` when the company is researched ignoring the cache. */
  | { kind: "claim"; refresh: boolean }
  /** The company's research ended, or the cache answered it at once: the row shows the outcome. */
  | { kind: "settle"; outcome: Outcome }
  /** A claimed row that no execution works on any more (killed, handed off) waits again. */
  | { kind: "release" }
  /** The run paused: a waiting row says why. */
  | { kind: "pause"; reason: PauseReason }
  /** Resume: a paused row waits again. */
  | { kind: "resume" }
  /** Retry failed rows. */
  | { kind: "retry" }
  /**
   * Another user takes over a run its owner left for a day: its waiting rows go on as they are, and a
   * claim of the owner's (stale, no execution of theirs ran since) waits again.
   */
  | { kind: "takeOver" }
  /** Cancel research. */
  | { kind: "cancel" };

export type RowEventKind = RowEvent["kind"];

/** A Status cell read back: its kind, and whether a waiting or claimed row asked to ignore the cache. */
export interface RowState {
  kind: StatusKind;
  refresh: boolean;
}

export function readStatus(cell: unknown): RowState {
  return { kind: statusKind(cell), refresh: isRefresh(cell) };
}

/** The Status of a row that got this outcome. */
export function outcomeStatus(outcome: Outcome): RowStatus {
  switch (outcome.kind) {
    case "done":
      return outcome.fromCache ? { kind: "cached" } : { kind: "done" };
    case "noData":
      return { kind: "noData", cached: outcome.fromCache };
    case "error":
      return { kind: "error", message: outcome.message };
    case "paused":
      return { kind: "paused", reason: outcome.reason };
  }
}

/** One cell of the table: the new Status, or null for a row the event leaves as it is (skipped). */
type Rule<E extends RowEvent> = (from: RowState, event: E) => RowStatus | null;
type Rules<K extends RowEventKind> = Partial<Record<StatusKind, Rule<Extract<RowEvent, { kind: K }>>>>;

const SKIP: Rule<RowEvent> = () => null;
const QUEUED: Rule<RowEvent> = () => ({ kind: "queued", refresh: false });
const QUEUED_IGNORING_CACHE: Rule<RowEvent> = () => ({ kind: "queued", refresh: true });
/** Back in the queue, still ignoring the cache if the row asked to. */
const REQUEUED: Rule<RowEvent> = (from) => ({ kind: "queued", refresh: from.refresh });
const CLAIMED: Rule<Extract<RowEvent, { kind: "claim" }>> = (_, event) => ({ kind: "researching", refresh: event.refresh });
const SETTLED: Rule<Extract<RowEvent, { kind: "settle" }>> = (_, event) => outcomeStatus(event.outcome);
const PAUSED: Rule<Extract<RowEvent, { kind: "pause" }>> = (_, event) => ({ kind: "paused", reason: event.reason });
const CANCELLED: Rule<RowEvent> = () => ({ kind: "cancelled" });

const EVERY_STATUS: Record<StatusKind, true> = {
  none: true,
  other: true,
  queued: true,
  researching: true,
  done: true,
  cached: true,
  noData: true,
  error: true,
  cancelled: true,
  paused: true,
};

/** A command sweeps every row of the sheets: the rows its rules do not name get `otherwise` (left as they are by default). */
function sweep<R extends Rule<never>>(
  rules: Partial<Record<StatusKind, R>>,
  otherwise: R | typeof SKIP = SKIP,
): Partial<Record<StatusKind, R | typeof SKIP>> {
  const all: Partial<Record<StatusKind, R | typeof SKIP>> = {};
  for (const kind of Object.keys(EVERY_STATUS) as StatusKind[]) all[kind] = rules[kind] ?? otherwise;
  return all;
}

/**
 * Rows: events. Columns: the row's Status now. A missing cell is a transition the product never
 * makes, and asking for it throws. The commands sweep every row of a sheet, so their events cover
 * every Status (most rows are left as they are); the worker's events name only the waiting (queued)
 * and claimed (researching) rows it reads.
 */
export const ROW_STATUS_TABLE: { readonly [K in RowEventKind]: Rules<K> } = {
  // Done rows, and rows in the queue already, are left as they are.
  queue: sweep({ none: QUEUED, other: QUEUED, error: QUEUED, noData: QUEUED, cancelled: QUEUED, paused: QUEUED }),
  // A claimed row is being researched already; every other row waits, the cache ignored.
  queueIgnoringCache: sweep({ researching: SKIP }, QUEUED_IGNORING_CACHE),
  claim: { queued: CLAIMED },
  settle: { queued: SETTLED, researching: SETTLED },
  release: { researching: REQUEUED },
  // A claim the pause stops is released first; a stale claim (no worker runs) is left for the next worker to release.
  pause: sweep({ queued: PAUSED }),
  resume: sweep({ paused: QUEUED }),
  // A remembered "No reliable data" would answer a plain queue again: it asks to ignore the cache.
  retry: sweep({ error: QUEUED, paused: QUEUED, noData: QUEUED_IGNORING_CACHE }),
  takeOver: sweep({ queued: REQUEUED, researching: REQUEUED }),
  // A Researching row: a claim the worker stops, or a stale one the menu finds (holding the lock, no worker runs).
  cancel: sweep({ queued: CANCELLED, researching: CANCELLED, paused: CANCELLED }),
};

/** The Status the event gives the row, or null when it leaves the row as it is; throws on a transition the table does not hold. */
export function transition(from: RowState, event: RowEvent): RowStatus | null {
  // The table's type pairs each event with rules for that event only.
  const rules = ROW_STATUS_TABLE[event.kind] as Partial<Record<StatusKind, Rule<RowEvent>>>;
  const rule = rules[from.kind];
  if (!rule) throw new Error(`A row whose Status is ${from.kind} cannot take the event ${event.kind}.`);
  return rule(from, event);
}

/** For a command sweeping a sheet: the new text of a Status cell, or null to leave the cell alone. */
export function nextStatusText(cell: unknown, event: RowEvent): string | null {
  const next = transition(readStatus(cell), event);
  return next === null ? null : statusText(next);
}
