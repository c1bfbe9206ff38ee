// Presentation (Score notes, Sources links) in few calls: a wave's finished rows get one call per
// column even when rows still in flight sit between them, and never a cell of a row in another state.
import { describe, expect, it } from "vitest";
import type { FakeSheet, LocalRuntime } from "../../src/local/runtime";
import { driveRun, type ExecutionRecord } from "../../src/local/drive";
import { COLUMN_TAG } from "../../src/core/run/sheet-layout";
import { companyRows, driveWithSidebar, ok, progress, setup } from "./harness";

function sheetOf(rt: LocalRuntime): FakeSheet {
  const sheet = rt.spreadsheet.getSheetByName("Sheet1");
  if (!sheet) throw new Error("no sheet");
  return sheet;
}

function a1(sheet: FakeSheet, name: string, row: number): string {
  const col = sheet.columnTagged(COLUMN_TAG, name);
  if (col === null) throw new Error(`no column tagged ${name}`);
  return `${String.fromCharCode(64 + col)}${row}`;
}

/** Worker executions until the run ends, with each one's service counters. */
function driveRecorded(rt: LocalRuntime): ExecutionRecord[] {
  const drive = driveRun(rt, { mode: "open", settled: () => !progress(rt).running, maxExecutions: 200 });
  if (!drive.settled) throw new Error("run did not finish");
  return drive.workers;
}

function calls(workers: readonly ExecutionRecord[], method: string): number {
  return workers.reduce((n, w) => n + (w.stats.rangeCallsByMethod[method] ?? 0), 0);
}

const names = [
  "Cohere",
  "Runway",
  "Jasper",
  "Modal",
  "Replit",
  "Anyscale",
  "Together",
  "Mistral",
  "Perplexity",
  "Character",
  "Writer",
  "Glean",
];
// Searches that never find these companies: each is searched again (and stays Researching) while
// the others finish around it, then ends with no reliable data.
const elusive = ["Jasper", "Together", "Writer"];

describe("presentation calls", () => {
  it("writes a wave's notes and links in one call each, over rows still being re-searched", () => {
    const verdicts = Object.fromEntries(elusive.map((name) => [name, { about_company: false }]));
    const { rt, tavily } = setup({ rows: companyRows(names), llm: { verdicts } });
    rt.spreadsheet.setSelection("Sheet1", [`A2:A${names.length + 1}`]);
    ok(rt.run("researchSelectedRows"));
    const workers = driveRecorded(rt);
    const sheet = sheetOf(rt);
    const rowOf = (name: string) => names.indexOf(name) + 2;
    for (const name of names) {
      const row = rowOf(name);
      if (elusive.includes(name)) {
        expect(String(sheet.cell(a1(sheet, "Status", row)))).toMatch(/^No reliable data/);
        expect(sheet.noteAt(a1(sheet, "Score", row))).toBe("");
        expect(sheet.cell(a1(sheet, "Sources", row))).toBe("");
      } else {
        expect(sheet.cell(a1(sheet, "Status", row))).toBe("Done");
        expect(sheet.noteAt(a1(sheet, "Score", row))).toMatch(/^Use case /);
        const sources = String(sheet.cell(a1(sheet, "Sources", row))).split("\n");
        expect(sheet.linksAt(a1(sheet, "Sources", row)).map((l) => l.url)).toEqual(sources);
      }
    }
    // The elusive companies were searched again while the others were written around them.
    expect(tavily.requests).toBeGreaterThan(names.length);
    // Every company found finishes in the same wave: its rows, in 4 runs between the elusive
    // rows, take one notes call and one links call in all.
    expect(calls(workers, "Range.setNotes")).toBe(1);
    expect(calls(workers, "Range.setRichTextValues")).toBe(1);
  });

  it("never writes the notes or links of a Done row the user edited, between rows being re-researched", () => {
    const { rt } = setup({ rows: companyRows(names.slice(0, 5)) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A6"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const sheet = sheetOf(rt);
    // The user rewrites Jasper's (row 4) Sources with a link of their own and its Score note.
    const sources = a1(sheet, "Sources", 4);
    const score = a1(sheet, "Score", 4);
    const [col, row] = [sheet.columnTagged(COLUMN_TAG, "Sources") ?? 0, 4];
    const mine = "see our CRM";
    sheet.setRichText({ row, col, numRows: 1, numCols: 1 }, [
      [{ text: mine, links: [{ start: 4, end: 11, url: "https://crm.example/jasper" }] }],
    ]);
    sheet.setNotes({ row, col: sheet.columnTagged(COLUMN_TAG, "Score") ?? 0, numRows: 1, numCols: 1 }, [["Met them in May"]]);
    const scoreBefore = sheet.cell(score);

    rt.spreadsheet.setSelection("Sheet1", ["A2:A3", "A5:A6"]);
    ok(rt.run("refreshSelectedRows"));
    const workers = driveRecorded(rt);
    for (const r of [2, 3, 5, 6]) expect(sheet.cell(a1(sheet, "Status", r))).toBe("Done");
    expect(sheet.cell(sources)).toBe(mine);
    expect(sheet.linksAt(sources)).toEqual([{ start: 4, end: 11, url: "https://crm.example/jasper" }]);
    expect(sheet.noteAt(score)).toBe("Met them in May");
    expect(sheet.cell(score)).toBe(scoreBefore);
    expect(sheet.cell(a1(sheet, "Status", 4))).toBe("Done");
    // Rows 2-3 and 5-6 stay two runs: the Done row between them breaks the links call.
    expect(calls(workers, "Range.setRichTextValues")).toBe(2);
  });
});
