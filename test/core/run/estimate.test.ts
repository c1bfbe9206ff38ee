// The run estimate: cache answers, cost, time from the per-minute limits, and when to ask.
import { describe, expect, it } from "vitest";
import {
  cacheAnswer,
  describeEstimate,
  estimateRun,
  needsConfirmation,
  planText,
  WAVE_SECONDS,
  type CacheAnswer,
  type EstimateInput,
  type PlannedCompany,
  type PlannedRowId,
} from "../../../src/core/run/estimate";
import type { RunEstimate } from "../../../src/core/wire";

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

/** An estimate of `counts` companies (and as many rows), everything else as a Research of column A. */
function run(counts: Partial<Record<CacheAnswer | "researchAgain", number>>, over: Partial<EstimateInput> = {}): RunEstimate {
  const { researchAgain = 0, ...rest } = counts;
  const companies: PlannedCompany[] = [
    ...answers(rest).map((answer) => ({ answer, foundNothingBefore: false })),
    ...Array.from({ length: researchAgain }, () => ({ answer: "research" as const, foundNothingBefore: true })),
  ];
  const estimate = estimateRun({
    action: "research",
    rows: companies.length,
    resumed: 0,
    takenOver: null,
    companies,
    prices,
    limits: production,
    thresholds: none,
    columns: [{ sheet: "Sheet1", letter: "A", header: "Company", byHeader: true, names: ["Acme", "Globex"] }],
    columnChoice: null,
    ...over,
  });
  return { ...estimate, planId: "p" };
}

describe("estimateRun", () => {
  it("charges only the companies that need requests, a judging call less than a full research", () => {
    const e = run({ research: 300, judgeOnly: 50, cached: 100, cachedNoData: 20 }, { rows: 520 });
    expect(e).toMatchObject({ rows: 520, companies: 470, research: 300, judgeOnly: 50, cached: 100, cachedNoData: 20, researchAgain: 0 });
    expect(e.costUsd).toBeCloseTo(300 * 0.02 + 50 * 0.004, 10);
  });

  it("counts in its maximum every search a company may need: up to three, each judged", () => {
    // Obscure names: every first search finds nothing, and each company is searched and judged three times.
    const obscure = run({ research: 150 });
    expect(obscure.costUsd).toBeCloseTo(150 * 0.02, 10);
    expect(obscure.maximumUsd).toBeCloseTo(150 * 3 * 0.02, 10);
    // Judged again from cached evidence, a company may still find it is about a namesake and search twice more.
    expect(run({ judgeOnly: 10 }).maximumUsd).toBeCloseTo(10 * (0.004 + 2 * 0.02), 10);
    expect(run({ cached: 5, cachedNoData: 5 }).maximumUsd).toBe(0);
  });

  it("expects companies that found nothing last time to need every search, and takes that time", () => {
    const again = run({ researchAgain: 150 });
    expect(again).toMatchObject({ research: 150, researchAgain: 150 });
    expect(again.costUsd).toBeCloseTo(again.maximumUsd, 10);
    expect(again.costUsd).toBeCloseTo(150 * 3 * 0.02, 10);
    // 450 searches at 100 a minute.
    expect(run({ researchAgain: 150 }, { limits: { ...production, tavilyRpm: 100, llmRpm: 10_000 } }).seconds).toBe(270);
    // Above the default threshold of $5 where one search each ($3) would not be.
    expect(needsConfirmation(again)).toBe(true);
    expect(needsConfirmation(run({ research: 150 }))).toBe(false);
  });

  it("takes its time from the tighter per-minute limit", () => {
    // 600 LLM calls at 30 a minute (a Crusoe key without a payment method): 20 minutes.
    const slow = run({ research: 600 }, { limits: { ...production, llmRpm: 30 } });
    expect(slow.seconds).toBe(20 * 60);
    // 600 searches at 100 a minute (a Tavily development key) is the bound when the LLM is fast.
    const dev = run({ research: 600 }, { limits: { ...production, tavilyRpm: 100, llmRpm: 10_000 } });
    expect(dev.seconds).toBe(6 * 60);
  });

  it("never promises less than the waves take, and nothing for a run the cache answers", () => {
    expect(run({ research: 3 }).seconds).toBe(WAVE_SECONDS);
    const waves = run({ research: 10 }, { limits: { ...production, tavilyConcurrency: 2, llmConcurrency: 2 } });
    expect(waves.seconds).toBe(5 * WAVE_SECONDS);
    const cachedOnly = run({ cached: 3, cachedNoData: 1 });
    expect(cachedOnly.costUsd).toBe(0);
    expect(cachedOnly.seconds).toBe(0);
  });
});

describe("needsConfirmation", () => {
  const ask = (n: number, confirmAboveUsd: number | null) => run({ research: n }, { thresholds: { budgetUsd: null, confirmAboveUsd } });
  it("asks above the threshold only, and never when it is blank", () => {
    expect(needsConfirmation(ask(500, 5))).toBe(true); // $10
    expect(needsConfirmation(ask(200, 5))).toBe(false); // $4
    expect(needsConfirmation(ask(5000, null))).toBe(false);
    expect(needsConfirmation(ask(1, 0))).toBe(true);
  });

  it("always asks while the company column is unclear, until the rep has chosen one", () => {
    const options = [
      { column: 1, letter: "A", header: "Notes", names: ["met at GTC"] },
      { column: 2, letter: "B", header: "Firm", names: ["Acme"] },
    ];
    const thresholds = { budgetUsd: null, confirmAboveUsd: null };
    expect(needsConfirmation(run({ research: 1 }, { thresholds, columnChoice: { chosen: null, options } }))).toBe(true);
    expect(needsConfirmation(run({ research: 1 }, { thresholds, columnChoice: { chosen: 2, options } }))).toBe(false);
  });

  it("always asks before taking over another user's run, and says whose and what goes on with the rep's keys", () => {
    const thresholds = { budgetUsd: null, confirmAboveUsd: null };
    const taken = run({ research: 3 }, { thresholds, takenOver: { from: "ann@example.com", rows: 2 } });
    expect(needsConfirmation(taken)).toBe(true);
    expect(describeEstimate(taken).lines).toContain(
      "You take over the run ann@example.com left a day or more ago: the 2 row(s) it left waiting go on too, and your keys pay for it from now on.",
    );
    const paused = run({ research: 3 }, { thresholds, takenOver: { from: "another user", rows: 0 } });
    expect(describeEstimate(paused).lines).toContain(
      "You take over the run another user left a day or more ago: your keys pay for it from now on.",
    );
  });
});

describe("describeEstimate", () => {
  it("names the column and its first companies, what the cache answers, what is researched, the expected and maximum cost, the time and the budget", () => {
    const e = run(
      { research: 300, judgeOnly: 50, cached: 100, cachedNoData: 20 },
      { rows: 520, resumed: 150, limits: { ...production, llmRpm: 30 }, thresholds: { budgetUsd: 10, confirmAboveUsd: 5 } },
    );
    const { title, lines } = describeEstimate(e);
    expect(title).toBe("Research 350 companies?");
    expect(lines).toEqual([
      "Companies from column A “Company”: Acme, Globex.",
      "520 row(s), 470 distinct companies.",
      "Of the rows, 150 were paused and go on.",
      "Answered by the cache at no cost: 120 (100 researched, 20 with no reliable data).",
      "To research: 300 (one web search and one AI call each, up to 3 of each for a company the first search finds nothing about).",
      "To score again from searches already paid for: 50 (one AI call each, no new search).",
      "Estimated cost: about $6.20, at most $20.20. Estimated time: about 11 min 40 s.",
      "The run pauses if it reaches that maximum or its budget of $10.00.",
    ]);
  });

  it("says when no header names the company column, and titles each command by what it queues", () => {
    const columns = [
      { sheet: "Leads", letter: "B", header: "Firm", byHeader: false, names: ["Acme", "Globex", "Initech", "Umbrella"] },
      { sheet: "Old", letter: "A", header: "Company", byHeader: true, names: ["Hooli"] },
    ];
    const options = [
      { column: 2, letter: "B", header: "Firm", names: ["Acme"] },
      { column: 3, letter: "C", header: "Notes", names: ["met at GTC"] },
    ];
    const asked = run({ research: 2 }, { columns, columnChoice: { chosen: null, options } });
    const { lines } = describeEstimate(asked);
    // Where the columns are offered (the sidebar), no advice on how to answer an alert.
    expect(describeEstimate(asked, "offered").lines.slice(0, 3)).toEqual([...lines.slice(0, 2), "2 row(s), 2 distinct companies."]);
    expect(lines.slice(0, 3)).toEqual([
      "Companies from column B “Firm” of Leads, as no header names the company column: Acme, Globex, Initech and more.",
      "Companies from column A “Company” of Old: Hooli.",
      "If column B does not hold the companies, answer No, then head the right column “Company” or select only its cells, and research again.",
    ]);
    expect(describeEstimate(run({ researchAgain: 150 }, { action: "retry", rows: 150 }))).toMatchObject({
      title: "Retry 150 rows?",
      lines: expect.arrayContaining(["Of them, 150 found nothing last time: expected to need all 3 searches."]) as unknown,
    });
    expect(describeEstimate(run({ research: 4 }, { action: "resume", rows: 9 })).title).toBe("Resume 9 rows?");
    expect(describeEstimate(run({ research: 4 }, { action: "refresh" })).title).toBe("Research 4 companies again?");
    expect(describeEstimate(run({ cached: 4 })).title).toBe("Answer from the cache?");
  });
});

describe("planText", () => {
  const estimate = run({ research: 2 });
  const row = (over: Partial<PlannedRowId> = {}): PlannedRowId => ({
    sheetId: 7,
    row: 2,
    key: "gpu-infrastructure|acme",
    status: "Queued",
    answer: "research",
    ...over,
  });

  it("is the same for the same plan, whatever the order the rows were read in", () => {
    const a = row();
    const b = row({ row: 3, key: "gpu-infrastructure|globex" });
    expect(planText(estimate, [a, b])).toBe(planText(estimate, [b, a]));
  });

  it("differs whenever the sheet, a row, a company, the Status, the cache's answer or a figure differs", () => {
    const base = planText(estimate, [row()]);
    const others = [
      planText(estimate, [row({ sheetId: 8 })]),
      planText(estimate, [row({ row: 3 })]),
      planText(estimate, [row({ key: "gpu-infrastructure|сбербанк" })]),
      planText(estimate, [row({ key: "gpu-infrastructure|тинькофф" })]),
      planText(estimate, [row({ status: "Queued (ignore cache)" })]),
      planText(estimate, [row({ answer: "cached" })]),
      planText({ ...estimate, costUsd: estimate.costUsd + 0.01 }, [row()]),
      planText({ ...estimate, columnChoice: { chosen: 2, options: [] } }, [row()]),
      planText(estimate, [row(), row({ row: 3 })]),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it("cannot be imitated by a company name holding the text's own separators", () => {
    // Two rows against one whose name carries what would separate them in a joined text.
    const two = planText(estimate, [row({ key: "a" }), row({ row: 3, key: "b" })]);
    const forged = planText(estimate, [row({ key: 'a"],[7,3,"b' })]);
    expect(forged).not.toBe(two);
  });
});
