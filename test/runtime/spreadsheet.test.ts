import { describe, expect, it } from "vitest";
import { LocalRuntime } from "../../src/local/runtime";

const sheet1 = (rt: LocalRuntime) => {
  const sheet = rt.spreadsheet.getSheetByName("Sheet1");
  if (!sheet) throw new Error("no Sheet1");
  return sheet;
};

describe("SpreadsheetApp values", () => {
  it("throws Google's message when setValues data does not match the range", () => {
    const rt = new LocalRuntime({
      code: `
        function rows() { SpreadsheetApp.getActiveSheet().getRange(1, 1, 2, 2).setValues([[1, 2]]); }
        function cols() { SpreadsheetApp.getActiveSheet().getRange(1, 1, 1, 3).setValues([[1, 2]]); }`,
    });
    expect(rt.run("rows").error).toBe(
      "The number of rows in the data does not match the number of rows in the range. The data has 1 but the range has 2.",
    );
    expect(rt.run("cols").error).toBe(
      "The number of columns in the data does not match the number of columns in the range. The data has 2 but the range has 3.",
    );
    expect(sheet1(rt).dump()).toEqual([]);
  });

  it("refuses a cell over 50,000 characters and writes nothing of that call", () => {
    const rt = new LocalRuntime({
      code: `
        function big(n) { SpreadsheetApp.getActiveSheet().getRange("A1:B1").setValues([["ok", "x".repeat(n)]]); }`,
    });
    expect(rt.run("big", [50_001]).error).toBe("Your input contains more than the maximum of 50000 characters in a single cell.");
    expect(sheet1(rt).cell("A1")).toBe("");
    expect(rt.run("big", [50_000]).error).toBeNull();
    expect(String(sheet1(rt).cell("B1")).length).toBe(50_000);
  });

  it("turns '=1+1' into a formula, but keeps it as text in a cell formatted '@'", () => {
    const rt = new LocalRuntime({
      code: `
        function write() {
          const sheet = SpreadsheetApp.getActiveSheet();
          sheet.getRange("A1:C1").setValues([["=1+1", "+SUM(A1)", "- item"]]);
          sheet.getRange("A2:C2").setNumberFormat("@").setValues([["=1+1", "+SUM(A1)", "@x"]]);
          sheet.getRange("A3:C3").setValues([["42", "3.5", "TRUE"]]);
          sheet.getRange("A4").setValue("'=2+2");
        }`,
    });
    expect(rt.run("write").error).toBeNull();
    const sheet = sheet1(rt);
    expect(sheet.formulaAt("A1")).toBe("=1+1");
    expect(sheet.formulaAt("B1")).toBe("=+SUM(A1)");
    expect(sheet.cell("C1")).toBe("- item");
    expect(sheet.formulaAt("A2")).toBe("");
    expect(sheet.dump()[1]).toEqual(["=1+1", "+SUM(A1)", "@x"]);
    expect(sheet.dump()[2]).toEqual([42, 3.5, true]);
    // A leading apostrophe forces text and is not kept.
    expect([sheet.cell("A4"), sheet.formulaAt("A4")]).toEqual(["=2+2", ""]);
  });

  it("returns getValues as arrays of the script's realm, with '' for empty cells", () => {
    const rt = new LocalRuntime({
      code: `
        function read() {
          const v = SpreadsheetApp.getActiveSheet().getRange(1, 1, 2, 2).getValues();
          return [v instanceof Array, v[0] instanceof Array, v];
        }`,
    });
    sheet1(rt).load([["Company", 7]]);
    expect(rt.run("read").value).toEqual([
      true,
      true,
      [
        ["Company", 7],
        ["", ""],
      ],
    ]);
  });

  it("throws outside the grid and counts reads and writes", () => {
    const rt = new LocalRuntime({
      code: `
        function outside() { SpreadsheetApp.getActiveSheet().getRange(1001, 1); }
        function batch() {
          const sheet = SpreadsheetApp.getActiveSheet();
          sheet.getRange("A1:A3").getValues();
          sheet.getRange("B1:B3").setValues([[1], [2], [3]]);
          sheet.getRange("C1").setValue("x");
        }`,
      serviceCallMs: 10,
    });
    expect(rt.run("outside").error).toBe("The coordinates of the range are outside the dimensions of the sheet.");
    rt.stats.reset();
    const result = rt.run("batch");
    expect(rt.stats).toMatchObject({ rangeReads: 1, rangeWrites: 2, rangeCalls: 3, executions: 1 });
    expect(result.stats.rangeCalls).toBe(3);
    // getActiveSheet, 3 getRange and 3 value calls, 10 virtual ms each.
    expect(result.elapsedMs).toBe(70);
  });

  it("exposes the selection as the active range list, filtered rows and hidden sheets", () => {
    const rt = new LocalRuntime({
      code: `
        function selection() {
          const ss = SpreadsheetApp.getActive();
          const list = ss.getActiveRangeList().getRanges().map((r) => r.getA1Notation());
          const sheet = ss.getActiveSheet();
          return { sheet: sheet.getName(), list, active: ss.getActiveRange().getA1Notation(),
                   filter: sheet.getFilter() && sheet.getFilter().getRange().getA1Notation(),
                   hidden: [2, 3, 4].map((r) => sheet.isRowHiddenByFilter(r)) };
        }
        function noFilter() { return SpreadsheetApp.getActive().getSheetByName("Sheet1").getFilter(); }
        function makeCache() {
          const ss = SpreadsheetApp.getActive();
          const cache = ss.insertSheet("_cache");
          cache.hideSheet();
          return [cache.isSheetHidden(), ss.getActiveSheet().getName()];
        }`,
    });
    const leads = rt.spreadsheet.insertSheet("Leads");
    leads.load([["Company"], ["A"], ["B"], ["C"], ["D"]]);
    leads.setFilteredOut(3, true);
    rt.spreadsheet.setSelection("Leads", ["A2:A3", "A5"]);
    expect(rt.run("selection").value).toEqual({
      sheet: "Leads",
      list: ["A2:A3", "A5"],
      active: "A5",
      filter: "A1:A5",
      hidden: [false, true, false],
    });
    expect(rt.run("noFilter").value).toBeNull();
    // As on Google, insertSheet activates the new sheet.
    expect(rt.run("makeCache").value).toEqual([true, "_cache"]);
    expect(rt.spreadsheet.getSheetByName("_cache")?.isHidden()).toBe(true);
  });

  it("selects a range on its sheet, which becomes active; writes read back after flush; the time zone is the spreadsheet's", () => {
    // https://developers.google.com/apps-script/reference/spreadsheet/range#activate() and
    // https://developers.google.com/apps-script/reference/spreadsheet/spreadsheet-app#flush()
    const rt = new LocalRuntime({
      code: `function go() {
        const ss = SpreadsheetApp.getActiveSpreadsheet();
        const leads = ss.getSheetByName("Leads");
        const range = leads.getRange(3, 1, 1, 2);
        range.activate();
        range.setValue("x");
        SpreadsheetApp.flush();
        return [range.getSheet().getName(), ss.getActiveSheet().getName(), ss.getActiveRange().getA1Notation(),
                range.getValue(), ss.getSpreadsheetTimeZone()];
      }`,
    });
    rt.spreadsheet.insertSheet("Leads");
    expect(rt.run("go").value).toEqual(["Leads", "Leads", "A3:B3", "x", "Etc/UTC"]);
    expect(rt.spreadsheet.selection()).toEqual(["A3:B3"]);
  });

  it("lets tests move rows between executions", () => {
    const rt = new LocalRuntime({ code: "" });
    const sheet = sheet1(rt);
    sheet.load([["Company"], ["A"], ["B"], ["C"]]);
    rt.spreadsheet.reverseRows("Sheet1", 2, 4);
    expect(sheet.dump()).toEqual([["Company"], ["C"], ["B"], ["A"]]);
    rt.spreadsheet.insertRows("Sheet1", 2, 1);
    expect(sheet.cell("A3")).toBe("C");
    rt.spreadsheet.deleteRows("Sheet1", 2, 2);
    expect(sheet.dump()).toEqual([["Company"], ["B"], ["A"]]);
    rt.spreadsheet.sortRows("Sheet1", 2, (a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(sheet.dump()).toEqual([["Company"], ["A"], ["B"]]);
  });
});
