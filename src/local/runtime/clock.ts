/** The virtual clock of a runtime: `Date` inside scripts, trigger due times and every latency read it. */
export class VirtualClock {
  #now: number;

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock can only move forward, got ${ms}`);
    this.#now += ms;
  }

  /** Moves forward to `at`; a time in the past leaves the clock where it is. */
  advanceTo(at: number): void {
    if (at > this.#now) this.#now = at;
  }
}
