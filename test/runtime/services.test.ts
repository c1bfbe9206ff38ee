import { describe, expect, it } from "vitest";
import { LocalRuntime } from "../../src/local/runtime";

describe("ScriptApp triggers", () => {
  it("reports a bound script, or a published add-on when asked to", () => {
    const code = `function source() { return ScriptApp.getInstallationSource() === ScriptApp.InstallationSource.NONE; }`;
    expect(new LocalRuntime({ code }).run("source").value).toBe(true);
    expect(new LocalRuntime({ code, installationSource: "WEB_STORE_ADD_ON" }).run("source").value).toBe(false);
  });

  it("refuses the 21st trigger", () => {
    const rt = new LocalRuntime({
      code: `function make(n) { for (let i = 0; i < n; i++) ScriptApp.newTrigger("work").timeBased().after(60000).create(); }`,
    });
    expect(rt.run("make", [20]).error).toBeNull();
    expect(rt.run("make", [1]).error).toBe(
      "This script has too many triggers. Triggers must be deleted from the script before more can be added.",
    );
    expect(rt.triggers()).toHaveLength(20);
  });

  it("keeps a fired one-shot trigger listed until deleted; runNextTrigger moves the clock to it", () => {
    const rt = new LocalRuntime({
      code: `
        function schedule() { return ScriptApp.newTrigger("work").timeBased().after(60000).create().getUniqueId(); }
        function work(e) { return { uid: e.triggerUid, listed: ScriptApp.getProjectTriggers().map((t) => t.getHandlerFunction()) }; }
        function cleanUp() { ScriptApp.getProjectTriggers().forEach((t) => ScriptApp.deleteTrigger(t)); }`,
    });
    const start = rt.clock.now();
    const id = rt.run("schedule").value;
    const fired = rt.runNextTrigger();
    expect(fired?.startedAt).toBe(start + 5 + 60_000);
    expect(fired?.value).toEqual({ uid: id, listed: ["work"] });
    expect(rt.triggers()).toEqual([
      {
        id,
        handler: "work",
        dueAt: start + 5 + 60_000,
        fired: true,
        user: "user@example.com",
        document: "local-spreadsheet",
        createdAt: start + 10,
      },
    ]);
    expect(rt.runNextTrigger()).toBeNull();
    rt.run("cleanUp");
    expect(rt.triggers()).toEqual([]);
  });
});

describe("Utilities", () => {
  it("round-trips gzip and base64 with Apps Script's signed bytes", () => {
    const rt = new LocalRuntime({
      code: `
        function pack(text) {
          const zipped = Utilities.gzip(Utilities.newBlob(text, "application/json"));
          const encoded = Utilities.base64Encode(zipped.getBytes());
          const bytes = Utilities.base64Decode(encoded);
          const back = Utilities.ungzip(Utilities.newBlob(bytes, "application/x-gzip")).getDataAsString();
          return { back, signed: bytes.some((b) => b < 0), inRange: bytes.every((b) => b >= -128 && b <= 127),
                   e9: Utilities.base64Decode("6Q==")[0], websafe: Utilities.base64EncodeWebSafe([-5, -1]) };
        }`,
    });
    const text = JSON.stringify({ evidence: "é ✓ ".repeat(200) });
    expect(rt.run("pack", [text]).value).toEqual({ back: text, signed: true, inRange: true, e9: -23, websafe: "-_8=" });
  });

  it("computes digests as signed bytes and sleeps on the virtual clock", () => {
    const rt = new LocalRuntime({
      code: `function digest() {
        Utilities.sleep(1500);
        return Utilities.computeDigest(Utilities.DigestAlgorithm.MD5, "abc").slice(0, 4);
      }`,
    });
    const result = rt.run("digest");
    // md5("abc") = 90 01 50 98 ...
    expect(result.value).toEqual([-112, 1, 80, -104]);
    expect(result.elapsedMs).toBe(1500);
  });
});

describe("CacheService", () => {
  // https://developers.google.com/apps-script/reference/cache/cache#putAll(Object,Integer): a set of
  // pairs in one call; getAll returns the ones present, keyed by key.
  it("puts and reads many pairs in one call each; a value over 100 KB refuses the whole call", () => {
    const rt = new LocalRuntime({
      code: `
        function put(big) { CacheService.getDocumentCache().putAll({ a: "1", b: big ? "x".repeat(100 * 1024 + 1) : "2" }, 21600); }
        function read() { return CacheService.getDocumentCache().getAll(["a", "b", "c"]); }
        function drop() { CacheService.getDocumentCache().remove("a"); }`,
    });
    expect(rt.run("put", [true]).error).toBe("Argument too large: value");
    expect(rt.run("read").value).toEqual({});
    rt.run("put", [false]);
    expect(rt.run("read").value).toEqual({ a: "1", b: "2" });
    rt.run("drop");
    expect(rt.run("read").value).toEqual({ b: "2" });
    expect(rt.stats.cacheCalls).toBe(6);
  });
});

describe("LockService", () => {
  it("shares locks across executions and releases them when an execution ends", () => {
    const rt = new LocalRuntime({
      code: `
        function keep() { return LockService.getDocumentLock().tryLock(0); }
        function wait() { LockService.getDocumentLock().waitLock(10000); return "got it"; }
        function hog() { LockService.getDocumentLock().waitLock(1000); for (;;) Utilities.sleep(300000); }`,
    });
    expect(rt.run("keep").value).toBe(true);
    expect(rt.lockHolder("document")).toBeNull();
    rt.holdLock("document");
    expect(rt.run("keep").value).toBe(false);
    const waited = rt.run("wait");
    expect(waited.error).toBe("Lock timeout: another process was holding the lock for too long.");
    expect(waited.elapsedMs).toBeGreaterThanOrEqual(10_000);
    rt.releaseHeldLock("document");
    expect(rt.run("wait").value).toBe("got it");
    // A killed execution loses its lock too.
    expect(rt.run("hog").killed).toBe(true);
    expect(rt.lockHolder("document")).toBeNull();
    expect(rt.run("keep").value).toBe(true);
  });
});

describe("Ui, HtmlService, Session and logs", () => {
  it("records menus, sidebars, dialogs, alerts and toasts", () => {
    const rt = new LocalRuntime({
      code: `
        function onOpen() {
          SpreadsheetApp.getUi().createMenu("Territory Planner").addItem("Research selected rows", "researchSelectedRows")
            .addSeparator().addItem("Settings", "showSettings").addToUi();
        }
        function showSidebar() {
          SpreadsheetApp.getUi().showSidebar(HtmlService.createHtmlOutputFromFile("Sidebar").setTitle("Territory Planner"));
          SpreadsheetApp.getUi().showModalDialog(HtmlService.createTemplateFromFile("Sidebar").evaluate(), "Settings");
          SpreadsheetApp.getActive().toast("Queued 3 rows", "Territory Planner");
          return SpreadsheetApp.getUi().alert("Saved") === SpreadsheetApp.getUi().Button.OK;
        }
        function fromTrigger() { SpreadsheetApp.getUi(); }
        function missing() { HtmlService.createHtmlOutputFromFile("Nope"); }
        function who() { console.warn("careful", { a: 1 }); return Session.getActiveUser().getEmail(); }`,
      htmlFiles: { Sidebar: "<p>hi</p>" },
    });
    rt.run("onOpen", [{}], { kind: "simpleTrigger" });
    rt.run("onOpen", [{}], { kind: "simpleTrigger" });
    expect(rt.ui.menus).toEqual([
      {
        name: "Territory Planner",
        addon: false,
        items: [
          { kind: "item", label: "Research selected rows", functionName: "researchSelectedRows" },
          { kind: "separator" },
          { kind: "item", label: "Settings", functionName: "showSettings" },
        ],
      },
    ]);
    expect(rt.run("showSidebar").value).toBe(true);
    expect(rt.ui.sidebars).toEqual([{ title: "Territory Planner", html: "<p>hi</p>" }]);
    expect(rt.ui.dialogs).toEqual([{ title: "Settings", html: "<p>hi</p>", modal: true }]);
    expect(rt.ui.toasts).toEqual([{ message: "Queued 3 rows", title: "Territory Planner", seconds: 5 }]);
    expect(rt.ui.alerts).toEqual([{ title: "", prompt: "Saved", buttons: "OK" }]);
    expect(rt.run("fromTrigger", [], { kind: "trigger" }).error).toBe("Cannot call SpreadsheetApp.getUi() from this context.");
    expect(rt.run("missing").error).toBe("No HTML file named Nope was found.");
    const who = rt.run("who", [], { user: "rep@example.com" });
    expect(who.value).toBe("rep@example.com");
    expect(who.logs).toEqual(["careful { a: 1 }"]);
  });
});
