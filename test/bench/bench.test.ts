// The bench harness on the built add-on, at its smallest size: the figures it reports are the
// ones the fakes and the runtime counted.
import { describe, expect, it } from "vitest";
import { makeLocalRuntime } from "../../src/local/bench/local-runtime";
import { runScenario } from "../../src/local/bench/scenario";
import { PRODUCTION_LIMITS } from "../../src/local/bench/setup";

describe("bench scenario (10 companies)", () => {
  it.each(["open", "closed"] as const)("sidebar %s: first run researched, rerun from the cache", (mode) => {
    const [first, rerun] = runScenario(makeLocalRuntime, PRODUCTION_LIMITS, 10, mode);
    expect(first.settled).toBe(true);
    expect(first.errors).toEqual([]);
    expect(first.rows.done + first.rows.noData).toBe(10);
    expect(first.tavilyRequests).toBeGreaterThanOrEqual(10);
    expect(first.boundMs).toBeGreaterThan(5000);
    expect(first.wallMs).toBeGreaterThanOrEqual(first.boundMs);
    expect(first.tavilyCreditsPerCompany).toBeGreaterThanOrEqual(2);
    expect(first.waves).toBeGreaterThan(0);
    // A closed sidebar waits for the continuation trigger, a minute after it is asked for.
    if (mode === "closed") expect(first.wallMs).toBeGreaterThanOrEqual(60_000);
    expect(rerun.settled).toBe(true);
    expect(rerun.rows.cached).toBe(rerun.n);
    expect(rerun.tavilyRequests + rerun.llmRequests).toBe(0);
  });
});
