// google.script.run backed by the local Apps Script runtime: each call is one "sidebar" execution
// of the built dist/Code.js, as Google would run it.
import { setTimeout as sleep } from "node:timers/promises";
import type { LocalRuntime } from "../../src/local/runtime";
import type { FakeServer } from "./harness";

/** The globals Apps Script would see: the top-level function stubs of dist/Code.js. */
export function globalNames(code: string): string[] {
  return [...code.matchAll(/^function (\w+)\(/gm)].map((m) => m[1] ?? "").filter(Boolean);
}

export class RuntimeServer implements FakeServer {
  readonly functions: readonly string[];
  /** Real milliseconds a worker call takes, so the page can poll between worker executions. */
  workerDelayMs = 0;

  constructor(
    readonly rt: LocalRuntime,
    code: string,
  ) {
    this.functions = globalNames(code);
  }

  async call(name: string, args: unknown[]): Promise<unknown> {
    if (name === "runResearchWorker" && this.workerDelayMs > 0) await sleep(this.workerDelayMs);
    const result = this.rt.run(name, args, { kind: "sidebar" });
    if (result.error) throw new Error(result.error);
    return result.value;
  }
}
