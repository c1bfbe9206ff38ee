// The eval's figures: what counts as agreement, what is left out of every rate.
import { describe, expect, it } from "vitest";
import { ZERO_COST } from "../../src/core/costs";
import type { UseCaseClass } from "../../src/core/reply";
import type { Tier } from "../../src/core/types";
import type { LabelRow } from "../../src/local/eval/labels";
import { confusion, figures, tiersWithinOne } from "../../src/local/eval/metrics";
import type { CompanyResult, OutcomeKind } from "../../src/local/eval/research";

function result(
  expected: UseCaseClass,
  kind: OutcomeKind,
  answer: UseCaseClass | null,
  tiers: [Tier | null, Tier | null] = [null, null],
  usd = 0,
): CompanyResult {
  const row: LabelRow = {
    line: 2,
    company: "Co",
    website: "",
    domain: null,
    expectedClass: expected,
    expectedTier: tiers[0],
    reason: "",
    source: "",
    tags: [],
  };
  return {
    row,
    kind,
    status: kind === "judged" ? "Done" : kind === "noData" ? "No reliable data" : "Error: x",
    useCaseClass: kind === "judged" ? answer : null,
    tier: kind === "noData" ? "UNKNOWN" : tiers[1],
    score: null,
    useCase: "",
    missing: null,
    requestChanged: false,
    cost: { ...ZERO_COST, usd },
    timeMs: 1000,
    requests: kind === "notRecorded" ? 0 : 2,
  };
}

describe("figures", () => {
  it("counts no reliable data as the answer UNKNOWN, right only for an UNKNOWN label", () => {
    const f = figures([
      result("UNKNOWN", "noData", null),
      result("S", "noData", null),
      result("S", "judged", "S"),
      result("E", "judged", "A"),
    ]);
    expect(f.classAgreement).toEqual({ hits: 2, of: 4 });
    expect(f.noData).toEqual({ hits: 2, of: 4 });
  });

  it("leaves errors and companies not recorded out of every rate and every mean", () => {
    const f = figures([
      result("S", "judged", "S", [null, null], 0.02),
      result("S", "error", null, [null, null], 0.01),
      result("D", "notRecorded", null),
    ]);
    expect(f.classAgreement).toEqual({ hits: 1, of: 1 });
    expect(f.errors).toBe(1);
    expect(f.notRecorded).toBe(1);
    // The failed company was paid for; the one not recorded made no request.
    expect(f.costPerCompanyUsd).toBeCloseTo(0.015, 10);
  });

  it("measures tiers only where the label gives one, within one tier on the HOT-WARM-WATCH-COLD scale", () => {
    const f = figures([
      result("S", "judged", "S", ["HOT", "HOT"]),
      result("S", "judged", "S", ["HOT", "WARM"]),
      result("E", "judged", "E", ["WATCH", "HOT"]),
      result("E", "judged", "E", [null, "COLD"]),
      result("UNKNOWN", "noData", null, ["UNKNOWN", null]),
    ]);
    expect(f.tierAgreement).toEqual({ hits: 2, of: 4 });
    expect(f.withinOneTier).toEqual({ hits: 3, of: 4 });
    expect(tiersWithinOne("UNKNOWN", "COLD")).toBe(false);
    expect(tiersWithinOne("COLD", "WATCH")).toBe(true);
  });
});

describe("confusion", () => {
  it("counts the label's class against the answer, with no reliable data in its own column", () => {
    const table = confusion([
      result("D", "judged", "E"),
      result("D", "judged", "D"),
      result("D", "noData", null),
      result("D", "error", null),
    ]);
    expect(Object.fromEntries(table.get("D") ?? [])).toEqual({ E: 1, D: 1, "no data": 1 });
  });
});
