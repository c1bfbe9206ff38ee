import { describe, expect, it } from "vitest";
import { LocalRuntime } from "../../src/local/runtime";
import { CELL_LIMIT_MESSAGE, PROTECTED_MESSAGE } from "../../src/local/runtime/spreadsheet";

const sheet1 = (rt: LocalRuntime) => {
  const sheet = rt.spreadsheet.getSheetByName("Sheet1");
  if (!sheet) throw new Error("no Sheet1");
  return sheet;
};

describe("developer metadata on columns", () => {
  const code = `
    function tag(col, value) {
      const sheet = SpreadsheetApp.getActiveSheet();
      sheet.getRange(1, col, sheet.getMaxRows(), 1).addDeveloperMetadata("tp", value);
    }
    function tagCell() { SpreadsheetApp.getActiveSheet().getRange("B2").addDeveloperMetadata("tp", "x"); }
    function where() {
      return SpreadsheetApp.getActiveSheet().createDeveloperMetadataFinder().withKey("tp").find()
        .map((m) => [m.getValue(), m.getLocation().getColumn().getColumn()]);
    }
    function inRange(a1) {
      return SpreadsheetApp.getActiveSheet().getRange(a1).createDeveloperMetadataFinder().withKey("tp").find().map((m) => m.getValue());
    }
    function removeAll() { SpreadsheetApp.getActiveSheet().createDeveloperMetadataFinder().withKey("tp").find().forEach((m) => m.remove()); }
    function moveC() { const s = SpreadsheetApp.getActiveSheet(); s.moveColumns(s.getRange("C:C"), 1); }`;

  it("stays with its column when columns are inserted, moved or deleted", () => {
    const rt = new LocalRuntime({ code });
    sheet1(rt).load([["Company", "Tier", "Score"]]);
    expect(rt.run("tag", [2, "Tier"]).error).toBeNull();
    expect(rt.run("tag", [3, "Score"]).error).toBeNull();
    expect(rt.run("where").value).toEqual([
      ["Tier", 2],
      ["Score", 3],
    ]);

    sheet1(rt).insertColumns(1, 2);
    expect(rt.run("where").value).toEqual([
      ["Tier", 4],
      ["Score", 5],
    ]);
    expect(sheet1(rt).cell("D1")).toBe("Tier");

    sheet1(rt).moveColumns(5, 1, 1);
    expect(sheet1(rt).dump()[0]).toEqual(["Score", "Company", "", "", "Tier"]);
    expect(rt.run("where").value).toEqual([
      ["Tier", 5],
      ["Score", 1],
    ]);
    expect(rt.run("inRange", ["E1:E3"]).value).toEqual(["Tier"]);

    sheet1(rt).deleteColumns(1, 1);
    expect(rt.run("where").value).toEqual([["Tier", 4]]);
    expect(rt.run("removeAll").error).toBeNull();
    expect(rt.run("where").value).toEqual([]);
  });

  it("moves with Sheet.moveColumns, and refuses a range that is not a whole column", () => {
    const rt = new LocalRuntime({ code });
    sheet1(rt).load([["A", "B", "C"]]);
    rt.run("tag", [3, "third"]);
    expect(rt.run("moveC").error).toBeNull();
    expect(sheet1(rt).dump()[0]).toEqual(["C", "A", "B"]);
    expect(rt.run("where").value).toEqual([["third", 1]]);
    expect(rt.run("tagCell").error).toMatch(/^Adding developer metadata to arbitrary ranges is not currently supported/);
  });
});

describe("developer metadata on a sheet", () => {
  it("stays with its sheet through a rename, and a spreadsheet's finder locates the sheet; a range's finder does not see it", () => {
    const rt = new LocalRuntime({
      code: `
        function tag() { return SpreadsheetApp.getActiveSpreadsheet().getSheetByName("Cache").addDeveloperMetadata("tp-cache", "1").getName(); }
        function find() {
          return SpreadsheetApp.getActiveSpreadsheet().createDeveloperMetadataFinder().withKey("tp-cache").find()
            .map((m) => [String(m.getLocation().getLocationType()), m.getLocation().getSheet().getName(), m.getValue()]);
        }
        function onSheet() { return SpreadsheetApp.getActiveSpreadsheet().getSheetByName("Renamed").getDeveloperMetadata().map((m) => m.getKey()); }
        function inRange() { return SpreadsheetApp.getActiveSpreadsheet().getSheetByName("Renamed").getRange("A:A").createDeveloperMetadataFinder().find().length; }`,
    });
    const cache = rt.spreadsheet.insertSheet("Cache");
    expect(rt.run("tag").value).toBe("Cache");
    cache.name = "Renamed";
    expect(rt.run("find").value).toEqual([["SHEET", "Renamed", "1"]]);
    expect(rt.run("onSheet").value).toEqual(["tp-cache"]);
    expect(rt.run("inRange").value).toBe(0);
  });
});

describe("a protected sheet", () => {
  it("refuses every cell, rows added since included, and changes of its rows, to those who may not edit it", () => {
    const rt = new LocalRuntime({
      code: `
        function write(a1) { SpreadsheetApp.getActiveSpreadsheet().getSheetByName("Cache").getRange(a1).setValue("x"); }
        function grow() { const s = SpreadsheetApp.getActiveSpreadsheet().getSheetByName("Cache"); s.insertRowsAfter(s.getMaxRows(), 10); }
        function kinds() { const s = SpreadsheetApp.getActiveSpreadsheet().getSheetByName("Cache");
          return [s.getProtections(SpreadsheetApp.ProtectionType.SHEET).map((p) => p.getRange().getA1Notation()), s.getProtections(SpreadsheetApp.ProtectionType.RANGE).length]; }`,
    });
    rt.spreadsheet.owner = "boss@example.com";
    const cache = rt.spreadsheet.insertSheet("Cache");
    cache.protectSheet();
    expect(rt.run("kinds").value).toEqual([["A1:Z1000"], 0]);
    expect(rt.run("write", ["C900"], { user: "colleague@example.com" }).error).toBe(PROTECTED_MESSAGE);
    expect(rt.run("grow", [], { user: "colleague@example.com" }).error).toBe(PROTECTED_MESSAGE);
    expect(rt.run("grow", [], { user: "boss@example.com" }).error).toBeNull();
    expect(rt.run("write", ["C1005"], { user: "colleague@example.com" }).error).toBe(PROTECTED_MESSAGE);
    expect(rt.run("write", ["C1005"], { user: "boss@example.com" }).error).toBeNull();
  });
});

describe("the spreadsheet's 10 million cells", () => {
  it("refuses a new sheet, rows or columns that would pass the limit, empty cells counted, with Google's text", () => {
    const rt = new LocalRuntime({
      code: `
        function add(name) { SpreadsheetApp.getActiveSpreadsheet().insertSheet(name); }
        function rows(n) { const s = SpreadsheetApp.getActiveSheet(); s.insertRowsAfter(s.getMaxRows(), n); }
        function columns(n) { const s = SpreadsheetApp.getActiveSheet(); s.insertColumnsAfter(s.getMaxColumns(), n); }`,
    });
    // Sheet1: 26 columns; 384,000 rows leave 16,000 cells.
    sheet1(rt).maxRows = 384_000;
    expect(rt.spreadsheet.cellCount()).toBe(9_984_000);
    expect(rt.run("add", ["More"]).error).toBe(CELL_LIMIT_MESSAGE);
    expect(CELL_LIMIT_MESSAGE).toBe("This action would increase the number of cells in the workbook above the limit of 10000000 cells.");
    expect(rt.run("rows", [615]).error).toBeNull();
    expect(rt.run("rows", [1]).error).toBe(CELL_LIMIT_MESSAGE);
    expect(rt.run("columns", [1]).error).toBe(CELL_LIMIT_MESSAGE);
    expect(rt.spreadsheet.cellCount()).toBe(9_999_990);
  });
});

describe("protected ranges", () => {
  const code = `
    function write(a1, v) { SpreadsheetApp.getActiveSheet().getRange(a1).setValue(v); }
    function protectAndLetIn(a1, email) {
      const p = SpreadsheetApp.getActiveSheet().getRange(a1).protect().setDescription("mine");
      p.removeEditors(p.getEditors().map((e) => e.getEmail()));
      if (email) p.addEditor(email);
      return SpreadsheetApp.getActiveSheet().getProtections(SpreadsheetApp.ProtectionType.RANGE).map((x) => x.getRange().getA1Notation());
    }`;

  it("throws Google's text at a user who may not edit, and writes nothing of that call", () => {
    const rt = new LocalRuntime({ code });
    rt.spreadsheet.owner = "boss@example.com";
    sheet1(rt).load([
      ["Company", "Status"],
      ["A", ""],
      ["B", ""],
    ]);
    sheet1(rt).protect("B3");
    const blocked = rt.run("write", ["B2:B3", "Queued"]);
    expect(blocked.error).toBe(PROTECTED_MESSAGE);
    expect(sheet1(rt).cell("B2")).toBe("");
    expect(rt.run("write", ["B2", "Queued"]).error).toBeNull();
    expect(rt.run("write", ["B3", "Queued"], { user: "boss@example.com" }).error).toBeNull();
  });

  it("lets a script protect a range for chosen editors; the range follows inserted rows", () => {
    const rt = new LocalRuntime({ code });
    rt.spreadsheet.owner = "boss@example.com";
    expect(rt.run("protectAndLetIn", ["A2:B2", "ed@example.com"], { user: "boss@example.com" }).value).toEqual(["A2:B2"]);
    expect(rt.run("write", ["A2", "x"], { user: "ed@example.com" }).error).toBeNull();
    expect(rt.run("write", ["A2", "x"], { user: "other@example.com" }).error).toBe(PROTECTED_MESSAGE);
    sheet1(rt).insertRows(1, 1);
    expect(rt.run("write", ["A2", "x"], { user: "other@example.com" }).error).toBeNull();
    expect(rt.run("write", ["A3", "x"], { user: "other@example.com" }).error).toBe(PROTECTED_MESSAGE);
  });
});

describe("conditional formats, rich text and notes", () => {
  it("keeps conditional format rules set with the builder, and moves them with their column", () => {
    const rt = new LocalRuntime({
      code: `
        function rules() {
          const sheet = SpreadsheetApp.getActiveSheet();
          const range = sheet.getRange("B2:B1000");
          const hot = SpreadsheetApp.newConditionalFormatRule().whenTextEqualTo("HOT").setBackground("#f4c7c3").setRanges([range]).build();
          const cold = SpreadsheetApp.newConditionalFormatRule().whenTextEqualTo("COLD").setBackground("#c9daf8").setRanges([range]).build();
          sheet.setConditionalFormatRules(sheet.getConditionalFormatRules().concat([hot, cold]));
        }
        function read() {
          return SpreadsheetApp.getActiveSheet().getConditionalFormatRules().map((r) =>
            [r.getRangeA1Notations()[0], r.getBooleanCondition().getCriteriaValues()[0], r.getBooleanCondition().getBackground()]);
        }`,
    });
    expect(rt.run("rules").error).toBeNull();
    expect(rt.run("read").value).toEqual([
      ["B2:B1000", "HOT", "#f4c7c3"],
      ["B2:B1000", "COLD", "#c9daf8"],
    ]);
    sheet1(rt).insertColumns(0, 1);
    expect(rt.run("read").value).toEqual([
      ["C2:C1000", "HOT", "#f4c7c3"],
      ["C2:C1000", "COLD", "#c9daf8"],
    ]);
  });

  it("writes rich text with several links per cell as text, and notes", () => {
    const rt = new LocalRuntime({
      code: `
        function write() {
          const a = "https://a.example/x", b = "=HYPERLINK(1)";
          const text = a + "\\n" + b;
          const rich = SpreadsheetApp.newRichTextValue().setText(text).setLinkUrl(0, a.length, a).setLinkUrl(a.length + 1, text.length, "https://b.example").build();
          const range = SpreadsheetApp.getActiveSheet().getRange("A1:A2");
          range.setRichTextValues([[rich], [SpreadsheetApp.newRichTextValue().setText("+1 call").build()]]);
          range.setNotes([["Use case S 50 = 50"], [""]]);
        }
        function read() {
          const range = SpreadsheetApp.getActiveSheet().getRange("A1:A2");
          return [range.getRichTextValues()[0][0].getRuns().map((r) => [r.getText(), r.getLinkUrl()]), range.getNotes()];
        }`,
    });
    expect(rt.run("write").error).toBeNull();
    const sheet = sheet1(rt);
    expect(sheet.formulaAt("A1")).toBe("");
    expect(sheet.formulaAt("A2")).toBe("");
    expect(sheet.cell("A2")).toBe("+1 call");
    expect(sheet.linksAt("A1")).toEqual([
      { start: 0, end: 19, url: "https://a.example/x" },
      { start: 20, end: 33, url: "https://b.example" },
    ]);
    expect(rt.run("read").value).toEqual([
      [
        ["https://a.example/x", "https://a.example/x"],
        ["\n", null],
        ["=HYPERLINK(1)", "https://b.example"],
      ],
      [["Use case S 50 = 50"], [""]],
    ]);
    sheet.edit("A1", "typed over");
    expect(sheet.linksAt("A1")).toEqual([]);
    expect(sheet.noteAt("A1")).toBe("Use case S 50 = 50");
  });
});

describe("a user's edit between a script's read and its write", () => {
  it("lands just before the next write, so a script writing back what it read loses it", () => {
    const rt = new LocalRuntime({
      code: `
        function roundTrip() {
          const range = SpreadsheetApp.getActiveSheet().getRange("A1:B1");
          const values = range.getValues();
          values[0][0] = "changed";
          range.setValues(values);
        }`,
    });
    const sheet = sheet1(rt);
    sheet.load([["a", "b"]]);
    sheet.beforeNextScriptWrite((s) => s.edit("B1", "user's edit"));
    expect(rt.run("roundTrip").error).toBeNull();
    expect(sheet.dump()).toEqual([["changed", "b"]]);
    // Fired once: a later write does not edit again.
    sheet.edit("B1", "x");
    rt.run("roundTrip");
    expect(sheet.cell("B1")).toBe("x");
  });
});

describe("range lists and filters", () => {
  it("sets a value or format on a whole range list in one call, and refuses the whole list over a protected cell", () => {
    const rt = new LocalRuntime({
      code: `
        function mark() { SpreadsheetApp.getActiveSheet().getRangeList(["A2", "A4:A5", "B9"]).setNumberFormat("@").setValue("=x"); }`,
    });
    rt.spreadsheet.owner = "boss@example.com";
    rt.stats.reset();
    expect(rt.run("mark").error).toBeNull();
    expect(rt.stats.rangeCallsByMethod).toEqual({ "RangeList.setNumberFormat": 1, "RangeList.setValue": 1 });
    expect([sheet1(rt).cell("A5"), sheet1(rt).formulaAt("A5"), sheet1(rt).cell("A3")]).toEqual(["=x", "", ""]);
    sheet1(rt).protect("B9");
    sheet1(rt).edit("A2", "before");
    expect(rt.run("mark").error).toBe(PROTECTED_MESSAGE);
    expect(sheet1(rt).cell("A2")).toBe("before");
  });

  it("reports a filter by values as its hidden values, and hides the matching rows", () => {
    const rt = new LocalRuntime({
      code: `
        function criteria() {
          const filter = SpreadsheetApp.getActiveSheet().getFilter();
          const c = filter.getColumnFilterCriteria(2);
          return [filter.getColumnFilterCriteria(1), c.getCriteriaType(), c.getHiddenValues(), [2, 3, 4].map((r) => SpreadsheetApp.getActiveSheet().isRowHiddenByFilter(r))];
        }`,
    });
    sheet1(rt).load([
      ["Company", "Region"],
      ["A", "US"],
      ["B", "EMEA"],
      ["C", "US"],
    ]);
    sheet1(rt).filterByValues(2, ["EMEA"]);
    expect(rt.run("criteria").value).toEqual([null, null, ["EMEA"], [false, true, false]]);
  });
});

describe("deleted sheets", () => {
  it("fails calls on a sheet deleted since the script got it, and refuses to delete the last sheet", () => {
    const rt = new LocalRuntime({
      code: `
        function stale() {
          const ss = SpreadsheetApp.getActive();
          const cache = ss.getSheetByName("_cache");
          const range = cache.getRange("A1");
          ss.deleteSheet(cache);
          const found = ss.getSheetByName("_cache");
          try { range.getValues(); return "read"; } catch (e) { return [found, e.message]; }
        }
        function last() { const ss = SpreadsheetApp.getActive(); ss.deleteSheet(ss.getSheets()[0]); }`,
    });
    rt.spreadsheet.insertSheet("_cache").load([["key"]]);
    expect(rt.run("stale").value).toEqual([null, 'The sheet "_cache" has been deleted.']);
    expect(rt.spreadsheet.sheets().map((s) => s.name)).toEqual(["Sheet1"]);
    expect(rt.run("last").error).toBe("You can't remove all the sheets in a document.");
    rt.spreadsheet.insertSheet("Other");
    rt.spreadsheet.deleteSheet("Sheet1");
    expect(rt.spreadsheet.getActiveSheetName()).toBe("Other");
  });
});
