// What a run will do before it starts: how many companies the cache answers, how many need a
// search and a judging call, what that costs and how long the providers' per-minute limits make
// it take. Pure: the adapter reads the selection and the cache, this decides and words it.
import { formatCount, formatDuration, formatUsd } from "../format";
import type { Profile } from "../types";
import type { RunEstimate } from "../wire";

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

/** Expected dollars of one company: from scratch, and judging cached evidence only. */
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

/** A wave is one search then one judging call: a few seconds whatever the limits allow. */
export const WAVE_SECONDS = 6;

export function estimateRun(
  rows: number,
  answers: readonly CacheAnswer[],
  prices: CompanyPrices,
  limits: RateLimits,
  thresholds: { budgetUsd: number | null; confirmAboveUsd: number | null },
): RunEstimate {
  const tally = { cached: 0, cachedNoData: 0, judgeOnly: 0, research: 0 };
  for (const answer of answers) tally[answer] += 1;
  // Most companies are settled by their first search; a namesake costs up to two more, which
  // the estimate leaves out rather than triple every figure.
  const searches = tally.research;
  const llmCalls = tally.research + tally.judgeOnly;
  const rateSeconds = Math.max(searches / limits.tavilyRpm, llmCalls / limits.llmRpm) * 60;
  const waves = Math.max(Math.ceil(searches / limits.tavilyConcurrency), Math.ceil(llmCalls / limits.llmConcurrency));
  const seconds = llmCalls === 0 ? 0 : Math.ceil(Math.max(rateSeconds, waves * WAVE_SECONDS));
  return {
    rows,
    companies: answers.length,
    ...tally,
    costUsd: tally.research * prices.researchUsd + tally.judgeOnly * prices.judgeUsd,
    seconds,
    budgetUsd: thresholds.budgetUsd,
    confirmAboveUsd: thresholds.confirmAboveUsd,
  };
}

/** Above the threshold the user is asked first; a blank threshold never asks. */
export function needsConfirmation(estimate: RunEstimate): boolean {
  return estimate.confirmAboveUsd !== null && estimate.costUsd > estimate.confirmAboveUsd;
}

/** The estimate in the words the confirmation alert and the sidebar both show. */
export function describeEstimate(estimate: RunEstimate): { title: string; lines: string[] } {
  const fromCache = estimate.cached + estimate.cachedNoData;
  const lines = [
    `${formatCount(estimate.rows)} row(s), ${formatCount(estimate.companies)} distinct companies.`,
    fromCache > 0
      ? `Answered by the cache at no cost: ${formatCount(fromCache)} (${formatCount(estimate.cached)} researched, ${formatCount(estimate.cachedNoData)} with no reliable data).`
      : "None is answered by the cache.",
    `To research: ${formatCount(estimate.research)} (one web search and one AI call each).`,
  ];
  if (estimate.judgeOnly > 0)
    lines.push(`To score again from searches already paid for: ${formatCount(estimate.judgeOnly)} (one AI call each, no new search).`);
  lines.push(
    `Estimated cost: about ${formatUsd(estimate.costUsd)}. Estimated time: ${estimate.seconds > 0 ? `about ${formatDuration(estimate.seconds)}` : "a few seconds"}.`,
  );
  if (estimate.budgetUsd !== null) lines.push(`The run pauses if it reaches its budget of ${formatUsd(estimate.budgetUsd)}.`);
  const companies = estimate.research + estimate.judgeOnly;
  return { title: companies > 0 ? `Research ${formatCount(companies)} companies?` : "Answer from the cache?", lines };
}
