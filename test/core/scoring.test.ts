import { describe, expect, it } from "vitest";
import {
  bandRange,
  budgetPoints,
  CONFIDENCE_POINTS,
  growthPoints,
  scoreReply,
  TIER_BANDS,
  tierFor,
  useCaseText,
} from "../../src/core/scoring";
import { reply } from "./helpers";

describe("gpu-infrastructure budget from funding", () => {
  const cases: [number | null, number][] = [
    [1000, 30],
    [100, 30],
    [99.99, 25],
    [50, 25],
    [49.9, 20],
    [20, 20],
    [19.9, 15],
    [10, 15],
    [9.99, 10],
    [5, 10],
    [4.99, 5],
    [0, 5],
    [null, 10],
  ];
  for (const [funding, points] of cases) {
    it(`${funding ?? "unknown"} M$ gives ${points}`, () => expect(budgetPoints(funding, false)).toBe(points));
  }
  it("a quant-trading firm with unknown funding gives 25", () => expect(budgetPoints(null, true)).toBe(25));
  it("the quant rule applies only when funding is unknown", () => {
    expect(budgetPoints(3, true)).toBe(5);
    expect(budgetPoints(150, true)).toBe(30);
  });
  it("is used by scoreReply", () => {
    expect(scoreReply("gpu-infrastructure", reply({ funding_musd: null, quant_trading: true })).second).toBe(25);
  });
});

describe("use-case classes", () => {
  const gpu = { S: 50, A: 45, B: 45, C: 45, D: 35, E: 10, UNKNOWN: 5 } as const;
  const managed = { S: 50, A: 45, B: 35, C: 25, D: 10, UNKNOWN: 5 } as const;
  for (const [cls, points] of Object.entries(gpu)) {
    it(`gpu-infrastructure ${cls} = ${points}`, () =>
      expect(scoreReply("gpu-infrastructure", reply({ use_case_class: cls as "S" })).useCase).toBe(points));
  }
  for (const [cls, points] of Object.entries(managed)) {
    it(`managed-inference ${cls} = ${points}`, () =>
      expect(scoreReply("managed-inference", reply({ use_case_class: cls as "S" })).useCase).toBe(points));
  }
  it("managed-inference scores an E answer as the wrapper class D", () =>
    expect(scoreReply("managed-inference", reply({ use_case_class: "E" })).useCase).toBe(10));
});

describe("managed-inference adoption replaces budget", () => {
  const cases = [
    ["confirmed", 30],
    ["strong", 20],
    ["possible", 10],
    ["none", 0],
    [null, 0],
  ] as const;
  for (const [adoption, points] of cases) {
    it(`${adoption} gives ${points}`, () =>
      expect(scoreReply("managed-inference", reply({ platform_adoption: adoption, funding_musd: 500 })).second).toBe(points));
  }
});

describe("growth and confidence", () => {
  it("each growth part", () => {
    const none = { rapid_growth: false, ml_hiring: false, recent_funding: false };
    expect(growthPoints(none)).toBe(0);
    expect(growthPoints({ ...none, rapid_growth: true })).toBe(4);
    expect(growthPoints({ ...none, ml_hiring: true })).toBe(3);
    expect(growthPoints({ ...none, recent_funding: true })).toBe(3);
    expect(growthPoints({ rapid_growth: true, ml_hiring: true, recent_funding: true })).toBe(10);
  });
  it("each confidence level", () => {
    expect(CONFIDENCE_POINTS).toEqual({ high: 10, medium: 5, low: 2 });
    expect(scoreReply("gpu-infrastructure", reply({ confidence: "medium" })).confidence).toBe(5);
    expect(scoreReply("managed-inference", reply({ confidence: "low" })).confidence).toBe(2);
  });
});

describe("tiers", () => {
  const cases: [number, string][] = [
    [100, "HOT"],
    [75, "HOT"],
    [74, "WARM"],
    [55, "WARM"],
    [54, "WATCH"],
    [35, "WATCH"],
    [34, "COLD"],
    [0, "COLD"],
  ];
  for (const [score, tier] of cases) it(`${score} is ${tier}`, () => expect(tierFor(score)).toBe(tier));

  it("the legend's bands are the ones tierFor applies", () => {
    expect(TIER_BANDS.map((band) => `${band.tier} ${bandRange(band)}`)).toEqual(["HOT 75+", "WARM 55+", "WATCH 35+", "COLD under 35"]);
    for (const band of TIER_BANDS) {
      expect(tierFor(band.min)).toBe(band.tier);
      if (band.min > 0) expect(tierFor(band.min - 1)).not.toBe(band.tier);
    }
  });

  it("score is the sum of the four parts, and each cut-off is reached exactly", () => {
    const quiet = { rapid_growth: false, ml_hiring: false, recent_funding: false };
    const cases = [
      // D 35 + 100 M$ 30 + no growth + high 10
      [scoreReply("gpu-infrastructure", reply({ use_case_class: "D", funding_musd: 100, ...quiet, confidence: "high" })), 75, "HOT"],
      // S 50 + 10 M$ 15 + rapid growth 4 + medium 5
      [
        scoreReply(
          "gpu-infrastructure",
          reply({ use_case_class: "S", funding_musd: 10, ...quiet, rapid_growth: true, confidence: "medium" }),
        ),
        74,
        "WARM",
      ],
      // B 35 + possible 10 + no growth + high 10
      [
        scoreReply("managed-inference", reply({ use_case_class: "B", platform_adoption: "possible", ...quiet, confidence: "high" })),
        55,
        "WARM",
      ],
      // D 35 + unknown funding 10 + rapid growth 4 + medium 5
      [
        scoreReply(
          "gpu-infrastructure",
          reply({ use_case_class: "D", funding_musd: null, ...quiet, rapid_growth: true, confidence: "medium" }),
        ),
        54,
        "WATCH",
      ],
      // E 10 + 20 M$ 20 + no growth + medium 5
      [scoreReply("gpu-infrastructure", reply({ use_case_class: "E", funding_musd: 20, ...quiet, confidence: "medium" })), 35, "WATCH"],
      // E 10 + 10 M$ 15 + rapid growth 4 + medium 5
      [
        scoreReply(
          "gpu-infrastructure",
          reply({ use_case_class: "E", funding_musd: 10, ...quiet, rapid_growth: true, confidence: "medium" }),
        ),
        34,
        "COLD",
      ],
    ] as const;
    for (const [breakdown, score, tier] of cases) {
      expect(breakdown.useCase + breakdown.second + breakdown.growth + breakdown.confidence).toBe(score);
      expect(breakdown).toMatchObject({ score, tier });
    }
  });
});

describe("use case text", () => {
  it("is the model's label, or the class name when the label is empty", () => {
    expect(useCaseText("gpu-infrastructure", reply({ use_case_label: "Video generation" }))).toBe("Video generation");
    expect(useCaseText("gpu-infrastructure", reply({ use_case_label: "", use_case_class: "C" }))).toBe("AI infrastructure platform");
  });
});
