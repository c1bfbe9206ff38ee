// A live run's estimate on the terminal, and whether to go ahead: the add-on's own estimate of the
// selection (estimateQueue, what the sidebar shows before its Start button), with its expected and
// maximum cost, then a question the user answers before anything is paid.
import { DEFAULT_MAX_SEARCHES } from "../../core/engine";
import { columnLines, needsConfirmation } from "../../core/run/estimate";
import type { RunEstimate } from "../../core/wire";
import { formatUsd } from "./report";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The estimate in a few lines for the terminal. */
export function estimateLines(estimate: RunEstimate): string[] {
  const fromCache = estimate.cached + estimate.cachedNoData;
  return [
    ...columnLines(estimate),
    `Estimate: ${plural(estimate.companies, "company", "companies")} in ${plural(estimate.rows, "row", "rows")}; ` +
      `${fromCache} answered by the cache at no cost, ${estimate.research} to research (a web search and an LLM call each)` +
      (estimate.judgeOnly > 0 ? `, ${estimate.judgeOnly} to judge again from searches already paid for (an LLM call each)` : "") +
      ".",
    `Expected cost ${formatUsd(estimate.costUsd)}; at most ${formatUsd(estimate.maximumUsd)} if every company needs its ${DEFAULT_MAX_SEARCHES - 1} extra searches.`,
    estimate.budgetUsd === null
      ? "No budget: set JOB_BUDGET_USD to stop the run when it has spent that many dollars."
      : `Budget ${formatUsd(estimate.budgetUsd)} (JOB_BUDGET_USD): the run stops when it has spent it.`,
  ];
}

export type Consent =
  /** Go ahead; `asked`: the user was asked and said yes (or passed --yes). */
  | { kind: "go"; asked: boolean }
  /** The user answered no. */
  | { kind: "declined" }
  /** It must ask and cannot: the line saying what to do. */
  | { kind: "refused"; message: string };

export interface ConsentOptions {
  /** --yes: the estimate is accepted in advance. */
  yes: boolean;
  /** Reads the user's answer to a question; undefined when standard input is not a terminal. */
  ask: ((question: string) => string) | undefined;
}

/**
 * Asks before a run whose estimate is above its confirmation threshold (the add-on's rule; the demo
 * sets the threshold), unless --yes. With no terminal to ask on, it refuses rather than spend.
 */
export function consent(estimate: RunEstimate, options: ConsentOptions): Consent {
  if (!needsConfirmation(estimate)) return { kind: "go", asked: false };
  if (options.yes) return { kind: "go", asked: true };
  if (options.ask === undefined) {
    return {
      kind: "refused",
      message:
        `this live run may spend up to ${formatUsd(estimate.maximumUsd)} and asks first, but standard input is not a terminal. ` +
        "Run it again with --yes to accept the estimate above, or set CONFIRM_ABOVE_USD to ask only above that many dollars.",
    };
  }
  const answer = options.ask(`Spend up to ${formatUsd(estimate.maximumUsd)} on this run? [y/N] `);
  if (/^\s*y(es)?\s*$/i.test(answer)) return { kind: "go", asked: true };
  return { kind: "declined" };
}
