import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunEstimate } from "../../src/core/wire";
import { consent, estimateLines, maximumCostUsd } from "../../src/local/demo/estimate";
import { readLine } from "../../src/local/demo/terminal";

const estimate = (over: Partial<RunEstimate> = {}): RunEstimate => ({
  rows: 12,
  companies: 10,
  cached: 3,
  cachedNoData: 1,
  judgeOnly: 2,
  research: 4,
  costUsd: 4 * 0.02 + 2 * 0.004,
  seconds: 30,
  budgetUsd: null,
  confirmAboveUsd: 0,
  ...over,
});

describe("the estimate on the terminal", () => {
  it("counts every company that searches at its three searches for the maximum", () => {
    // 4 new companies and 2 judged again may each search twice more, at a full research each.
    expect(maximumCostUsd(estimate(), 0.02)).toBeCloseTo(0.088 + 6 * 2 * 0.02, 10);
    expect(maximumCostUsd(estimate({ research: 0, judgeOnly: 0, costUsd: 0 }), 0.02)).toBe(0);
  });

  it("says the companies, the cache, the expected and the maximum cost, and the budget", () => {
    const lines = estimateLines(estimate(), 0.328);
    expect(lines).toEqual([
      "Estimate: 10 companies in 12 rows; 4 answered by the cache at no cost, 4 to research (a web search and an LLM call each), " +
        "2 to judge again from searches already paid for (an LLM call each).",
      "Expected cost $0.0880; at most $0.3280 if every company needs its 2 extra searches.",
      "No budget: set JOB_BUDGET_USD to stop the run when it has spent that many dollars.",
    ]);
    expect(estimateLines(estimate({ budgetUsd: 0.5 }), 0.328)[2]).toBe(
      "Budget $0.5000 (JOB_BUDGET_USD): the run stops when it has spent it.",
    );
  });
});

describe("consent", () => {
  const never = () => {
    throw new Error("must not ask");
  };

  it("goes ahead without asking below the threshold", () => {
    expect(consent(estimate({ confirmAboveUsd: 1 }), { yes: false, ask: never, maximumUsd: 0.3 })).toEqual({ kind: "go", asked: false });
    expect(consent(estimate({ confirmAboveUsd: null }), { yes: false, ask: undefined, maximumUsd: 0.3 })).toEqual({
      kind: "go",
      asked: false,
    });
    // Everything from the cache costs nothing: nothing to ask about.
    expect(consent(estimate({ costUsd: 0 }), { yes: false, ask: never, maximumUsd: 0 })).toEqual({ kind: "go", asked: false });
  });

  it("asks with the maximum, and only yes goes ahead", () => {
    const questions: string[] = [];
    const answer = (text: string) => (q: string) => {
      questions.push(q);
      return text;
    };
    expect(consent(estimate(), { yes: false, ask: answer("y"), maximumUsd: 0.328 })).toEqual({ kind: "go", asked: true });
    expect(consent(estimate(), { yes: false, ask: answer(" YES "), maximumUsd: 0.328 })).toEqual({ kind: "go", asked: true });
    for (const no of ["", "n", "no", "yes please"]) {
      expect(consent(estimate(), { yes: false, ask: answer(no), maximumUsd: 0.328 })).toEqual({ kind: "declined" });
    }
    expect(questions[0]).toBe("Spend up to $0.3280 on this run? [y/N] ");
  });

  it("takes --yes as the answer, and refuses with no terminal to ask on", () => {
    expect(consent(estimate(), { yes: true, ask: undefined, maximumUsd: 0.328 })).toEqual({ kind: "go", asked: true });
    const refused = consent(estimate(), { yes: false, ask: undefined, maximumUsd: 0.328 });
    expect(refused.kind).toBe("refused");
    expect(refused.kind === "refused" && refused.message).toMatch(/may spend up to \$0\.3280 .*not a terminal\. Run it again with --yes/);
  });
});

describe("readLine", () => {
  it("reads one line without its line end, and an empty input as an empty answer", () => {
    const dir = mkdtempSync(join(tmpdir(), "tp-line-"));
    try {
      const file = join(dir, "answer");
      writeFileSync(file, "jä\r\nmore\n");
      const fd = openSync(file, "r");
      expect(readLine(fd)).toBe("jä");
      expect(readLine(fd)).toBe("more");
      expect(readLine(fd)).toBe("");
      closeSync(fd);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
