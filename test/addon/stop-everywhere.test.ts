// An execution can be killed at any instant: Google stops it at its time limit wherever it stands.
// These tests stop a research run, a formula refresh and a cache clear at each of their service
// calls in turn, let the run go on to its end, and check that nothing was lost or paid twice: every
// formula in place, no user cell changed, no company searched more than its research needs (but for
// answers in flight at the stop), no row left Researching.
import { describe, expect, it } from "vitest";
import { COLUMN_TAG } from "../../src/core/run/sheet-layout";
import { statusKind } from "../../src/core/status";
import { driveRun } from "../../src/local/drive";
import type { ExecutionResult, FakeSheet, LocalRuntime } from "../../src/local/runtime";
import { companyRows, ok, setup, statuses, type Harness } from "./harness";

/** Where a trial's stop fell, and the companies whose searches were in flight there. */
interface Stop {
  call: number;
  /** Searched in the fetch the stop fell on, or just after it: before the script could keep the answers. */
  inFlight: Set<string>;
}

interface World extends Harness {
  /** Every search request, by company (lower case), with when it went out. */
  searches: { company: string; sentAt: number }[];
  /** The calls of the drive (numbered across its executions) that were fetches. */
  fetchCalls: Set<number>;
}

function world(rows: unknown[][], options: { unrelated?: string[]; llmRefuses?: () => boolean } = {}): World {
  const searches: World["searches"] = [];
  const harness = setup({
    rows,
    tavily: {
      coverage: (company) => (options.unrelated?.includes(company) ? "unrelated" : "generate"),
      faults: ({ company, request }) => {
        if (company !== null) searches.push({ company: company.toLowerCase(), sentAt: request.sentAt });
        return null;
      },
    },
    llm: { faults: () => (options.llmRefuses?.() ? { kind: "status", status: 429, retryAfterSeconds: 600 } : null) },
  });
  return { ...harness, searches, fetchCalls: new Set() };
}

/** The run ended or paused, and no continuation is pending: read from the stores, not by an execution. */
function settled(rt: LocalRuntime): boolean {
  const run = JSON.parse(rt.documentProperties.getProperty("TP_RUN") ?? "null") as { active: boolean; paused: unknown } | null;
  return (run === null || !run.active || run.paused !== null) && rt.triggers().every((t) => t.fired);
}

/** The stop of an execution stopped at its `call`th call, if `result` is that execution. */
function stopOf(w: World, result: ExecutionResult): Stop {
  const fetch = result.fetches.find((f) => f.call === result.calls || f.call === result.calls - 1);
  return { call: result.calls, inFlight: new Set(w.searches.filter((s) => s.sentAt === fetch?.at).map((s) => s.company)) };
}

/** Looks at the world between two calls of a reference run. */
type Observe = ((w: World) => void) | null;

/**
 * Drives the run to its end as an open sidebar does (due triggers firing in between). With `n`, the
 * worker execution holding the `n`th worker call of the drive is stopped at it; the stop, or null
 * when the drive made fewer calls. `observe` is told after each call.
 */
function drive(w: World, n = 0, observe: Observe = null): Stop | null {
  const { rt } = w;
  let used = 0;
  let stop: Stop | null = null;
  const account = (result: ExecutionResult | null): ExecutionResult | null => {
    if (!result) return result;
    for (const f of result.fetches) w.fetchCalls.add(used + f.call);
    if (result.killed && stop === null && used + result.calls === n) stop = stopOf(w, result);
    used += result.calls;
    return result;
  };
  const options = () => ({
    ...(stop === null && n > used ? { stopAtCall: n - used } : {}),
    ...(observe ? { afterCall: () => observe(w) } : {}),
  });
  const port = new Proxy(rt, {
    get(target, key) {
      if (key === "run")
        return (fn: string, args?: unknown[], o?: object) =>
          fn === "runResearchWorker" ? account(target.run(fn, args, { ...o, ...options() })) : target.run(fn, args, o);
      if (key === "runNextTrigger") return (o?: object) => account(target.runNextTrigger({ ...o, ...options() }));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  expect(driveRun(port, { mode: "open", settled: () => settled(rt), maxExecutions: 60 }).settled).toBe(true);
  return stop;
}

/**
 * What a later execution would find: every sheet (values, formulas, formats, notes, links, tags,
 * protections, rules), the selection, the document's and the user's stores, the triggers, and what
 * the providers received. Not the clock.
 */
function fingerprint(w: World): string {
  const { rt } = w;
  const sheets = rt.spreadsheet.sheets().map((sheet) => {
    const all = { row: 1, col: 1, numRows: Math.max(sheet.lastRow(), 1), numCols: Math.max(sheet.lastColumn(), 1) };
    const protections = sheet.protections.map((p) => [p.id, p.range, [...p.editors], p.wholeSheet]);
    const cells = [sheet.values(all), sheet.formulas(all), sheet.formats(all), sheet.notes(all), sheet.richText(all)];
    return [
      sheet.name,
      sheet.id,
      sheet.hidden,
      sheet.maxRows,
      sheet.maxCols,
      cells,
      sheet.metadata,
      sheet.sheetMetadata,
      protections,
      sheet.conditionalRules,
    ];
  });
  const stores = [rt.documentProperties.getProperties(), rt.userProperties.getProperties(), rt.documentCache.entries()];
  const triggers = rt.triggers().map(({ id, handler, dueAt, fired }) => [id, handler, dueAt, fired]);
  return JSON.stringify([sheets, rt.spreadsheet.selection(), stores, triggers, w.tavily.requests, w.llm.requests]);
}

/**
 * Stops a scenario at each of its calls in turn. `scenario(n, observe)` builds a fresh world, stops
 * the execution under test at its `n`th call (none for 0; `observe` is told the world before the
 * first call and after each one) and checks how the run ends. A stop at a call that follows one
 * which changed nothing (no cell, store, trigger or request) leaves the world a stop one call
 * earlier leaves, a few virtual milliseconds aside: that trial covers both. A stop at a fetch is
 * always tried (its requests go out). Returns the stops tried and how many calls they cover.
 */
function everyStop(scenario: (n: number, observe: Observe) => { w: World; stop: Stop | null }): { stops: Stop[]; calls: number } {
  const states: string[] = [];
  const { w } = scenario(0, (seen) => states.push(fingerprint(seen)));
  const calls = states.length - 1;
  const stops: Stop[] = [];
  for (let n = 1; n <= calls; n++) {
    if (n > 1 && states[n - 1] === states[n - 2] && !w.fetchCalls.has(n)) continue;
    const { stop } = scenario(n, null);
    expect(stop?.call, `stop at call ${n}`).toBeDefined();
    if (stop) stops.push(stop);
  }
  return { stops, calls };
}

function sheetOf(rt: LocalRuntime, name: string): FakeSheet {
  const sheet = rt.spreadsheet.getSheetByName(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  return sheet;
}

/** Every cell of a sheet as the user sees it (its formula where it has one), but the add-on's own columns. */
function userCells(sheet: FakeSheet): string[][] {
  const owned = new Set(sheet.metadata.filter((m) => m.key === COLUMN_TAG).map((m) => m.column));
  return sheet
    .dump()
    .map((row, r) =>
      row.flatMap((value, c) => (owned.has(c + 1) ? [] : [sheet.formulaAt(`${String.fromCharCode(65 + c)}${r + 1}`) || String(value)])),
    );
}

/** Searches per company at most what its research needs, plus one for a company whose answer was in flight at the stop. */
function expectSearchesWithin(w: World, needs: Record<string, number>, stop: Stop | null): void {
  const billed = new Map<string, number>();
  for (const s of w.searches) billed.set(s.company, (billed.get(s.company) ?? 0) + 1);
  for (const [company, count] of billed) {
    const allowed = (needs[company] ?? 0) + (stop?.inFlight.has(company) ? 1 : 0);
    expect(count, `${company} searched ${count} times, stop at call ${stop?.call}`).toBeLessThanOrEqual(allowed);
  }
}

/** The cache sheet a run of `companies` leaves (an earlier version's, adopted by its name and header). */
function cachedSheet(companies: string[]): unknown[][] {
  const earlier = world(companyRows(companies));
  earlier.rt.spreadsheet.setSelection("Sheet1", [`A2:A${companies.length + 1}`]);
  ok(earlier.rt.run("researchSelectedRows"));
  drive(earlier);
  return sheetOf(earlier.rt, "_territory_cache").dump();
}

describe("stopped at every service call", () => {
  it("a research run (a duplicate name, a company with no reliable data, a cached one) loses nothing and pays nothing twice", () => {
    const rows = [
      ["Company", "Notes"],
      ["Cohere", "call back"],
      ["Runway", ""],
      ["cohere", "same company"],
      ["Zzyzx Obscura", "tiny"],
      ["Anthropic", "=1+1 typed"],
    ];
    // The company with no reliable data is searched three times; Anthropic is in the cache already.
    const needs = { cohere: 1, runway: 1, "zzyzx obscura": 3 };
    const cache = cachedSheet(["Anthropic"]);
    const { stops, calls } = everyStop((n, observe) => {
      const w = world(rows, { unrelated: ["Zzyzx Obscura"] });
      w.rt.spreadsheet.insertSheet("_territory_cache").load(cache);
      const summary = w.rt.spreadsheet.insertSheet("Summary");
      summary.write({ row: 1, col: 1, numRows: 1, numCols: 3 }, [
        ["=TERRITORY_TIER(Sheet1!A2:A6)", "my note", '=TERRITORY_TIER("Cohere", "score")'],
      ]);
      const before = [userCells(sheetOf(w.rt, "Sheet1")), userCells(summary)];
      w.rt.spreadsheet.setSelection("Sheet1", ["A2:A6"]);
      ok(w.rt.run("researchSelectedRows"));
      observe?.(w);
      const stop = drive(w, n, observe);
      expect([userCells(sheetOf(w.rt, "Sheet1")), userCells(summary)]).toEqual(before);
      // A company judged before the stop and written after it says it came from the cache.
      const [cohere, runway, same, obscure, anthropic] = statuses(w.rt);
      for (const status of [cohere, runway, same]) expect(["done", "cached"]).toContain(statusKind(status));
      expect([statusKind(obscure), anthropic]).toEqual(["noData", "Done (cached)"]);
      expectSearchesWithin(w, needs, stop);
      return { w, stop };
    });
    // The run's calls, its fetches and its refresh among them, each stopped at (or covered by an equal stop).
    expect(calls).toBeGreaterThan(100);
    expect(stops.some((s) => s.inFlight.size > 0)).toBe(true);
  });

  it("a formula refresh leaves every formula in place, a protected one and a block too large to journal whole included", () => {
    const cache = cachedSheet(["Cohere"]);
    // 300 formulas in a column: more than one block of the journal.
    const column = Array.from({ length: 300 }, (_, i) => [`=TERRITORY_TIER(Sheet1!A${(i % 2) + 2})`]);
    const { calls } = everyStop((n, observe) => {
      const w = world(companyRows(["Cohere", "cohere"]));
      w.rt.spreadsheet.owner = "boss@example.com";
      w.rt.spreadsheet.insertSheet("_territory_cache").load(cache);
      const summary = w.rt.spreadsheet.insertSheet("Summary");
      summary.write({ row: 1, col: 1, numRows: 300, numCols: 1 }, column);
      summary.write({ row: 1, col: 3, numRows: 2, numCols: 3 }, [
        ['=TERRITORY_TIER("Cohere")', "=SUM(1,2)", '=TERRITORY_TIER("Cohere", "score")'],
        ["a value", '=territory_tier("Cohere", "rationale")', ""],
      ]);
      summary.protect("E1");
      const before = userCells(summary);
      w.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
      ok(w.rt.run("researchSelectedRows"));
      observe?.(w);
      const stop = drive(w, n, observe);
      expect(userCells(summary)).toEqual(before);
      expect(statuses(w.rt)).toEqual(["Done (cached)", "Done (cached)"]);
      expect(w.searches).toEqual([]);
      return { w, stop };
    });
    expect(calls).toBeGreaterThan(20);
  });

  it("a cache clear during a run keeps what the run still has to judge: nothing is searched twice", () => {
    const cache = cachedSheet(["Anthropic"]);
    const companies = ["Cohere", "Runway", "Mistral AI"];
    const { stops, calls } = everyStop((n, observe) => {
      let refusing = true;
      const w = world(companyRows(companies), { llmRefuses: () => refusing });
      w.rt.spreadsheet.insertSheet("_territory_cache").load(cache);
      w.rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
      ok(w.rt.run("researchSelectedRows"));
      // The model asks for ten minutes: the searches wait in the cache, not yet judged.
      ok(w.rt.run("runResearchWorker", [], { kind: "sidebar" }));
      observe?.(w);
      const clear = w.rt.run("clearCache", [null], {
        kind: "sidebar",
        user: "colleague@example.com",
        ...(n > 0 ? { stopAtCall: n } : {}),
        ...(observe ? { afterCall: () => observe(w) } : {}),
      });
      for (const f of clear.fetches) w.fetchCalls.add(f.call);
      refusing = false;
      w.rt.clock.advance(601_000);
      drive(w);
      expect(statuses(w.rt)).toEqual(["Done", "Done", "Done"]);
      expectSearchesWithin(w, { cohere: 1, runway: 1, "mistral ai": 1 }, null);
      return { w, stop: clear.killed ? stopOf(w, clear) : null };
    });
    // The clear's calls: before and after it deletes the entries it may.
    expect(calls).toBeGreaterThan(5);
    expect(stops.length).toBeGreaterThanOrEqual(2);
  });
});
