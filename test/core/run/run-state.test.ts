import { describe, expect, it } from "vitest";
import type { Outcome } from "../../../src/core/engine";
import { ZERO_COST, costUsd } from "../../../src/core/costs";
import {
  bounded,
  budgetPause,
  budgetReached,
  companiesBudgetAllows,
  driveAs,
  drivenByOwner,
  OWNER_AWAY_MS,
  ownedByAnother,
  recordOwnerTrigger,
  sameUser,
  finiteNumbers,
  MAX_RUN_STATE_BYTES,
  newestFitting,
  newRunState,
  pause,
  recordOutcome,
  recordPaid,
  recordRefusals,
  recordSkipped,
  isSkipped,
  REFUSING_PAUSE_MS,
  utf8Bytes,
  type RunState,
} from "../../../src/core/run/run-state";
import { makeSettings } from "../helpers";

const NOW = Date.UTC(2026, 10, 26);
const settings = makeSettings();
const limits = { concurrency: { tavily: 10, llm: 10 }, rpm: { tavily: 100, llm: 30 } };
const fresh = (): RunState => newRunState(limits, NOW, { email: "ann@example.com", userKey: "temp-ann", label: "ann@example.com" });
const at = { sheet: "Sheet1", row: 2, company: "Cohere" };

const done: Outcome = {
  kind: "done",
  result: {
    tier: "WARM",
    score: 60,
    useCase: "x",
    rationale: "y",
    sources: [],
    model: "m",
    profile: "gpu-infrastructure",
    classifiedAt: NOW,
  },
  fromCache: false,
  cacheEntry: null,
  cost: ZERO_COST,
};

describe("recordOutcome", () => {
  it("counts each kind of end, the tiers, and lists recent rows and errors", () => {
    let run = fresh();
    run = recordOutcome(run, at, done);
    run = recordOutcome(run, at, { ...done, fromCache: true });
    run = recordOutcome(run, at, { kind: "noData", rationale: "none", fromCache: true, cacheEntry: null, cost: ZERO_COST });
    run = recordOutcome(run, { ...at, row: 9, company: "Broken" }, { kind: "error", message: "LLM unavailable", cost: ZERO_COST });
    expect(run.counts).toEqual({ done: 1, cached: 1, noData: 1, failed: 1, cancelled: 0 });
    expect(run.tiers).toMatchObject({ WARM: 2, UNKNOWN: 1 });
    expect(run.errors).toEqual([{ sheet: "Sheet1", row: 9, company: "Broken", status: "Error: LLM unavailable" }]);
    expect(run.recent.map((r) => r.status)).toEqual(["Done", "Done (cached)", "No reliable data (cached)", "Error: LLM unavailable"]);
  });

  it("turns a paused outcome into the run's pause, keeping the first reason", () => {
    let run = recordOutcome(fresh(), at, { kind: "paused", reason: { kind: "keyRejected", service: "llm" }, cost: ZERO_COST });
    run = recordOutcome(run, at, { kind: "paused", reason: { kind: "budget" }, cost: ZERO_COST });
    expect(run.paused).toEqual({ kind: "keyRejected", service: "llm" });
    expect(run.counts.failed).toBe(0);
    expect(pause(run, { kind: "dailyQuota" }).paused).toEqual({ kind: "keyRejected", service: "llm" });
  });
});

describe("recordSkipped", () => {
  it("counts and lists a row that cannot be written once, however often it is met", () => {
    const protectedRow = { sheet: "Sheet1", row: 9, company: "Runway" };
    let run = recordSkipped(fresh(), protectedRow, "You are trying to edit a protected cell.");
    run = recordSkipped(run, protectedRow, "You are trying to edit a protected cell.");
    expect(run.counts.failed).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(isSkipped(run, protectedRow)).toBe(true);
    // Another company moved into that row is a different row to the queue.
    expect(isSkipped(run, { ...protectedRow, company: "Jasper" })).toBe(false);
  });
});

describe("costs counted when paid", () => {
  it("sums counts and recomputes dollars from the prices, ignoring non-finite or negative figures", () => {
    let run = recordPaid(fresh(), { tavilyCredits: 2, llmInputTokens: 0, llmOutputTokens: 0, usd: 0 }, settings);
    run = recordPaid(run, { tavilyCredits: 0, llmInputTokens: 4000, llmOutputTokens: 300, usd: 999 }, settings);
    run = recordPaid(run, { tavilyCredits: Number.POSITIVE_INFINITY, llmInputTokens: -5, llmOutputTokens: Number.NaN, usd: 0 }, settings);
    expect(run.cost).toMatchObject({ tavilyCredits: 2, llmInputTokens: 4000, llmOutputTokens: 300 });
    expect(run.cost.usd).toBeCloseTo(costUsd({ tavilyCredits: 2, llmInputTokens: 4000, llmOutputTokens: 300 }, settings), 12);
  });

  it("admits no more companies than the budget left pays for, counting those in flight", () => {
    const run = recordPaid(fresh(), { tavilyCredits: 50, llmInputTokens: 0, llmOutputTokens: 0, usd: 0 }, settings); // $0.40
    expect(companiesBudgetAllows(run, null, 0.02, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(companiesBudgetAllows(run, 0.5, 0.02, 0)).toBe(5);
    expect(companiesBudgetAllows(run, 0.5, 0.02, 3)).toBe(2);
    // A budget smaller than one company's estimate still lets one company go at a time.
    expect(companiesBudgetAllows(run, 0.41, 0.02, 0)).toBe(1);
    expect(companiesBudgetAllows(run, 0.41, 0.02, 1)).toBe(0);
    expect(companiesBudgetAllows(run, 0.4, 0.02, 0)).toBe(0);
    expect(budgetReached(run, 0.4)).toBe(true);
    expect(budgetReached(run, 0.41)).toBe(false);
  });

  it("a budget below one company's estimated cost pays for none, and says so", () => {
    expect(companiesBudgetAllows(fresh(), 1e-300, 0.02, 0)).toBe(0);
    expect(companiesBudgetAllows(fresh(), 0.019, 0.02, 0)).toBe(0);
    expect(companiesBudgetAllows(fresh(), 0.02, 0.02, 0)).toBe(1);
    expect(budgetPause(0.019, 0.02)).toEqual({ kind: "budgetBelowCompany", budgetUsd: 0.019, companyUsd: 0.02 });
    expect(budgetPause(0.5, 0.02)).toEqual({ kind: "budget" });
  });
});

describe("a list kept in a property", () => {
  it("keeps the newest items that fit, whatever the number", () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => ({ id: 1_000_000_000 + i, column: 1 }));
    const kept = newestFitting(ids, 8_000);
    expect(utf8Bytes(JSON.stringify(kept))).toBeLessThanOrEqual(8_000);
    expect(kept.length).toBeGreaterThan(200);
    expect(kept[kept.length - 1]).toEqual(ids[ids.length - 1]);
    expect(newestFitting(ids.slice(0, 3), 8_000)).toEqual(ids.slice(0, 3));
  });
});

describe("the run's owner", () => {
  const ann = { email: "ann@example.com", userKey: "temp-ann", label: "ann@example.com" };
  const bob = { email: "bob@example.com", userKey: "temp-bob", label: "bob@example.com" };

  it("is recognised by email or by temporary key, either matching; a blank one matches nothing", () => {
    expect(sameUser(ann, { email: "ann@example.com", userKey: "temp-rotated" })).toBe(true);
    expect(sameUser(ann, { email: "", userKey: "temp-ann" })).toBe(true);
    expect(sameUser(ann, { email: "", userKey: "" })).toBe(false);
    expect(sameUser({ email: "", userKey: "" }, { email: "", userKey: "" })).toBe(false);
    expect(sameUser(ann, bob)).toBe(false);
  });

  it("a trigger the owner's executions made is the owner's, whatever identity it shows", () => {
    const run = recordOwnerTrigger(fresh(), "t-1");
    const blank = { email: "", userKey: "temp-rotated" };
    expect(drivenByOwner(run, blank, "t-1")).toBe(true);
    expect(drivenByOwner(run, blank, "t-2")).toBe(false);
    expect(drivenByOwner(run, blank, null)).toBe(false);
    // Driving learns what Google shows now: the rotated key recognises the owner's sidebar afterwards.
    const seen = driveAs(run, { ...blank, label: "another user" }, NOW + 1000, "t-1");
    expect(seen.owner).toEqual({ email: "ann@example.com", userKey: "temp-rotated", label: "ann@example.com" });
    expect(drivenByOwner(seen, blank, null)).toBe(true);
    expect(seen.drivenAt).toBe(NOW + 1000);
  });

  it("belongs to another user for a day after they last drove it; then it may be taken over, with its triggers", () => {
    const run = recordOwnerTrigger(fresh(), "t-1");
    expect(ownedByAnother(run, bob, NOW + OWNER_AWAY_MS - 1)).toBe(true);
    expect(ownedByAnother(run, ann, NOW + 1000)).toBe(false);
    expect(ownedByAnother(run, bob, NOW + OWNER_AWAY_MS)).toBe(false);
    expect(ownedByAnother({ ...run, active: false }, bob, NOW)).toBe(false);
    const taken = driveAs(run, bob, NOW + OWNER_AWAY_MS);
    expect(taken.owner).toEqual(bob);
    expect(taken.ownerTriggers).toEqual([]);
    expect(drivenByOwner(taken, { email: "", userKey: "" }, "t-1")).toBe(false);
  });

  it("keeps only the last few trigger ids", () => {
    let run = fresh();
    for (let i = 0; i < 10; i++) run = recordOwnerTrigger(run, `t-${i}`);
    expect(run.ownerTriggers).toEqual(["t-6", "t-7", "t-8", "t-9"]);
    expect(recordOwnerTrigger(run, null)).toBe(run);
  });
});

describe("recordRefusals", () => {
  it("pauses a service that answered nothing but 429 for 15 minutes, and resets on any other answer", () => {
    let run = recordRefusals(fresh(), { llm: { total: 3, refused: 3 } }, NOW);
    expect(run.refusingSince.llm).toBe(NOW);
    run = recordRefusals(run, { llm: { total: 2, refused: 2 }, tavily: { total: 4, refused: 0 } }, NOW + REFUSING_PAUSE_MS - 1);
    expect(run.paused).toBeNull();
    const healed = recordRefusals(run, { llm: { total: 2, refused: 1 } }, NOW + REFUSING_PAUSE_MS - 1);
    expect(healed.refusingSince.llm).toBeNull();
    run = recordRefusals(run, { llm: { total: 1, refused: 1 } }, NOW + REFUSING_PAUSE_MS);
    expect(run.paused).toEqual({ kind: "rateLimited", service: "llm" });
  });
});

describe("a run state that always fits its property", () => {
  it("stays under the byte limit with 20 errors of 300-character non-Latin names, dropping the oldest", () => {
    let run = fresh();
    for (let i = 0; i < 40; i++) {
      const company = "東京大学人工知能研究所".repeat(30) + i;
      run = recordOutcome(
        run,
        { sheet: "シート".repeat(30), row: i + 2, company },
        { kind: "error", message: "ذكاء اصطناعي ".repeat(40), cost: ZERO_COST },
      );
    }
    expect(utf8Bytes(JSON.stringify(run))).toBeLessThanOrEqual(MAX_RUN_STATE_BYTES);
    expect(run.errors.length).toBeGreaterThan(0);
    expect(run.errors[run.errors.length - 1]?.row).toBe(41);
    expect(run.counts.failed).toBe(40);
  });

  it("counts UTF-8 bytes as Google does", () => {
    expect(utf8Bytes("abc")).toBe(3);
    expect(utf8Bytes("é")).toBe(2);
    expect(utf8Bytes("数")).toBe(3);
    expect(utf8Bytes("💎")).toBe(4);
  });

  it("keeps numbers finite so the stored JSON reads back the same", () => {
    const broken = {
      ...fresh(),
      cost: { tavilyCredits: Number.POSITIVE_INFINITY, llmInputTokens: Number.NaN, llmOutputTokens: 1, usd: 1e308 * 10 },
    };
    const stored = JSON.parse(JSON.stringify(bounded(finiteNumbers(broken)))) as RunState;
    expect(stored.cost).toEqual({ tavilyCredits: 0, llmInputTokens: 0, llmOutputTokens: 1, usd: 0 });
  });
});
