// Sheet calls per wave, an open sidebar's polls and the bundle's load, as npm run bench measures
// them, at small sizes on the built add-on.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { measureBundles } from "../../src/local/bench/bundle";
import { callGroup, measureSheetCalls, scatteredSelection } from "../../src/local/bench/calls";
import { makeLocalRuntime } from "../../src/local/bench/local-runtime";
import { idleHour, OLD_POLL_MS } from "../../src/local/bench/polling";
import { createWorld, PRODUCTION_LIMITS } from "../../src/local/bench/setup";

describe("sheet calls per wave", () => {
  it("sorts the runtime's method names into reads, value writes, text format and presentation", () => {
    expect(
      [
        "Range.getValues",
        "Range.setValues",
        "Range.setNumberFormat",
        "Range.setNotes",
        "Range.setRichTextValues",
        "Sheet.setConditionalFormatRules",
      ].map(callGroup),
    ).toEqual(["reads", "values", "textFormat", "presentation", "presentation", "presentation"]);
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
  it("measures size in bytes and a cold load that runs the script, in a fresh process", () => {
    const dir = mkdtempSync(join(tmpdir(), "tp-bundle-"));
    try {
      const write = (name: string, code: string) => (writeFileSync(join(dir, name), code), join(dir, name));
      const small = write("small.js", "var x = 1;");
      const big = write(
        "big.js",
        `var table = ${JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ i, s: "é".repeat(i % 7) })))};`,
      );
      const [a, b] = measureBundles(
        [
          { label: "small", path: small },
          { label: "big", path: big },
        ],
        3,
      );
      expect(a?.bytes).toBe(10);
      expect(b?.bytes).toBeGreaterThan(100_000);
      expect(b?.coldLoadMs ?? 0).toBeGreaterThan(a?.coldLoadMs ?? Infinity);
      expect(() => measureBundles([{ label: "broken", path: write("broken.js", "throw new Error('load failed')") }], 1)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
