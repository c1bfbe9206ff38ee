// The sidebar's wording and number formats, without a browser.
import { describe, expect, it } from "vitest";
import { didNoWave } from "../../src/sidebar/driver";
import { formatDuration, formatTokens, formatUsd, pauseAdvice } from "../../src/sidebar/format";

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

  it("turns pause reasons into advice", () => {
    expect(pauseAdvice("Paused: LLM API key rejected")).toMatchObject({ kind: "key", title: "The LLM API key was rejected", offerSettings: true });
    expect(pauseAdvice("Paused: budget reached")).toMatchObject({ kind: "budget", offerSettings: true });
    expect(pauseAdvice("Paused: Tavily plan limit reached (432)")).toMatchObject({ kind: "quota", offerSettings: false });
    expect(pauseAdvice("Paused: Tavily plan limit reached (432)").advice).toContain("billing month");
    expect(pauseAdvice("Paused: maintenance")).toMatchObject({ kind: "other", title: "The run is paused" });
  });

  it("reads a worker report that did no wave", () => {
    expect(didNoWave({ status: "busy", waves: 0, written: 0 })).toBe(true);
    expect(didNoWave({ status: "continuing", waves: 3, written: 12 })).toBe(false);
    expect(didNoWave(undefined)).toBe(false);
    expect(didNoWave(null)).toBe(false);
  });
});
