// A small fault soak inside the suite: the built add-on (npm test builds dist/ first) in the
// local runtime, 10% of requests answered 429/5xx, executions killed at random instants.
import { describe, expect, it } from "vitest";
import { makeLocalRuntime } from "../../src/local/bench/local-runtime";
import { runSoak } from "../../src/local/bench/soak-run";

describe("fault soak (100 companies)", () => {
  // Two seeds, so that the kills land at different points of the waves (mid-wave, between waves).
  it.each([7, 8])("seed %i: every row terminal, at least 99% Done, none misplaced or lost", (seed) => {
    const soak = runSoak(makeLocalRuntime, { companies: 100, kills: 4, faultRate: 0.1, seed });
    expect(soak.kills).toBe(4);
    expect(soak.errors).toEqual([]);
    // The problems first: on failure they say which rows and why.
    expect(soak.problems).toEqual([]);
    expect(soak.targets.filter((t) => !t.pass)).toEqual([]);
    const faulted = Object.entries({ ...soak.faults.tavily }).filter(([status]) => status !== "200");
    expect(faulted.length).toBeGreaterThan(0);
  });
});
