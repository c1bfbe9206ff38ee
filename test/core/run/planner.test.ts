import { describe, expect, it } from "vitest";
import type { Outcome } from "../../../src/core/engine";
import { companyKey } from "../../../src/core/company-key";
import {
  admit,
  admitWaiting,
  afterWrites,
  groupByKey,
  keysToLookUp,
  LOOKUP_BATCH,
  outcomeCells,
  queueRow,
  rowUpdates,
  settle,
  settleClaimed,
  stopRows,
  usableEntry,
  type AdmissionInput,
  type QueueRow,
} from "../../../src/core/run/planner";
import { newRunState, recordPaid, type RunState } from "../../../src/core/run/run-state";
import { ZERO_COST } from "../../../src/core/costs";
import type { CacheEntry, ResearchResult } from "../../../src/core/types";
import { options } from "../helpers";

const NOW = Date.UTC(2026, 10, 26);
const DAY = 86_400_000;
const opts = options();

function row(company: string, rowNumber: number, extra: Partial<QueueRow> = {}): QueueRow {
  return {
    sheet: "Sheet1",
    row: rowNumber,
    company,
    domain: null,
    key: companyKey(opts.settings.profile, company, null),
    kind: "queued",
    refresh: false,
    ...extra,
  };
}

const result: ResearchResult = {
  tier: "HOT",
  score: 90,
  useCase: "Frontier model training",
  rationale: "=trains models. Second sentence.",
  sources: ["https://a.example/1", "https://a.example/2"],
  model: opts.settings.llmModel,
  profile: opts.settings.profile,
  classifiedAt: NOW - DAY,
};

function entry(company: string, status: CacheEntry["status"], fetchedAt = NOW - DAY): CacheEntry {
  return {
    key: companyKey(opts.settings.profile, company, null),
    profile: opts.settings.profile,
    company,
    domain: null,
    query: `"${company}"`,
    fetchedAt,
    relevance: status === "validated" ? 0.9 : 0,
    evidence: status === "noData" ? [] : [{ url: "https://a.example/1", title: company, content: `${company} trains models.` }],
    credits: 2,
    result:
      status === "validated"
        ? result
        : status === "noData"
          ? { ...result, tier: "UNKNOWN", score: null, rationale: "Nothing found." }
          : null,
    status,
  };
}

const done: Outcome = { kind: "done", result, fromCache: false, cacheEntry: null, cost: ZERO_COST };

function admission(overrides: Partial<AdmissionInput> & Pick<AdmissionInput, "waiting">): ReturnType<typeof admit> {
  return admit({
    lookedUp: new Set(groupByKey(overrides.waiting).keys()),
    entries: new Map(),
    inFlight: new Set(),
    room: 100,
    budgetAllows: Number.POSITIVE_INFINITY,
    budgetPause: { kind: "budget" },
    blocked: new Set(),
    runStartedAt: NOW - 1000,
    fresh: (e) => NOW - e.fetchedAt < 30 * DAY,
    options: opts,
    now: NOW,
    ...overrides,
  });
}

describe("outcomeCells", () => {
  it("writes a done result with its sources one per line and the Done status", () => {
    expect(outcomeCells(done)).toMatchObject({
      Tier: "HOT",
      Score: 90,
      "Use Case": "Frontier model training",
      Rationale: "=trains models. Second sentence.",
      Sources: "https://a.example/1\nhttps://a.example/2",
      Status: "Done",
    });
    expect(outcomeCells(done).scoreNote).toContain(opts.settings.llmModel);
    expect(outcomeCells({ ...done, fromCache: true }).Status).toBe("Done (cached)");
  });

  it("says when a no-data answer came from the remembered outcome", () => {
    const fresh = outcomeCells({ kind: "noData", rationale: "No result mentions X.", fromCache: false, cacheEntry: null, cost: ZERO_COST });
    expect(fresh).toMatchObject({ Tier: "UNKNOWN", Score: "", Rationale: "No result mentions X.", Status: "No reliable data" });
    const cached = outcomeCells({ kind: "noData", rationale: "No result mentions X.", fromCache: true, cacheEntry: null, cost: ZERO_COST });
    expect(cached.Status).toBe("No reliable data (cached)");
  });

  it("blanks the result cells of an error and caps a long message to what a cell holds", () => {
    const cells = outcomeCells({ kind: "error", message: "x".repeat(60_000), cost: ZERO_COST });
    expect(cells.Tier).toBe("");
    expect(String(cells.Status).startsWith("Error: xxx")).toBe(true);
    expect(String(cells.Status).length).toBeLessThanOrEqual(49_000);
  });
});

describe("settleClaimed", () => {
  it("writes finished companies to every row claimed for them and keeps rows still in flight", () => {
    const a = row("Alpha", 2, { kind: "researching" });
    const a2 = row("alpha", 5, { kind: "researching" });
    const b = row("Beta", 3, { kind: "researching" });
    const c = row("Gamma", 4);
    const settled = settleClaimed({ rows: [a, b, c, a2], inFlight: new Set([b.key]), finished: new Map([[a.key, done]]), release: false });
    expect(settled.writes.map((w) => [w.row.row, w.cells.Status])).toEqual([
      [2, "Done"],
      [5, "Done"],
    ]);
    expect(settled.outcomes).toHaveLength(2);
    expect(settled.claimed.map((r) => r.row)).toEqual([3]);
    expect(settled.waiting.map((r) => r.row)).toEqual([4]);
  });

  it("puts rows no execution is working on (killed, or handed off) back in the queue, keeping a refresh", () => {
    const stale = row("Alpha", 2, { kind: "researching", refresh: true });
    const handedOff = row("Beta", 3, { kind: "researching" });
    const settled = settleClaimed({ rows: [stale, handedOff], inFlight: new Set([handedOff.key]), finished: new Map(), release: true });
    expect(settled.writes.map((w) => w.cells.Status)).toEqual(["Queued (ignore cache)", "Queued"]);
    expect(settled.waiting.map((r) => r.kind)).toEqual(["queued", "queued"]);
    expect(settled.waiting[0]?.refresh).toBe(true);
  });

  it("leaves a company that paused the run waiting, not failed", () => {
    const a = row("Alpha", 2, { kind: "researching" });
    const paused: Outcome = { kind: "paused", reason: { kind: "outOfCredit", service: "llm" }, cost: ZERO_COST };
    const settled = settleClaimed({ rows: [a], inFlight: new Set(), finished: new Map([[a.key, paused]]), release: false });
    expect(settled.outcomes).toHaveLength(0);
    expect(settled.waiting).toHaveLength(1);
  });
});

describe("stopRows", () => {
  it("cancels every waiting row and counts them", () => {
    const stopped = stopRows([row("A", 2), row("B", 3)], { kind: "cancel" });
    expect(stopped.writes.map((w) => w.cells.Status)).toEqual(["Cancelled", "Cancelled"]);
    expect(stopped.cancelled).toBe(2);
  });

  it("writes the pause reason's text and cancels nothing", () => {
    const stopped = stopRows([row("A", 2)], { kind: "pause", reason: { kind: "budget" } });
    expect(stopped.writes[0]?.cells.Status).toBe("Paused: budget reached");
    expect(stopped.cancelled).toBe(0);
  });

  it("pauses a claimed row too, through the queue, and cancels one directly", () => {
    const claimed = row("A", 2, { kind: "researching", refresh: true });
    expect(stopRows([claimed], { kind: "pause", reason: { kind: "budget" } }).writes[0]).toMatchObject({
      row: claimed,
      event: "pause",
      cells: { Status: "Paused: budget reached" },
    });
    expect(stopRows([claimed], { kind: "cancel" }).writes[0]?.cells.Status).toBe("Cancelled");
  });
});

describe("usableEntry", () => {
  const fresh = (e: CacheEntry) => NOW - e.fetchedAt < 30 * DAY;
  it("lets a plain research use any fresh entry, and nothing stale", () => {
    expect(usableEntry(entry("A", "validated"), false, NOW, fresh)?.status).toBe("validated");
    expect(usableEntry(entry("A", "noData"), false, NOW, fresh)?.status).toBe("noData");
    expect(usableEntry(entry("A", "validated", NOW - 31 * DAY), false, NOW, fresh)).toBeNull();
  });

  it("gives a refresh only the evidence this run paid for and has not judged", () => {
    expect(usableEntry(entry("A", "validated", NOW), true, NOW - 1000, fresh)).toBeNull();
    expect(usableEntry(entry("A", "noData", NOW), true, NOW - 1000, fresh)).toBeNull();
    expect(usableEntry(entry("A", "unjudged", NOW - 2000), true, NOW - 1000, fresh)).toBeNull();
    expect(usableEntry(entry("A", "unjudged", NOW), true, NOW - 1000, fresh)?.status).toBe("unjudged");
  });
});

describe("admit", () => {
  it("claims each company once for all its rows, clearing their old results", () => {
    const rows = [row("Alpha", 2), row("Beta", 3), row("ALPHA", 4)];
    const plan = admission({ waiting: rows });
    expect(plan.claims.map((c) => c.company)).toEqual(["Alpha", "Beta"]);
    expect(plan.writes.map((w) => [w.row.row, w.cells.Status, w.cells.Tier])).toEqual([
      [2, "Researching", ""],
      [4, "Researching", ""],
      [3, "Researching", ""],
    ]);
    expect(plan.left).toBe(0);
  });

  it("answers from a fresh validated entry with no claim, and from a remembered no-data outcome", () => {
    const rows = [row("Alpha", 2), row("Beta", 3)];
    const entries = new Map([entry("Alpha", "validated"), entry("Beta", "noData")].map((e) => [e.key, e]));
    const plan = admission({ waiting: rows, entries });
    expect(plan.claims).toHaveLength(0);
    expect(plan.writes.map((w) => w.cells.Status)).toEqual(["Done (cached)", "No reliable data (cached)"]);
    expect(plan.outcomes).toHaveLength(2);
  });

  it("starts an unjudged entry at the judging call: its search is not paid again", () => {
    const rows = [row("Alpha", 2)];
    const entries = new Map([entry("Alpha", "unjudged")].map((e) => [e.key, e]));
    const plan = admission({ waiting: rows, entries });
    expect(plan.claims[0]?.state.phase).toBe("judge");
    expect(plan.claims[0]?.state.pending?.service).toBe("llm");
  });

  it("leaves rows waiting beyond the wave's room and beyond what the budget pays for", () => {
    const rows = ["A1", "A2", "A3", "A4", "A5"].map((name, i) => row(`${name} Labs`, i + 2));
    const byRoom = admission({ waiting: rows, room: 2 });
    expect(byRoom.claims).toHaveLength(2);
    expect(byRoom.left).toBe(3);
    expect(byRoom.budgetBlocked).toBe(false);
    const byBudget = admission({ waiting: rows, budgetAllows: 1 });
    expect(byBudget.claims).toHaveLength(1);
    expect(byBudget.left).toBe(4);
    expect(byBudget.budgetBlocked).toBe(true);
  });

  it("leaves a company whose next request goes to a blocked service waiting, unclaimed", () => {
    const rows = [row("Alpha", 2), row("Beta", 3)];
    const entries = new Map([entry("Alpha", "unjudged")].map((e) => [e.key, e]));
    const plan = admission({ waiting: rows, entries, blocked: new Set(["llm"]) });
    expect(plan.claims.map((c) => c.company)).toEqual(["Beta"]);
    expect(plan.blockedRows).toBe(1);
    expect(plan.writes.map((w) => w.row.row)).toEqual([3]);
  });

  it("marks rows queued again for a company in flight as researching, without a second claim", () => {
    const rows = [row("Alpha", 7)];
    const plan = admission({ waiting: rows, inFlight: new Set([rows[0]?.key ?? ""]) });
    expect(plan.claims).toHaveLength(0);
    expect(plan.writes[0]?.cells).toEqual({ Status: "Researching" });
  });

  it("leaves rows whose cache entry was not looked up yet for a later pass", () => {
    const rows = [row("Alpha", 2), row("Beta", 3)];
    const plan = admission({ waiting: rows, lookedUp: new Set([rows[0]?.key ?? ""]) });
    expect(plan.claims.map((c) => c.company)).toEqual(["Alpha"]);
    expect(plan.left).toBe(1);
  });
});

const limits = { concurrency: { tavily: 2, llm: 2 }, rpm: { tavily: 100, llm: 100 } };
const run = (): RunState => newRunState(limits, NOW - 1000, null);

describe("queueRow", () => {
  const cells = { sheet: "Sheet1", row: 4, status: "Queued (ignore cache)", company: "Read AI", website: "https://www.read.ai/about" };
  it("reads a waiting or claimed row with its company, its domain and whether it ignores the cache", () => {
    expect(queueRow(run(), opts.settings.profile, cells)).toEqual({
      sheet: "Sheet1",
      row: 4,
      company: "Read AI",
      domain: "read.ai",
      key: companyKey(opts.settings.profile, "Read AI", "read.ai"),
      kind: "queued",
      refresh: true,
    });
    expect(queueRow(run(), opts.settings.profile, { ...cells, status: "Researching", website: null })).toMatchObject({
      kind: "researching",
      refresh: false,
      domain: null,
    });
  });

  it("leaves other rows, rows without a company and rows skipped earlier in the run", () => {
    for (const status of ["", "Done", "Paused: budget reached", "my note"])
      expect(queueRow(run(), opts.settings.profile, { ...cells, status })).toBeNull();
    expect(queueRow(run(), opts.settings.profile, { ...cells, company: "" })).toBeNull();
    const skipped = { ...run(), skipped: [{ sheet: "Sheet1", row: 4, company: "Read AI" }] };
    expect(queueRow(skipped, opts.settings.profile, cells)).toBeNull();
  });
});

describe("settle", () => {
  const base = { inFlight: new Set<string>(), finished: new Map<string, Outcome>(), release: false, cancelling: false, budgetUsd: null };

  it("records the finished companies and leaves the waiting rows for admission", () => {
    const a = row("Alpha", 2, { kind: "researching" });
    const b = row("Beta", 3);
    const settled = settle({ ...base, run: run(), rows: [a, b], finished: new Map([[a.key, done]]) });
    expect(settled.run.counts.done).toBe(1);
    expect(settled.writes.map((w) => [w.row.row, w.event, w.cells.Status])).toEqual([[2, "settle", "Done"]]);
    expect(settled.waiting).toEqual([b]);
    expect(settled.stopped).toBe(false);
  });

  it("pauses the run at its budget, showing it on waiting and claimed rows", () => {
    const spent = recordPaid(run(), { tavilyCredits: 1000, llmInputTokens: 0, llmOutputTokens: 0, usd: 0 }, opts.settings);
    const claimed = row("Alpha", 2, { kind: "researching" });
    const settled = settle({ ...base, run: spent, rows: [claimed, row("Beta", 3)], inFlight: new Set([claimed.key]), budgetUsd: 1 });
    expect(settled.run.paused).toEqual({ kind: "budget" });
    expect(settled.stopped).toBe(true);
    expect(settled.waiting).toEqual([]);
    expect(settled.writes.map((w) => [w.row.row, w.cells.Status])).toEqual([
      [3, "Paused: budget reached"],
      [2, "Paused: budget reached"],
    ]);
  });

  it("cancels every row still waiting or claimed and counts them", () => {
    const settled = settle({ ...base, run: run(), rows: [row("Alpha", 2, { kind: "researching" }), row("Beta", 3)], cancelling: true });
    expect(settled.writes.map((w) => w.cells.Status)).toEqual(["Queued", "Cancelled", "Cancelled"]);
    expect(settled.run.counts.cancelled).toBe(2);
  });
});

describe("admission and its consequences", () => {
  it("looks up a bounded batch of the companies not in flight", () => {
    const rows = Array.from({ length: LOOKUP_BATCH + 10 }, (_, i) => row(`Company ${i} Labs`, i + 2));
    const keys = keysToLookUp([...rows, row("Company 0 Labs", 900)], new Set([rows[1]?.key ?? ""]));
    expect(keys.size).toBe(LOOKUP_BATCH);
    expect(keys.has(rows[1]?.key ?? "")).toBe(false);
  });

  it("pauses the run when the budget leaves nothing in flight and rows wait, except rows the cache answered", () => {
    const rows = [row("Alpha", 2), row("Beta", 3), row("Gamma", 4)];
    const entries = new Map([entry("Gamma", "validated")].map((e) => [e.key, e]));
    const plan = admission({ waiting: rows, entries, budgetAllows: 0 });
    expect(plan.pause).toEqual({ kind: "budget" });
    expect(plan.claims).toEqual([]);
    expect(plan.writes.map((w) => [w.row.row, w.cells.Status])).toEqual([
      [4, "Done (cached)"],
      [2, "Paused: budget reached"],
      [3, "Paused: budget reached"],
    ]);
    expect(admission({ waiting: rows, budgetAllows: 0, inFlight: new Set(["other"]) }).pause).toBeNull();
  });

  it("takes room, budget and fallbacks from the run, and records the cache's answers", () => {
    const rows = [row("Alpha", 2), row("Beta", 3), row("Gamma", 4), row("Delta", 5)];
    const entries = new Map([entry("Delta", "validated")].map((e) => [e.key, e]));
    const admitted = admitWaiting({
      run: { ...run(), jsonMode: true },
      settings: opts.settings,
      waiting: rows,
      lookedUp: new Set(rows.map((r) => r.key)),
      entries,
      inFlight: new Set(["other"]),
      blocked: new Set(),
      now: NOW,
    });
    // Room for 2 + 2 requests, one taken by the company in flight.
    expect(admitted.claims.map((c) => c.company)).toEqual(["Alpha", "Beta", "Gamma"]);
    expect(admitted.run.counts.cached).toBe(1);
    expect(admitted.claims[0]?.state.jsonMode).toBe(true);
  });
});

describe("writing a pass", () => {
  it("merges the writes of a row, a later one winning cell by cell", () => {
    const a = row("Alpha", 2, { kind: "researching" });
    const updates = rowUpdates([
      { row: a, event: "release", cells: { Status: "Queued" } },
      { row: a, event: "pause", cells: { Status: "Paused: budget reached" } },
      { row: row("Beta", 3, { sheet: "Other" }), event: "claim", cells: { Status: "Researching", Tier: "" } },
    ]);
    expect([...updates.keys()]).toEqual(["Sheet1", "Other"]);
    expect(updates.get("Sheet1")?.get(2)).toEqual({ Status: "Paused: budget reached" });
  });

  it("drops a company none of whose claimed rows could be written, and reports each such row once", () => {
    const a2 = row("Alpha", 2);
    const a5 = row("alpha", 5);
    const b = row("Beta", 3);
    const writes = [a2, a5, b].map((r) => ({ row: r, event: "claim" as const, cells: { Status: "Researching" } }));
    const protectedRows = [
      { sheet: "Sheet1", row: 2, company: "Alpha", reason: "protected" },
      { sheet: "Sheet1", row: 3, company: "Beta", reason: "protected" },
    ];
    const after = afterWrites(run(), writes, protectedRows);
    expect(after.drop).toEqual([b.key]);
    expect(after.run.skipped.map((s) => s.row)).toEqual([2, 3]);
    expect(after.run.counts.failed).toBe(2);
  });
});
