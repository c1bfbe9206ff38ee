// The run estimate: cache answers, cost, time from the per-minute limits, and when to ask.
import { describe, expect, it } from "vitest";
import {
  cacheAnswer,
  describeEstimate,
  estimateRun,
  needsConfirmation,
  WAVE_SECONDS,
  type CacheAnswer,
} from "../../../src/core/run/estimate";

const prices = { researchUsd: 0.02, judgeUsd: 0.004 };
const production = { tavilyRpm: 1000, llmRpm: 600, tavilyConcurrency: 200, llmConcurrency: 200 };
const none = { budgetUsd: null, confirmAboveUsd: 5 };

function answers(counts: Partial<Record<CacheAnswer, number>>): CacheAnswer[] {
  return Object.entries(counts).flatMap(([answer, n]) => Array.from({ length: n ?? 0 }, () => answer as CacheAnswer));
}

describe("cacheAnswer", () => {
  const validated = { status: "validated" as const, hasEvidence: true, resultProfile: "gpu-infrastructure" as const, resultModel: "m1" };
  it("answers a validated result of the same profile and model from the cache", () => {
    expect(cacheAnswer(validated, "gpu-infrastructure", "m1")).toBe("cached");
  });
  it("judges cached evidence again for another model or profile, and unjudged evidence", () => {
    expect(cacheAnswer(validated, "gpu-infrastructure", "m2")).toBe("judgeOnly");
    expect(cacheAnswer(validated, "managed-inference", "m1")).toBe("judgeOnly");
    expect(cacheAnswer({ status: "unjudged", hasEvidence: true, resultProfile: null, resultModel: null }, "gpu-infrastructure", "m1")).toBe(
      "judgeOnly",
    );
  });

  it("prices a re-search still under way (searched, nothing about the company yet) as research", () => {
    expect(
      cacheAnswer({ status: "unjudged", hasEvidence: false, resultProfile: null, resultModel: null }, "gpu-infrastructure", "m1"),
    ).toBe("research");
  });
  it("answers a remembered no-data company without a request, and researches an unknown one", () => {
    expect(cacheAnswer({ status: "noData", hasEvidence: false, resultProfile: null, resultModel: null }, "gpu-infrastructure", "m1")).toBe(
      "cachedNoData",
    );
    expect(cacheAnswer(null, "gpu-infrastructure", "m1")).toBe("research");
  });
});

describe("estimateRun", () => {
  it("charges only the companies that need requests, a judging call less than a full research", () => {
    const e = estimateRun(520, answers({ research: 300, judgeOnly: 50, cached: 100, cachedNoData: 20 }), prices, production, none);
    expect(e).toMatchObject({ rows: 520, companies: 470, research: 300, judgeOnly: 50, cached: 100, cachedNoData: 20 });
    expect(e.costUsd).toBeCloseTo(300 * 0.02 + 50 * 0.004, 10);
  });

  it("takes its time from the tighter per-minute limit", () => {
    // 600 LLM calls at 30 a minute (a Crusoe key without a payment method): 20 minutes.
    const slow = estimateRun(600, answers({ research: 600 }), prices, { ...production, llmRpm: 30 }, none);
    expect(slow.seconds).toBe(20 * 60);
    // 600 searches at 100 a minute (a Tavily development key) is the bound when the LLM is fast.
    const dev = estimateRun(600, answers({ research: 600 }), prices, { ...production, tavilyRpm: 100, llmRpm: 10_000 }, none);
    expect(dev.seconds).toBe(6 * 60);
  });

  it("never promises less than the waves take, and nothing for a run the cache answers", () => {
    const small = estimateRun(3, answers({ research: 3 }), prices, production, none);
    expect(small.seconds).toBe(WAVE_SECONDS);
    const waves = estimateRun(10, answers({ research: 10 }), prices, { ...production, tavilyConcurrency: 2, llmConcurrency: 2 }, none);
    expect(waves.seconds).toBe(5 * WAVE_SECONDS);
    const cachedOnly = estimateRun(4, answers({ cached: 3, cachedNoData: 1 }), prices, production, none);
    expect(cachedOnly.costUsd).toBe(0);
    expect(cachedOnly.seconds).toBe(0);
  });
});

describe("needsConfirmation", () => {
  const run = (n: number, confirmAboveUsd: number | null) =>
    estimateRun(n, answers({ research: n }), prices, production, { budgetUsd: null, confirmAboveUsd });
  it("asks above the threshold only, and never when it is blank", () => {
    expect(needsConfirmation(run(500, 5))).toBe(true); // $10
    expect(needsConfirmation(run(200, 5))).toBe(false); // $4
    expect(needsConfirmation(run(5000, null))).toBe(false);
    expect(needsConfirmation(run(1, 0))).toBe(true);
  });
});

describe("describeEstimate", () => {
  it("says what the cache answers, what is researched, the cost, the time and the budget", () => {
    const e = estimateRun(
      520,
      answers({ research: 300, judgeOnly: 50, cached: 100, cachedNoData: 20 }),
      prices,
      { ...production, llmRpm: 30 },
      { budgetUsd: 10, confirmAboveUsd: 5 },
    );
    const { title, lines } = describeEstimate(e);
    expect(title).toBe("Research 350 companies?");
    expect(lines).toEqual([
      "520 row(s), 470 distinct companies.",
      "Answered by the cache at no cost: 120 (100 researched, 20 with no reliable data).",
      "To research: 300 (one web search and one AI call each).",
      "To score again from searches already paid for: 50 (one AI call each, no new search).",
      "Estimated cost: about $6.20. Estimated time: about 11 min 40 s.",
      "The run pauses if it reaches its budget of $10.00.",
    ]);
  });
});
