// Queueing a filtered selection without a call per row, and the range calls a wave costs.
import { describe, expect, it } from "vitest";
import type { LocalRuntime } from "../../src/local/runtime";
import { companyRows, ok, progress, setup, statuses } from "./harness";

function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `Company ${String(i + 1).padStart(4, "0")} Labs`);
}

function calls(rt: LocalRuntime, method: string): number {
  return rt.stats.rangeCallsByMethod[method] ?? 0;
}

describe("filtered selections", () => {
  it("evaluates a filter by values with one read per filtered column, never a call per row", () => {
    const rows = companyRows(names(3000)).map((row, i) => [...row, i === 0 ? "Region" : i % 3 === 0 ? "EMEA" : "US"]);
    const { rt } = setup({ rows });
    rt.spreadsheet.getSheetByName("Sheet1")?.filterByValues(2, ["EMEA"]);
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3001"]);
    rt.stats.reset();
    ok(rt.run("researchSelectedRows"));
    expect(calls(rt, "Sheet.isRowHiddenByFilter")).toBe(0);
    const queued = statuses(rt).flatMap((s, i) => (s.startsWith("Queued") ? [i + 2] : []));
    expect(queued).toHaveLength(2000);
    expect(queued.some((row) => (row - 1) % 3 === 0)).toBe(false);
    expect(rt.stats.rangeCalls).toBeLessThan(40);
  });

  it("asks row by row only inside the filter's range when the filter is by a custom formula", () => {
    const { rt } = setup({ rows: companyRows(names(2000)) });
    const sheet = rt.spreadsheet.getSheetByName("Sheet1");
    sheet?.setFilter("A1:A101");
    sheet?.setFilteredOut(50, true);
    rt.spreadsheet.setSelection("Sheet1", ["A2:A2001"]);
    rt.stats.reset();
    ok(rt.run("researchSelectedRows"));
    expect(calls(rt, "Sheet.isRowHiddenByFilter")).toBe(100);
    expect(statuses(rt).filter((s) => s.startsWith("Queued"))).toHaveLength(1999);
    expect(statuses(rt)[48]).toBe("");
  });
});

describe("a 5,000-row filtered selection", () => {
  const regions = ["EMEA", "US", "APAC"];
  const rows = () => companyRows(names(5000)).map((row, i) => [...row, i === 0 ? "Region" : regions[i % 3]]);

  it("asks no row when the filter is on with no criteria: it hides nothing", () => {
    const { rt } = setup({ rows: rows() });
    rt.spreadsheet.getSheetByName("Sheet1")?.setFilter("A1:B5001");
    rt.spreadsheet.setSelection("Sheet1", ["A2:A5001"]);
    rt.stats.reset();
    ok(rt.run("researchSelectedRows"));
    expect(calls(rt, "Sheet.isRowHiddenByFilter")).toBe(0);
    expect(statuses(rt).filter((s) => s.startsWith("Queued"))).toHaveLength(5000);
    expect(rt.stats.rangeCalls).toBeLessThan(20);
  });

  it("asks one row per distinct value of the condition's column, not one per row", () => {
    const { rt } = setup({ rows: rows() });
    rt.spreadsheet.getSheetByName("Sheet1")?.filterByCondition(2, "TEXT_DOES_NOT_CONTAIN", ["us"]);
    rt.spreadsheet.setSelection("Sheet1", ["A2:A5001"]);
    rt.stats.reset();
    ok(rt.run("researchSelectedRows"));
    expect(calls(rt, "Sheet.isRowHiddenByFilter")).toBe(regions.length);
    expect(calls(rt, "Filter.getColumnFilterCriteria")).toBe(2);
    const queued = statuses(rt).flatMap((s, i) => (s.startsWith("Queued") ? [i + 2] : []));
    expect(queued).toHaveLength(5000 - 1667);
    // Row r holds regions[(r - 1) % 3]: the US rows are the ones hidden.
    expect(queued.some((row) => regions[(row - 1) % 3] === "US")).toBe(false);
    expect(rt.stats.rangeCalls).toBeLessThan(24);
  });
});

describe("a protected row in a 5,000-row block", () => {
  it("is found by halving the block, not by writing every row alone", () => {
    const { rt } = setup({ rows: companyRows(names(5000)) });
    rt.spreadsheet.owner = "boss@example.com";
    rt.spreadsheet.getSheetByName("Sheet1")?.protect("A2600:Z2600");
    rt.spreadsheet.setSelection("Sheet1", ["A2:A5001"]);
    rt.stats.reset();
    ok(rt.run("researchSelectedRows"));
    const all = statuses(rt);
    expect(all[2598]).toBe("");
    expect(all.filter((s) => s === "Queued")).toHaveLength(4999);
    // The header, then the block and the halves down to the row: about 2 log2(5000), never 5,001.
    expect(calls(rt, "Range.setValues")).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(5000)));
  });
});

/** Range calls per wave while a run of `queued` rows is worked off, by method. */
function perWave(rt: LocalRuntime): { waves: number; perWave: number; byMethod: Record<string, number> } {
  rt.stats.reset();
  let waves = 0;
  for (let i = 0; i < 50 && progress(rt).running; i++) {
    const result = rt.run("runResearchWorker", [], { kind: "sidebar" });
    waves += (result.value as { waves: number }).waves;
  }
  const byMethod: Record<string, number> = {};
  for (const execution of rt.stats.perExecution) {
    for (const [method, n] of Object.entries(execution.rangeCallsByMethod)) byMethod[method] = (byMethod[method] ?? 0) + n;
  }
  const total = rt.stats.perExecution.reduce((sum, e) => sum + e.rangeCalls, 0);
  return { waves, perWave: total / Math.max(1, waves), byMethod };
}

describe("range calls per wave", () => {
  const settings = { TAVILY_CONCURRENCY: "25", LLM_CONCURRENCY: "25" };

  it("adds at most one presentation call per column per wave on a contiguous selection", () => {
    const { rt } = setup({ rows: companyRows(names(200)), settings });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A201"]);
    ok(rt.run("researchSelectedRows"));
    const m = perWave(rt);
    console.log(`contiguous selection: ${m.waves} waves, ${m.perWave.toFixed(1)} range calls per wave`, m.byMethod);
    expect(statuses(rt).every((s) => s === "Done")).toBe(true);
    expect(m.byMethod["Range.setRichTextValues"] ?? 0).toBeLessThanOrEqual(m.waves);
    expect(m.byMethod["Range.setNotes"] ?? 0).toBeLessThanOrEqual(m.waves);
    expect(m.byMethod["Sheet.setConditionalFormatRules"] ?? 0).toBe(0);
    expect(m.perWave).toBeLessThan(12);
  });

  it("measures a selection scattered by a random sort", () => {
    const { rt } = setup({ rows: companyRows(names(400)), settings });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A201"]);
    ok(rt.run("researchSelectedRows"));
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const order = new Map<string, number>();
    rt.spreadsheet.sortRows("Sheet1", 2, (a, b) => {
      for (const key of [String(a[0]), String(b[0])]) if (!order.has(key)) order.set(key, random());
      return (order.get(String(a[0])) ?? 0) - (order.get(String(b[0])) ?? 0);
    });
    const m = perWave(rt);
    console.log(`scattered selection: ${m.waves} waves, ${m.perWave.toFixed(1)} range calls per wave`, m.byMethod);
    expect(statuses(rt).filter((s) => s === "Done")).toHaveLength(200);
    // Each scattered row is its own run of rows: writes grow with the rows, never with the cells.
    expect(m.byMethod["Range.setValues"] ?? 0).toBeLessThanOrEqual(2 * 200 + m.waves);
  });
});
