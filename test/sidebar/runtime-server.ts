// google.script.run backed by the local Apps Script runtime: each call is one "sidebar" execution
// of the built dist/Code.js, as Google would run it.
import type { LocalRuntime } from "../../src/local/runtime";
import type { FakeServer } from "./harness";

/** The globals Apps Script would see: the top-level function stubs of dist/Code.js. */
export function globalNames(code: string): string[] {
  return [...code.matchAll(/^function (\w+)\(/gm)].map((m) => m[1] ?? "").filter(Boolean);
}

export class RuntimeServer implements FakeServer {
  readonly functions: readonly string[];
  /** After this many runResearchWorker calls, the next ones wait for release(): the test looks at the page between two executions. */
  holdWorkerAfter = Infinity;
  /** Called with the runtime's virtual time after each call, before the page sees the answer (to set the page's clock). */
  onTime: ((now: number) => Promise<void>) | null = null;
  private workerCalls = 0;
  private readonly held: Array<() => void> = [];

  constructor(
    readonly rt: LocalRuntime,
    code: string,
  ) {
    this.functions = globalNames(code);
  }

  /** Lets the held worker calls go, and holds none after them until told again. */
  release(): void {
    this.holdWorkerAfter = Infinity;
    for (const go of this.held.splice(0)) go();
  }

  async call(name: string, args: unknown[]): Promise<unknown> {
    if (name === "runResearchWorker") {
      this.workerCalls += 1;
      if (this.workerCalls > this.holdWorkerAfter) await new Promise<void>((resolve) => this.held.push(resolve));
    }
    const result = this.rt.run(name, args, { kind: "sidebar" });
    await this.onTime?.(this.rt.clock.now());
    if (result.error) throw new Error(result.error);
    return result.value;
  }
}
