// The bench's large-sheet section at a small size: what it reports is what the runtime counted.
import { describe, expect, it } from "vitest";
import { formatLargeSheet, measureLargeSheet, smallestMarginMs } from "../../src/local/bench/large";
import { makeLocalRuntime } from "../../src/local/bench/local-runtime";

describe("the worker on a large sheet", () => {
  it("queues every row, or the rows a filter shows, and reports each execution's margin to the 6-minute limit", () => {
    const all = measureLargeSheet(makeLocalRuntime, { rows: 400, filtered: false, executions: 1 });
    const filtered = measureLargeSheet(makeLocalRuntime, { rows: 400, filtered: true, executions: 1 });
    expect([all.queued, filtered.queued]).toEqual([400, 200]);
    for (const f of [all, filtered]) {
      expect(f.workers).toHaveLength(1);
      expect(f.workers[0]?.killed).toBe(false);
      expect(f.workers[0]?.waves).toBeGreaterThan(0);
      expect(f.finished).toBeGreaterThan(0);
    }
    const margin = smallestMarginMs([all, filtered]);
    expect(margin).toBe(360_000 - Math.max(...[all, filtered].map((f) => f.workers[0]?.elapsedMs ?? 0)));
    expect(formatLargeSheet([all])).toContain("every row selected");
  });
});
