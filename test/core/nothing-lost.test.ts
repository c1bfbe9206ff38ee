// The pure rules behind "nothing lost": what a refused cache write pauses with, what a clear keeps,
// how the formula refresh cuts its journaled blocks, and how a journaled cost rejoins the run.
import { describe, expect, it } from "vitest";
import { clearMessage, planClear } from "../../src/core/cache-clear";
import { callsTerritoryTier, formulaBlocks } from "../../src/core/formula-blocks";
import { mayTakeStep, SAFETY_MARGIN_MS, startClock } from "../../src/core/run/execution";
import { newRunState, recordJournaledCost, utf8Bytes } from "../../src/core/run/run-state";
import { cacheWritePause } from "../../src/core/sheet-errors";
import { pauseAdvice, pauseText } from "../../src/core/status";

const PROTECTED =
  "You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit.";
const FULL = "This action would increase the number of cells in the workbook above the limit of 10000000 cells.";

describe("a cache sheet Google refuses to write", () => {
  it("names the cause a user can fix, keeps Google's words, and says what to do", () => {
    const protectedPause = cacheWritePause("_territory_cache", PROTECTED);
    expect(protectedPause).toEqual({ kind: "cacheUnwritable", cause: "protected", sheet: "_territory_cache", google: PROTECTED });
    expect(pauseText(protectedPause)).toBe("the research cache sheet is protected, ask the owner to let you edit it");
    expect(pauseAdvice(protectedPause).advice).toContain(`Google said: “${PROTECTED}”`);
    expect(pauseAdvice(protectedPause).advice).toContain("remove its protection");

    const full = cacheWritePause("_territory_cache", FULL);
    expect(full).toMatchObject({ cause: "full" });
    expect(pauseText(full)).toBe("the spreadsheet has reached Google's 10 million cells, make room");
    expect(pauseAdvice(full).title).toBe("The spreadsheet is full");

    const other = cacheWritePause("_territory_cache", "Service Spreadsheets failed while accessing document with id 1x.");
    expect(pauseText(other)).toBe(
      "the research cache could not be saved (Service Spreadsheets failed while accessing document with id 1x.)",
    );
  });

  it("keeps Google's text short enough for the run state and a Status cell", () => {
    const pause = cacheWritePause("x".repeat(500), `${PROTECTED}\n\n${"detail ".repeat(200)}`);
    expect(pause).toMatchObject({ cause: "protected" });
    if (pause.kind !== "cacheUnwritable") throw new Error("not a cache pause");
    expect(pause.google.length).toBeLessThanOrEqual(300);
    expect(pause.google).not.toContain("\n");
    expect(pause.sheet.length).toBeLessThanOrEqual(100);
    expect(cacheWritePause("_territory_cache", "")).toMatchObject({ cause: "other", google: "no reason given" });
  });
});

describe("clearing the cache", () => {
  const rows = [
    { row: 2, fetchedAt: 100, status: "validated" as const },
    { row: 3, fetchedAt: 100, status: "unjudged" as const },
    { row: 4, fetchedAt: 900, status: "noData" as const },
    { row: 5, fetchedAt: 100, status: "unjudged" as const },
  ];

  it("never removes evidence not yet judged while a run waits; once no run waits, it goes like the rest", () => {
    expect(planClear(rows, Number.POSITIVE_INFINITY, true)).toEqual({ remove: [2, 4], kept: 2 });
    expect(planClear(rows, 500, true)).toEqual({ remove: [2], kept: 2 });
    expect(planClear(rows, Number.POSITIVE_INFINITY, false)).toEqual({ remove: [2, 3, 4, 5], kept: 0 });
    expect(planClear(rows, 50, true)).toEqual({ remove: [], kept: 0 });
  });

  it("says how many it cleared, how many are left, and what it kept and why, in a rep's words", () => {
    expect(clearMessage({ remove: [2, 4], kept: 2 }, 4)).toBe(
      "Cleared 2 cache entries; 2 left. Kept 2 companies the research in progress has searched but not scored yet: clearing them would pay for the same searches again.",
    );
    expect(clearMessage({ remove: [], kept: 1 }, 1)).toBe(
      "Nothing was cleared. Kept 1 company the research in progress has searched but not scored yet: clearing it would pay for the same searches again.",
    );
    expect(clearMessage({ remove: [], kept: 0 }, 3)).toBe("No entry was old enough to clear.");
    expect(clearMessage({ remove: [7], kept: 0 }, 3)).toBe("Cleared 1 cache entry; 2 left.");
  });
});

describe("the formula refresh's blocks", () => {
  const f = (n: number) => `=TERRITORY_TIER(A${n})`;

  it("covers exactly the cells that call TERRITORY_TIER, whatever the case, in sheet order", () => {
    expect(callsTerritoryTier('=IFERROR(territory_tier (A2,"score"),0)')).toBe(true);
    expect(callsTerritoryTier("=MY_TERRITORY_TIER(A2)")).toBe(false);
    const sheet = [
      [f(1), f(1), "", "=SUM(1)"],
      [f(2), f(2), "", f(2)],
      ["", "x", "", ""],
    ];
    expect(formulaBlocks(sheet, 8000)).toEqual([
      {
        row: 1,
        column: 1,
        formulas: [
          [f(1), f(1)],
          [f(2), f(2)],
        ],
      },
      { row: 2, column: 4, formulas: [[f(2)]] },
    ]);
  });

  it("cuts a block into whole rows that fit the journal, row by row for a wide row, and leaves out a cell too large alone", () => {
    const column = Array.from({ length: 300 }, (_, i) => [f(i + 1)]);
    const blocks = formulaBlocks(column, 2000);
    expect(blocks.every((b) => utf8Bytes(JSON.stringify(b.formulas)) <= 2000)).toBe(true);
    expect(blocks.flatMap((b) => b.formulas.map((line, r) => [b.row + r, line[0]]))).toEqual(column.map((line, i) => [i + 1, line[0]]));
    const huge = `=TERRITORY_TIER("${"x".repeat(3000)}")`;
    const wide = [[f(1), huge, f(1)]];
    expect(formulaBlocks(wide, 2000)).toEqual([
      { row: 1, column: 1, formulas: [[f(1)]] },
      { row: 1, column: 3, formulas: [[f(1)]] },
    ]);
  });
});

describe("an execution's time and a journaled cost", () => {
  it("takes another short step only while the safety margin still fits before the 6-minute limit", () => {
    const clock = startClock({ workerTimeBudgetSeconds: 270 }, 0);
    expect(mayTakeStep(clock, 360_000 - SAFETY_MARGIN_MS - 1)).toBe(true);
    expect(mayTakeStep(clock, 360_000 - SAFETY_MARGIN_MS)).toBe(false);
  });

  it("takes the cost a stopped execution journaled when it is this run's and larger, never counting it twice", () => {
    const limits = { concurrency: { tavily: 10, llm: 10 }, rpm: { tavily: 100, llm: 30 } };
    const run = newRunState(limits, 1, null);
    const cost = { tavilyCredits: 4, llmInputTokens: 0, llmOutputTokens: 0, usd: 0.032 };
    const recovered = recordJournaledCost(run, { runId: run.runId, cost });
    expect(recovered.cost).toEqual(cost);
    expect(recordJournaledCost(recovered, { runId: run.runId, cost })).toBe(recovered);
    expect(recordJournaledCost(run, { runId: "another run", cost })).toBe(run);
    expect(recordJournaledCost(recovered, { runId: run.runId, cost: { ...cost, tavilyCredits: 2 } })).toBe(recovered);
  });
});
