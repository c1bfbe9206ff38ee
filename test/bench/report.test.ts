import { describe, expect, it } from "vitest";
import { benchTargets, formatTable, formatTargets } from "../../src/local/bench/report";
import type { ScenarioFigures } from "../../src/local/bench/scenario";

function figures(over: Partial<ScenarioFigures>): ScenarioFigures {
  return {
    size: 100,
    n: 100,
    mode: "open",
    run: "first",
    wallMs: 50_000,
    boundMs: 10_000,
    ratio: 5,
    executions: 2,
    workerExecutions: 1,
    triggerRuntimeMs: 0,
    urlFetches: 200,
    fetchAllCalls: 10,
    waves: 10,
    workerRangeCalls: 25,
    rangeCallsPerWave: 2.5,
    llmInputTokensPerCompany: 3000,
    llmOutputTokensPerCompany: 150,
    tavilyCreditsPerCompany: 2.04,
    usdPerCompany: 0.017,
    addOnUsdPerCompany: 0.017,
    tavilyRequests: 102,
    llmRequests: 98,
    rows: { queued: 0, researching: 0, done: 98, cached: 0, noData: 2, error: 0, cancelled: 0, paused: 0, empty: 0, other: 0 },
    settled: true,
    stalls: 0,
    errors: [],
    ...over,
  };
}

describe("bench report", () => {
  it("evaluates the speed, token, credit and cache targets", () => {
    const figs = [
      figures({}),
      figures({ run: "rerun", n: 98, boundMs: 0, ratio: null, tavilyRequests: 0, llmRequests: 0 }),
      // 1.2 x the bound: within the old 1.25, over the 1.15 a run with the sidebar open must keep.
      figures({ size: 1000, n: 1000, wallMs: 74_760, boundMs: 62_300, ratio: 1.2 }),
    ];
    const targets = benchTargets(figs);
    expect(targets.map((t) => [t.value, t.pass])).toEqual([
      [1.2, false],
      [50, true],
      [3000, true],
      [2.04, true],
      [0, true],
    ]);
    expect(formatTargets(targets)).toContain("FAIL  1,000 companies");
  });

  it("reports a missing scenario as not measured, never as a pass", () => {
    const targets = benchTargets([figures({ size: 10, n: 10 })]);
    expect(targets[0]).toMatchObject({ value: null, pass: false });
    expect(targets[1]).toMatchObject({ value: null, pass: false });
    expect(targets[4]).toMatchObject({ value: null, pass: false });
  });

  it("formats one aligned line per scenario", () => {
    const lines = formatTable([figures({}), figures({ run: "rerun", n: 98, ratio: null, boundMs: 0 })]).split("\n");
    expect(lines).toHaveLength(4);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[3]).toContain("rerun(98)");
  });
});
