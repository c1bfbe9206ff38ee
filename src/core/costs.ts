// Costs (SPEC §5): Tavily credits and LLM tokens as the providers report them, dollars from the
// price settings. Dollars are always recomputed from the counts, so sums never drift.
import type { Cost } from "./types";
import type { Settings } from "./settings";
import { ADVANCED_SEARCH_CREDITS } from "./search";

export type Prices = Pick<Settings, "tavilyPricePerCredit" | "llmInputPricePerMTok" | "llmOutputPricePerMTok">;

export const ZERO_COST: Cost = { tavilyCredits: 0, llmInputTokens: 0, llmOutputTokens: 0, usd: 0 };

export function costUsd(counts: Omit<Cost, "usd">, prices: Prices): number {
  return (
    counts.tavilyCredits * prices.tavilyPricePerCredit +
    (counts.llmInputTokens * prices.llmInputPricePerMTok + counts.llmOutputTokens * prices.llmOutputPricePerMTok) / 1_000_000
  );
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
export function expectedCompanyCost(settings: Settings, promptOverheadChars: number, outputTokens: number): Cost {
  const inputTokens = Math.ceil((promptOverheadChars + settings.evidenceBudgetChars) / 4);
  return addCost(ZERO_COST, { tavilyCredits: ADVANCED_SEARCH_CREDITS, llmInputTokens: inputTokens, llmOutputTokens: outputTokens }, settings);
}
