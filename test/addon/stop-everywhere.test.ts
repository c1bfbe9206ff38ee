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
  return { ...harness, searches };
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

/**
 * Drives the run to its end as an open sidebar does (due triggers firing in between). With `n`, the
 * worker execution holding the `n`th worker call of the drive is stopped at it; the stop, or null
 * when the drive made fewer calls.
 */
function drive(w: World, n = 0): Stop | null {
  const { rt } = w;
  let used = 0;
  let stop: Stop | null = null;
  const account = (result: ExecutionResult | null): ExecutionResult | null => {
    if (result?.killed && stop === null && used + result.calls === n) stop = stopOf(w, result);
    used += result?.calls ?? 0;
    return result;
  };
  const stopAt = () => (stop === null && n > used ? { stopAtCall: n - used } : {});
  const port = new Proxy(rt, {
    get(target, key) {
      if (key === "run")
        return (fn: string, args?: unknown[], o?: object) =>
          fn === "runResearchWorker" ? account(target.run(fn, args, { ...o, ...stopAt() })) : target.run(fn, args, o);
      if (key === "runNextTrigger") return (o?: object) => account(target.runNextTrigger({ ...o, ...stopAt() }));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  expect(driveRun(port, { mode: "open", settled: () => settled(rt), maxExecutions: 60 }).settled).toBe(true);
  return stop;
}

/** Runs `trial` with a stop at every call in turn (1, 2, ...) until one makes no stop; returns the stops. */
function everyStop(trial: (n: number) => Stop | null): Stop[] {
  const stops: Stop[] = [];
  for (let n = 1; ; n++) {
    const stop = trial(n);
    if (stop === null) return stops;
    stops.push(stop);
  }
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
    const stops = everyStop((n) => {
      const w = world(rows, { unrelated: ["Zzyzx Obscura"] });
      w.rt.spreadsheet.insertSheet("_territory_cache").load(cache);
      const summary = w.rt.spreadsheet.insertSheet("Summary");
      summary.write({ row: 1, col: 1, numRows: 1, numCols: 3 }, [
        ["=TERRITORY_TIER(Sheet1!A2:A6)", "my note", '=TERRITORY_TIER("Cohere", "score")'],
      ]);
      const before = [userCells(sheetOf(w.rt, "Sheet1")), userCells(summary)];
      w.rt.spreadsheet.setSelection("Sheet1", ["A2:A6"]);
      ok(w.rt.run("researchSelectedRows"));
      const stop = drive(w, n);
      expect([userCells(sheetOf(w.rt, "Sheet1")), userCells(summary)]).toEqual(before);
      // A company judged before the stop and written after it says it came from the cache.
      const [cohere, runway, same, obscure, anthropic] = statuses(w.rt);
      for (const status of [cohere, runway, same]) expect(["done", "cached"]).toContain(statusKind(status));
      expect([statusKind(obscure), anthropic]).toEqual(["noData", "Done (cached)"]);
      expectSearchesWithin(w, needs, stop);
      return stop;
    });
    // Every call of the run was a stop once, fetches among them.
    expect(stops.length).toBeGreaterThan(50);
    expect(stops.some((s) => s.inFlight.size > 0)).toBe(true);
  });

  it("a formula refresh leaves every formula in place, a protected one and a block too large to journal whole included", () => {
    const cache = cachedSheet(["Cohere"]);
    // 300 formulas in a column: more than one block of the journal.
    const column = Array.from({ length: 300 }, (_, i) => [`=TERRITORY_TIER(Sheet1!A${(i % 2) + 2})`]);
    const stops = everyStop((n) => {
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
      const stop = drive(w, n);
      expect(userCells(summary)).toEqual(before);
      expect(statuses(w.rt)).toEqual(["Done (cached)", "Done (cached)"]);
      expect(w.searches).toEqual([]);
      return stop;
    });
    expect(stops.length).toBeGreaterThan(20);
  });

  it("a cache clear during a run keeps what the run still has to judge: nothing is searched twice", () => {
    const cache = cachedSheet(["Anthropic"]);
    const companies = ["Cohere", "Runway", "Mistral AI"];
    const stops = everyStop((n) => {
      let refusing = true;
      const w = world(companyRows(companies), { llmRefuses: () => refusing });
      w.rt.spreadsheet.insertSheet("_territory_cache").load(cache);
      w.rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
      ok(w.rt.run("researchSelectedRows"));
      // The model asks for ten minutes: the searches wait in the cache, not yet judged.
      ok(w.rt.run("runResearchWorker", [], { kind: "sidebar" }));
      const clear = w.rt.run("clearCache", [null], { kind: "sidebar", user: "colleague@example.com", stopAtCall: n });
      refusing = false;
      w.rt.clock.advance(601_000);
      drive(w);
      expect(statuses(w.rt)).toEqual(["Done", "Done", "Done"]);
      expectSearchesWithin(w, { cohere: 1, runway: 1, "mistral ai": 1 }, null);
      return clear.killed ? stopOf(w, clear) : null;
    });
    expect(stops.length).toBeGreaterThan(5);
  });
});
