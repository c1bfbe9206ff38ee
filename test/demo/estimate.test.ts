import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunEstimate } from "../../src/core/wire";
import { consent, estimateLines } from "../../src/local/demo/estimate";
import { readLine } from "../../src/local/demo/terminal";

const estimate = (over: Partial<RunEstimate> = {}): RunEstimate => ({
  action: "research",
  rows: 12,
  resumed: 0,
  takenOver: null,
  companies: 10,
  cached: 3,
  cachedNoData: 1,
  judgeOnly: 2,
  research: 4,
  researchAgain: 0,
  costUsd: 4 * 0.02 + 2 * 0.004,
  maximumUsd: 0.328,
  seconds: 30,
  budgetUsd: null,
  confirmAboveUsd: 0,
  columns: [{ sheet: "Sheet1", letter: "B", header: "Company", byHeader: true, names: ["Acme", "Globex"] }],
  columnChoice: null,
  planId: "plan",
  ...over,
});

describe("the estimate on the terminal", () => {
  it("names the column and its first companies, says the cache, the expected and the maximum cost (the add-on's), and the budget", () => {
    const lines = estimateLines(estimate());
    expect(lines).toEqual([
      "Companies from column B “Company”: Acme, Globex.",
      "Estimate: 10 companies in 12 rows; 4 answered by the cache at no cost, 4 to research (a web search and an LLM call each), " +
        "2 to judge again from searches already paid for (an LLM call each).",
      "Expected cost $0.0880; at most $0.3280 if every company needs its 2 extra searches.",
      "No budget: set JOB_BUDGET_USD to stop the run when it has spent that many dollars.",
    ]);
    expect(estimateLines(estimate({ budgetUsd: 0.5 }))[3]).toBe("Budget $0.5000 (JOB_BUDGET_USD): the run stops when it has spent it.");
  });
});

describe("consent", () => {
  const never = () => {
    throw new Error("must not ask");
  };

  it("goes ahead without asking below the threshold", () => {
    expect(consent(estimate({ confirmAboveUsd: 1 }), { yes: false, ask: never })).toEqual({ kind: "go", asked: false });
    expect(consent(estimate({ confirmAboveUsd: null }), { yes: false, ask: undefined })).toEqual({
      kind: "go",
      asked: false,
    });
    // Everything from the cache costs nothing: nothing to ask about.
    expect(consent(estimate({ costUsd: 0, maximumUsd: 0 }), { yes: false, ask: never })).toEqual({ kind: "go", asked: false });
  });

  it("asks with the maximum, and only yes goes ahead", () => {
    const questions: string[] = [];
    const answer = (text: string) => (q: string) => {
      questions.push(q);
      return text;
    };
    expect(consent(estimate(), { yes: false, ask: answer("y") })).toEqual({ kind: "go", asked: true });
    expect(consent(estimate(), { yes: false, ask: answer(" YES ") })).toEqual({ kind: "go", asked: true });
    for (const no of ["", "n", "no", "yes please"]) {
      expect(consent(estimate(), { yes: false, ask: answer(no) })).toEqual({ kind: "declined" });
    }
    expect(questions[0]).toBe("Spend up to $0.3280 on this run? [y/N] ");
  });

  it("takes --yes as the answer, and refuses with no terminal to ask on", () => {
    expect(consent(estimate(), { yes: true, ask: undefined })).toEqual({ kind: "go", asked: true });
    const refused = consent(estimate(), { yes: false, ask: undefined });
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
