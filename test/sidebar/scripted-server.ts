// A stand-in for the add-on's server functions that answers from a progress snapshot the test
// sets. Its worker call never answers, so the page keeps showing the snapshot the test looks at,
// whatever the real worker would have done.
import type { ResearchProgress } from "../../src/core/wire";
import type { FakeServer } from "./harness";
import { estimate, progress } from "./progress-fixture";

export { estimate, progress };

type Handler = (args: unknown[], server: ScriptedServer) => unknown;

export class ScriptedServer implements FakeServer {
  current: ResearchProgress;
  /** Overrides for single functions (to fail, or to change the state). */
  readonly handlers = new Map<string, Handler>();
  functions: readonly string[] = [
    "getResearchProgress",
    "runResearchWorker",
    "cancelResearch",
    "showSettings",
    "estimateQueue",
    "startQueue",
    "selectRow",
    "getCacheStats",
    "clearCache",
  ];

  constructor(initial: ResearchProgress) {
    this.current = initial;
  }

  async call(name: string, args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(name);
    if (handler) return handler(args, this);
    switch (name) {
      case "getResearchProgress":
        return this.current;
      case "runResearchWorker":
        // Held for good: one worker call stays in flight, as while a real wave runs.
        return new Promise<never>(() => undefined);
      case "cancelResearch":
        this.current = {
          ...this.current,
          running: false,
          cancelled: this.current.cancelled + this.current.queued,
          queued: 0,
          etaSeconds: 0,
        };
        return { ok: true, message: "Cancelled 3 row(s).", queued: 0 };
      case "estimateQueue": {
        // Resume and Retry estimate the rows they would queue; Research a selection of 520 rows.
        const action = String(args[0]);
        const rows = action === "resume" ? this.current.paused : action === "retry" ? this.current.failed + this.current.noData : 520;
        return { ok: true, estimate: estimate({ action: action as "research", rows, resumed: action === "resume" ? rows : 0 }) };
      }
      case "startQueue":
        if (args[0] !== "resume") return { kind: "queued", result: { ok: true, message: "Queued 0 row(s) again.", queued: 0 } };
        this.current = {
          ...this.current,
          pause: null,
          isPaused: false,
          running: true,
          message: "",
          queued: this.current.queued + this.current.paused,
          paused: 0,
        };
        return { kind: "queued", result: { ok: true, message: "Resumed 9 row(s).", queued: 9 } };
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
