// While the sidebar is open it is the engine of a run: it polls the progress and calls
// runResearchWorker back to back. This module holds that loop without any DOM so it can be tested
// with fake timers: one progress call and one worker call in flight at most.
import type { ResearchProgress } from "../core/wire";

export interface DriverDeps {
  fetchProgress(): Promise<ResearchProgress>;
  runWorker(): Promise<unknown>;
  onProgress(progress: ResearchProgress): void;
  /** A call failed (null clears the previous problem once the same call works again). */
  onProblem(source: "progress" | "worker", error: unknown): void;
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** While a run is active the bar should move. */
export const ACTIVE_POLL_MS = 3000;
/**
 * With no run active a sidebar may stay open all day: a poll a minute keeps it under 200 property
 * reads an hour (Google allows 50,000 a day). A user's action polls at once.
 */
export const IDLE_POLL_MS = 60_000;

/** How long until the next poll, from what the last one said. */
export function pollDelay(progress: ResearchProgress | null): number {
  return progress !== null && progress.running && progress.pause === null ? ACTIVE_POLL_MS : IDLE_POLL_MS;
}
/**
 * After a worker call that did no wave (another execution holds the document lock, or nothing
 * could start yet), the next call waits this long instead of spinning on the lock.
 */
export const IDLE_WORKER_SPACING_MS = 2000;
const WORKER_BACKOFF_FIRST_MS = 5000;
const WORKER_BACKOFF_MAX_MS = 60_000;

/** The add-on's worker reports `waves`; anything else (undefined, another shape) counts as work done. */
export function didNoWave(result: unknown): boolean {
  return typeof result === "object" && result !== null && "waves" in result && result.waves === 0;
}

export class RunDriver {
  private latest: ResearchProgress | null = null;
  private progressInFlight = false;
  private progressAgain = false;
  private workerInFlight = false;
  private nextWorkerAt = 0;
  private workerBackoffMs = 0;
  private pollTimer: unknown = null;
  private workerTimer: unknown = null;
  private stopped = false;

  constructor(private readonly deps: DriverDeps) {}

  start(): void {
    this.stopped = false;
    void this.refresh();
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer !== null) this.deps.clearTimeout(this.pollTimer);
    if (this.workerTimer !== null) this.deps.clearTimeout(this.workerTimer);
    this.pollTimer = this.workerTimer = null;
  }

  /** Fetches progress now (after an action); overlapping requests are folded into one more. */
  async refresh(): Promise<void> {
    if (this.progressInFlight) {
      this.progressAgain = true;
      return;
    }
    this.progressInFlight = true;
    if (this.pollTimer !== null) this.deps.clearTimeout(this.pollTimer);
    this.pollTimer = null;
    try {
      const progress = await this.deps.fetchProgress();
      this.latest = progress;
      this.deps.onProblem("progress", null);
      this.deps.onProgress(progress);
    } catch (error) {
      this.deps.onProblem("progress", error);
    } finally {
      this.progressInFlight = false;
    }
    if (this.stopped) return;
    if (this.progressAgain) {
      this.progressAgain = false;
      void this.refresh();
      return;
    }
    this.pollTimer = this.deps.setTimeout(() => {
      this.pollTimer = null;
      void this.refresh();
    }, pollDelay(this.latest));
    this.driveWorker();
  }

  private shouldRunWorker(): boolean {
    const p = this.latest;
    // Another user's run is theirs to drive: this sidebar only watches it.
    return !this.stopped && p !== null && p.running && p.pause === null && p.ownedBy === "";
  }

  private driveWorker(): void {
    if (this.workerInFlight || !this.shouldRunWorker()) return;
    const wait = this.nextWorkerAt - this.deps.now();
    if (wait > 0) {
      if (this.workerTimer === null) {
        this.workerTimer = this.deps.setTimeout(() => {
          this.workerTimer = null;
          this.driveWorker();
        }, wait);
      }
      return;
    }
    void this.runWorkerOnce();
  }

  private async runWorkerOnce(): Promise<void> {
    this.workerInFlight = true;
    const startedAt = this.deps.now();
    try {
      // Any result means "call again if the run still runs": the next progress decides.
      const result = await this.deps.runWorker();
      this.workerBackoffMs = 0;
      this.nextWorkerAt = didNoWave(result) ? startedAt + IDLE_WORKER_SPACING_MS : 0;
      this.deps.onProblem("worker", null);
    } catch (error) {
      // A worker that throws (killed at 6 minutes, a server bug) is retried, but not in a tight loop.
      this.workerBackoffMs = Math.min(WORKER_BACKOFF_MAX_MS, this.workerBackoffMs > 0 ? this.workerBackoffMs * 2 : WORKER_BACKOFF_FIRST_MS);
      this.nextWorkerAt = this.deps.now() + this.workerBackoffMs;
      this.deps.onProblem("worker", error);
    } finally {
      this.workerInFlight = false;
    }
    if (!this.stopped) await this.refresh();
  }
}
