// Nothing lost at any instant: a cache sheet Google refuses pauses the run before it buys; the cache
// sheet is the add-on's by its tag, not its name; clearing keeps what a waiting run needs; a column
// the user deletes mid-run leaves no row behind.
import { describe, expect, it } from "vitest";
import type { ClearCacheResult, CacheStats } from "../../src/core/wire";
import { COLUMN_TAG } from "../../src/core/run/sheet-layout";
import { driveRun } from "../../src/local/drive";
import type { FakeSheet, LocalRuntime } from "../../src/local/runtime";
import { CELL_LIMIT_MESSAGE, PROTECTED_MESSAGE } from "../../src/local/runtime/spreadsheet";
import { companyRows, driveWithSidebar, ok, progress, setup, statuses, table, type Harness } from "./harness";

const SIX = ["Cohere", "Runway", "Anthropic", "Mistral AI", "Read AI", "Hebbia"];
const OWNER = "boss@example.com";
const COLLEAGUE = "colleague@example.com";

function sheetOf(rt: LocalRuntime, name: string): FakeSheet {
  const sheet = rt.spreadsheet.getSheetByName(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  return sheet;
}

/** The add-on's cache sheet, found as the add-on finds it: by its tag. */
function cacheSheet(rt: LocalRuntime): FakeSheet {
  const sheet = rt.spreadsheet.sheets().find((s) => s.sheetMetadata.some((m) => m.key === "territory-planner-cache"));
  if (!sheet) throw new Error("no tagged cache sheet");
  return sheet;
}

/** Worker executions as an open sidebar makes them, as `user`, at most `max`, whether or not the run ends. */
function driveAs(rt: LocalRuntime, user: string, max = 20): void {
  const port = new Proxy(rt, {
    get(target, key) {
      if (key === "run") return (fn: string, args?: unknown[], o?: object) => target.run(fn, args, { ...o, user });
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  driveRun(port, { mode: "open", settled: () => !progress(rt).running, maxExecutions: max });
}

describe("a cache sheet Google refuses to write", () => {
  it("pauses a colleague's run before any search when the owner protected the cache sheet, with Google's reason", () => {
    const { rt, tavily } = setup({ rows: companyRows(SIX) });
    rt.spreadsheet.owner = OWNER;
    for (const key of ["TAVILY_API_KEY", "LLM_API_KEY"])
      rt.user(COLLEAGUE).properties.setProperty(key, rt.userProperties.getProperty(key) ?? "");
    rt.spreadsheet.setSelection("Sheet1", ["A2:A7"]);
    ok(rt.run("researchSelectedRows", [], { user: COLLEAGUE }));
    const protection = cacheSheet(rt).protectSheet([], "owner only");
    driveAs(rt, COLLEAGUE);
    expect(tavily.requests).toBe(0);
    const paused = "Paused: the research cache sheet is protected, ask the owner to let you edit it";
    expect(statuses(rt)).toEqual(SIX.map(() => paused));
    const p = progress(rt);
    expect(p).toMatchObject({ running: false, researching: 0, paused: 6, message: paused });
    expect(p.pause).toEqual({ kind: "cacheUnwritable", cause: "protected", sheet: "_territory_cache", google: PROTECTED_MESSAGE });

    // The owner lifts the protection; Resume finishes the run, each company searched once.
    cacheSheet(rt).removeProtection(protection.id);
    ok(rt.run("resumeResearch", [], { kind: "sidebar", user: COLLEAGUE }));
    driveAs(rt, COLLEAGUE);
    expect(statuses(rt)).toEqual(SIX.map(() => "Done"));
    expect(tavily.searches).toBe(6);
  });

  it("pauses before buying when the spreadsheet has no room for a cache sheet (10 million cells)", () => {
    const { rt, tavily } = setup({ rows: companyRows(SIX) });
    // 26 columns: the grid leaves fewer cells than a new sheet takes.
    sheetOf(rt, "Sheet1").maxRows = 384_000;
    rt.spreadsheet.setSelection("Sheet1", ["A2:A7"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(tavily.requests).toBe(0);
    expect(new Set(statuses(rt))).toEqual(new Set(["Paused: the spreadsheet has reached Google's 10 million cells, make room"]));
    expect(progress(rt).pause).toMatchObject({ kind: "cacheUnwritable", cause: "full", google: CELL_LIMIT_MESSAGE });
  });

  it("buys only what the cache sheet's free rows can keep when it cannot grow, then pauses with nothing Researching", () => {
    const { rt, tavily, llm } = setup({ rows: companyRows(SIX), settings: { TAVILY_CONCURRENCY: "2", LLM_CONCURRENCY: "2" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const cache = cacheSheet(rt);
    // Two entries and two free rows left; the rest of the spreadsheet is full.
    cache.maxRows = 5;
    const sheet = sheetOf(rt, "Sheet1");
    sheet.maxRows += Math.floor((10_000_000 - rt.spreadsheet.cellCount()) / sheet.maxCols);
    rt.spreadsheet.setSelection("Sheet1", ["A4:A7"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    // Two searches fill the free rows; the next wave would need rows Google refuses to add.
    expect(tavily.searches).toBe(4);
    const full = "Paused: the spreadsheet has reached Google's 10 million cells, make room";
    expect(statuses(rt)).toEqual(["Done", "Done", full, full, full, full]);
    expect(progress(rt)).toMatchObject({ researching: 0, paused: 4, total: 4 });

    // Room made, Resume: the two searches already paid for are judged, not bought again.
    sheet.maxRows = 1000;
    ok(rt.run("resumeResearch", [], { kind: "sidebar" }));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(SIX.map(() => "Done"));
    expect(tavily.searches).toBe(6);
    expect(llm.completions).toBe(6);
  });

  it("pauses when a write fails after the searches came back, and judges what they bought after Resume without searching again", () => {
    let protectDuringWave = true;
    let rt: LocalRuntime | null = null;
    const harness = setup({
      rows: companyRows(SIX),
      tavily: {
        faults: () => {
          // The owner protects the cache sheet while the first wave's searches are out.
          if (protectDuringWave && rt) {
            protectDuringWave = false;
            cacheSheet(rt).protectSheet();
          }
          return null;
        },
      },
    });
    rt = harness.rt;
    rt.spreadsheet.owner = OWNER;
    for (const key of ["TAVILY_API_KEY", "LLM_API_KEY"])
      rt.user(COLLEAGUE).properties.setProperty(key, rt.userProperties.getProperty(key) ?? "");
    rt.spreadsheet.setSelection("Sheet1", ["A2:A7"]);
    ok(rt.run("researchSelectedRows", [], { user: COLLEAGUE }));
    driveAs(rt, COLLEAGUE);
    expect(harness.tavily.searches).toBe(6);
    expect(harness.llm.requests).toBe(0);
    expect(progress(rt)).toMatchObject({ researching: 0, paused: 6, tavilyCredits: 12 });
    expect(progress(rt).pause).toMatchObject({ kind: "cacheUnwritable", cause: "protected" });

    const cache = cacheSheet(rt);
    for (const p of [...cache.protections]) cache.removeProtection(p.id);
    ok(rt.run("resumeResearch", [], { kind: "sidebar", user: COLLEAGUE }));
    driveAs(rt, COLLEAGUE);
    expect(statuses(rt)).toEqual(SIX.map(() => "Done"));
    expect(harness.tavily.searches).toBe(6);
    expect(progress(rt).tavilyCredits).toBe(12);
  });
});

describe("the cache sheet is the add-on's by its tag", () => {
  const contacts = [["key", "email"], ...Array.from({ length: 12 }, (_, i) => [`contact-${i + 1}`, `c${i + 1}@example.com`])];
  const stats = (rt: LocalRuntime) => ok(rt.run("getCacheStats", [], { kind: "sidebar" })) as CacheStats;

  it("never adopts, counts, writes or clears a user's sheet named _territory_cache", () => {
    const { rt, tavily } = setup({ rows: companyRows(["Cohere", "Runway"]) });
    const mine = rt.spreadsheet.insertSheet("_territory_cache");
    mine.load(contacts);
    expect(stats(rt).companies).toBe(0);
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(mine.dump()).toEqual(contacts);
    expect(cacheSheet(rt).name).toBe("_territory_cache (Territory Planner)");
    expect(stats(rt).companies).toBe(2);
    const cleared = ok(rt.run("clearCache", [null], { kind: "sidebar" })) as ClearCacheResult;
    expect(cleared.removed).toBe(2);
    expect(mine.dump()).toEqual(contacts);
    // Research again: the user's sheet is still not the cache.
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("refreshSelectedRows"));
    driveWithSidebar(rt);
    expect(tavily.searches).toBe(4);
    expect(mine.dump()).toEqual(contacts);
  });

  it("keeps using its cache sheet after the user renames it, and leaves a new sheet of the old name alone", () => {
    const { rt, tavily } = setup({ rows: companyRows(["Cohere", "Runway", "Cohere"]) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    cacheSheet(rt).name = "old research";
    rt.spreadsheet.insertSheet("_territory_cache").load(contacts);
    rt.spreadsheet.setSelection("Sheet1", ["A4"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt)[2]).toBe("Done (cached)");
    expect(tavily.searches).toBe(2);
    expect(sheetOf(rt, "_territory_cache").dump()).toEqual(contacts);
    expect(cacheSheet(rt).name).toBe("old research");
  });

  it("adopts and tags the untagged cache sheet an earlier version wrote, recognised by its name and header", () => {
    const first = setup({ rows: companyRows(["Cohere", "Runway"]) });
    first.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(first.rt.run("researchSelectedRows"));
    driveWithSidebar(first.rt);
    const earlier = cacheSheet(first.rt).dump();

    const { rt, tavily } = setup({ rows: companyRows(["Cohere", "Runway"]) });
    const untagged = rt.spreadsheet.insertSheet("_territory_cache");
    untagged.load(earlier);
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(["Done (cached)", "Done (cached)"]);
    expect(tavily.requests).toBe(0);
    expect(cacheSheet(rt)).toBe(untagged);
  });
});

describe("clearing the cache", () => {
  it("keeps the evidence a handed-off run still has to judge, says so, and the run judges it without searching again", () => {
    let llmRefuses = true;
    const { rt, tavily, llm } = setup({
      rows: companyRows(SIX),
      llm: { faults: () => (llmRefuses ? { kind: "status", status: 429, retryAfterSeconds: 600 } : null) },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A7"]);
    ok(rt.run("researchSelectedRows"));
    ok(rt.run("runResearchWorker", [], { kind: "sidebar" }));
    expect(tavily.searches).toBe(6);
    expect(statuses(rt)).toEqual(SIX.map(() => "Queued"));

    // Anyone may clear: a colleague clears everything while the run waits for the model.
    const cleared = ok(rt.run("clearCache", [null], { kind: "sidebar", user: COLLEAGUE })) as ClearCacheResult;
    expect(cleared.removed).toBe(0);
    expect(cleared.message).toBe(
      "Nothing was cleared. Kept 6 companies the research in progress has searched but not scored yet: clearing them would pay for the same searches again.",
    );
    expect(cleared.stats.unjudged).toBe(6);

    llmRefuses = false;
    rt.clock.advance(601_000);
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(SIX.map(() => "Done"));
    expect(tavily.searches).toBe(6);
    expect(llm.completions).toBe(6);
    // Once the run is over, nothing is kept back.
    const after = ok(rt.run("clearCache", [null], { kind: "sidebar" })) as ClearCacheResult;
    expect(after).toMatchObject({ removed: 6, message: "Cleared 6 cache entries; 0 left." });
  });

  it("takes a whole number of days, 0 or more, or nothing for everything; anything else is refused and clears nothing", () => {
    const { rt } = setup({ rows: companyRows(["Cohere", "Runway"]) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const refusal =
      "Nothing was cleared: give a whole number of days, 0 or more, to clear the entries older than that, or nothing to clear every entry.";
    for (const days of [-1, 1.5, Number.NaN, "3", Number.POSITIVE_INFINITY]) {
      expect(rt.run("clearCache", [days]).error).toBe(refusal);
    }
    expect(cacheSheet(rt).dump()).toHaveLength(3);
    expect((ok(rt.run("clearCache", [30])) as ClearCacheResult).message).toBe("No entry was old enough to clear.");
    expect((ok(rt.run("clearCache", [])) as ClearCacheResult).removed).toBe(2);
  });
});

/** A world whose user does `act` to the sheet while the first wave's LLM answers are out. */
function deletingMidWave(act: (rt: LocalRuntime) => void): Harness & { acted: () => boolean } {
  let rt: LocalRuntime | null = null;
  let acted = false;
  const harness = setup({
    rows: companyRows(SIX),
    llm: {
      faults: () => {
        if (!acted && rt) {
          acted = true;
          act(rt);
        }
        return null;
      },
    },
  });
  rt = harness.rt;
  rt.spreadsheet.setSelection("Sheet1", ["A2:A7"]);
  ok(rt.run("researchSelectedRows"));
  driveWithSidebar(rt);
  return { ...harness, acted: () => acted };
}

describe("whatever the user deletes", () => {
  it("an owned column deleted while a wave is in flight: every row ends, the column comes back, the progress adds up", () => {
    let rt: LocalRuntime | null = null;
    let deleted = false;
    const harness = setup({
      rows: companyRows(SIX),
      llm: {
        faults: () => {
          if (!deleted && rt) {
            deleted = true;
            const sheet = sheetOf(rt, "Sheet1");
            const rationale = sheet.columnTagged(COLUMN_TAG, "Rationale");
            if (rationale !== null) sheet.deleteColumns(rationale, 1);
          }
          return null;
        },
      },
    });
    rt = harness.rt;
    rt.spreadsheet.setSelection("Sheet1", ["A2:A7"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(deleted).toBe(true);
    expect(statuses(rt)).toEqual(SIX.map(() => "Done"));
    expect(progress(rt)).toMatchObject({ total: 6, done: 6, researching: 0, queued: 0 });
    expect(table(rt).every((row) => String(row["Rationale"]).length > 20)).toBe(true);
    expect(harness.tavily.searches).toBe(6);
  });

  it("the queue sheet deleted mid-wave: the run ends, the progress adds up, what was paid for is in the cache", () => {
    const { rt, tavily, acted } = deletingMidWave((world) => world.spreadsheet.deleteSheet("Sheet1"));
    expect(acted()).toBe(true);
    const p = progress(rt);
    expect(p).toMatchObject({ running: false, queued: 0, researching: 0 });
    expect(p.total).toBe(p.done + p.cached + p.noData + p.failed + p.cancelled);
    expect(p.tavilyCredits).toBe(2 * tavily.searches);
    expect(cacheSheet(rt).dump().length - 1).toBe(tavily.searches);
  });

  it("rows deleted mid-wave: the rows left end Done, none waits, and nothing is searched twice", () => {
    const { rt, tavily, acted } = deletingMidWave((world) => world.spreadsheet.deleteRows("Sheet1", 3, 2));
    expect(acted()).toBe(true);
    expect(statuses(rt)).toEqual(["Done", "Done", "Done", "Done"]);
    expect(progress(rt)).toMatchObject({ running: false, total: 4, done: 4, queued: 0, researching: 0 });
    expect(tavily.searches).toBe(6);
  });

  it("the Status column deleted mid-wave: the queue is gone, the run ends, and nothing is left to say Researching", () => {
    const { rt, acted } = deletingMidWave((world) => {
      const sheet = sheetOf(world, "Sheet1");
      const status = sheet.columnTagged(COLUMN_TAG, "Status");
      if (status !== null) sheet.deleteColumns(status, 1);
    });
    expect(acted()).toBe(true);
    expect(table(rt).some((row) => "Status" in row)).toBe(false);
    expect(progress(rt)).toMatchObject({ running: false, queued: 0, researching: 0 });
  });
});
