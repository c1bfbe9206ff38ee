// What one worker execution may still do within Apps Script's six minutes: admit companies, start
// a wave, wait for a Retry-After or hand off to the next execution, and how it ends. Pure: the
// worker reads the clock and passes the time in.
import { LIMITS } from "../limits";
import { missingKeys, type Settings } from "../settings";
import type { PauseReason } from "../status";
import type { Service } from "../types";
import type { RunState } from "./run-state";

/** Room kept between the last wave's expected end and Apps Script's 6-minute stop. */
export const SAFETY_MARGIN_MS = 20_000;
/** Assumed length of a wave before one has been measured. */
export const FIRST_WAVE_ESTIMATE_MS = 15_000;
/** How long an execution with nothing to send but a long Retry-After waits before handing off. */
export const BLOCKED_NAP_MS = 30_000;
/** Utilities.sleep throws past this (https://developers.google.com/apps-script/reference/utilities/utilities#sleep(Integer)). */
export const MAX_SLEEP_MS = 300_000;

export interface ExecutionClock {
  startedAt: number;
  /** WORKER_TIME_BUDGET_SECONDS: no company is admitted after this long. */
  admitForMs: number;
  /** The longest wave of this execution, or an estimate before the first. */
  slowestWaveMs: number;
  waves: number;
}

export function startClock(settings: Pick<Settings, "workerTimeBudgetSeconds">, now: number): ExecutionClock {
  return { startedAt: now, admitForMs: settings.workerTimeBudgetSeconds * 1000, slowestWaveMs: FIRST_WAVE_ESTIMATE_MS, waves: 0 };
}

/** A wave sent at `sentAt` came back at `receivedAt`: the first one measured replaces the estimate. */
export function timeWave(clock: ExecutionClock, sentAt: number, receivedAt: number): ExecutionClock {
  const slowestWaveMs = Math.max(clock.waves === 0 ? 0 : clock.slowestWaveMs, receivedAt - sentAt);
  return { ...clock, slowestWaveMs, waves: clock.waves + 1 };
}

function elapsed(clock: ExecutionClock, now: number): number {
  return now - clock.startedAt;
}

/** New companies are claimed only while the run goes on and this execution is within its time budget. */
export function mayAdmit(clock: ExecutionClock, run: RunState, cancelling: boolean, now: number): boolean {
  return !cancelling && run.paused === null && elapsed(clock, now) < clock.admitForMs;
}

/** A wave as slow as the slowest yet, and half again, still ends with the safety margin to spare. */
export function mayStartWave(clock: ExecutionClock, now: number): boolean {
  return elapsed(clock, now) + clock.slowestWaveMs * 1.5 + SAFETY_MARGIN_MS < LIMITS.executionMs;
}

/** Time for one more short step (a block of the formula refresh) before Apps Script's limit, with the margin to spare. */
export function mayTakeStep(clock: ExecutionClock, now: number): boolean {
  return elapsed(clock, now) + SAFETY_MARGIN_MS < LIMITS.executionMs;
}

/** Services whose Retry-After outlasts what this execution may still spend. */
export function blockedServices(clock: ExecutionClock, run: RunState): Set<Service> {
  const end = clock.startedAt + LIMITS.executionMs - SAFETY_MARGIN_MS - clock.slowestWaveMs;
  return new Set((["tavily", "llm"] as const).filter((service) => run.pacing.blockedUntil[service] > end));
}

/** Nothing may be sent now: sleep until `wakeAt`, or hand off to the next execution when the wait outlasts this one. */
export type Wait = { kind: "sleep"; ms: number } | { kind: "handOff" };

export function waitFor(clock: ExecutionClock, wakeAt: number, now: number): Wait {
  const ms = Math.max(wakeAt - now, 0);
  // A Retry-After longer than this execution has left hands off to the next execution.
  if (ms > MAX_SLEEP_MS || elapsed(clock, now) + ms + clock.slowestWaveMs + SAFETY_MARGIN_MS >= LIMITS.executionMs) {
    return { kind: "handOff" };
  }
  return { kind: "sleep", ms };
}

export type WorkerStatus = "paused" | "finished" | "continuing";

/** What the worker does after a pass over the sheets. */
export type Move =
  /** Stop this execution; `napMs` first when the rest waits for a provider's Retry-After. */
  | { kind: "end"; status: WorkerStatus; napMs: number }
  /** Nothing in flight, more may be admitted: another pass. */
  | { kind: "pass" }
  | { kind: "wave" }
  /** No time for another wave: hand the companies in flight back to the queue. */
  | { kind: "handOff" };

export function nextMove(input: {
  clock: ExecutionClock;
  run: RunState;
  inFlight: number;
  queuedLeft: number;
  blockedRows: number;
  cancelling: boolean;
  now: number;
}): Move {
  const { clock, run, now } = input;
  const end = (status: WorkerStatus, napMs = 0): Move => ({ kind: "end", status, napMs });
  if (run.paused !== null) return end("paused");
  if (input.inFlight === 0) {
    if (input.queuedLeft === 0 || input.cancelling) return end("finished");
    // The rest waits for a provider's Retry-After: a later execution takes it up. A short nap
    // first, so a sidebar calling back to back does not spin through executions meanwhile.
    if (input.blockedRows > 0) {
      return end("continuing", Math.max(0, Math.min(BLOCKED_NAP_MS, LIMITS.executionMs - SAFETY_MARGIN_MS - elapsed(clock, now))));
    }
    return mayAdmit(clock, run, input.cancelling, now) ? { kind: "pass" } : end("continuing");
  }
  return mayStartWave(clock, now) ? { kind: "wave" } : { kind: "handOff" };
}

/** After a hand-off: a pause found on the way stops the run, anything else continues in the next execution. */
export function handedOffStatus(run: RunState): WorkerStatus {
  return run.paused !== null ? "paused" : "continuing";
}

/** How an execution starts: nothing to do, a paused run, settings that broke after the rows were queued, or work. */
export type Start =
  | { kind: "idle" }
  | { kind: "paused" }
  | { kind: "pause"; run: RunState; reason: PauseReason }
  | { kind: "work"; run: RunState; settings: Settings };

export function workerStart(run: RunState | null, settings: Settings | null): Start {
  if (!run || !run.active) return { kind: "idle" };
  if (run.paused !== null) return { kind: "paused" };
  // Pause rather than fail every row.
  if (!settings || missingKeys(settings).length > 0) return { kind: "pause", run, reason: { kind: "settings" } };
  return { kind: "work", run, settings };
}
