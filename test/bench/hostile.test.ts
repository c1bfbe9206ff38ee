// The hostile-provider scenarios of npm run bench at a tenth of their size, on the built add-on.
import { describe, expect, it } from "vitest";
import type { ExecutionRecord } from "../../src/local/drive";
import { hostileScenarios, hostileTargets, lostToKills, runHostile } from "../../src/local/bench/hostile";
import { makeLocalRuntime } from "../../src/local/bench/local-runtime";

const [outOfCredit, storm, devKeys, faults] = hostileScenarios(0.1);
const run = (scenario: typeof outOfCredit) => {
  if (!scenario) throw new Error("scenario missing");
  return runHostile(makeLocalRuntime, scenario);
};

describe("hostile providers (a tenth of the bench's companies)", () => {
  it("LLM out of credit from the first call: pauses at once, each company searched once, credits reported as billed", () => {
    const f = run(outOfCredit);
    expect(f.outcome).toBe("paused");
    expect(f.pause?.message).toMatch(/LLM account out of credit/);
    expect(f.firstSearches).toBe(f.companies);
    expect(f.creditsReported).toBe(f.creditsBilled);
    expect(f.tokensBilled).toBe(0);
    expect(f.wallMs).toBeLessThan(60_000);
  });

  it("LLM 429 with Retry-After 600 for 40 minutes: pauses, is resumed after the outage and ends, nothing paid twice", () => {
    const f = run(storm);
    expect(f.pause?.message).toMatch(/refused every request for 15 minutes/);
    expect(f.resumed).toBe(true);
    expect(f.outcome).toBe("ended");
    expect(f.firstSearches).toBe(f.companies);
    expect([f.creditsReported, f.tokensReported]).toEqual([f.creditsBilled, f.tokensBilled]);
    expect(f.rows.done + f.rows.noData).toBe(f.companies);
    expect(f.wallMs).toBeGreaterThanOrEqual(40 * 60_000);
  });

  it("development-key limits: ends near the bound with exact billing", () => {
    const f = run(devKeys);
    expect(f.outcome).toBe("ended");
    expect(f.firstSearches).toBe(f.companies);
    expect([f.creditsReported, f.tokensReported]).toEqual([f.creditsBilled, f.tokensBilled]);
    expect(f.ratio).not.toBeNull();
    expect(f.ratio ?? Infinity).toBeLessThanOrEqual(1.15);
  });

  it("random 429/5xx with kills: ends, and reports all it was billed but the answers its killed executions never saw", () => {
    const f = run(faults);
    expect(f.outcome).toBe("ended");
    expect(f.kills).toBeGreaterThan(0);
    expect(f.rows.queued + f.rows.researching + f.rows.paused).toBe(0);
    // A first query is paid again only when a kill cut off its answer (a no-data company's re-search
    // chain goes on where the kill left it).
    expect(f.firstSearches - f.firstSearchesLostToKills).toBe(f.companies);
    expect(f.creditsReported).toBe(f.creditsBilled - f.creditsInFlightAtKills);
    expect(f.tokensReported).toBe(f.tokensBilled - f.tokensInFlightAtKills);
    const [, credits, tokens, running] = hostileTargets([f]);
    expect([credits?.pass, tokens?.pass, running?.pass]).toEqual([true, true, true]);
  });
});

describe("lostToKills", () => {
  const execution = (startedAt: number, endedAt: number, killed: boolean): ExecutionRecord => ({
    fn: "runResearchWorker",
    kind: "sidebar",
    killAt: killed ? endedAt : null,
    stats: {} as ExecutionRecord["stats"],
    result: { value: null, error: null, killed, startedAt, endedAt, elapsedMs: endedAt - startedAt },
  });
  it("keeps only answers sent by a killed execution that came back after the kill", () => {
    const charges = [
      { sentAt: 100, answeredAt: 900, amount: 2 }, // back before the kill at 1,000
      { sentAt: 500, answeredAt: 3500, amount: 3 }, // in flight at the kill
      { sentAt: 1500, answeredAt: 4500, amount: 5 }, // sent by the next, healthy execution
    ];
    expect(lostToKills(charges, [execution(0, 1000, true), execution(1000, 6000, false)]).map((c) => c.amount)).toEqual([3]);
  });

  it("counts an answer back less than one service call before the kill as lost: no add-on could keep it", () => {
    const charges = [
      { sentAt: 100, answeredAt: 997, amount: 2 }, // back 3 ms before the kill at 1,000: no call fits
      { sentAt: 200, answeredAt: 990, amount: 3 }, // back 10 ms before: a call could have kept it
    ];
    expect(lostToKills(charges, [execution(0, 1000, true)]).map((c) => c.amount)).toEqual([2]);
    expect(lostToKills(charges, [execution(0, 1000, true)], charges, 0)).toEqual([]);
  });

  it("counts an answer back before the kill as lost when another answer of the same fetchAll was not", () => {
    const searches = [{ sentAt: 100, answeredAt: 900, amount: 2 }];
    const completions = [{ sentAt: 100, answeredAt: 2500, amount: 4000 }];
    const executions = [execution(0, 1000, true)];
    expect(lostToKills(searches, executions, [...searches, ...completions]).map((c) => c.amount)).toEqual([2]);
    expect(lostToKills(searches, executions)).toEqual([]);
  });
});
