import { describe, expect, it } from "vitest";
import { assessSoak, soakTargets, type Expectation } from "../../src/local/bench/soak-run";
import { countStates, outputRows, rowState } from "../../src/local/bench/sheet";
import { companyNames } from "../../src/local/bench/companies";

const HEADER = ["Company", "Tier", "Score", "Use Case", "Rationale", "Sources", "Status"];

describe("reading the sheet back", () => {
  it("classifies every Status text the add-on writes", () => {
    expect(
      [
        "Queued",
        "Queued (ignore cache)",
        "Researching",
        "Done",
        "Done (cached)",
        "No reliable data",
        "No reliable data (cached)",
        "Error: x",
        "Cancelled",
        "Paused: budget reached",
        "",
        "?",
      ].map(rowState),
    ).toEqual(["queued", "queued", "researching", "done", "cached", "noData", "noData", "error", "cancelled", "paused", "empty", "other"]);
  });

  it("reads output columns by header and skips empty companies", () => {
    const rows = outputRows([
      HEADER,
      ["Acme", "HOT", 80, "X", "Acme trains.", "https://a\nhttps://b", "Done"],
      ["", "", "", "", "", "", ""],
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ row: 2, company: "Acme", sources: ["https://a", "https://b"], state: "done" });
    expect(countStates(rows).done).toBe(1);
  });

  it("company names are unique and none contains another", () => {
    const names = companyNames(1200);
    expect(new Set(names).size).toBe(1200);
    const a = names[0] ?? "";
    expect(names.filter((n) => n.includes(a))).toEqual([a]);
  });
});

describe("soak assessment", () => {
  const expect_: Expectation = {
    useCaseLabel: (c) => `label of ${c}`,
    pageUrls: (c) => new Set([`https://${c}.example/`]),
    answered: (c) => (c === "Gamma" || c === "Delta" ? 1 : 0),
  };
  const row = (company: string, status: string, owner = company) => [
    company,
    "HOT",
    80,
    `label of ${owner}`,
    `About ${owner}.`,
    `https://${owner}.example/`,
    status,
  ];

  it("counts terminal, done, misplaced and lost rows", () => {
    const rows = outputRows([
      HEADER,
      row("Alpha", "Done"),
      row("Beta", "Done (cached)", "Alpha"),
      row("Gamma", "Error: LLM failed"),
      row("Delta", "Researching"),
      row("Eps", "No reliable data"),
    ]);
    const a = assessSoak(rows, expect_);
    expect(a).toMatchObject({ rows: 5, terminal: 4, done: 2, misplaced: 1, lost: 2 });
    expect(a.problems.map((p) => p.company)).toEqual(["Beta", "Gamma", "Delta"]);
    expect(soakTargets(a).map((t) => t.pass)).toEqual([false, false, false, false]);
  });

  it("passes a clean run", () => {
    const a = assessSoak(outputRows([HEADER, row("Alpha", "Done"), row("Gamma", "Done")]), expect_);
    expect(soakTargets(a).every((t) => t.pass)).toBe(true);
  });
});
