// A stand-in for the add-on's server functions that plays a scripted run: each runResearchWorker
// call takes a little time and moves to the next progress snapshot. It lets the sidebar be tested
// on its own, whatever state the real worker is in.
import { setTimeout as sleep } from "node:timers/promises";
import type { Tier } from "../../src/core/types";
import type { ResearchProgress } from "../../src/core/wire";
import type { FakeServer } from "./harness";
import { progress } from "./progress-fixture";

export { progress };

const TIER_CYCLE: Tier[] = ["HOT", "WARM", "WATCH", "COLD", "UNKNOWN"];

/** Snapshots of a run of `total` rows finishing `perStep` rows per worker call. */
export function runSnapshots(
  total: number,
  perStep: number,
  startedAt: number,
  companies: (i: number) => string = (i) => `Company ${i + 1}`,
): ResearchProgress[] {
  const snapshots: ResearchProgress[] = [];
  for (let finished = perStep; finished <= total; finished += perStep) {
    const tiers: Record<Tier, number> = { HOT: 0, WARM: 0, WATCH: 0, COLD: 0, UNKNOWN: 0 };
    for (let i = 0; i < finished; i++) tiers[TIER_CYCLE[i % TIER_CYCLE.length] ?? "UNKNOWN"] += 1;
    const recent = Array.from({ length: Math.min(5, finished) }, (_, k) => {
      const i = finished - 1 - k;
      const tier = TIER_CYCLE[i % TIER_CYCLE.length] ?? "UNKNOWN";
      return {
        company: companies(i),
        tier,
        score: tier === "UNKNOWN" ? null : 90 - (i % 5) * 18,
        status: tier === "UNKNOWN" ? "No reliable data" : "Done",
      };
    });
    const left = total - finished;
    snapshots.push(
      progress({
        total,
        queued: Math.max(0, left - perStep),
        researching: Math.min(perStep, left),
        done: finished - tiers.UNKNOWN,
        noData: tiers.UNKNOWN,
        tiers,
        costUsd: finished * 0.019,
        tavilyCredits: finished * 2,
        llmTokens: finished * 4800,
        startedAt,
        etaSeconds: left * 3,
        running: left > 0,
        recent,
      }),
    );
  }
  return snapshots;
}

type Handler = (args: unknown[], server: ScriptedServer) => unknown;

export class ScriptedServer implements FakeServer {
  current: ResearchProgress;
  /** Snapshots that successive runResearchWorker calls move through. */
  steps: ResearchProgress[];
  workerDelayMs = 250;
  /** Overrides for single functions (to fail, or to change the state). */
  readonly handlers = new Map<string, Handler>();
  functions: readonly string[] = [
    "getResearchProgress",
    "runResearchWorker",
    "cancelResearch",
    "retryFailedRows",
    "resumeResearch",
    "showSettings",
    "estimateSelectedRows",
    "researchFromSidebar",
    "selectRow",
    "getCacheStats",
    "clearCache",
  ];

  constructor(initial: ResearchProgress, steps: ResearchProgress[] = []) {
    this.current = initial;
    this.steps = steps;
  }

  async call(name: string, args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(name);
    if (handler) return handler(args, this);
    switch (name) {
      case "getResearchProgress":
        return this.current;
      case "runResearchWorker": {
        await sleep(this.workerDelayMs);
        // Shaped like the add-on's WorkerReport.
        if (!this.current.running || this.current.pause !== null) return { status: "idle", waves: 0, written: 0 };
        const next = this.steps.shift();
        if (next) this.current = next;
        return { status: next?.running ? "continuing" : "finished", waves: 1, written: 1 };
      }
      case "cancelResearch":
        this.steps = [];
        this.current = {
          ...this.current,
          running: false,
          cancelled: this.current.cancelled + this.current.queued,
          queued: 0,
          etaSeconds: 0,
        };
        return { ok: true, message: "Cancelled 3 row(s).", queued: 0 };
      case "resumeResearch":
        this.current = {
          ...this.current,
          pause: null,
          isPaused: false,
          running: true,
          message: "",
          queued: this.current.queued + this.current.paused,
          paused: 0,
        };
        return { ok: true, message: "Resumed 9 row(s).", queued: 9 };
      case "retryFailedRows":
        return { ok: true, message: "Queued 0 row(s) again.", queued: 0 };
      case "showSettings":
        return undefined;
      case "selectRow":
        return { ok: true, message: `Selected row ${String(args[1])} of ${String(args[0])}.`, queued: 0 };
      case "getCacheStats":
        return { companies: 0, noData: 0, unjudged: 0, oldestAt: 0, cells: 0, cellLimit: 10_000_000 };
      default:
        throw new Error(`Script function not found: ${name}`);
    }
  }
}
