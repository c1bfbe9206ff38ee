// The sidebar's wording and number formats, without a browser.
import { describe, expect, it } from "vitest";
import { didNoWave } from "../../src/sidebar/driver";
import { formatAge, formatDuration, formatTokens, formatUsd, runPhase } from "../../src/sidebar/format";
import { progress } from "./progress-fixture";

describe("sidebar formats", () => {
  it("formats durations, dollars and tokens", () => {
    expect(formatDuration(7.4)).toBe("7 s");
    expect(formatDuration(245)).toBe("4 min 05 s");
    expect(formatDuration(3 * 3600 + 7 * 60)).toBe("3 h 07 min");
    expect(formatDuration(-5)).toBe("0 s");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(0.019)).toBe("$0.019");
    expect(formatUsd(12.5)).toBe("$12.50");
    expect(formatTokens(950)).toBe("950");
    expect(formatTokens(48_200)).toBe("48k");
    expect(formatTokens(1_250_000)).toBe("1.3M");
  });

  it("says how old a cache entry is", () => {
    const now = Date.UTC(2026, 10, 26, 12);
    expect(formatAge(now - 3_600_000, now)).toBe("today");
    expect(formatAge(now - 30 * 3_600_000, now)).toBe("yesterday");
    expect(formatAge(now - 45 * 86_400_000, now)).toBe("45 days ago");
  });

  it("takes the phase from the typed pause and the run flag, not from the message", () => {
    expect(runPhase(progress())).toBe("idle");
    expect(runPhase(progress({ total: 3, queued: 3, running: true }))).toBe("running");
    expect(runPhase(progress({ total: 3, done: 3 }))).toBe("finished");
    expect(runPhase(progress({ total: 3, paused: 3, pause: { kind: "dailyQuota" }, message: "" }))).toBe("paused");
    expect(runPhase(progress({ total: 3, done: 3, message: "Paused: budget reached" }))).toBe("finished");
  });

  it("reads a worker report that did no wave", () => {
    expect(didNoWave({ status: "busy", waves: 0, written: 0 })).toBe(true);
    expect(didNoWave({ status: "continuing", waves: 3, written: 12 })).toBe(false);
    expect(didNoWave(undefined)).toBe(false);
    expect(didNoWave(null)).toBe(false);
  });
});
