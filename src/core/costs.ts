// Costs: Tavily credits and LLM tokens as the providers report them, dollars from the
// price settings. Dollars are always recomputed from the counts, so sums never drift.
import type { Cost } from "./types";

/** The price settings (the Settings fields of the same names). */
export interface Prices {
  tavilyPricePerCredit: number;
  llmInputPricePerMTok: number;
  llmOutputPricePerMTok: number;
}

/** Credits of one advanced search (Tavily's price list: basic 1, advanced 2), used when usage is missing. */
export const ADVANCED_SEARCH_CREDITS = 2;

/** Characters per token, for estimates (English text averages about 4). */
export const CHARS_PER_TOKEN = 4;

export const ZERO_COST: Cost = { tavilyCredits: 0, llmInputTokens: 0, llmOutputTokens: 0, usd: 0 };

export function costUsd(counts: Omit<Cost, "usd">, prices: Prices): number {
  return (
    counts.tavilyCredits * prices.tavilyPricePerCredit +
    (counts.llmInputTokens * prices.llmInputPricePerMTok + counts.llmOutputTokens * prices.llmOutputPricePerMTok) / 1_000_000
  );
}

/**
 * A usage figure as a provider reported it, read defensively: a number or a numeric string, not
 * negative, finite and at most `max`; anything else (missing, "n/a", -5, 1e308) is replaced by
 * the estimate, so a good answer never fails and a run's totals never become Infinity or NaN.
 */
export function readCount(raw: unknown, estimate: number, max: number): number {
  const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= max ? Math.round(n) : estimate;
}

/** a + the given counts, with dollars recomputed. */
export function addCost(a: Cost, add: Partial<Omit<Cost, "usd">>, prices: Prices): Cost {
  const counts = {
    tavilyCredits: a.tavilyCredits + (add.tavilyCredits ?? 0),
    llmInputTokens: a.llmInputTokens + (add.llmInputTokens ?? 0),
    llmOutputTokens: a.llmOutputTokens + (add.llmOutputTokens ?? 0),
  };
  return { ...counts, usd: costUsd(counts, prices) };
}

/** What a typical new company costs: one advanced search and one judging call at the full evidence budget. */
export function expectedCompanyCost(
  settings: Prices & { evidenceBudgetChars: number },
  promptOverheadChars: number,
  outputTokens: number,
): Cost {
  const inputTokens = Math.ceil((promptOverheadChars + settings.evidenceBudgetChars) / CHARS_PER_TOKEN);
  return addCost(
    ZERO_COST,
    { tavilyCredits: ADVANCED_SEARCH_CREDITS, llmInputTokens: inputTokens, llmOutputTokens: outputTokens },
    settings,
  );
}
