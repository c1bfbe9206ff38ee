// What clearing the cache removes and what it says. Clearing never removes what a run still needs:
// evidence searched and not yet judged, while a run that will judge it is queued, running or paused
// (removing it would pay for the same searches again).
import { formatCount } from "./format";
import type { CacheStatus } from "./types";

export interface ClearableRow {
  row: number;
  fetchedAt: number;
  status: CacheStatus;
}

export interface ClearPlan {
  /** Rows to delete, in sheet order. */
  remove: number[];
  /** Old enough to go, but kept for the run that still needs them. */
  kept: number;
}

/** The rows fetched before `cutoff` (every row with +Infinity), less those a waiting run still needs. */
export function planClear(rows: readonly ClearableRow[], cutoff: number, runWaiting: boolean): ClearPlan {
  const old = rows.filter((r) => r.fetchedAt < cutoff);
  const needed = (r: ClearableRow) => runWaiting && r.status === "unjudged";
  return { remove: old.filter((r) => !needed(r)).map((r) => r.row), kept: old.filter(needed).length };
}

const entries = (n: number) => `${formatCount(n)} cache entr${n === 1 ? "y" : "ies"}`;
const companies = (n: number) => `${formatCount(n)} compan${n === 1 ? "y" : "ies"}`;

/** What a clear says, in a rep's words: how many went, how many are left, and what it kept and why. */
export function clearMessage(plan: ClearPlan, total: number): string {
  const removed = plan.remove.length;
  const cleared =
    removed === 0
      ? plan.kept === 0
        ? "No entry was old enough to clear."
        : "Nothing was cleared."
      : `Cleared ${entries(removed)}; ${formatCount(total - removed)} left.`;
  if (plan.kept === 0) return cleared;
  return `${cleared} Kept ${companies(plan.kept)} the research in progress has searched but not scored yet: clearing ${plan.kept === 1 ? "it" : "them"} would pay for the same searches again.`;
}
