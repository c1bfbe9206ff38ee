import { describe, expect, it } from "vitest";
import { LocalRuntime, TEMPORARY_KEY_ROTATION_MS } from "../../src/local/runtime";

const ALICE = "alice@example.com";
const BOB = "bob@example.com";

const WHO = `
  function who() {
    return {
      active: Session.getActiveUser().getEmail(),
      effective: Session.getEffectiveUser().getEmail(),
      key: Session.getTemporaryActiveUserKey(),
      llmKey: PropertiesService.getUserProperties().getProperty("LLM_API_KEY"),
      document: SpreadsheetApp.getActive().getId(),
    };
  }`;

describe("several users", () => {
  it("runs each execution as its user, with their own user properties and identity", () => {
    const rt = new LocalRuntime({
      code: `${WHO} function save(v) { PropertiesService.getUserProperties().setProperty("LLM_API_KEY", v); }`,
      defaultUser: ALICE,
    });
    rt.run("save", ["alice-key"]);
    rt.run("save", ["bob-key"], { user: BOB });
    const alice = rt.run("who").value as Record<string, string>;
    const bob = rt.run("who", [], { user: BOB }).value as Record<string, string>;
    expect(alice).toMatchObject({ active: ALICE, effective: ALICE, llmKey: "alice-key" });
    expect(bob).toMatchObject({ active: BOB, effective: BOB, llmKey: "bob-key" });
    expect(rt.userProperties.getProperty("LLM_API_KEY")).toBe("alice-key");
    expect(rt.user(BOB).properties.getProperty("LLM_API_KEY")).toBe("bob-key");
    // The temporary key tells users apart without revealing who they are.
    expect(alice.key).not.toBe(bob.key);
    expect(alice.key).not.toContain("alice");
    expect(rt.run("who").value).toMatchObject({ key: alice.key });
  });

  it("rotates the temporary key every 30 days, and shows a blank email where the platform hides it", () => {
    const rt = new LocalRuntime({
      code: `${WHO} function later() { ScriptApp.newTrigger("who").timeBased().after(60000).create(); }`,
      defaultUser: ALICE,
    });
    const before = rt.run("who").value as Record<string, string>;
    rt.clock.advanceTo((Math.floor(rt.clock.now() / TEMPORARY_KEY_ROTATION_MS) + 1) * TEMPORARY_KEY_ROTATION_MS);
    const after = rt.run("who").value as Record<string, string>;
    expect(after.key).not.toBe(before.key);
    expect(after.effective).toBe(ALICE);
    rt.platform.email = "hiddenInTriggers";
    rt.run("later");
    expect(rt.runNextTrigger()?.value).toMatchObject({ active: "", effective: "", key: after.key });
    expect(rt.run("who").value).toMatchObject({ active: ALICE, effective: ALICE });
    rt.platform.email = "hidden";
    expect(rt.run("who").value).toMatchObject({ active: "", effective: "", key: after.key });
  });

  it("runs a custom function with the spreadsheet owner's user properties and no email", () => {
    const rt = new LocalRuntime({ code: WHO });
    rt.addDocument({ id: "team-sheet", owner: ALICE });
    rt.user(ALICE).properties.setProperty("LLM_API_KEY", "owner-key");
    rt.user(BOB).properties.setProperty("LLM_API_KEY", "editor-key");
    const asCell = rt.run("who", [], { kind: "customFunction", user: BOB, document: "team-sheet" }).value;
    expect(asCell).toMatchObject({ active: "", effective: "", llmKey: "owner-key", document: "team-sheet" });
    // The same editor from a menu uses their own.
    expect(rt.run("who", [], { user: BOB, document: "team-sheet" }).value).toMatchObject({ active: BOB, llmKey: "editor-key" });
  });

  it("lets a custom function count in document properties under a lock, but not set an owner's user property for an editor", () => {
    const rt = new LocalRuntime({
      code: `
        function count() {
          const lock = LockService.getScriptLock();
          lock.waitLock(5000);
          const props = PropertiesService.getDocumentProperties();
          const n = Number(props.getProperty("lookups") || 0) + 1;
          props.setProperty("lookups", String(n));
          lock.releaseLock();
          return n;
        }
        function remember() { PropertiesService.getUserProperties().setProperty("memo", "x"); }`,
      defaultUser: ALICE,
    });
    expect(rt.run("count", [], { kind: "customFunction", user: BOB }).value).toBe(1);
    expect(rt.run("count", [], { kind: "customFunction" }).value).toBe(2);
    expect(rt.run("remember", [], { kind: "customFunction", user: BOB }).error).toBe("You do not have permission to call setProperty");
    expect(rt.run("remember", [], { kind: "customFunction" }).error).toBeNull();
    expect(rt.userProperties.getProperty("memo")).toBe("x");
  });

  it("runs a time-driven trigger as the user who created it, in the document it was created in", () => {
    const rt = new LocalRuntime({
      code: `${WHO} function later() { ScriptApp.newTrigger("who").timeBased().after(60000).create(); }`,
      defaultUser: ALICE,
    });
    rt.addDocument({ id: "doc-2" });
    rt.user(BOB).properties.setProperty("LLM_API_KEY", "bob-key");
    rt.run("later", [], { user: BOB, document: "doc-2" });
    expect(rt.triggers()).toMatchObject([{ handler: "who", user: BOB, document: "doc-2" }]);
    expect(rt.runNextTrigger()?.value).toMatchObject({ active: BOB, llmKey: "bob-key", document: "doc-2" });
  });
});

describe("several documents", () => {
  it("keeps each document's sheets, document properties and document lock apart", () => {
    const rt = new LocalRuntime({
      code: `
        function mark(v) {
          SpreadsheetApp.getActiveSheet().getRange("A1").setValue(v);
          PropertiesService.getDocumentProperties().setProperty("run", v);
          return LockService.getDocumentLock().tryLock(0);
        }`,
    });
    const second = rt.addDocument({ id: "doc-2" });
    expect(rt.run("mark", ["first"]).value).toBe(true);
    rt.holdLock("document");
    expect(rt.run("mark", ["again"]).value).toBe(false);
    expect(rt.run("mark", ["second"], { document: "doc-2" }).value).toBe(true);
    expect(rt.spreadsheet.getSheetByName("Sheet1")?.cell("A1")).toBe("again");
    expect(second.spreadsheet.getSheetByName("Sheet1")?.cell("A1")).toBe("second");
    expect(rt.documentProperties.getProperty("run")).toBe("again");
    expect(second.properties.getProperty("run")).toBe("second");
    expect(rt.lockHolder("document", { document: "doc-2" })).toBeNull();
  });
});

// In a published add-on one script project serves every document, so a user's project triggers are
// theirs in all of them.
const CONTINUATION = `
  function schedule() { return ScriptApp.newTrigger("work").timeBased().after(3600000).create().getUniqueId(); }
  function finishRun() { ScriptApp.getProjectTriggers().forEach((t) => ScriptApp.deleteTrigger(t)); }
  function finishThisDocument() { ScriptApp.getUserTriggers(SpreadsheetApp.getActive()).forEach((t) => ScriptApp.deleteTrigger(t)); }
  function listed() { return ScriptApp.getProjectTriggers().map((t) => [t.getUniqueId(), t.getTriggerSourceId()]); }
  function work() {}`;

describe("published add-on triggers", () => {
  it("lists the user's triggers of every document, so deleting them all deletes another document's continuation", () => {
    const rt = new LocalRuntime({ code: CONTINUATION, installationSource: "WEB_STORE_ADD_ON" });
    rt.addDocument({ id: "doc-2" });
    const first = rt.run("schedule").value;
    const second = rt.run("schedule", [], { document: "doc-2" }).value;
    rt.run("schedule", [], { user: BOB });
    expect(rt.run("listed").value).toEqual([
      [first, null],
      [second, null],
    ]);
    rt.run("finishRun");
    expect(rt.triggers().map((t) => t.user)).toEqual([BOB]);
  });

  it("getUserTriggers(document) lists only that document's, and a bound script sees only its own document", () => {
    const addOn = new LocalRuntime({ code: CONTINUATION, installationSource: "WEB_STORE_ADD_ON" });
    addOn.addDocument({ id: "doc-2" });
    addOn.run("schedule");
    const kept = addOn.run("schedule", [], { document: "doc-2" }).value;
    addOn.run("finishThisDocument");
    expect(addOn.triggers().map((t) => t.id)).toEqual([kept]);

    const bound = new LocalRuntime({ code: CONTINUATION });
    bound.addDocument({ id: "doc-2" });
    const own = bound.run("schedule").value;
    bound.run("schedule", [], { document: "doc-2" });
    expect(bound.run("listed").value).toEqual([[own, null]]);
  });

  it("allows one time-driven trigger per user per document, recurring at most hourly, with Google's texts", () => {
    const rt = new LocalRuntime({
      code: `${CONTINUATION}
        function every(minutes) { ScriptApp.newTrigger("work").timeBased().everyMinutes(minutes).create(); }
        function hourly() { ScriptApp.newTrigger("work").timeBased().everyHours(1).create(); }
        function soon() { ScriptApp.newTrigger("work").timeBased().after(60000).create(); }`,
      installationSource: "WEB_STORE_ADD_ON",
    });
    rt.addDocument({ id: "doc-2" });
    rt.addDocument({ id: "doc-3" });
    expect(rt.run("schedule").error).toBeNull();
    expect(rt.run("schedule").error).toBe(
      "This add-on has created too many time-based triggers in this document for this Google user account.",
    );
    expect(rt.run("schedule", [], { user: BOB }).error).toBeNull();
    expect(rt.run("every", [30], { document: "doc-2" }).error).toBe(
      "The recurrence interval for an Add-on trigger must be at least one hour.",
    );
    expect(rt.run("hourly", [], { document: "doc-2" }).error).toBeNull();
    // A one-shot a minute away is accepted.
    expect(rt.run("soon", [], { document: "doc-3" }).error).toBeNull();
    expect(rt.run("finishThisDocument").error).toBeNull();
    expect(rt.triggers()).toHaveLength(3);

    const bound = new LocalRuntime({
      code: `${CONTINUATION} function every(m) { ScriptApp.newTrigger("work").timeBased().everyMinutes(m).create(); }`,
    });
    expect(bound.run("schedule").error).toBeNull();
    expect(bound.run("schedule").error).toBeNull();
    expect(bound.run("every", [1]).error).toBeNull();
  });
});
