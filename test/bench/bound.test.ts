import { describe, expect, it } from "vitest";
import { lastSendMs, lowerBound } from "../../src/local/bench/bound";

describe("lower bound", () => {
  it("lets a full window go at once, then one window per minute", () => {
    expect(lastSendMs(0, 600)).toBe(0);
    expect(lastSendMs(600, 600)).toBe(0);
    expect(lastSendMs(601, 600)).toBe(60_000);
    expect(lastSendMs(1000, 30)).toBe(33 * 60_000);
  });

  it("is the larger of the latency chain and the rate limits", () => {
    const base = { tavilyRpm: 1000, llmRpm: 600, searchLatencyMs: 3000, llmLatencyMs: 2300 };
    expect(lowerBound({ ...base, companies: 10, judged: 10 }).boundMs).toBe(5300);
    const big = lowerBound({ ...base, companies: 1000, judged: 1000 });
    expect(big.llmRateMs).toBe(62_300);
    expect(big.boundMs).toBe(62_300);
    const dev = lowerBound({ ...base, tavilyRpm: 100, llmRpm: 30, companies: 100, judged: 100 });
    expect(dev.boundMs).toBe(3 * 60_000 + 2300);
    // Companies with no evidence never reach the model: only the judged ones count against its limit.
    expect(lowerBound({ ...base, tavilyRpm: 100, llmRpm: 30, companies: 1000, judged: 983 }).llmRateMs).toBe(32 * 60_000 + 2300);
    expect(lowerBound({ ...base, companies: 0, judged: 0 }).boundMs).toBe(0);
    // A model that refuses everything for 40 minutes: its calls all come after the outage.
    expect(lowerBound({ ...base, companies: 100, judged: 98, llmFromMs: 2_400_000 }).boundMs).toBe(2_400_000 + 2300);
  });
});
