// Drives a run of the built add-on to its end the way Google would: an open sidebar calling the
// worker back to back (and due continuation triggers firing in between), or, with the sidebar
// closed, only the time-driven continuation triggers. The demo, the bench, the soak and the tests
// all drive runs with this one loop; the sidebar's own loop lives in the browser.
import { didNoWave, IDLE_WORKER_SPACING_MS } from "../sidebar/driver";
import { statsDelta, type StatsSnapshot } from "./runtime/stats";

export type Mode = "open" | "closed";
export type ExecutionKind = "menu" | "sidebar" | "trigger" | "customFunction";

export interface RunResult {
  value: unknown;
  error: unknown;
  killed: boolean;
  startedAt: number;
  endedAt: number;
  elapsedMs: number;
}

export interface SheetPort {
  load(rows: unknown[][]): void;
  dump(): unknown[][];
}

export interface TriggerPort {
  id: string;
  handler: string;
  dueAt: number;
  fired: boolean;
  /** When the script asked for it, if the runtime records it. */
  createdAt?: number;
}

/**
 * The part of the local Apps Script runtime (src/local/runtime) a drive needs, as a structural type
 * so the loop can be unit-tested with a stand-in. `R` is the runtime's own execution result.
 */
export interface RuntimePort<R extends RunResult = RunResult> {
  clock: { now(): number; advanceTo(at: number): void };
  spreadsheet: {
    insertSheet(name: string): SheetPort;
    getSheetByName(name: string): SheetPort | null;
    setSelection(sheetName: string, a1Ranges: string[]): void;
  };
  userProperties: { setProperty(key: string, value: string): void };
  run(fnName: string, args?: unknown[], options?: { kind: ExecutionKind; killAt?: number }): R;
  runNextTrigger(options?: { killAt?: number }): R | null;
  triggers(): readonly TriggerPort[];
  stats: { snapshot(): StatsSnapshot };
}

/**
 * Google documents only a floor for after(): "The actual duration might vary, but won't be less
 * than your specified minimum" (https://developers.google.com/apps-script/reference/script/clock-trigger-builder#afterdurationmilliseconds).
 * Asked for a few seconds, a trigger fires about a minute later, so no drive fires one sooner.
 */
export const MIN_TRIGGER_DELAY_MS = 60_000;
/** A sidebar round trip when the worker call itself took no virtual time, so the loop cannot spin. */
const SIDEBAR_ROUND_TRIP_MS = 1_000;

export interface ExecutionRecord<R extends RunResult = RunResult> {
  fn: string;
  kind: ExecutionKind;
  result: R;
  /** Service counters of this execution alone. */
  stats: StatsSnapshot;
  killAt: number | null;
}

export interface DriveOptions<R extends RunResult = RunResult> {
  mode: Mode;
  /** True once nothing more needs doing (checked after every worker execution). */
  settled(): boolean;
  /**
   * Sidebar closed, work left and no continuation trigger pending: "openSidebar" (default) has the
   * user open the sidebar, which runs the worker (counted as a stall); "stop" ends the drive there.
   */
  whenStalled?: "openSidebar" | "stop";
  /** The instant at which to kill the worker execution about to start at `startAt`, if any. */
  killAt?(startAt: number): number | undefined;
  /** Called after every worker execution (the soak's kill planner learns from them; the demo prints). */
  afterWorker?(record: ExecutionRecord<R>): void;
  /** Gives up after this much virtual time from the start; default 24 hours. */
  maxVirtualMs?: number;
  /** Gives up after this many worker executions; default 10,000. */
  maxExecutions?: number;
  /**
   * A signature of the rows' state: when it stays the same over `maxIdleExecutions` worker
   * executions in a row (default 30), the run is stuck and the drive gives up.
   */
  progress?(): string;
  maxIdleExecutions?: number;
}

export interface DriveResult<R extends RunResult = RunResult> {
  startedAt: number;
  /** End of the execution after which the rows had settled (or where the drive gave up). */
  endedAt: number;
  workers: ExecutionRecord<R>[];
  /** Closed sidebar with work left and no trigger pending: the sidebar had to be opened to go on. */
  stalls: number;
  settled: boolean;
  /** Distinct errors of the executions (a kill is not an error), in order of first appearance. */
  errors: string[];
}

/** Runs one global of the add-on and records what it asked of the services. */
export function runRecorded<R extends RunResult>(rt: RuntimePort<R>, fn: string, kind: ExecutionKind, killAt?: number): ExecutionRecord<R> {
  const before = rt.stats.snapshot();
  const result = rt.run(fn, [], killAt === undefined ? { kind } : { kind, killAt });
  return { fn, kind, result, stats: statsDelta(rt.stats.snapshot(), before), killAt: killAt ?? null };
}

const errorOf = (r: RunResult): string | null => (!r.killed && typeof r.error === "string" && r.error !== "" ? r.error : null);

/** Drives worker executions until `settled()`; the caller has started the run (menu command). */
export function driveRun<R extends RunResult>(rt: RuntimePort<R>, options: DriveOptions<R>): DriveResult<R> {
  const maxVirtualMs = options.maxVirtualMs ?? 24 * 3_600_000;
  const maxExecutions = options.maxExecutions ?? 10_000;
  const maxIdle = options.maxIdleExecutions ?? 30;
  // When each trigger was asked for: the runtime's own record, else the end of the execution after
  // which it first appeared (never earlier than the truth, so the 60 s rule is never shortened).
  const askedAt = new Map<string, number>();
  const noteTriggers = (at: number) => {
    for (const t of rt.triggers()) if (!askedAt.has(t.id)) askedAt.set(t.id, t.createdAt ?? at);
  };
  const fireTime = (t: TriggerPort) => Math.max(t.dueAt, (askedAt.get(t.id) ?? t.dueAt) + MIN_TRIGGER_DELAY_MS);

  const startedAt = rt.clock.now();
  noteTriggers(startedAt);
  const workers: ExecutionRecord<R>[] = [];
  const errors = new Set<string>();
  let stalls = 0;
  let endedAt = startedAt;
  let settled = options.settled();
  let idle = 0;
  let signature = options.progress?.() ?? "";

  while (!settled && idle < maxIdle && workers.length < maxExecutions && rt.clock.now() - startedAt < maxVirtualMs) {
    const next = rt
      .triggers()
      .filter((t) => !t.fired)
      .sort((a, b) => fireTime(a) - fireTime(b))[0];
    const triggerDue = next !== undefined && (options.mode === "closed" || fireTime(next) <= rt.clock.now());
    let record: ExecutionRecord<R> | null;
    if (triggerDue && next) {
      rt.clock.advanceTo(fireTime(next));
      const killAt = options.killAt?.(rt.clock.now());
      const before = rt.stats.snapshot();
      const result = rt.runNextTrigger(killAt === undefined ? undefined : { killAt });
      record =
        result === null
          ? null
          : { fn: next.handler, kind: "trigger", result, stats: statsDelta(rt.stats.snapshot(), before), killAt: killAt ?? null };
    } else {
      if (options.mode === "closed") {
        if (options.whenStalled === "stop") break;
        stalls += 1;
      }
      const before = rt.clock.now();
      record = runRecorded(rt, "runResearchWorker", "sidebar", options.killAt?.(before));
      // The sidebar spaces its calls after one that did no wave, as it does in the browser.
      if (didNoWave(record.result.value)) rt.clock.advanceTo(rt.clock.now() + IDLE_WORKER_SPACING_MS);
      else if (rt.clock.now() === before) rt.clock.advanceTo(before + SIDEBAR_ROUND_TRIP_MS);
    }
    if (record === null) {
      // The runtime had no trigger to run after all: let time pass so the loop still ends.
      rt.clock.advanceTo(rt.clock.now() + SIDEBAR_ROUND_TRIP_MS);
      continue;
    }
    noteTriggers(record.result.endedAt);
    workers.push(record);
    const error = errorOf(record.result);
    if (error !== null) errors.add(error);
    options.afterWorker?.(record);
    endedAt = record.result.endedAt;
    settled = options.settled();
    const now = options.progress?.() ?? String(workers.length);
    idle = now === signature ? idle + 1 : 0;
    signature = now;
  }
  return { startedAt, endedAt: settled ? endedAt : rt.clock.now(), workers, stalls, settled, errors: [...errors] };
}
