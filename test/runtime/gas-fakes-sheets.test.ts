// SpreadsheetApp as Apps Script behaves live, re-expressed from the peer project gas-fakes, whose
// test suite runs against Google as well as its own fake (github.com/brucemcpherson/gas-fakes,
// test/testsheets*.js, test/testconditionalformat.js). Each block names the gas-fakes file and
// section; where the model keeps less than Google (styles, named ranges), the assertion is narrowed
// to what the add-on uses. Soft assertions: every one is checked and reported.
import { describe, expect, it } from "vitest";
import { LocalRuntime } from "../../src/local/runtime";

function value(rt: LocalRuntime, fn: string, args: unknown[] = []): unknown {
  const result = rt.run(fn, args);
  if (result.error) throw new Error(result.error);
  return result.value;
}

describe("gas-fakes testsheetsdeveloper.js, A1 Notation Range Parsing", () => {
  const code = `
    function parse(a1) {
      const sheet = SpreadsheetApp.getActiveSheet();
      const r = sheet.getRange(a1);
      return [r.getA1Notation(), r.getRow(), r.getColumn(), r.getNumRows(), r.getNumColumns()];
    }
    function whole() {
      const sheet = SpreadsheetApp.getActiveSheet();
      return [sheet.getRange("5:7").getNumColumns() === sheet.getMaxColumns(), sheet.getRange("D:F").getNumRows() === sheet.getMaxRows()];
    }`;
  const rt = new LocalRuntime({ code });
  // gas-fakes' live sheets reach column AB and beyond ("RC1" is column 471).
  const wide = new LocalRuntime({ code });
  const wideSheet = wide.spreadsheet.getSheetByName("Sheet1");
  if (wideSheet) wideSheet.maxCols = 500;

  it("reads cells, rows and columns, with or without $ and a sheet name, and puts inverted ranges right", () => {
    expect.soft(value(rt, "parse", ["B2:D5"])).toEqual(["B2:D5", 2, 2, 4, 3]);
    expect.soft(value(rt, "parse", ["$C$3"])).toEqual(["C3", 3, 3, 1, 1]);
    expect.soft(value(rt, "parse", ["5:7"])).toEqual(["5:7", 5, 1, 3, 26]);
    expect.soft(value(rt, "parse", ["D:F"])).toEqual(["D:F", 1, 4, 1000, 3]);
    expect.soft(value(rt, "parse", ["Sheet1!E10:F12"])).toEqual(["E10:F12", 10, 5, 3, 2]);
    expect.soft((value(rt, "parse", ["C5:B2"]) as unknown[])[0]).toBe("B2:C5");
    expect.soft((value(rt, "parse", ["5:2"]) as unknown[])[0]).toBe("2:5");
    expect.soft((value(rt, "parse", ["D:B"]) as unknown[])[0]).toBe("B:D");
    expect.soft(value(rt, "whole")).toEqual([true, true]);
  });

  it("reads lower-case and $ references alike (testsheets.js notes; testsheetsvalues.js, advanced & spreadsheetapp values and ranges)", () => {
    expect.soft(value(rt, "parse", ["c2:g20"])).toEqual(["C2:G20", 2, 3, 19, 5]);
    expect.soft(value(wide, "parse", ["C11:AB20"])).toEqual(["C11:AB20", 11, 3, 10, 26]);
    expect.soft(value(wide, "parse", ["$aa$11"])).toEqual(["AA11", 11, 27, 1, 1]);
  });

  it("reads absolute R1C1 (testsheets.js, getRange with R1C1 notation)", () => {
    expect.soft(value(rt, "parse", ["R5C3"])).toEqual(["C5", 5, 3, 1, 1]);
    expect.soft(value(rt, "parse", ["R2C2:R4C5"])).toEqual(["B2:E4", 2, 2, 3, 4]);
    expect.soft((value(rt, "parse", ["R10C5:R1C2"]) as unknown[])[0]).toBe("B1:E10");
    expect.soft((value(wide, "parse", ["RC1"]) as unknown[])[0]).toBe("RC1");
    expect.soft((value(rt, "parse", ["r1c1:r2c2"]) as unknown[])[0]).toBe("A1:B2");
  });
});

describe("gas-fakes testsheetsdeveloper.js, Developer Metadata", () => {
  it("tags whole columns only, finds tags by key and value, and locates them on their column", () => {
    const rt = new LocalRuntime({
      code: `function meta() {
        const ss = SpreadsheetApp.getActiveSpreadsheet();
        const sheet = ss.getActiveSheet();
        const refused = ["B2:D4", "B6:D6", "F2:F5", "A1"].map((a1) => {
          try { sheet.getRange(a1).addDeveloperMetadata("k", "v"); return "added"; } catch (e) { return e.message; }
        });
        const column = sheet.getRange("G:G");
        const returned = column.addDeveloperMetadata("colKey", "colValue");
        const found = ss.createDeveloperMetadataFinder().withKey("colKey").find();
        const byValue = ss.createDeveloperMetadataFinder().withKey("colKey").withValue("colValue").find();
        const location = found[0].getLocation();
        return { refused, returned: returned.getA1Notation(), count: found.length, value: found[0].getValue(),
                 byValue: byValue.length, type: String(location.getLocationType()), column: location.getColumn().getA1Notation() };
      }`,
    });
    const message =
      "Adding developer metadata to arbitrary ranges is not currently supported. Developer metadata may only be added to the top-level spreadsheet, an individual sheet, or an entire row or column.";
    expect.soft(value(rt, "meta")).toEqual({
      refused: [message, message, message, message],
      returned: "G:G",
      count: 1,
      value: "colValue",
      byValue: 1,
      type: "COLUMN",
      column: "G:G",
    });
  });

  it("tags a sheet: addDeveloperMetadata returns the sheet, which finds it, and a spreadsheet's finder locates it on the sheet", () => {
    const rt = new LocalRuntime({
      code: `function sheetMeta() {
        const ss = SpreadsheetApp.getActiveSpreadsheet();
        const sheet = ss.getActiveSheet();
        const returned = sheet.addDeveloperMetadata("sheetKey", "sheetValue");
        const onSheet = sheet.getDeveloperMetadata();
        const found = ss.createDeveloperMetadataFinder().withKey("sheetKey").withValue("sheetValue").find();
        const location = found[0].getLocation();
        return { same: returned.getSheetId() === sheet.getSheetId(), count: onSheet.length, key: onSheet[0].getKey(),
                 value: onSheet[0].getValue(), visibility: String(onSheet[0].getVisibility()), type: String(location.getLocationType()),
                 found: found.length, sameId: found[0].getId() === onSheet[0].getId(), sheet: location.getSheet().getSheetId() === sheet.getSheetId() };
      }`,
    });
    expect.soft(value(rt, "sheetMeta")).toEqual({
      same: true,
      count: 1,
      key: "sheetKey",
      value: "sheetValue",
      visibility: "DOCUMENT",
      type: "SHEET",
      found: 1,
      sameId: true,
      sheet: true,
    });
  });
});

describe("gas-fakes testsheets.js", () => {
  it("shifts the relative references of a formula set on a block (setting and repeating cell formats)", () => {
    const rt = new LocalRuntime({
      code: `function block() {
        const r = SpreadsheetApp.getActiveSheet().getRange("A51:B52");
        r.setFormula("=A1");
        const abs = SpreadsheetApp.getActiveSheet().getRange("C51:C52").setFormula("=SUM($B$2:$B$4)");
        const each = SpreadsheetApp.getActiveSheet().getRange("D51:E51").setFormulas([["=A1", "=$A$1"]]);
        return [r.getFormulas(), abs.getFormulas(), each.getFormulas()];
      }`,
    });
    expect.soft(value(rt, "block")).toEqual([
      [
        ["=A1", "=B1"],
        ["=A2", "=B2"],
      ],
      [["=SUM($B$2:$B$4)"], ["=SUM($B$2:$B$4)"]],
      // setFormulas enters each formula as given.
      [["=A1", "=$A$1"]],
    ]);
  });

  it("sets one note on a block, notes cell by cell, and refuses a note that is not a grid (notes)", () => {
    const rt = new LocalRuntime({
      code: `function notes() {
        const range = SpreadsheetApp.getActiveSheet().getRange("c2:d3");
        range.setNote("foo");
        const one = [range.getNote(), range.getNotes()];
        range.setNotes([["foo", "bar"], ["", "foo"]]);
        let refused;
        try { range.setNotes("foo"); } catch (e) { refused = e.message; }
        return [...one, range.getNotes(), refused];
      }`,
    });
    const [note, block, notes, refused] = value(rt, "notes") as unknown[];
    expect.soft(note).toBe("foo");
    expect.soft(block).toEqual([
      ["foo", "foo"],
      ["foo", "foo"],
    ]);
    expect.soft(notes).toEqual([
      ["foo", "bar"],
      ["", "foo"],
    ]);
    expect.soft(refused).toMatch(/don't match the method signature/);
  });

  it("reads back a linked run of rich text, and plain text as one run (rich text tests)", () => {
    const rt = new LocalRuntime({
      code: `function rich() {
        const sheet = SpreadsheetApp.getActiveSheet();
        const link = SpreadsheetApp.newRichTextValue().setText("Bold Italic Link").setLinkUrl(12, 16, "https://google.com").build();
        sheet.getRange("A1").setRichTextValues([[link]]);
        const back = sheet.getRange("A1").getRichTextValue();
        const runs = back.getRuns().map((r) => [r.getStartIndex(), r.getEndIndex(), r.getLinkUrl()]);
        sheet.getRange("E5").setValue("Plain text");
        const plain = sheet.getRange("E5").getRichTextValue();
        return [back.getText(), runs, plain.getText(), plain.getRuns().length];
      }`,
    });
    expect.soft(value(rt, "rich")).toEqual([
      "Bold Italic Link",
      [
        [0, 12, null],
        [12, 16, "https://google.com"],
      ],
      "Plain text",
      1,
    ]);
  });
});

describe("gas-fakes testsheetssets.js", () => {
  const code = `
    function setUp() {
      const sheet = SpreadsheetApp.getActiveSheet();
      sheet.getRange("A1:D5").setValues([["Header 1", "Header 2", "Header 3", "Header 4"], ["A", 10, "X", 50], ["C", 30, "Y", 20],
        ["B", 20, "Z", 30], ["D", 10, "X", 10]]);
      return sheet;
    }
    function filters() {
      const sheet = setUp();
      const before = [sheet.getFilter(), sheet.getRange("A1:D5").getFilter()];
      const filter = sheet.getRange("A1:D5").createFilter();
      let second;
      try { sheet.getRange("A1:B2").createFilter(); } catch (e) { second = e.message; }
      const seen = [String(filter), filter.getRange().getA1Notation(), sheet.getFilter().getRange().getA1Notation(),
                    sheet.getRange("B2:C4").getFilter().getRange().getA1Notation(), sheet.getRange("F1:F5").getFilter().getRange().getA1Notation()];
      filter.remove();
      const removed = sheet.getFilter();
      const again = sheet.getRange("B2:C4").createFilter().getRange().getA1Notation();
      return [before, seen, second, removed, again];
    }
    function criteria() {
      const sheet = setUp();
      const filter = sheet.getRange("A1:D5").createFilter();
      filter.setColumnFilterCriteria(4, SpreadsheetApp.newFilterCriteria().whenNumberGreaterThan(25).build());
      const c = filter.getColumnFilterCriteria(4);
      const read = [String(c.getCriteriaType()), c.getCriteriaType() === SpreadsheetApp.BooleanCriteria.NUMBER_GREATER_THAN,
                    c.getCriteriaValues(), [2, 3, 4, 5].map((r) => sheet.isRowHiddenByFilter(r))];
      filter.removeColumnFilterCriteria(4);
      return [read, filter.getColumnFilterCriteria(4), [2, 3, 4, 5].map((r) => sheet.isRowHiddenByFilter(r))];
    }
    function builders() {
      const cases = [["whenCellEmpty", [], "CELL_EMPTY"], ["whenCellNotEmpty", [], "CELL_NOT_EMPTY"],
        ["whenNumberBetween", [10, 20], "NUMBER_BETWEEN"], ["whenNumberEqualTo", [42], "NUMBER_EQUAL_TO"],
        ["whenNumberGreaterThanOrEqualTo", [100], "NUMBER_GREATER_THAN_OR_EQUAL_TO"], ["whenNumberLessThan", [5], "NUMBER_LESS_THAN"],
        ["whenNumberLessThanOrEqualTo", [5], "NUMBER_LESS_THAN_OR_EQUAL_TO"], ["whenNumberNotBetween", [10, 20], "NUMBER_NOT_BETWEEN"],
        ["whenNumberNotEqualTo", [0], "NUMBER_NOT_EQUAL_TO"], ["whenTextContains", ["foo"], "TEXT_CONTAINS"],
        ["whenTextDoesNotContain", ["bar"], "TEXT_DOES_NOT_CONTAIN"], ["whenTextEndsWith", ["baz"], "TEXT_ENDS_WITH"],
        ["whenTextEqualTo", ["exact"], "TEXT_EQUAL_TO"], ["whenTextStartsWith", ["start"], "TEXT_STARTS_WITH"],
        ["whenFormulaSatisfied", ["=A1>10"], "CUSTOM_FORMULA"]];
      const built = cases.map(([method, args, type]) => {
        const c = SpreadsheetApp.newFilterCriteria()[method](...args).build();
        return String(c.getCriteriaType()) === type && JSON.stringify(c.getCriteriaValues()) === JSON.stringify(args);
      });
      const builder = SpreadsheetApp.newFilterCriteria().whenNumberEqualTo(50);
      const copy = builder.copy().build();
      builder.whenNumberEqualTo(100);
      return [built, copy.getCriteriaValues()];
    }`;

  it("has no filter until one is created, one per sheet, seen from any range (Range.createFilter and getFilter)", () => {
    const rt = new LocalRuntime({ code });
    const [before, seen, second, removed, again] = value(rt, "filters") as unknown[];
    expect.soft(before).toEqual([null, null]);
    expect.soft(seen).toEqual(["Filter", "A1:D5", "A1:D5", "A1:D5", "A1:D5"]);
    expect.soft(second).toMatch(/You can't create a filter in a sheet that already has a filter\./);
    expect.soft(removed).toBeNull();
    expect.soft(again).toBe("B2:C4");
  });

  it("keeps a condition on a column, hides the rows it rejects, and drops it (Filter methods)", () => {
    const rt = new LocalRuntime({ code });
    const [read, gone, after] = value(rt, "criteria") as unknown[];
    // Column D holds 50, 20, 30, 10: "greater than 25" keeps rows 2 and 4.
    expect.soft(read).toEqual(["NUMBER_GREATER_THAN", true, [25], [false, true, false, true]]);
    expect.soft(gone).toBeNull();
    expect.soft(after).toEqual([false, false, false, false]);
  });

  it("builds criteria of every condition type with their values, and copies a builder (FilterCriteriaBuilder methods)", () => {
    const rt = new LocalRuntime({ code });
    const [built, copied] = value(rt, "builders") as [boolean[], unknown];
    built.forEach((ok) => expect.soft(ok).toBe(true));
    expect.soft(copied).toEqual([50]);
  });
});

describe("gas-fakes testsheetsvalues.js and testsheetstext.js", () => {
  it("orders inserted sheets by the 0-based index given, 1-based getIndex (creating and updating sheets)", () => {
    const rt = new LocalRuntime({
      code: `
        function order() {
          const ss = SpreadsheetApp.getActiveSpreadsheet();
          ss.insertSheet("s1"); ss.insertSheet("s2"); ss.insertSheet("s3", 1); ss.insertSheet("s4", 0);
          return ss.getSheets().map((s) => [s.getName(), s.getIndex()]);
        }
        function ids() {
          const ss = SpreadsheetApp.getActiveSpreadsheet();
          return ss.getSheets().map((s) => typeof s.getSheetId() === "number" && ss.getSheetByName(s.getName()).getSheetId() === s.getSheetId());
        }`,
    });
    expect.soft(value(rt, "order")).toEqual([
      ["s4", 1],
      ["Sheet1", 2],
      ["s3", 3],
      ["s1", 4],
      ["s2", 5],
    ]);
    // "spreadsheetapp basics": a sheet found by name has the same numeric id.
    expect.soft(value(rt, "ids")).toEqual([true, true, true, true, true]);
  });

  it("reads back what setValues wrote, and knows a blank range (spreadsheet values - both advanced and app)", () => {
    const rt = new LocalRuntime({
      code: `function values() {
        const sheet = SpreadsheetApp.getActiveSheet();
        const data = Array.from({ length: 10 }, (_, i) => Array.from({ length: 6 }, (_, j) => i + j));
        const range = sheet.getRange(1, 1, 10, 6);
        const blank = range.isBlank();
        range.setValues(data);
        return [blank, range.isBlank(), range.offset(1, 1, 1, 1).isBlank(),
                JSON.stringify(sheet.getDataRange().getValues()) === JSON.stringify(data), sheet.getDataRange().getA1Notation(),
                range.getDisplayValues()[2][3]];
      }`,
    });
    // testsheetsvui.js: a cell's display value is its value as text.
    expect.soft(value(rt, "values")).toEqual([true, false, false, true, "A1:F10", "5"]);
  });

  it("appends, hides and shows, inserts and deletes rows and columns (insert sheets,rows,columns)", () => {
    const rt = new LocalRuntime({
      code: `function edits() {
        const sheet = SpreadsheetApp.getActiveSpreadsheet().insertSheet("temp");
        const data = ["sample1", "sample2", "sample3"];
        sheet.appendRow(data);
        const out = [sheet.getLastRow(), sheet.getLastColumn(), sheet.getRange(1, 1, 1, 3).getValues()];
        sheet.hideSheet();
        out.push(sheet.isSheetHidden());
        sheet.showSheet();
        out.push(sheet.isSheetHidden());
        sheet.insertColumnAfter(2);
        out.push(sheet.getLastColumn(), sheet.getDataRange().offset(0, 2, 1, 1).getValue());
        sheet.insertColumnsAfter(2, 2);
        out.push(sheet.getLastColumn());
        sheet.insertRowsAfter(2, 2);
        out.push(sheet.getLastRow());
        sheet.deleteColumns(2, 2);
        out.push(sheet.getLastColumn());
        sheet.deleteRows(2, 2);
        out.push(sheet.getLastRow());
        return out;
      }`,
    });
    expect.soft(value(rt, "edits")).toEqual([1, 3, [["sample1", "sample2", "sample3"]], true, false, 4, "", 6, 1, 4, 1]);
  });
});

describe("gas-fakes testsheetsexotics.js, RangeList exotic methods", () => {
  it("sets a value, a number format and a formula on every range of a list; the formula reads as its value", () => {
    const rt = new LocalRuntime({
      code: `function list() {
        const sheet = SpreadsheetApp.getActiveSheet();
        const list = sheet.getRangeList(["A1", "E5"]);
        list.setValue("hello");
        const values = list.getRanges().map((r) => r.getValue());
        list.setNumberFormat("0.00");
        const formats = list.getRanges().map((r) => r.getNumberFormat());
        list.getRanges().forEach((r) => r.setFormula("=SUM(1,2)"));
        return [values, formats, list.getRanges().map((r) => [r.getFormula(), r.getValue()])];
      }`,
    });
    // The runtime evaluates no formula: the test says what Sheets shows for it.
    rt.spreadsheet.formulaValues = (formula) => (formula === "=SUM(1,2)" ? 3 : undefined);
    expect.soft(value(rt, "list")).toEqual([
      ["hello", "hello"],
      ["0.00", "0.00"],
      [
        ["=SUM(1,2)", 3],
        ["=SUM(1,2)", 3],
      ],
    ]);
  });
});

describe("gas-fakes testconditionalformat.js, ConditionalFormatRule class methods", () => {
  it("reads back the rules set on a sheet with their condition (narrowed to text-equal rules, the add-on's kind)", () => {
    const rt = new LocalRuntime({
      code: `function rules() {
        const sheet = SpreadsheetApp.getActiveSheet();
        const rule = (text) => SpreadsheetApp.newConditionalFormatRule().whenTextEqualTo(text).setBackground("#ff0000")
          .setFontColor("#ffffff").setRanges([sheet.getRange("A1:B10")]).build();
        sheet.setConditionalFormatRules([rule("Tier 1"), rule("Tier 2")]);
        const read = sheet.getConditionalFormatRules();
        const c = read[0].getBooleanCondition();
        return [read.length, String(c.getCriteriaType()), c.getCriteriaValues(), c.getBackground(), c.getFontColor()];
      }`,
    });
    expect.soft(value(rt, "rules")).toEqual([2, "TEXT_EQUAL_TO", ["Tier 1"], "#ff0000", "#ffffff"]);
  });
});
