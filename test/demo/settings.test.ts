import { describe, expect, it } from "vitest";
import { DemoError } from "../../src/local/demo/errors";
import { liveSettings, moneyLimits } from "../../src/local/demo/settings";

describe("money limits from the environment", () => {
  it("leaves unset limits to the demo and keeps a blank as the add-on's blank (none, never)", () => {
    expect(moneyLimits({})).toEqual({ budget: null, confirmAbove: null });
    expect(moneyLimits({ JOB_BUDGET_USD: "", CONFIRM_ABOVE_USD: " " })).toEqual({ budget: "", confirmAbove: "" });
    expect(moneyLimits({ JOB_BUDGET_USD: " 2.5 ", CONFIRM_ABOVE_USD: "0" })).toEqual({ budget: "2.5", confirmAbove: "0" });
  });

  it.each([
    [{ JOB_BUDGET_USD: "ten" }, 'JOB_BUDGET_USD must be blank (no budget) or a positive number (got "ten")'],
    [{ JOB_BUDGET_USD: "0" }, 'JOB_BUDGET_USD must be blank (no budget) or a positive number (got "0")'],
    [{ CONFIRM_ABOVE_USD: "-1" }, 'CONFIRM_ABOVE_USD must be blank (never ask) or a number of dollars (got "-1")'],
  ])("refuses %j as the add-on's settings page does, as a wrong setting (exit 2)", (env, message) => {
    let error: unknown;
    try {
      moneyLimits(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DemoError);
    expect((error as DemoError).message).toBe(`${message}. Fix it in your environment and run again.`);
    expect((error as DemoError).exitCode).toBe(2);
  });
});

describe("live settings", () => {
  it("is offline without both keys, and refuses a base URL the add-on would refuse", () => {
    expect(liveSettings({ TAVILY_API_KEY: "tvly-1" })).toBeNull();
    expect(() => liveSettings({ TAVILY_API_KEY: "t", LLM_API_KEY: "l", LLM_BASE_URL: "http://llm.example/v1" })).toThrow(
      /^LLM_BASE_URL .*\(got "http:\/\/llm\.example\/v1"\)\. Fix it in your environment and run again\.$/,
    );
  });
});
