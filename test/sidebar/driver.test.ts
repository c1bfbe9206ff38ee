// The sidebar's run loop and polling schedule, on fake timers: no browser, no real waiting.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ACTIVE_POLL_MS, IDLE_POLL_MS, IDLE_WORKER_SPACING_MS, RunDriver, pollDelay } from "../../src/sidebar/driver";
import type { ResearchProgress } from "../../src/core/wire";
import { progress } from "./progress-fixture";

/** A server whose calls take `latencyMs` of (fake) time, and counts what the page asked. */
class FakeServer {
  current: ResearchProgress;
  latencyMs = 200;
  calls = { progress: 0, worker: 0 };
  inFlight = { progress: 0, worker: 0 };
  maxInFlight = { progress: 0, worker: 0 };
  /** What a worker call does to the state, or throws. */
  onWorker: (server: FakeServer) => unknown = (server) => {
    const left = server.current.queued - 1;
    server.current = { ...server.current, queued: Math.max(0, left), done: server.current.done + 1, running: left > 0 };
    return { status: left > 0 ? "continuing" : "finished", waves: 1, written: 1 };
  };
  problems: Array<[string, unknown]> = [];
  shown: ResearchProgress[] = [];

  constructor(initial: ResearchProgress) {
    this.current = initial;
  }

  private async timed<T>(kind: "progress" | "worker", work: () => T): Promise<T> {
    this.calls[kind] += 1;
    this.inFlight[kind] += 1;
    this.maxInFlight[kind] = Math.max(this.maxInFlight[kind], this.inFlight[kind]);
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    this.inFlight[kind] -= 1;
    return work();
  }

  driver(): RunDriver {
    return new RunDriver({
      fetchProgress: () => this.timed("progress", () => this.current),
      runWorker: () => this.timed("worker", () => this.onWorker(this)),
      onProgress: (p) => this.shown.push(p),
      onProblem: (source, error) => {
        if (error !== null) this.problems.push([source, error]);
      },
      now: () => Date.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    });
  }
}

const running = (queued: number) => progress({ total: queued, queued, running: true, startedAt: 1 });

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("polling schedule", () => {
  it("polls every few seconds only while a run is active", () => {
    expect(pollDelay(running(5))).toBe(ACTIVE_POLL_MS);
    expect(ACTIVE_POLL_MS).toBeLessThanOrEqual(5000);
    expect(pollDelay(progress())).toBe(IDLE_POLL_MS);
    expect(pollDelay(progress({ total: 4, done: 4 }))).toBe(IDLE_POLL_MS);
    expect(pollDelay({ ...running(5), running: false, pause: { kind: "budget" }, isPaused: true })).toBe(IDLE_POLL_MS);
    expect(pollDelay(null)).toBe(IDLE_POLL_MS);
  });

  it("an idle sidebar open for an hour polls about once a minute", async () => {
    const server = new FakeServer(progress());
    const driver = server.driver();
    driver.start();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    driver.stop();
    // Two property reads a poll: far under 200 reads an idle hour.
    expect(server.calls.progress).toBeGreaterThanOrEqual(59);
    expect(server.calls.progress).toBeLessThanOrEqual(61);
    expect(server.calls.worker).toBe(0);
  });

  it("polls at once after the user acts, then goes back to the idle pace", async () => {
    const server = new FakeServer(progress());
    const driver = server.driver();
    driver.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.calls.progress).toBe(1);
    void driver.refresh();
    await vi.advanceTimersByTimeAsync(server.latencyMs);
    expect(server.calls.progress).toBe(2);
    await vi.advanceTimersByTimeAsync(IDLE_POLL_MS - 1000);
    expect(server.calls.progress).toBe(2);
    await vi.advanceTimersByTimeAsync(1000 + server.latencyMs);
    expect(server.calls.progress).toBe(3);
    driver.stop();
  });

  it("folds overlapping refreshes into one more call", async () => {
    const server = new FakeServer(progress());
    const driver = server.driver();
    driver.start();
    void driver.refresh();
    void driver.refresh();
    await vi.advanceTimersByTimeAsync(3 * server.latencyMs);
    expect(server.calls.progress).toBe(2);
    expect(server.maxInFlight.progress).toBe(1);
    driver.stop();
  });
});

describe("RunDriver", () => {
  it("drives the worker back to back, one call at a time, until the run ends; then leaves it alone", async () => {
    const server = new FakeServer(running(10));
    const driver = server.driver();
    driver.start();
    // Each step: one worker call then one progress call, 200 ms each.
    await vi.advanceTimersByTimeAsync(10 * 2 * server.latencyMs + server.latencyMs);
    expect(server.current.running).toBe(false);
    expect(server.shown.at(-1)?.done).toBe(10);
    expect(server.calls.worker).toBe(10);
    expect(server.maxInFlight.worker).toBe(1);
    expect(server.maxInFlight.progress).toBe(1);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(server.calls.worker).toBe(10);
    expect(server.calls.progress).toBeLessThanOrEqual(11 + 11);
    driver.stop();
  });

  it("sends no worker call while the run is paused, and resumes when the progress says so", async () => {
    const server = new FakeServer({
      ...running(3),
      running: false,
      pause: { kind: "keyRejected", service: "tavily" },
      isPaused: true,
      paused: 3,
      queued: 0,
    });
    const driver = server.driver();
    driver.start();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(server.calls.worker).toBe(0);
    server.current = running(3);
    void driver.refresh();
    await vi.advanceTimersByTimeAsync(10 * server.latencyMs);
    expect(server.calls.worker).toBe(3);
    driver.stop();
  });

  it("only watches another user's run: progress polls, no worker call", async () => {
    const server = new FakeServer({ ...running(5), ownedBy: "ana@example.com" });
    const driver = server.driver();
    driver.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.calls.worker).toBe(0);
    expect(server.calls.progress).toBeGreaterThanOrEqual(9);
    driver.stop();
  });

  it("spaces worker calls that did no wave (another execution holds the lock)", async () => {
    const server = new FakeServer(running(10));
    server.onWorker = () => ({ status: "busy", waves: 0, written: 0 });
    const driver = server.driver();
    driver.start();
    await vi.advanceTimersByTimeAsync(10_000);
    // Back to back would be 25 calls in 10 s; spaced, one per IDLE_WORKER_SPACING_MS.
    expect(server.calls.worker).toBeGreaterThanOrEqual(Math.floor(10_000 / IDLE_WORKER_SPACING_MS) - 1);
    expect(server.calls.worker).toBeLessThanOrEqual(Math.ceil(10_000 / IDLE_WORKER_SPACING_MS));
    driver.stop();
  });

  it("backs off a failing worker (5 s, then doubling), reports it, and clears the report once it works", async () => {
    const server = new FakeServer(running(10));
    let fail = true;
    const times: number[] = [];
    server.onWorker = (s) => {
      times.push(Date.now());
      if (fail) throw new Error("Exceeded maximum execution time");
      s.current = { ...s.current, queued: 0, done: 10, running: false };
      return { waves: 1 };
    };
    const cleared: string[] = [];
    const driver = new RunDriver({
      fetchProgress: async () => server.current,
      runWorker: async () => server.onWorker(server),
      onProgress: () => undefined,
      onProblem: (source, error) => (error === null ? cleared.push(source) : server.problems.push([source, error])),
      now: () => Date.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    });
    driver.start();
    await vi.advanceTimersByTimeAsync(16_000);
    expect(times.length).toBe(3);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(5000);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(10_000);
    expect(server.problems.filter(([source]) => source === "worker").length).toBe(3);
    fail = false;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(server.current.running).toBe(false);
    expect(cleared).toContain("worker");
    driver.stop();
  });

  it("reports a progress call that fails and keeps polling", async () => {
    const server = new FakeServer(running(2));
    let broken = true;
    const driver = new RunDriver({
      fetchProgress: async () => {
        if (broken) throw new Error("Service unavailable");
        return server.current;
      },
      runWorker: async () => ({ waves: 0 }),
      onProgress: (p) => server.shown.push(p),
      onProblem: (source, error) => {
        if (error !== null) server.problems.push([source, error]);
      },
      now: () => Date.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    });
    driver.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(server.problems[0]?.[0]).toBe("progress");
    broken = false;
    await vi.advanceTimersByTimeAsync(IDLE_POLL_MS);
    expect(server.shown.length).toBeGreaterThan(0);
    driver.stop();
  });
});
