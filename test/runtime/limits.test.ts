import { describe, expect, it } from "vitest";
import { LocalRuntime } from "../../src/local/runtime";

describe("execution limits", () => {
  it("stops an execution at 6 minutes, and the script cannot swallow the stop", () => {
    const rt = new LocalRuntime({
      code: `
        function spin() {
          try { while (true) Utilities.sleep(1000); } catch (e) { Logger.log("caught: " + e.message); }
          try { SpreadsheetApp.getActiveSheet().getRange("A1").setValue("after"); } catch (e) { Logger.log("again: " + e.message); }
          return "finished anyway";
        }`,
    });
    const start = rt.clock.now();
    const result = rt.run("spin", [], { kind: "trigger" });
    expect(result).toMatchObject({ killed: true, error: "Exceeded maximum execution time", value: undefined });
    expect(rt.clock.now()).toBe(start + 360_000);
    expect(result.logs).toEqual(["caught: Exceeded maximum execution time", "again: Exceeded maximum execution time"]);
    expect(rt.spreadsheet.getSheetByName("Sheet1")?.cell("A1")).toBe("");
    expect(rt.stats.triggerRuntimeMs).toBe(360_000);
  });

  it("kills at killAt, between two service calls", () => {
    const rt = new LocalRuntime({
      code: `function write() { const s = SpreadsheetApp.getActiveSheet(); for (let r = 1; r <= 10; r++) s.getRange(r, 1).setValue(r); }`,
      serviceCallMs: 10,
    });
    const result = rt.run("write", [], { killAt: rt.clock.now() + 55 });
    expect(result).toMatchObject({ killed: true, elapsedMs: 55 });
    // getActiveSheet (10), then getRange+setValue per row (20): rows 1 and 2 made it.
    expect(rt.spreadsheet.getSheetByName("Sheet1")?.dump()).toEqual([[1], [2]]);
  });

  it("stops an execution at its Nth service call: that call does not happen, and every later call throws", () => {
    const rt = new LocalRuntime({
      code: `function write() {
        const s = SpreadsheetApp.getActiveSheet();
        for (let r = 1; r <= 5; r++) { try { s.getRange(r, 1).setValue(r); } catch (e) { Logger.log(e.message); } }
      }`,
    });
    const whole = rt.run("write");
    expect(whole).toMatchObject({ killed: false, calls: 11, fetches: [] });
    rt.spreadsheet.getSheetByName("Sheet1")?.load([]);
    const start = rt.clock.now();
    // Calls: getActiveSheet, then getRange and setValue per row; the 5th call is row 2's setValue.
    const stopped = rt.run("write", [], { stopAtCall: 5 });
    expect(stopped).toMatchObject({ killed: true, error: "Exceeded maximum execution time", calls: 5 });
    expect(rt.spreadsheet.getSheetByName("Sheet1")?.dump()).toEqual([[1]]);
    expect(stopped.logs).toEqual(Array.from({ length: 4 }, () => "Exceeded maximum execution time"));
    // Killed where it stood, not at the 6-minute mark.
    expect(stopped.endedAt - start).toBeLessThan(1000);
  });

  it("tells a test as each call is over, so it can look at the world between two calls", () => {
    const rt = new LocalRuntime({
      code: `function write() { const s = SpreadsheetApp.getActiveSheet(); s.getRange(1, 1).setValue("a"); s.getRange(2, 1).setValue("b"); }`,
    });
    const seen: string[] = [];
    const sheet = rt.spreadsheet.getSheetByName("Sheet1");
    rt.run("write", [], { afterCall: (call) => seen.push(`${call}:${JSON.stringify(sheet?.dump())}`) });
    // getActiveSheet, then getRange and setValue per row; the last call is told when the execution ends.
    expect(seen).toEqual(["1:[]", "2:[]", '3:[["a"]]', '4:[["a"]]', '5:[["a"],["b"]]']);
  });

  it("stopped at a fetch, the requests went out (and are billed) but the script never sees the answers", () => {
    const seen: string[] = [];
    const rt = new LocalRuntime({
      code: `function go() {
        const r = UrlFetchApp.fetchAll([{ url: "https://a.example/1" }, { url: "https://a.example/2" }]);
        PropertiesService.getDocumentProperties().setProperty("got", String(r.length));
      }`,
      fetch: {
        kind: "handler",
        handler: (request) => {
          seen.push(request.url);
          return { status: 200, headers: {}, body: "ok", latencyMs: 500 };
        },
      },
    });
    const start = rt.clock.now();
    expect(rt.run("go")).toMatchObject({ killed: false, calls: 2, fetches: [{ call: 1, at: start }] });
    seen.length = 0;
    rt.documentProperties.deleteProperty("got");
    expect(rt.run("go", [], { stopAtCall: 1 })).toMatchObject({ killed: true, calls: 1, fetches: [{ call: 1 }] });
    expect(seen).toEqual(["https://a.example/1", "https://a.example/2"]);
    expect(rt.documentProperties.getProperty("got")).toBeNull();
  });

  it("gives a custom function 30 seconds and no write access", () => {
    const rt = new LocalRuntime({
      code: `
        function slow() { Utilities.sleep(29000); Utilities.sleep(2000); return "late"; }
        function write() { SpreadsheetApp.getActiveSheet().getRange("A1").setValues([["x"]]); }
        function prop() { PropertiesService.getUserProperties().setProperty("k", "v"); }
        function trigger() { ScriptApp.newTrigger("x").timeBased().after(1000).create(); }
        function read() {
          CacheService.getUserCache().put("k", "v");
          return [PropertiesService.getUserProperties().getProperty("k"), CacheService.getUserCache().get("k")];
        }`,
    });
    const start = rt.clock.now();
    expect(rt.run("slow", [], { kind: "customFunction" })).toMatchObject({ killed: true, elapsedMs: 30_000 });
    expect(rt.clock.now()).toBe(start + 30_000);
    expect(rt.run("write", [], { kind: "customFunction" }).error).toBe("You do not have permission to call setValues");
    expect(rt.run("prop", [], { kind: "customFunction", user: "editor@example.com" }).error).toBe(
      "You do not have permission to call setProperty",
    );
    expect(rt.run("trigger", [], { kind: "customFunction" }).error).toBe("You do not have permission to call ScriptApp.newTrigger");
    rt.userProperties.setProperty("k", "stored");
    expect(rt.run("read", [], { kind: "customFunction" }).value).toEqual(["stored", "v"]);
    expect(rt.run("slow", [], { kind: "menu" }).value).toBe("late");
  });

  it("gives a simple trigger 30 seconds and no services that need authorization", () => {
    const rt = new LocalRuntime({
      code: `
        function onOpen() { Utilities.sleep(31000); }
        function onEdit() { UrlFetchApp.fetch("https://api.tavily.com/search"); }`,
    });
    expect(rt.run("onOpen", [{}], { kind: "simpleTrigger" })).toMatchObject({ killed: true, elapsedMs: 30_000 });
    expect(rt.run("onEdit", [{}], { kind: "simpleTrigger" }).error).toBe(
      "You do not have permission to call UrlFetchApp.fetch. Required permissions: https://www.googleapis.com/auth/script.external_request",
    );
  });

  it("stops a script that spins without calling any service", () => {
    const rt = new LocalRuntime({ code: `function spin() { for (;;) {} }`, cpuGuardMs: 100 });
    const start = rt.clock.now();
    expect(rt.run("spin")).toMatchObject({ killed: true, error: "Exceeded maximum execution time" });
    expect(rt.clock.now()).toBe(start + 360_000);
  });

  it("starts every execution with fresh globals", () => {
    const rt = new LocalRuntime({ code: `var counter = 0; function bump() { counter += 1; return counter; }` });
    expect(rt.run("bump").value).toBe(1);
    expect(rt.run("bump").value).toBe(1);
  });

  it("drives Date inside the script from the virtual clock", () => {
    const rt = new LocalRuntime({
      code: `function now() { return [Date.now(), new Date().getTime(), new Date(0).getTime(), new Date() instanceof Date]; }`,
      startTime: Date.UTC(2030, 0, 1),
    });
    rt.clock.advance(1234);
    expect(rt.run("now").value).toEqual([Date.UTC(2030, 0, 1) + 1234, Date.UTC(2030, 0, 1) + 1234, 0, true]);
  });

  it("refuses Date objects across google.script.run and reports a missing function", () => {
    const rt = new LocalRuntime({ code: `function when() { return { at: new Date() }; }` });
    expect(rt.run("when", [], { kind: "sidebar" }).error).toMatch(/Date/);
    expect(rt.run("when").value).toEqual({ at: new Date(rt.clock.now()).toISOString() });
    expect(rt.run("nothing").error).toBe("Script function not found: nothing");
  });
});

describe("PropertiesService and CacheService limits", () => {
  it("refuses a property value over 9 KB", () => {
    const rt = new LocalRuntime({
      code: `function put(n) { PropertiesService.getUserProperties().setProperty("k", "x".repeat(n)); }`,
    });
    expect(rt.run("put", [9 * 1024 + 1]).error).toBe("Argument too large: value");
    expect(rt.userProperties.getProperty("k")).toBeNull();
    expect(rt.run("put", [9 * 1024]).error).toBeNull();
    expect(rt.stats.propertyWrites).toBe(2);
  });

  it("refuses a property store over 500 KB", () => {
    const rt = new LocalRuntime({
      code: `function fill() {
        const props = PropertiesService.getScriptProperties();
        for (let i = 0; i < 60; i++) props.setProperty("key" + i, "x".repeat(9000));
      }`,
    });
    expect(rt.run("fill").error).toBe("You have exceeded the property storage quota. Please remove some properties and try again.");
    expect(rt.scriptProperties.getKeys().length).toBe(56);
  });

  it("refuses a cache value over 100 KB and expires entries after 6 hours at most", () => {
    const rt = new LocalRuntime({
      code: `
        function big() { CacheService.getScriptCache().put("k", "x".repeat(100 * 1024 + 1)); }
        function put() { CacheService.getScriptCache().put("k", "v", 999999); CacheService.getScriptCache().put("d", "v"); }
        function get() { return CacheService.getScriptCache().getAll(["k", "d"]); }`,
    });
    expect(rt.run("big").error).toBe("Argument too large: value");
    rt.run("put");
    rt.clock.advance(600_000);
    expect(rt.run("get").value).toEqual({ k: "v" });
    rt.clock.advance(6 * 3_600_000);
    expect(rt.run("get").value).toEqual({});
    expect(rt.stats.cacheCalls).toBe(5);
  });
});
