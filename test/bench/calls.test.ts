// Sheet calls per wave, an open sidebar's polls and the bundle's load, as npm run bench measures
// them, at small sizes on the built add-on.
import { describe, expect, it } from "vitest";
import { coldLoadMs, measureBundles } from "../../src/local/bench/bundle";
import { callGroup, measureSheetCalls, scatteredSelection } from "../../src/local/bench/calls";
import { makeLocalRuntime } from "../../src/local/bench/local-runtime";
import { idleHour, OLD_POLL_MS } from "../../src/local/bench/polling";
import { createWorld, PRODUCTION_LIMITS } from "../../src/local/bench/setup";

describe("sheet calls per wave", () => {
  it("sorts the runtime's method names into reads, value writes, text format and presentation", () => {
    expect(["Range.getValues", "Range.setValues", "Range.setNumberFormat", "Range.setNotes", "Range.setRichTextValues", "Sheet.setConditionalFormatRules"].map(callGroup)).toEqual([
      "reads",
      "values",
      "textFormat",
      "presentation",
      "presentation",
      "presentation",
    ]);
  });

  it("selects about half the rows as ranges of consecutive rows, the same for a seed", () => {
    const ranges = scatteredSelection(200, 5);
    expect(scatteredSelection(200, 5)).toEqual(ranges);
    const rows = ranges.map((r) => /^A(\d+):A(\d+)$/.exec(r)).map((m) => Number(m?.[2]) - Number(m?.[1]) + 1);
    expect(rows.reduce((t, n) => t + n, 0)).toBeGreaterThan(70);
    expect(rows.reduce((t, n) => t + n, 0)).toBeLessThan(130);
    expect(ranges.length).toBeGreaterThan(30);
  });

  it("contiguous: a call or so per column group per wave, presentation within one per column; scattered: one more per range", () => {
    const contiguous = measureSheetCalls(makeLocalRuntime, "contiguous", 40);
    const scattered = measureSheetCalls(makeLocalRuntime, "scattered", 40);
    expect(contiguous.waves).toBeGreaterThan(0);
    expect(contiguous.perWave?.presentation ?? Infinity).toBeLessThanOrEqual(3);
    expect(scattered.ranges).toBeGreaterThan(5);
    expect(scattered.perWave?.values ?? 0).toBeGreaterThan(contiguous.perWave?.values ?? Infinity);
  });
});

describe("an open sidebar's polls", () => {
  it("an idle hour on the sidebar's schedule stays under 200 property reads; every 3 s it would not", () => {
    const world = () => createWorld(makeLocalRuntime, { limits: PRODUCTION_LIMITS });
    const now = idleHour(world(), "sidebar", "this checkout", 300, 10, 4);
    const old = idleHour(world(), { everyMs: OLD_POLL_MS }, "every 3 s", 300, 10, 4);
    expect(now.propertyReads).toBeLessThan(200);
    expect(old.polls).toBeGreaterThan(1000);
    expect(old.propertyReads).toBeGreaterThan(now.propertyReads);
  });
});

describe("bundle load", () => {
  it("measures size in bytes and a cold load that runs the script", () => {
    const [small, big] = measureBundles(
      [
        { label: "small", code: "var x = 1;" },
        { label: "big", code: `var table = ${JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ i, s: "é".repeat(i % 7) })))};` },
      ],
      3,
    );
    expect(small?.bytes).toBe(10);
    expect(big?.bytes).toBeGreaterThan(100_000);
    expect(big?.coldLoadMs ?? 0).toBeGreaterThan(small?.coldLoadMs ?? Infinity);
    expect(() => coldLoadMs("throw new Error('load failed')", 1)).toThrow("load failed");
  });
});
