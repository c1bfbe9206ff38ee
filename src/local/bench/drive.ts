// Drives a run of the built add-on the way Google would: the menu command, then either the open
// sidebar calling the worker back to back or time-driven continuation triggers, until every row has
// settled. Records each execution with its own service counters.
import { statsDelta, type StatsSnapshot } from "../runtime/stats";
import type { ExecutionKind, RunResult, RuntimePort, TriggerPort } from "./runtime-port";

export type Mode = "open" | "closed";

/** Google fires an after() trigger about a minute after it was asked for, even when asked for less. */
export const MIN_TRIGGER_DELAY_MS = 60_000;
/** A sidebar round trip when the worker call itself took no virtual time, so the loop cannot spin. */
const SIDEBAR_ROUND_TRIP_MS = 1_000;

export interface ExecutionRecord {
  fn: string;
  kind: ExecutionKind;
  result: RunResult;
  /** Service counters of this execution alone. */
  stats: StatsSnapshot;
  killAt: number | null;
}

export interface DriveOptions {
  mode: Mode;
  /** True once nothing more needs doing (checked after every execution). */
  settled(): boolean;
  /** The instant at which to kill the worker execution about to start at `startAt`, if any. */
  killAt?(startAt: number): number | undefined;
  /** Called after every worker execution (the soak's kill planner learns from them). */
  afterWorker?(record: ExecutionRecord): void;
  /** Gives up after this much virtual time from the start; default 24 hours. */
  maxVirtualMs?: number;
  /** Gives up after this many executions; default 10,000. */
  maxExecutions?: number;
  /**
   * A signature of the rows' state: when it stays the same over `maxIdleExecutions` worker
   * executions in a row (default 30), the run is stuck and the drive gives up.
   */
  progress?(): string;
  maxIdleExecutions?: number;
}

export interface DriveResult {
  startedAt: number;
  /** End of the execution after which the rows had settled (or where the drive gave up). */
  endedAt: number;
  menu: ExecutionRecord;
  workers: ExecutionRecord[];
  /** Closed sidebar with work left and no trigger pending: the sidebar had to be opened to go on. */
  stalls: number;
  settled: boolean;
  /** Distinct errors of the executions (a kill is not an error), in order of first appearance. */
  errors: string[];
}

export function drive(rt: RuntimePort, options: DriveOptions): DriveResult {
  const maxVirtualMs = options.maxVirtualMs ?? 24 * 3_600_000;
  const maxExecutions = options.maxExecutions ?? 10_000;
  // When each trigger was asked for: the runtime's own record, else the end of the execution after
  // which it first appeared (never earlier than the truth, so the 60 s rule is never shortened).
  const askedAt = new Map<string, number>();
  const noteTriggers = (endedAt: number) => {
    for (const t of rt.triggers()) if (!askedAt.has(t.id)) askedAt.set(t.id, t.createdAt ?? endedAt);
  };
  const fireTime = (t: TriggerPort) => Math.max(t.dueAt, (askedAt.get(t.id) ?? t.dueAt) + MIN_TRIGGER_DELAY_MS);

  const execute = (fn: string, kind: ExecutionKind, killAt: number | undefined, go: () => RunResult | null): ExecutionRecord | null => {
    const before = rt.stats.snapshot();
    const result = go();
    if (result === null) return null;
    const record: ExecutionRecord = { fn, kind, result, stats: statsDelta(rt.stats.snapshot(), before), killAt: killAt ?? null };
    noteTriggers(result.endedAt);
    return record;
  };

  const startedAt = rt.clock.now();
  const menu = execute("researchSelectedRows", "menu", undefined, () => rt.run("researchSelectedRows", [], { kind: "menu" }));
  if (menu === null) throw new Error("the menu command did not run");
  const workers: ExecutionRecord[] = [];
  let stalls = 0;
  let endedAt = menu.result.endedAt;
  let settled = options.settled();
  const errors = new Set<string>();
  const noteError = (r: RunResult) => {
    if (!r.killed && typeof r.error === "string" && r.error !== "") errors.add(`${r.error}`);
  };
  noteError(menu.result);
  const maxIdle = options.maxIdleExecutions ?? 30;
  let idle = 0;
  let signature = options.progress?.() ?? "";

  while (!settled && idle < maxIdle && workers.length < maxExecutions && rt.clock.now() - startedAt < maxVirtualMs) {
    const next = rt.triggers()
      .filter((t) => !t.fired)
      .sort((a, b) => fireTime(a) - fireTime(b))[0];
    const triggerDue = next !== undefined && (options.mode === "closed" || fireTime(next) <= rt.clock.now());
    let record: ExecutionRecord | null;
    if (triggerDue && next) {
      const fireAt = fireTime(next);
      rt.clock.advanceTo(fireAt);
      const killAt = options.killAt?.(rt.clock.now());
      record = execute("runResearchWorker", "trigger", killAt, () => rt.runNextTrigger(killAt === undefined ? undefined : { killAt }));
    } else {
      // Sidebar open, or closed with nothing left to continue the run (the user opens the sidebar).
      if (options.mode === "closed") stalls += 1;
      const before = rt.clock.now();
      const killAt = options.killAt?.(before);
      record = execute("runResearchWorker", "sidebar", killAt, () =>
        rt.run("runResearchWorker", [], killAt === undefined ? { kind: "sidebar" } : { kind: "sidebar", killAt }),
      );
      if (rt.clock.now() === before) rt.clock.advanceTo(before + SIDEBAR_ROUND_TRIP_MS);
    }
    if (record === null) {
      // The runtime had no trigger to run after all: let time pass so the loop still ends.
      rt.clock.advanceTo(rt.clock.now() + SIDEBAR_ROUND_TRIP_MS);
      continue;
    }
    workers.push(record);
    noteError(record.result);
    options.afterWorker?.(record);
    endedAt = record.result.endedAt;
    settled = options.settled();
    const now = options.progress?.() ?? String(workers.length);
    idle = now === signature ? idle + 1 : 0;
    signature = now;
  }
  return { startedAt, endedAt: settled ? endedAt : rt.clock.now(), menu, workers, stalls, settled, errors: [...errors] };
}
