import { describe, expect, it } from "vitest";
import {
  blockedServices,
  BLOCKED_NAP_MS,
  handedOffStatus,
  mayAdmit,
  mayStartWave,
  nextMove,
  SAFETY_MARGIN_MS,
  startClock,
  timeWave,
  waitFor,
  workerStart,
  type ExecutionClock,
} from "../../../src/core/run/execution";
import { LIMITS } from "../../../src/core/limits";
import { newRunState, pause, type RunState } from "../../../src/core/run/run-state";
import { makeSettings } from "../helpers";

const NOW = Date.UTC(2026, 10, 26, 9);
const settings = makeSettings({ WORKER_TIME_BUDGET_SECONDS: "240" });
const limits = { concurrency: { tavily: 10, llm: 10 }, rpm: { tavily: 100, llm: 100 } };
const run: RunState = newRunState(limits, NOW, null);
const SIX_MINUTES = LIMITS.executionMs;
const measured = (slowestMs: number): ExecutionClock => timeWave(startClock(settings, NOW), NOW, NOW + slowestMs);

describe("an execution's clock", () => {
  it("admits companies within WORKER_TIME_BUDGET_SECONDS, never while the run is paused or cancelling", () => {
    const clock = startClock(settings, NOW);
    expect(mayAdmit(clock, run, false, NOW + 239_000)).toBe(true);
    expect(mayAdmit(clock, run, false, NOW + 240_000)).toBe(false);
    expect(mayAdmit(clock, pause(run, { kind: "budget" }), false, NOW)).toBe(false);
    expect(mayAdmit(clock, run, true, NOW)).toBe(false);
  });

  it("starts a wave only when one and a half of the slowest wave still ends before the safety margin", () => {
    const clock = measured(20_000);
    const lastStart = SIX_MINUTES - SAFETY_MARGIN_MS - 30_000;
    expect(mayStartWave(clock, NOW + lastStart - 1)).toBe(true);
    expect(mayStartWave(clock, NOW + lastStart)).toBe(false);
  });

  it("replaces the first wave's estimate by its measure, then keeps the slowest", () => {
    const first = measured(4_000);
    expect(first).toMatchObject({ slowestWaveMs: 4_000, waves: 1 });
    expect(timeWave(first, NOW, NOW + 2_000)).toMatchObject({ slowestWaveMs: 4_000, waves: 2 });
    expect(timeWave(first, NOW, NOW + 9_000).slowestWaveMs).toBe(9_000);
  });

  it("treats a provider whose Retry-After outlasts the execution as blocked", () => {
    const clock = measured(10_000);
    const end = NOW + SIX_MINUTES - SAFETY_MARGIN_MS - 10_000;
    const held = (until: number): RunState => ({ ...run, pacing: { ...run.pacing, blockedUntil: { tavily: until, llm: 0 } } });
    expect([...blockedServices(clock, held(end))]).toEqual([]);
    expect([...blockedServices(clock, held(end + 1))]).toEqual(["tavily"]);
  });

  it("sleeps through a short wait and hands off a wait longer than five minutes or than the time left", () => {
    const clock = measured(10_000);
    expect(waitFor(clock, NOW + 45_000, NOW)).toEqual({ kind: "sleep", ms: 45_000 });
    expect(waitFor(clock, NOW - 5, NOW)).toEqual({ kind: "sleep", ms: 0 });
    expect(waitFor(clock, NOW + 300_001, NOW)).toEqual({ kind: "handOff" });
    expect(waitFor(clock, NOW + 300_000, NOW + 60_000)).toEqual({ kind: "sleep", ms: 240_000 });
    expect(waitFor(clock, NOW + 340_000, NOW + 100_000)).toEqual({ kind: "handOff" });
  });
});

describe("nextMove after a pass", () => {
  const clock = measured(10_000);
  const base = { clock, run, inFlight: 0, queuedLeft: 0, blockedRows: 0, cancelling: false, now: NOW + 10_000 };

  it("ends a paused run, and a run with nothing left or cancelled", () => {
    expect(nextMove({ ...base, run: pause(run, { kind: "budget" }), inFlight: 3 })).toEqual({ kind: "end", status: "paused", napMs: 0 });
    expect(nextMove(base)).toEqual({ kind: "end", status: "finished", napMs: 0 });
    expect(nextMove({ ...base, queuedLeft: 5, cancelling: true })).toEqual({ kind: "end", status: "finished", napMs: 0 });
  });

  it("naps and continues later when the rows left wait for a provider's Retry-After", () => {
    expect(nextMove({ ...base, queuedLeft: 5, blockedRows: 5 })).toEqual({ kind: "end", status: "continuing", napMs: BLOCKED_NAP_MS });
    const late = { ...base, queuedLeft: 5, blockedRows: 5, now: NOW + SIX_MINUTES - SAFETY_MARGIN_MS - 1_000 };
    expect(nextMove(late)).toEqual({ kind: "end", status: "continuing", napMs: 1_000 });
  });

  it("passes again while it may admit, continues in the next execution once it may not", () => {
    expect(nextMove({ ...base, queuedLeft: 5 })).toEqual({ kind: "pass" });
    expect(nextMove({ ...base, queuedLeft: 5, now: NOW + 240_000 })).toEqual({ kind: "end", status: "continuing", napMs: 0 });
  });

  it("sends a wave while there is time for one, and hands off when there is not", () => {
    expect(nextMove({ ...base, inFlight: 2 })).toEqual({ kind: "wave" });
    expect(nextMove({ ...base, inFlight: 2, now: NOW + SIX_MINUTES - 30_000 })).toEqual({ kind: "handOff" });
    expect(handedOffStatus(run)).toBe("continuing");
    expect(handedOffStatus(pause(run, { kind: "dailyQuota" }))).toBe("paused");
  });
});

describe("workerStart", () => {
  it("does nothing for no run, an ended run or a paused one; pauses when the keys went missing; else works", () => {
    expect(workerStart(null, settings)).toEqual({ kind: "idle" });
    expect(workerStart({ ...run, active: false }, settings)).toEqual({ kind: "idle" });
    expect(workerStart(pause(run, { kind: "budget" }), settings)).toEqual({ kind: "paused" });
    expect(workerStart(run, null)).toEqual({ kind: "pause", run, reason: { kind: "settings" } });
    expect(workerStart(run, { ...settings, llmApiKey: "" })).toMatchObject({ kind: "pause", reason: { kind: "settings" } });
    expect(workerStart(run, settings)).toEqual({ kind: "work", run, settings });
  });
});
