// The user's sheet stays theirs: the add-on writes only into columns it owns, only the cells it
// changes, as text, and a row it cannot write never stops a run.
import { describe, expect, it } from "vitest";
import type { FakeSheet, LocalRuntime } from "../../src/local/runtime";
import { COLUMN_TAG, columnLetter } from "../../src/core/run/sheet-layout";
import { PROTECTED_MESSAGE } from "../../src/local/runtime/spreadsheet";
import { companyRows, driveWithSidebar, ok, progress, setup } from "./harness";

function sheetOf(rt: LocalRuntime, name = "Sheet1"): FakeSheet {
  const sheet = rt.spreadsheet.getSheetByName(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  return sheet;
}

/** A sheet of `rows` whose `selection` was researched to the end with the sidebar open. */
function researched(rows: unknown[][], selection: string): { rt: LocalRuntime; sheet: FakeSheet } {
  const { rt } = setup({ rows });
  rt.spreadsheet.setSelection("Sheet1", [selection]);
  ok(rt.run("researchSelectedRows"));
  driveWithSidebar(rt);
  return { rt, sheet: sheetOf(rt) };
}

/** Every cell of the sheet that holds a formula, as "A1: formula". */
function formulas(sheet: FakeSheet): string[] {
  const found: string[] = [];
  const rows = sheet.dump();
  rows.forEach((row, r) =>
    row.forEach((_, c) => {
      const a1 = `${columnLetter(c + 1)}${r + 1}`;
      const formula = sheet.formulaAt(a1);
      if (formula !== "") found.push(`${sheet.name}!${a1}: ${formula}`);
    }),
  );
  return found;
}

function column(sheet: FakeSheet, name: string): number {
  const col = sheet.columnTagged(COLUMN_TAG, name);
  if (col === null) throw new Error(`no column tagged ${name}`);
  return col;
}

function cellIn(sheet: FakeSheet, row: number, name: string): unknown {
  return sheet.dump()[row - 1]?.[column(sheet, name) - 1] ?? "";
}

describe("owned columns", () => {
  it("keeps every cell of a CRM export and appends its own columns after the last used one", () => {
    const crm = [
      ["Company", "Owner", "Status", "Score", "Notes", "", ""],
      ["Cohere", "ana", "Lead", 40, "call Tue", "ana@cohere.example", "x"],
      ["Runway", "bo", "Won", "+1 call back", "", "", "unlabelled"],
      ["Jasper", "cy", "", "", "=notes", "", ""],
    ];
    const { sheet } = researched(crm, "A2:A4");
    const after = sheet.dump();
    // Every user cell, labelled or not, is as it was.
    expect(after.map((row) => row.slice(0, 7))).toEqual(crm);
    expect(after[0]?.slice(7)).toEqual([
      "Tier",
      "Score (Territory Planner)",
      "Use Case",
      "Rationale",
      "Sources",
      "Status (Territory Planner)",
    ]);
    for (const row of [2, 3, 4]) {
      expect(cellIn(sheet, row, "Status")).toBe("Done");
      expect(typeof cellIn(sheet, row, "Score")).toBe("number");
    }
    expect(column(sheet, "Tier")).toBe(8);
  });

  it("takes back the untagged columns an earlier version wrote, rather than adding a second set", () => {
    const earlier = [
      ["Company", "Tier", "Score", "Use Case", "Rationale", "Sources", "Status"],
      ["Cohere", "HOT", 90, "Enterprise models", "Cohere trains models.", "https://cohere.com", "Done"],
      ["Runway", "", "", "", "", "", "Error: the LLM answered 500 three times"],
      ["Jasper", "", "", "", "", "", ""],
    ];
    const { sheet } = researched(earlier, "A3:A4");
    const after = sheet.dump();
    expect(after[0]).toEqual(earlier[0]);
    expect(column(sheet, "Tier")).toBe(2);
    expect(column(sheet, "Status")).toBe(7);
    // The row not selected is as it was; the selected ones are written in the same columns.
    expect(after[1]).toEqual(earlier[1]);
    expect(cellIn(sheet, 4, "Status")).toBe("Done");
  });

  it("leaves columns named like its outputs to the user when their cells hold the user's own words", () => {
    const crm = [
      ["Company", "Tier", "Score", "Use Case", "Rationale", "Sources", "Status"],
      ["Cohere", "Gold", 40, "", "", "", "Qualified"],
    ];
    const { sheet } = researched(crm, "A2:A2");
    // The user's Tier, Score and Status stay theirs; the empty Use Case, Rationale and Sources are adopted.
    const row = sheet.dump()[1] ?? [];
    expect([row[1], row[2], row[6]]).toEqual(["Gold", 40, "Qualified"]);
    expect(column(sheet, "Tier")).toBe(8);
    expect(column(sheet, "Use Case")).toBe(4);
    expect(cellIn(sheet, 2, "Status")).toBe("Done");
  });

  it("adopts an empty matching column and leaves a filled one to the user", () => {
    const { rt } = setup({
      rows: [
        ["Company", "Tier", "Status"],
        ["Cohere", "", "Lead"],
        ["Runway", "", ""],
      ],
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const sheet = sheetOf(rt);
    expect(column(sheet, "Tier")).toBe(2);
    expect(sheet.dump().map((r) => r[2])).toEqual(["Status", "Lead", ""]);
    expect(sheet.dump()[0]?.[column(sheet, "Status") - 1]).toBe("Status (Territory Planner)");
  });

  it("writes into its columns again after they were moved and renamed, and adds no column", () => {
    const { rt, tavily } = setup({ rows: companyRows(["Cohere", "Runway", "Jasper"]) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const sheet = sheetOf(rt);
    const width = sheet.dump()[0]?.length;
    // The user moves Status to B and renames it, and puts a column of their own after Company.
    sheet.moveColumns(column(sheet, "Status"), 1, 2);
    sheet.edit("B1", "Research state");
    sheet.insertColumns(1, 1);
    sheet.edit("B1", "Mine");
    sheet.load([...sheet.dump(), ["Modal"]]);
    rt.spreadsheet.setSelection("Sheet1", ["A2:A5"]);
    ok(rt.run("refreshSelectedRows"));
    driveWithSidebar(rt);
    const rows = sheet.dump();
    expect(rows[0]?.length).toBe((width ?? 0) + 1);
    expect(rows[0]?.slice(0, 3)).toEqual(["Company", "Mine", "Research state"]);
    expect(column(sheet, "Status")).toBe(3);
    expect(rows.slice(1).map((r) => r[2])).toEqual(["Done", "Done", "Done", "Done"]);
    expect(rows.slice(1).map((r) => r[1])).toEqual(["", "", "", ""]);
    expect(typeof cellIn(sheet, 5, "Score")).toBe("number");
    expect(tavily.searches).toBe(3 + 4);
  });
});

describe("write only what changed", () => {
  it("keeps a user's edit made while a wave is in flight, and their text in a Score cell", () => {
    const { rt, sheet } = researched(companyRows(["Cohere", "Runway", "Jasper"]), "A2:A4");
    const rationale = column(sheet, "Rationale");
    const score = column(sheet, "Score");
    // Re-research rows 2 and 4; between the worker's read and its write the user edits row 3.
    rt.spreadsheet.setSelection("Sheet1", ["A2", "A4"]);
    ok(rt.run("refreshSelectedRows"));
    sheet.beforeNextScriptWrite((s) => {
      s.edit(`${String.fromCharCode(64 + rationale)}3`, "My own note on Runway");
      s.edit(`${String.fromCharCode(64 + score)}3`, "+1 call back");
    });
    driveWithSidebar(rt);
    expect(cellIn(sheet, 3, "Rationale")).toBe("My own note on Runway");
    expect(cellIn(sheet, 3, "Score")).toBe("+1 call back");
    expect(formulas(sheet)).toEqual([]);
    expect([2, 4].map((r) => cellIn(sheet, r, "Status"))).toEqual(["Done", "Done"]);
  });

  it("reports a protected row with its company and reason, and finishes every other row", () => {
    const { rt } = setup({ rows: companyRows(["Cohere", "Runway", "Jasper", "Modal"]) });
    rt.spreadsheet.owner = "boss@example.com";
    rt.spreadsheet.setSelection("Sheet1", ["A2:A5"]);
    ok(rt.run("researchSelectedRows"));
    const sheet = sheetOf(rt);
    // The sheet's owner protects Runway's row after it was queued.
    sheet.protect("A3:Z3");
    const runs = driveWithSidebar(rt);
    expect(runs.every((r) => r.error === null)).toBe(true);
    expect([2, 4, 5].map((r) => cellIn(sheet, r, "Status"))).toEqual(["Done", "Done", "Done"]);
    expect(cellIn(sheet, 3, "Status")).toBe("Queued");
    const p = progress(rt);
    expect(p.running).toBe(false);
    // Marked apart from failures a retry could fix: Retry failed rows does not queue it again.
    expect(p.errors).toEqual([
      expect.objectContaining({ row: 3, company: "Runway", status: `Error: ${PROTECTED_MESSAGE}`, skipped: true }),
    ]);
    expect(p).toMatchObject({ failed: 1, skipped: 1 });
    ok(rt.run("retryFailedRows"));
    expect(cellIn(sheet, 3, "Status")).toBe("Queued");
    expect(progress(rt).errors.every((e) => e.skipped)).toBe(true);
  });

  it("refuses to queue with a clear message when the header row is protected, writing nothing", () => {
    const { rt } = setup({ rows: companyRows(["Cohere", "Runway"]) });
    rt.spreadsheet.owner = "boss@example.com";
    const sheet = sheetOf(rt);
    sheet.protect("A1:Z1");
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    const before = sheet.lastColumn();
    const result = rt.run("researchSelectedRows");
    expect(result.error).toBeNull();
    expect(result.value).toMatchObject({ ok: false, queued: 0, message: expect.stringContaining("could not add its columns") });
    expect(sheet.lastColumn()).toBe(before);
  });
});

describe("text on every path", () => {
  const hostile = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3 Labs", "@SUM(A1)"];
  const verdicts = Object.fromEntries(
    ["Cohere", ...hostile].map((name) => [name, { use_case_label: '=IMPORTXML("http://evil")', rationale: "+SUM(1) then @x and -y" }]),
  );

  it("leaves no formula after research, re-research, retry, cancel, pause and resume, even when formats were cleared", () => {
    const { rt } = setup({ rows: companyRows(["Cohere", ...hostile]), llm: { verdicts } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A6"]);
    ok(rt.run("researchSelectedRows"));
    const sheet = sheetOf(rt);
    // Format > Clear formatting after queueing.
    sheet.clear({ row: 1, col: 1, numRows: sheet.maxRows, numCols: sheet.maxCols }, { contents: false, formats: true });
    driveWithSidebar(rt);
    expect([2, 3, 4, 5, 6].map((r) => cellIn(sheet, r, "Status"))).toEqual(Array(5).fill("Done"));
    expect(cellIn(sheet, 2, "Use Case")).toBe('=IMPORTXML("http://evil")');

    sheet.clear({ row: 1, col: 1, numRows: sheet.maxRows, numCols: sheet.maxCols }, { contents: false, formats: true });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A6"]);
    ok(rt.run("refreshSelectedRows"));
    ok(rt.run("cancelResearch"));
    expect(cellIn(sheet, 2, "Status")).toBe("Cancelled");
    ok(rt.run("retryFailedRows"));
    ok(rt.run("refreshSelectedRows"));
    // A budget already spent pauses the run; lifting it and resuming finishes it.
    rt.userProperties.setProperty("JOB_BUDGET_USD", "0.0001");
    driveWithSidebar(rt);
    expect(String(cellIn(sheet, 6, "Status"))).toMatch(/^Paused: /);
    rt.userProperties.deleteProperty("JOB_BUDGET_USD");
    sheet.clear({ row: 1, col: 1, numRows: sheet.maxRows, numCols: sheet.maxCols }, { contents: false, formats: true });
    ok(rt.run("resumeResearch", [], { kind: "sidebar" }));
    driveWithSidebar(rt);
    for (const r of [2, 3, 4, 5, 6]) expect(String(cellIn(sheet, r, "Status"))).toMatch(/^Done/);
    expect(formulas(sheet)).toEqual([]);
    const cache = rt.spreadsheet.getSheetByName("_territory_cache");
    expect(cache && formulas(cache)).toEqual([]);
  });

  it("never writes a hand-made _territory_cache, and keeps its own cache as text after the user reformats it", () => {
    const { rt } = setup({ rows: companyRows(hostile), llm: { verdicts } });
    rt.spreadsheet.insertSheet("_territory_cache").load([["key"], ["=1+1"]]);
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(sheetOf(rt, "_territory_cache").dump()).toEqual([["key"], ["=1+1"]]);
    const cache = sheetOf(rt, "_territory_cache (Territory Planner)");
    expect(cache.dump().length).toBe(3);
    // The user clears the cache sheet's formats: what is written next is text all the same.
    cache.clear({ row: 1, col: 1, numRows: cache.maxRows, numCols: cache.maxCols }, { contents: false, formats: true });
    rt.spreadsheet.setSelection("Sheet1", ["A4:A5"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(cache.dump().length).toBe(5);
    expect(formulas(cache)).toEqual([]);
    expect(formulas(sheetOf(rt))).toEqual([]);
  });
});

describe("presentation", () => {
  it("colours tiers with rules set once, notes each score's breakdown and links each source", () => {
    const { rt } = setup({ rows: companyRows(["Cohere", "Runway"]) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("refreshSelectedRows"));
    driveWithSidebar(rt);
    const sheet = sheetOf(rt);
    const tier = column(sheet, "Tier");
    expect(sheet.conditionalRules.map((r) => r.textEqualTo)).toEqual(["HOT", "WARM", "WATCH", "COLD", "UNKNOWN"]);
    expect(sheet.conditionalRules.every((r) => r.ranges.every((g) => g.col === tier && g.row === 2))).toBe(true);
    const scoreA1 = `${String.fromCharCode(64 + column(sheet, "Score"))}2`;
    const note = sheet.noteAt(scoreA1);
    expect(note).toMatch(/^Use case [SABCDE] \d+ \+ Budget \d+ \+ Growth \d+ \+ Confidence \d+ = (\d+)\n/);
    expect(Number(/= (\d+)/.exec(note)?.[1])).toBe(sheet.cell(scoreA1));
    expect(note).toMatch(/Profile: gpu-infrastructure\nModel: .+\nResearched: \d{4}-\d\d-\d\d\nTiers: HOT 75\+ \(/);
    const sourcesA1 = `${String.fromCharCode(64 + column(sheet, "Sources"))}2`;
    const lines = String(sheet.cell(sourcesA1)).split("\n");
    expect(sheet.linksAt(sourcesA1).map((l) => l.url)).toEqual(lines);

    // A row answered from the cache gets the same note.
    sheet.edit("A4", "Cohere");
    rt.spreadsheet.setSelection("Sheet1", ["A4"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(cellIn(sheet, 4, "Status")).toBe("Done (cached)");
    expect(sheet.noteAt(scoreA1.replace("2", "4"))).toBe(note);
    expect(sheet.conditionalRules).toHaveLength(5);
  });
});
