// The pages' only way to the server, without a browser: a google.script.run stand-in on globalThis.
import { afterEach, describe, expect, it } from "vitest";
import { call } from "../../src/sidebar/bridge";
import { progress } from "./progress-fixture";

type Handler = (...args: unknown[]) => Promise<unknown>;

/** google.script.run as Google shapes it: handlers set per runner, only the given names callable. */
function installRunner(functions: Record<string, Handler>): void {
  const make = (success: ((v: unknown) => void) | null, failure: ((e: unknown) => void) | null): Record<string, unknown> => {
    const runner: Record<string, unknown> = {
      withSuccessHandler: (fn: (v: unknown) => void) => make(fn, failure),
      withFailureHandler: (fn: (e: unknown) => void) => make(success, fn),
    };
    for (const [name, fn] of Object.entries(functions)) {
      runner[name] = (...args: unknown[]) => {
        fn(...args).then(
          (value) => success?.(JSON.parse(JSON.stringify(value ?? null))),
          (error) => failure?.(error),
        );
      };
    }
    return runner;
  };
  (globalThis as { google?: unknown }).google = { script: { run: make(null, null) } };
}

afterEach(() => {
  delete (globalThis as { google?: unknown }).google;
});

describe("bridge", () => {
  it("parses a result and passes the arguments through", async () => {
    let seen: unknown[] = [];
    installRunner({
      selectRow: async (...args) => {
        seen = args;
        return { ok: true, message: "Selected row 4 of Leads.", queued: 0 };
      },
    });
    expect(await call("selectRow", "Leads", 4, "Acme")).toEqual({ ok: true, message: "Selected row 4 of Leads.", queued: 0 });
    expect(seen).toEqual(["Leads", 4, "Acme"]);
  });

  it("refuses progress it cannot read, saying where", async () => {
    installRunner({ getResearchProgress: async () => ({ ...progress(), total: "many" }) });
    await expect(call("getResearchProgress")).rejects.toThrow(/data this page cannot read at total/);
  });

  it("says so when the add-on lacks the function, or the page is outside Sheets", async () => {
    installRunner({});
    await expect(call("cancelResearch")).rejects.toThrow("The add-on has no function cancelResearch");
    delete (globalThis as { google?: unknown }).google;
    await expect(call("cancelResearch")).rejects.toThrow("only works inside Google Sheets");
  });

  it("passes on the server's own failure text", async () => {
    installRunner({
      runResearchWorker: async () => {
        throw new Error("Exceeded maximum execution time");
      },
    });
    await expect(call("runResearchWorker")).rejects.toThrow("Exceeded maximum execution time");
  });

  it("keeps at most 10 calls in flight, as google.script.run allows; the rest wait their turn", async () => {
    let inFlight = 0;
    let most = 0;
    const release: Array<() => void> = [];
    installRunner({
      getCacheStats: () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        return new Promise((resolve) =>
          release.push(() => {
            inFlight -= 1;
            resolve({ companies: 0, noData: 0, unjudged: 0, oldestAt: 0, cells: 0, cellLimit: 1 });
          }),
        );
      },
    });
    const calls = Array.from({ length: 25 }, () => call("getCacheStats"));
    for (let i = 0; i < 25; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      release.shift()?.();
    }
    await Promise.all(calls);
    expect(most).toBe(10);
  });
});
