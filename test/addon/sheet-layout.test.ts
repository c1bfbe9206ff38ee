import { describe, expect, it } from "vitest";
import {
  describeClashes,
  holdsOnlyOutputWords,
  planOwnedColumns,
  readColumnTags,
  scoreNote,
  sourceLinks,
  untaggedOutputBlock,
} from "../../src/core/run/sheet-layout";
import type { ResearchResult } from "../../src/core/types";

const emptyBelow = (columns: number[]) => (column: number) => columns.includes(column);

describe("columns an earlier version wrote without tags", () => {
  it("are the six output headers side by side, in order", () => {
    expect(untaggedOutputBlock(["Company", "Tier", "Score", "Use Case", "Rationale", "Sources", "Status", "Notes"])).toBe(2);
    expect(untaggedOutputBlock(["Company", "Tier", "Score", "Use Case", "Rationale", "Status", "Sources"])).toBeNull();
    expect(untaggedOutputBlock(["Company", "Owner", "Status", "Score"])).toBeNull();
  });

  it("hold only tiers and the add-on's statuses, and at least one status", () => {
    expect(holdsOnlyOutputWords(["HOT", "", "UNKNOWN"], ["Done", "Error: x", "No reliable data"])).toBe(true);
    expect(holdsOnlyOutputWords(["HOT"], ["Qualified"])).toBe(false);
    expect(holdsOnlyOutputWords(["Gold"], ["Done"])).toBe(false);
    expect(holdsOnlyOutputWords(["", ""], ["", ""])).toBe(false);
  });
});

describe("column tags", () => {
  it("an output tagged on two columns is a clash, taken from neither; a tag repeated on one column is not", () => {
    const tags = [
      { value: "Tier", column: 5 },
      { value: "Tier", column: 2 },
      { value: "Score", column: 6 },
      { value: "Score", column: 6 },
      { value: "Status", column: 10 },
      { value: "Something else", column: 3 },
      { value: null, column: 4 },
    ];
    expect(readColumnTags(tags)).toEqual({ tagged: { Score: 6, Status: 10 }, clashes: [{ name: "Tier", columns: [2, 5] }] });
  });

  it("names clashing columns by letter and short header, a few per output, so the pause fits its property", () => {
    const clashes = [{ name: "Tier" as const, columns: Array.from({ length: 500 }, (_, i) => i + 1) }];
    const header = Array.from({ length: 500 }, (_, i) => `Header ${i + 1} ${"x".repeat(100)}\u202e`);
    const reason = describeClashes("Sheet ".repeat(30), clashes, header);
    expect(reason.clashes[0]?.columns).toHaveLength(4);
    expect(reason.clashes[0]?.columns[1]).toEqual({ letter: "B", header: `Header 2 ${"x".repeat(30)}…` });
    expect(JSON.stringify(reason).length).toBeLessThan(600);
  });
});

describe("planOwnedColumns", () => {
  it("appends after the last used column, not the last header, and suffixes names a user's column holds", () => {
    // A CRM export with its own Status and Score, and unlabelled data in F and G.
    const plan = planOwnedColumns({
      header: ["Company", "Owner", "Status", "Score", "Notes", "", ""],
      lastColumn: 7,
      tagged: {},
      mayAdopt: emptyBelow([]),
    });
    expect(plan.adopted).toEqual([]);
    expect(plan.appended).toEqual([
      { name: "Tier", column: 8, header: "Tier" },
      { name: "Score", column: 9, header: "Score (Territory Planner)" },
      { name: "Use Case", column: 10, header: "Use Case" },
      { name: "Rationale", column: 11, header: "Rationale" },
      { name: "Sources", column: 12, header: "Sources" },
      { name: "Status", column: 13, header: "Status (Territory Planner)" },
    ]);
  });

  it("adopts a matching header only when nothing is below it, ignoring case and surrounding spaces", () => {
    const plan = planOwnedColumns({
      header: ["Company", " tier ", "Score", "STATUS"],
      lastColumn: 4,
      tagged: {},
      mayAdopt: emptyBelow([2, 4]),
    });
    expect(plan.adopted).toEqual([
      { name: "Tier", column: 2 },
      { name: "Status", column: 4 },
    ]);
    expect(plan.appended.map((a) => [a.name, a.column, a.header])).toEqual([
      ["Score", 5, "Score (Territory Planner)"],
      ["Use Case", 6, "Use Case"],
      ["Rationale", 7, "Rationale"],
      ["Sources", 8, "Sources"],
    ]);
  });

  it("keeps tagged columns wherever they moved, whatever their header says now", () => {
    const tagged = { Tier: 9, Score: 2, "Use Case": 3, Rationale: 4, Sources: 5, Status: 7 };
    const plan = planOwnedColumns({
      header: ["Company", "Points", "x", "y", "z", "Tier", "Stage"],
      lastColumn: 9,
      tagged,
      mayAdopt: () => true,
    });
    expect(plan.columns).toEqual(tagged);
    expect(plan.adopted).toEqual([]);
    expect(plan.appended).toEqual([]);
  });
});

describe("presentation text", () => {
  const result: ResearchResult = {
    tier: "HOT",
    score: 97,
    useCase: "Frontier pre-training",
    rationale: "r",
    sources: [],
    model: "llama-3.3",
    profile: "gpu-infrastructure",
    classifiedAt: Date.UTC(2026, 0, 5, 9),
    breakdown: { useCaseClass: "S", useCase: 50, second: 30, growth: 7, confidence: 10 },
  };

  it("explains a score as the sum of its parts, with profile, model, date and what each tier means", () => {
    expect(scoreNote(result).split("\n")).toEqual([
      "Use case S 50 + Budget 30 + Growth 7 + Confidence 10 = 97",
      "Profile: gpu-infrastructure",
      "Model: llama-3.3",
      "Researched: 2026-01-05",
      "Tiers: HOT 75+ (needs a lot of GPU compute, call first), WARM 55+ (a real GPU need, worth a call), " +
        "WATCH 35+ (some AI work but little GPU need yet, keep an eye on it), COLD under 35 (little or no GPU need).",
    ]);
    // The legend follows the profile the row was scored with.
    expect(scoreNote({ ...result, profile: "managed-inference" })).toContain("HOT 75+ (runs AI at scale, call first)");
    expect(scoreNote({ ...result, profile: "managed-inference" })).toMatch(/^Use case S 50 \+ Adoption 30 \+/);
    expect(scoreNote({ ...result, breakdown: undefined }).split("\n")[0]).toBe("Profile: gpu-infrastructure");
    // A model name read back from an edited cache row shows as one plain line.
    expect(scoreNote({ ...result, model: "model\u202e-a\nInjected: line" }).split("\n")).toContain("Model: model-a Injected: line");
  });

  it("links each http or https line of a Sources cell, and nothing else", () => {
    const text =
      'https://a.example/x\njavascript:alert(1)\n=HYPERLINK("http://e")\nhttp://b.example\nhttps://c.example/\u0000x\nhttps://d.example y';
    const links = sourceLinks(text);
    expect(links.map((l) => [text.slice(l.start, l.end), l.url])).toEqual([
      ["https://a.example/x", "https://a.example/x"],
      ["http://b.example", "http://b.example"],
    ]);
  });
});
