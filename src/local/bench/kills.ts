// When to kill executions in the soak: `kills` executions, each at a random instant (seeded), spread
// over the work so that the run still has work left when the last kill lands.
import { createPrng } from "../providers";

export interface KillPlannerOptions {
  kills: number;
  seed: number;
  /** Virtual ms of worker time per finished row assumed before any has been measured. */
  initialMsPerRow?: number;
}

export class KillPlanner {
  private readonly random: () => number;
  private readonly total: number;
  private done = 0;
  private workerMs = 0;
  private rowsFinished = 0;
  private readonly initialMsPerRow: number;

  constructor(options: KillPlannerOptions) {
    this.random = createPrng(options.seed);
    this.total = options.kills;
    this.initialMsPerRow = options.initialMsPerRow ?? 300;
  }

  get killed(): number {
    return this.done;
  }

  private msPerRow(): number {
    return this.rowsFinished > 0 ? Math.max(1, this.workerMs / this.rowsFinished) : this.initialMsPerRow;
  }

  /**
   * The kill instant for an execution starting at `startAt` while `remainingRows` are unfinished, or
   * undefined when every kill has been spent. The instant is uniform over twice the time the
   * remaining rows' fair share takes, so kills spread across the run instead of piling up at its
   * start, and instants near 0 (killed while starting up) happen too.
   */
  plan(startAt: number, remainingRows: number): number | undefined {
    if (this.done >= this.total || remainingRows <= 0) return undefined;
    const killsLeft = this.total - this.done;
    const spanMs = (2 * remainingRows * this.msPerRow()) / (killsLeft + 1);
    return startAt + Math.floor(this.random() * spanMs);
  }

  /** Learns from a finished (or killed) worker execution. */
  observe(execution: { killed: boolean; elapsedMs: number; rowsFinished: number }): void {
    if (execution.killed) this.done += 1;
    this.workerMs += execution.elapsedMs;
    this.rowsFinished += Math.max(0, execution.rowsFinished);
  }
}
