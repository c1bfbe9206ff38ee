import { describe, expect, it } from "vitest";
import {
  driveRun,
  MIN_TRIGGER_DELAY_MS,
  type DriveOptions,
  type RunResult,
  type RuntimePort,
  type TriggerPort,
} from "../../src/local/drive";
import type { StatsSnapshot } from "../../src/local/runtime/stats";

/**
 * A stand-in for the local runtime: the "add-on" queues rows, and each worker execution finishes up
 * to 5 rows at 10 s each, asks for a continuation trigger `askMs` later while work is left, and can
 * be killed (the row in progress is lost to the queue, earlier ones are kept).
 */
class StubRuntime implements RuntimePort {
  now = 0;
  statuses: string[];
  fires: { at: number; dueAt: number }[] = [];
  private readonly list: (TriggerPort & { createdAt: number })[] = [];
  private executions = 0;
  private nextId = 1;
  clock = { now: () => this.now, advanceTo: (at: number) => void (this.now = Math.max(this.now, at)) };
  spreadsheet = {
    insertSheet: () => ({ load: () => undefined, dump: () => [] }),
    getSheetByName: () => null,
    setSelection: () => undefined,
  };
  userProperties = { setProperty: () => undefined };
  stats = {
    snapshot: (): StatsSnapshot => ({
      rangeReads: 0,
      rangeWrites: 0,
      rangeCalls: 0,
      cellsRead: 0,
      cellsWritten: 0,
      urlFetch: { fetch: 0, fetchAll: 0, requests: 0, byHost: {} },
      executions: this.executions,
      triggerRuntimeMs: 0,
      propertyReads: 0,
      propertyWrites: 0,
      cacheCalls: 0,
      rangeCallsByMethod: {},
    }),
  };

  constructor(
    rows: number,
    private readonly askMs: number,
  ) {
    this.statuses = Array.from({ length: rows }, () => "");
  }

  triggers() {
    return this.list;
  }

  run(fn: string, _args?: unknown[], options?: { killAt?: number }): RunResult {
    this.executions += 1;
    const startedAt = this.now;
    let killed = false;
    if (fn === "researchSelectedRows") {
      this.statuses = this.statuses.map(() => "Queued");
      this.schedule();
    } else {
      for (let done = 0; done < 5; done++) {
        const i = this.statuses.indexOf("Queued");
        if (i < 0) break;
        if (options?.killAt !== undefined && this.now + 10_000 > options.killAt) {
          this.now = Math.max(this.now, options.killAt);
          killed = true;
          break;
        }
        this.now += 10_000;
        this.statuses[i] = "Done";
      }
      if (!killed && this.statuses.includes("Queued")) this.schedule();
    }
    return { value: null, error: null, killed, startedAt, endedAt: this.now, elapsedMs: this.now - startedAt };
  }

  runNextTrigger(options?: { killAt?: number }): RunResult | null {
    const next = this.list.filter((t) => !t.fired).sort((a, b) => a.dueAt - b.dueAt)[0];
    if (!next) return null;
    this.clock.advanceTo(next.dueAt);
    next.fired = true;
    this.fires.push({ at: this.now, dueAt: next.dueAt });
    return this.run(next.handler, [], options);
  }

  private schedule(): void {
    if (this.list.some((t) => !t.fired)) return;
    this.list.push({
      id: String(this.nextId++),
      handler: "runResearchWorker",
      dueAt: this.now + this.askMs,
      fired: false,
      createdAt: this.now,
    });
  }
}

/** The menu command, then the drive. */
function drive(rt: StubRuntime, options: DriveOptions) {
  rt.run("researchSelectedRows");
  return driveRun(rt, options);
}

describe("driveRun", () => {
  it("sidebar open: calls the worker back to back until every row is settled", () => {
    const rt = new StubRuntime(12, 60_000);
    const result = drive(rt, { mode: "open", settled: () => rt.statuses.every((s) => s === "Done") });
    expect(result.settled).toBe(true);
    // The menu's continuation trigger came due (60 s) while the sidebar worked: it runs in turn.
    expect(result.workers.map((w) => w.kind)).toEqual(["sidebar", "sidebar", "trigger"]);
    expect(result.endedAt).toBe(120_000);
  });

  it("sidebar closed: triggers fire no sooner than 60 s after they were asked for", () => {
    const rt = new StubRuntime(12, 1_000);
    const result = drive(rt, { mode: "closed", settled: () => rt.statuses.every((s) => s === "Done") });
    expect(result.settled).toBe(true);
    expect(result.workers.every((w) => w.kind === "trigger")).toBe(true);
    expect(rt.fires.map((f) => f.at)).toEqual([MIN_TRIGGER_DELAY_MS, 170_000, 280_000]);
    expect(result.endedAt).toBe(300_000);
  });

  it("passes kill instants, counts stalls and gives up when nothing moves", () => {
    const rt = new StubRuntime(10, 60_000);
    let kills = 1;
    const result = drive(rt, {
      mode: "closed",
      settled: () => rt.statuses.every((s) => s === "Done"),
      killAt: (startAt) => (kills-- > 0 ? startAt + 25_000 : undefined),
    });
    expect(result.workers[0]?.result.killed).toBe(true);
    // The killed execution asked for no trigger: the sidebar had to continue the run.
    expect(result.stalls).toBe(1);
    expect(result.settled).toBe(true);

    const stuck = new StubRuntime(3, 60_000);
    const gaveUp = drive(stuck, { mode: "open", settled: () => false, progress: () => "same", maxIdleExecutions: 4 });
    expect(gaveUp.settled).toBe(false);
    expect(gaveUp.workers).toHaveLength(4);
  });

  it("sidebar closed, told to stop when stalled: ends where no trigger is left, without opening the sidebar", () => {
    const rt = new StubRuntime(10, 60_000);
    let kills = 1;
    const result = drive(rt, {
      mode: "closed",
      whenStalled: "stop",
      settled: () => rt.statuses.every((s) => s === "Done"),
      killAt: (startAt) => (kills-- > 0 ? startAt + 25_000 : undefined),
    });
    expect(result.workers.map((w) => [w.kind, w.result.killed])).toEqual([["trigger", true]]);
    expect(result.stalls).toBe(0);
    expect(result.settled).toBe(false);
    expect(rt.statuses.filter((s) => s === "Done")).toHaveLength(2);
  });

  it("records each worker execution's own service counters and reports errors once, kills excluded", () => {
    const rt = new StubRuntime(6, 60_000);
    const original = rt.run.bind(rt);
    rt.run = (fn, args, options) => ({ ...original(fn, args, options), error: fn === "runResearchWorker" ? "Exception: boom" : null });
    const result = drive(rt, { mode: "open", settled: () => rt.statuses.every((s) => s === "Done") });
    expect(result.workers.map((w) => w.stats.executions)).toEqual([1, 1]);
    expect(result.errors).toEqual(["Exception: boom"]);
  });
});
