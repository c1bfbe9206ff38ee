// What queueing will do before anything is queued: how many companies the cache answers, how many
// need a search and a judging call, what that is expected to cost and may cost at most, and how
// long the providers' per-minute limits make it take. Pure: the adapter reads the sheets and the
// cache, this decides, names the plan and words it.
import { DEFAULT_MAX_SEARCHES } from "../engine";
import { formatCount, formatDuration, formatUsd } from "../format";
import type { Profile } from "../types";
import type { ColumnChoice, ColumnShown, QueueAction, RunEstimate } from "../wire";

/** What a fresh cache entry tells about a company, read without its evidence. */
export interface CacheSummary {
  status: "validated" | "unjudged" | "noData";
  /** Whether evidence is stored: an unjudged entry without any is a re-search still under way. */
  hasEvidence: boolean;
  /** Profile and model of the stored result; null when there is none. */
  resultProfile: Profile | null;
  resultModel: string | null;
}

export type CacheAnswer = "cached" | "cachedNoData" | "judgeOnly" | "research";

/**
 * How a company will be handled, given its fresh cache entry (null when none, or when the run
 * ignores the cache). The same rules as the engine's start of a company.
 */
export function cacheAnswer(entry: CacheSummary | null, profile: Profile, model: string): CacheAnswer {
  if (!entry) return "research";
  switch (entry.status) {
    case "noData":
      return "cachedNoData";
    case "unjudged":
      return entry.hasEvidence ? "judgeOnly" : "research";
    case "validated":
      return entry.resultProfile === profile && entry.resultModel === model ? "cached" : "judgeOnly";
  }
}

/** Expected dollars of one company: one search and one judging call, and judging cached evidence only. */
export interface CompanyPrices {
  researchUsd: number;
  judgeUsd: number;
}

export interface RateLimits {
  tavilyRpm: number;
  llmRpm: number;
  tavilyConcurrency: number;
  llmConcurrency: number;
}

/** A company of the plan: how the cache answers it, and whether its last research found nothing reliable. */
export interface PlannedCompany {
  answer: CacheAnswer;
  foundNothingBefore: boolean;
}

export interface EstimateInput {
  action: QueueAction;
  rows: number;
  resumed: number;
  takenOver: RunEstimate["takenOver"];
  companies: readonly PlannedCompany[];
  prices: CompanyPrices;
  limits: RateLimits;
  thresholds: { budgetUsd: number | null; confirmAboveUsd: number | null };
  columns: ColumnShown[];
  columnChoice: ColumnChoice | null;
}

/** A wave is one search then one judging call: a few seconds whatever the limits allow. */
export const WAVE_SECONDS = 6;

/**
 * The figures of a plan. A company whose search finds nothing about it (a namesake, little web
 * presence) is searched again, each search judged, up to the research's limit: the maximum counts
 * every company at that limit, and the expected cost counts there only the companies whose last
 * research found nothing, the others at one search. Retries of a request that failed are left out.
 */
export function estimateRun(input: EstimateInput): Omit<RunEstimate, "planId"> {
  const { prices, limits } = input;
  const tally = { cached: 0, cachedNoData: 0, judgeOnly: 0, research: 0, researchAgain: 0 };
  for (const { answer, foundNothingBefore } of input.companies) {
    tally[answer] += 1;
    if (answer === "research" && foundNothingBefore) tally.researchAgain += 1;
  }
  const searches = tally.research + tally.researchAgain * (DEFAULT_MAX_SEARCHES - 1);
  const llmCalls = searches + tally.judgeOnly;
  const rateSeconds = Math.max(searches / limits.tavilyRpm, llmCalls / limits.llmRpm) * 60;
  const waves = Math.max(Math.ceil(searches / limits.tavilyConcurrency), Math.ceil(llmCalls / limits.llmConcurrency));
  const seconds = llmCalls === 0 ? 0 : Math.ceil(Math.max(rateSeconds, waves * WAVE_SECONDS));
  return {
    action: input.action,
    rows: input.rows,
    resumed: input.resumed,
    takenOver: input.takenOver,
    companies: input.companies.length,
    ...tally,
    costUsd: searches * prices.researchUsd + tally.judgeOnly * prices.judgeUsd,
    // A company judged from cached evidence may still find it is about a namesake and search again.
    maximumUsd:
      tally.research * DEFAULT_MAX_SEARCHES * prices.researchUsd +
      tally.judgeOnly * (prices.judgeUsd + (DEFAULT_MAX_SEARCHES - 1) * prices.researchUsd),
    seconds,
    budgetUsd: input.thresholds.budgetUsd,
    confirmAboveUsd: input.thresholds.confirmAboveUsd,
    columns: input.columns,
    columnChoice: input.columnChoice,
  };
}

/** The rep must say which column holds the companies before anything is queued. */
export function columnUnchosen(estimate: RunEstimate): boolean {
  return estimate.columnChoice !== null && estimate.columnChoice.chosen === null;
}

/**
 * Above the threshold the user is asked first (a blank threshold never asks), and always when the
 * company column is unclear or the user would take over another user's run (their keys then pay for it).
 */
export function needsConfirmation(estimate: RunEstimate): boolean {
  return (
    columnUnchosen(estimate) ||
    estimate.takenOver !== null ||
    (estimate.confirmAboveUsd !== null && estimate.costUsd > estimate.confirmAboveUsd)
  );
}

/** One row a command would queue, as its plan names it. */
export interface PlannedRowId {
  /** The sheet by its id: a name may be given to another sheet between the estimate and the start. */
  sheetId: number;
  row: number;
  /** The company key (profile, name, domain). */
  key: string;
  /** The Status the row gets. */
  status: string;
  answer: CacheAnswer;
}

/**
 * Everything that makes two plans differ, as one text: the figures the user saw and every row with
 * its sheet, company, Status and cache answer. JSON arrays, so no name can pass for a separator; the
 * adapter hashes it as UTF-8 into the plan's id.
 */
export function planText(estimate: Omit<RunEstimate, "planId">, rows: readonly PlannedRowId[]): string {
  const sorted = [...rows].sort((a, b) => a.sheetId - b.sheetId || a.row - b.row);
  return JSON.stringify([estimate, sorted.map((r) => [r.sheetId, r.row, r.key, r.status, r.answer])]);
}

/** Company names a column line shows; the adapter reads one more, so the line can say there are more. */
export const SHOWN_NAMES = 3;

function quoted(header: string): string {
  return header === "" ? "" : ` “${header}”`;
}

function nameList(names: readonly string[]): string {
  return names.length === 0 ? "no names yet" : names.slice(0, SHOWN_NAMES).join(", ") + (names.length > SHOWN_NAMES ? " and more" : "");
}

/**
 * Where the companies are read from, one line per sheet (a few at most), with the first names. When
 * the rep must choose the column, `asking` says how: the sidebar offers the columns below the lines,
 * an alert or a terminal can only say how to answer.
 */
export function columnLines(estimate: RunEstimate, asking: "offered" | "said" = "said"): string[] {
  const several = estimate.columns.length > 1;
  const lines = estimate.columns.slice(0, SHOWN_NAMES).map((c) => {
    const where = `column ${c.letter}${quoted(c.header)}${several ? ` of ${c.sheet}` : ""}`;
    return `Companies from ${where}${c.byHeader ? "" : ", as no header names the company column"}: ${nameList(c.names)}.`;
  });
  if (estimate.columns.length > SHOWN_NAMES) lines.push(`And ${formatCount(estimate.columns.length - SHOWN_NAMES)} more sheets.`);
  const first = estimate.columns[0];
  if (columnUnchosen(estimate) && asking === "said" && first)
    lines.push(
      `If column ${first.letter} does not hold the companies, answer No, then head the right column “Company” or select only its cells, and research again.`,
    );
  return lines;
}

const TITLES: Record<QueueAction, (estimate: RunEstimate, companies: number) => string> = {
  research: (_, n) => (n > 0 ? `Research ${formatCount(n)} companies?` : "Answer from the cache?"),
  refresh: (_, n) => `Research ${formatCount(n)} companies again?`,
  retry: (e) => `Retry ${formatCount(e.rows)} rows?`,
  resume: (e) => `Resume ${formatCount(e.rows)} rows?`,
};

/** The estimate in the words the confirmation alert and the sidebar both show (`asking`: see columnLines). */
export function describeEstimate(estimate: RunEstimate, asking: "offered" | "said" = "said"): { title: string; lines: string[] } {
  const fromCache = estimate.cached + estimate.cachedNoData;
  const lines = [
    ...columnLines(estimate, asking),
    `${formatCount(estimate.rows)} row(s), ${formatCount(estimate.companies)} distinct companies.`,
  ];
  if (estimate.resumed > 0) lines.push(`Of the rows, ${formatCount(estimate.resumed)} were paused and go on.`);
  const taken = estimate.takenOver;
  if (taken)
    lines.push(
      `You take over the run ${taken.from} left a day or more ago: ${taken.rows > 0 ? `the ${formatCount(taken.rows)} row(s) it left waiting go on too, and ` : ""}your keys pay for it from now on.`,
    );
  lines.push(
    fromCache > 0
      ? `Answered by the cache at no cost: ${formatCount(fromCache)} (${formatCount(estimate.cached)} researched, ${formatCount(estimate.cachedNoData)} with no reliable data).`
      : "None is answered by the cache.",
    `To research: ${formatCount(estimate.research)} (one web search and one AI call each, up to ${DEFAULT_MAX_SEARCHES} of each for a company the first search finds nothing about).`,
  );
  if (estimate.researchAgain > 0)
    lines.push(
      `Of them, ${formatCount(estimate.researchAgain)} found nothing last time: expected to need all ${DEFAULT_MAX_SEARCHES} searches.`,
    );
  if (estimate.judgeOnly > 0)
    lines.push(`To score again from searches already paid for: ${formatCount(estimate.judgeOnly)} (one AI call each, no new search).`);
  lines.push(
    `Estimated cost: about ${formatUsd(estimate.costUsd)}, at most ${formatUsd(estimate.maximumUsd)}. Estimated time: ${estimate.seconds > 0 ? `about ${formatDuration(estimate.seconds)}` : "a few seconds"}.`,
  );
  if (estimate.maximumUsd > 0)
    lines.push(
      `The run pauses if it reaches that maximum${estimate.budgetUsd !== null ? ` or its budget of ${formatUsd(estimate.budgetUsd)}` : ""}.`,
    );
  return { title: TITLES[estimate.action](estimate, estimate.research + estimate.judgeOnly), lines };
}
