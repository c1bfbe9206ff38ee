// What the worker's sheet work costs under the runtime's cost per cell: it reads the columns and
// rows a pass needs, not the whole sheet, and writes a cache row only where it changes.
import { describe, expect, it } from "vitest";
import { driveRun } from "../../src/local/drive";
import { ok, progress, setup, statuses } from "./harness";

const names = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `Company ${from + i}`);

/** Drives the run with the sidebar open; the counters of the worker executions, summed. */
function workerCells(rt: ReturnType<typeof setup>["rt"]) {
  const drive = driveRun(rt, { mode: "open", settled: () => !progress(rt).running });
  expect(drive.settled).toBe(true);
  const sum = (pick: (s: (typeof drive.workers)[number]["stats"]) => number) => drive.workers.reduce((t, w) => t + pick(w.stats), 0);
  const waves = drive.workers.reduce((t, w) => t + (w.result.value as { waves: number }).waves, 0);
  return { read: sum((s) => s.cellsRead), written: sum((s) => s.cellsWritten), waves };
}

describe("the worker's sheet work", () => {
  it("reads the Status column and the rows in the queue, not the whole of a wide sheet", () => {
    // 1,500 contacts with ten columns each; the last 100 are researched.
    const header = ["Company", "Owner", "Region", "Phone", "Email", "Stage", "Notes", "Industry", "Size", "Source"];
    const rows = names(1500).map((name, i) => [
      name,
      `Rep ${i % 7}`,
      "EMEA",
      "+44 20 0000 0000",
      `c${i}@example.com`,
      "Lead",
      "",
      "",
      "",
      "",
    ]);
    const { rt } = setup({ rows: [header, ...rows], settings: { TAVILY_CONCURRENCY: "20", LLM_CONCURRENCY: "20" } });
    rt.spreadsheet.setSelection("Sheet1", ["A1402:A1501"]);
    ok(rt.run("researchSelectedRows"));
    const cells = workerCells(rt);
    expect(statuses(rt).slice(1400)).toEqual(Array<string>(100).fill("Done"));
    // One whole read of the sheet (16 columns with the outputs) is 24,016 cells: the end of the run
    // reads the formulas once; each pass reads the Status column, the 100 companies and the
    // output cells of the rows it writes.
    expect(cells.read).toBeLessThan(24_016 + 2_500 * cells.waves);
  });

  it("writes a cache row only where it changes: the search, then the verdict's cells", () => {
    const { rt } = setup({
      rows: [["Company"], ...names(200).map((n) => [n])],
      settings: { TAVILY_CONCURRENCY: "100", LLM_CONCURRENCY: "100" },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A201"]);
    ok(rt.run("researchSelectedRows"));
    const cells = workerCells(rt);
    expect(statuses(rt).every((s) => s === "Done")).toBe(true);
    // A row's six outputs, its note and its links (8), its claim (1), and the cache row written
    // whole twice would be 54 more; written where it changes, about 24.
    expect(cells.written / 200).toBeLessThan(36);
  });
});
