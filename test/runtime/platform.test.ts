// What Google does that the runtime models beyond plain calls: a range call's cost grows with its
// cells, formula cells read as the value a test gives, filters by condition, and the switches for a
// deployment that refuses triggers or gives no document lock.
import { describe, expect, it } from "vitest";
import { CELL_MS, FORMULA_VALUE, LocalRuntime } from "../../src/local/runtime";

function sheet1(rt: LocalRuntime) {
  const sheet = rt.spreadsheet.getSheetByName("Sheet1");
  if (!sheet) throw new Error("no Sheet1");
  return sheet;
}

describe("the cost of a range call", () => {
  const code = `
    function read(rows, cols) { SpreadsheetApp.getActiveSheet().getRange(1, 1, rows, cols).getValues(); }
    function write(rows, cols) {
      const data = Array.from({ length: rows }, () => Array.from({ length: cols }, () => "x"));
      SpreadsheetApp.getActiveSheet().getRange(1, 1, rows, cols).setValues(data);
    }
    function format(rows, cols) { SpreadsheetApp.getActiveSheet().getRange(1, 1, rows, cols).setNumberFormat("@"); }`;

  it("grows with the cells a call reads or writes, on top of the flat cost of every call", () => {
    const rt = new LocalRuntime({ code, serviceCallMs: 5 });
    sheet1(rt).maxRows = 10_000;
    // getActiveSheet, getRange, then the read or write itself.
    expect(rt.run("read", [1, 1]).elapsedMs).toBe(15);
    expect(rt.run("read", [1000, 10]).elapsedMs).toBe(15 + 10_000 * CELL_MS.read);
    expect(rt.run("write", [1000, 10]).elapsedMs).toBe(15 + 10_000 * CELL_MS.write);
    // A setter of one value for the whole range carries no value per cell.
    expect(rt.run("format", [1000, 10]).elapsedMs).toBe(15);
  });

  it("keeps the clock in whole milliseconds, carrying fractions to the next call", () => {
    const rt = new LocalRuntime({ code, serviceCallMs: 0, cellMs: { read: 0.4, write: 0 } });
    expect(rt.run("read", [1, 1]).elapsedMs).toBe(0);
    expect(rt.run("read", [1, 2]).elapsedMs).toBe(0);
    expect(rt.run("read", [1, 5]).elapsedMs).toBe(2);
  });
});

describe("formula cells", () => {
  const code = `
    function enter() {
      const sheet = SpreadsheetApp.getActiveSheet();
      sheet.getRange("B2").setFormula('=UPPER(A2)');
      sheet.getRange("B3").setValue('=PROPER(A3)');
      return [sheet.getRange("B2:B3").getValues(), sheet.getRange("B2:B3").getDisplayValues(), sheet.getRange("B2:B3").getFormulas()];
    }`;

  it("read as the value the test says Sheets shows, and as #ERROR! when it says nothing", () => {
    const rt = new LocalRuntime({ code });
    sheet1(rt).load([["Company"], ["acme"], ["globex corp"]]);
    const seen: string[] = [];
    rt.spreadsheet.formulaValues = (formula, cell) => {
      seen.push(`${cell.sheet}!${cell.a1} ${formula}`);
      return formula === "=UPPER(A2)" ? String(sheet1(rt).cell("A2")).toUpperCase() : undefined;
    };
    expect(rt.run("enter").value).toEqual([
      [["ACME"], [FORMULA_VALUE]],
      [["ACME"], [FORMULA_VALUE]],
      [["=UPPER(A2)"], ["=PROPER(A3)"]],
    ]);
    expect(seen).toContain("Sheet1!B2 =UPPER(A2)");
    expect(sheet1(rt).cell("B2")).toBe("ACME");
  });
});

describe("filters by condition", () => {
  const code = `
    function hidden() { const s = SpreadsheetApp.getActiveSheet(); return [2, 3, 4, 5].map((r) => s.isRowHiddenByFilter(r)); }
    function criteria() {
      const c = SpreadsheetApp.getActiveSheet().getFilter().getColumnFilterCriteria(2);
      return c && [c.getCriteriaType(), c.getCriteriaValues(), c.getHiddenValues(), c.getVisibleValues()];
    }`;
  const rows = [
    ["Company", "Status"],
    ["A", "Done"],
    ["B", "Error: 500"],
    ["C", ""],
    ["D", "Error: timeout"],
  ];

  it("hide the rows the condition rejects and report the condition", () => {
    const rt = new LocalRuntime({ code });
    sheet1(rt).load(rows);
    sheet1(rt).filterByCondition(2, "TEXT_STARTS_WITH", ["error"]);
    expect(rt.run("hidden").value).toEqual([true, false, true, false]);
    expect(rt.run("criteria").value).toEqual(["TEXT_STARTS_WITH", ["error"], [], []]);
    sheet1(rt).filterByCondition(2, "CELL_EMPTY");
    expect(rt.run("hidden").value).toEqual([true, true, false, true]);
  });

  it("hide nothing when the filter is on with no criteria", () => {
    const rt = new LocalRuntime({ code });
    sheet1(rt).load(rows);
    sheet1(rt).setFilter("A1:B5");
    expect(rt.run("hidden").value).toEqual([false, false, false, false]);
    expect(rt.run("criteria").value).toBeNull();
  });

  it("are applied when set, not when a cell changes later, as in Sheets", () => {
    const rt = new LocalRuntime({ code });
    sheet1(rt).load(rows);
    sheet1(rt).filterByCondition(2, "NUMBER_GREATER_THAN", [0]);
    sheet1(rt).edit("B2", 5);
    expect(rt.run("hidden").value).toEqual([true, true, true, true]);
  });
});

describe("deployment switches", () => {
  const code = `
    function schedule() { return ScriptApp.newTrigger("work").timeBased().after(60000).create().getUniqueId(); }
    function list() { return ScriptApp.getProjectTriggers().length; }
    function lock() { const l = LockService.getDocumentLock(); return l === null ? null : l.tryLock(0); }
    function scriptLock() { return LockService.getScriptLock().tryLock(0); }`;

  it("allow triggers and give the document lock by default", () => {
    const rt = new LocalRuntime({ code });
    expect(rt.run("schedule").error).toBeNull();
    expect(rt.run("lock").value).toBe(true);
    expect(rt.run("lock", [], { kind: "trigger" }).value).toBe(true);
  });

  it("refuse trigger creation in a test deployment, with the trigger list still readable", () => {
    const rt = new LocalRuntime({ code, platform: { triggers: "testDeployment" } });
    expect(rt.run("schedule").error).toBe(
      "The add-on attempted an action that is not permitted in Test as add-on mode. To use this action, you must deploy the add-on.",
    );
    expect(rt.run("list").value).toBe(0);
    expect(rt.triggers()).toEqual([]);
    rt.platform.triggers = "allowed";
    expect(rt.run("schedule").error).toBeNull();
  });

  it("refuse every trigger call when the user declined the trigger scope", () => {
    const rt = new LocalRuntime({ code, platform: { triggers: "scopeDeclined" } });
    const refusal = (method: string) =>
      `You do not have permission to call ScriptApp.${method}. Required permissions: https://www.googleapis.com/auth/script.scriptapp`;
    expect(rt.run("schedule").error).toBe(refusal("newTrigger"));
    expect(rt.run("list").error).toBe(refusal("getProjectTriggers"));
  });

  it("give no document lock in trigger executions, or nowhere, leaving the other locks alone", () => {
    const rt = new LocalRuntime({ code, platform: { documentLock: "absentInTriggers" } });
    expect(rt.run("lock").value).toBe(true);
    expect(rt.run("lock", [], { kind: "trigger" }).value).toBeNull();
    rt.platform.documentLock = "absent";
    expect(rt.run("lock", [], { kind: "sidebar" }).value).toBeNull();
    expect(rt.run("scriptLock", [], { kind: "trigger" }).value).toBe(true);
  });
});

describe("what Google documents nowhere, as deployment switches", () => {
  it("a trigger execution without its document: no active spreadsheet, and no document properties, cache or lock", () => {
    const code = `
      function probe() {
        return [SpreadsheetApp.getActiveSpreadsheet() === null, PropertiesService.getDocumentProperties() === null,
          CacheService.getDocumentCache() === null, LockService.getDocumentLock() === null, PropertiesService.getUserProperties() !== null];
      }`;
    const rt = new LocalRuntime({ code, platform: { triggerDocument: "absent" } });
    expect(rt.run("probe", [], { kind: "trigger" }).value).toEqual([true, true, true, true, true]);
    expect(rt.run("probe", [], { kind: "menu" }).value).toEqual([false, false, false, false, true]);
    rt.platform.triggerDocument = "present";
    expect(rt.run("probe", [], { kind: "trigger" }).value).toEqual([false, false, false, false, true]);
  });

  describe("recalculation of a custom function a script enters", () => {
    const code = `
      function COUNTED(name) {
        const cache = CacheService.getDocumentCache();
        const n = Number(cache.get(name) || "0") + 1;
        cache.put(name, String(n));
        return name + " " + n;
      }
      function enter(formula) { SpreadsheetApp.getActiveSheet().getRange("B2").setFormula(formula); SpreadsheetApp.flush(); }
      function clear() { SpreadsheetApp.getActiveSheet().getRange("B2").setFormulas([[""]]); }
      function count(name) { return Number(CacheService.getDocumentCache().get(name) || "0"); }`;
    const times = (recalculation: "never" | "onChange" | "onEveryEntry") => {
      const rt = new LocalRuntime({ code, platform: { recalculation } });
      const counts: unknown[] = [];
      for (const step of [
        () => rt.run("enter", ['=COUNTED("a")']),
        () => rt.run("enter", ['=COUNTED("a")']),
        () => (rt.run("clear"), rt.run("enter", ['=COUNTED("a")'])),
      ]) {
        step();
        counts.push(rt.run("count", ["a"]).value);
      }
      return { counts, shown: sheet1(rt).cell("B2") };
    };

    it("runs it as a custom function when the formula's text changes, and shows its answer", () => {
      expect(times("onChange")).toEqual({ counts: [1, 1, 2], shown: "a 2" });
    });

    it("runs it again on every entry of the same text where Sheets does that", () => {
      expect(times("onEveryEntry")).toEqual({ counts: [1, 2, 3], shown: "a 3" });
    });

    it("evaluates no formula by default: a test gives the values", () => {
      expect(times("never")).toEqual({ counts: [0, 0, 0], shown: FORMULA_VALUE });
    });
  });

  it("developer metadata on a column copied, or on a sheet duplicated, goes with the copy or stays behind", () => {
    const code = `
      function copies() {
        const ss = SpreadsheetApp.getActiveSpreadsheet();
        const sheet = ss.getActiveSheet();
        sheet.getRange("A1").setValue("Tier");
        sheet.getRange("B:B").addDeveloperMetadata("tag", "Tier");
        sheet.getRange("B:B").copyTo(sheet.getRange("D:D"));
        const copy = sheet.copyTo(ss);
        const columns = (s) => s.createDeveloperMetadataFinder().withKey("tag").find().map((m) => m.getLocation().getColumn().getColumn());
        const out = [columns(sheet), copy.getName(), columns(copy), copy.getRange("A1").getValue()];
        ss.deleteSheet(copy);
        return out;
      }`;
    expect(new LocalRuntime({ code, platform: { metadataCopies: true } }).run("copies").value).toEqual([
      [2, 4],
      "Copy of Sheet1",
      [2, 4],
      "Tier",
    ]);
    const rt = new LocalRuntime({ code });
    expect(rt.run("copies").value).toEqual([[2], "Copy of Sheet1", [], "Tier"]);
    expect(rt.spreadsheet.sheets().map((s) => s.name)).toEqual(["Sheet1"]);
  });
});

describe("the user lock", () => {
  // "Gets a lock that prevents concurrent access to a section of code by the current user"
  // (https://developers.google.com/apps-script/reference/lock/lock-service#getUserLock()).
  it("keeps one user's executions apart, not another user's", () => {
    const rt = new LocalRuntime({ code: `function take() { return LockService.getUserLock().tryLock(0); }` });
    rt.holdLock("user");
    expect(rt.run("take").value).toBe(false);
    expect(rt.run("take", [], { user: "bob@example.com" }).value).toBe(true);
  });
});

describe("createAddonMenu", () => {
  it("puts the menu under Extensions with the name Google shows for the add-on", () => {
    const rt = new LocalRuntime({
      code: `function onOpen() { SpreadsheetApp.getUi().createAddonMenu().addItem("Research selected rows", "research").addToUi(); }`,
      addOnName: "Territory Planner",
    });
    rt.run("onOpen", [{}], { kind: "simpleTrigger" });
    expect(rt.ui.menus).toEqual([
      { name: "Territory Planner", addon: true, items: [{ kind: "item", label: "Research selected rows", functionName: "research" }] },
    ]);
  });
});
