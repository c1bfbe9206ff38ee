import { describe, expect, it } from "vitest";
import { KillPlanner } from "../../src/local/bench/kills";

describe("kill planner", () => {
  it("plans deterministic instants after the start and stops after the planned kills", () => {
    const plan = () => {
      const planner = new KillPlanner({ kills: 3, seed: 5 });
      const instants: (number | undefined)[] = [];
      for (let i = 0; i < 5; i++) {
        const at = planner.plan(1_000_000, 900);
        instants.push(at);
        planner.observe({ killed: at !== undefined, elapsedMs: 20_000, rowsFinished: 50 });
      }
      return { instants, killed: planner.killed };
    };
    const first = plan();
    expect(plan()).toEqual(first);
    expect(first.killed).toBe(3);
    expect(first.instants.slice(3)).toEqual([undefined, undefined]);
    for (const at of first.instants.slice(0, 3)) expect(at).toBeGreaterThanOrEqual(1_000_000);
  });

  it("spreads kills over the remaining work using the measured pace", () => {
    const planner = new KillPlanner({ kills: 20, seed: 1, initialMsPerRow: 100 });
    planner.observe({ killed: false, elapsedMs: 100_000, rowsFinished: 100 });
    // 1,000 ms per row, 210 rows left, 20 kills left: instants within 2 * 210 * 1000 / 21 = 20 s.
    for (let i = 0; i < 50; i++) {
      const at = planner.plan(0, 210) ?? -1;
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(20_000);
    }
    expect(planner.plan(0, 0)).toBeUndefined();
  });
});
