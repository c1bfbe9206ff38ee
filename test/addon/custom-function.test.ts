import { describe, expect, it } from "vitest";
import { companyKey } from "../../src/core/company-key";
import type { Profile } from "../../src/core/types";
import { companyRows, driveWithSidebar, ok, progress, setup, table } from "./harness";

function researchAll(names: string[]) {
  const harness = setup({ rows: companyRows(names) });
  harness.rt.spreadsheet.setSelection("Sheet1", [`A2:A${names.length + 1}`]);
  ok(harness.rt.run("researchSelectedRows"));
  driveWithSidebar(harness.rt);
  harness.tavily.reset();
  harness.llm.reset();
  return harness;
}

describe("=TERRITORY_TIER", () => {
  it("answers a researched company from the cache sheet with no fetch, for every field", () => {
    const { rt } = researchAll(["Cohere", "Runway"]);
    const row = table(rt)[0] ?? {};
    rt.stats.reset();
    const tier = rt.run("TERRITORY_TIER", ["Cohere"], { kind: "customFunction" });
    expect(tier.error).toBeNull();
    expect(tier.value).toBe(row["Tier"]);
    expect(rt.run("TERRITORY_TIER", ["cohere inc", "score"], { kind: "customFunction" }).value).toBe(row["Score"]);
    expect(rt.run("TERRITORY_TIER", ["Cohere", "Use Case"], { kind: "customFunction" }).value).toBe(row["Use Case"]);
    expect(rt.run("TERRITORY_TIER", ["Cohere", "rationale"], { kind: "customFunction" }).value).toBe(row["Rationale"]);
    expect(rt.run("TERRITORY_TIER", ["Cohere", "sources"], { kind: "customFunction" }).value).toBe(row["Sources"]);
    expect(rt.run("TERRITORY_TIER", ["Cohere", "status"], { kind: "customFunction" }).value).toBe("Done");
    expect(String(rt.run("TERRITORY_TIER", ["Cohere", "colour"], { kind: "customFunction" }).value)).toMatch(/^Unknown field/);
    expect(rt.stats.urlFetch.requests).toBe(0);
    expect(tier.elapsedMs).toBeLessThan(1_000);
  });

  it("answers a 500-row range in one call from the cache only", () => {
    // Researched end to end: 5 companies, whose cache rows (written by the add-on) then stand for
    // 500, each under its own name and key; researching all 500 would only repeat the same work.
    const seeds = Array.from({ length: 5 }, (_, i) => `Range Company ${i + 1}`);
    const { rt } = researchAll(seeds);
    const seedTiers = table(rt).map((r) => r["Tier"]);
    const cache = rt.spreadsheet.getSheetByName("_territory_cache");
    if (!cache) throw new Error("no cache sheet");
    const [header = [], ...seedRows] = cache.dump();
    expect(seedRows).toHaveLength(5);
    expect(header.slice(0, 4)).toEqual(["key", "profile", "company", "domain"]);
    const names = Array.from({ length: 500 }, (_, i) => `Range Company ${i + 1}`);
    const rows = names.map((name, i) => {
      const row = [...(seedRows[i % 5] ?? [])];
      row[0] = companyKey(String(row[1]) as Profile, name, null);
      row[2] = name;
      return row;
    });
    cache.load([header, ...rows]);
    const tiers = names.map((_, i) => [seedTiers[i % 5]]);
    rt.stats.reset();
    const column = [...names.map((n) => [n]), ["Never Researched Ltd"], [""]];
    const result = rt.run("TERRITORY_TIER", [column], { kind: "customFunction" });
    expect(result.error).toBeNull();
    const values = result.value as unknown[][];
    expect(values).toHaveLength(502);
    expect(values.slice(0, 500)).toEqual(tiers);
    expect(String(values[500]?.[0])).toMatch(/^Not researched yet/);
    expect(values[501]).toEqual([""]);
    expect(rt.stats.urlFetch.requests).toBe(0);
    expect(result.elapsedMs).toBeLessThan(5_000);
  });

  it("looks up a new company live within 30 s, then answers recalculations from memory", () => {
    const { rt, tavily, llm } = setup({ rows: companyRows([]), tavily: { latencyMs: () => 3_000 }, llm: { latencyMs: () => 8_000 } });
    const first = rt.run("TERRITORY_TIER", ["Anthropic"], { kind: "customFunction" });
    expect(first.error).toBeNull();
    expect(["HOT", "WARM", "WATCH", "COLD"]).toContain(first.value);
    expect(first.elapsedMs).toBeGreaterThanOrEqual(11_000);
    expect(first.elapsedMs).toBeLessThan(30_000);
    expect(tavily.requests).toBe(1);
    expect(llm.requests).toBe(1);
    const again = rt.run("TERRITORY_TIER", ["Anthropic", "score"], { kind: "customFunction" });
    expect(typeof again.value).toBe("number");
    expect(tavily.requests).toBe(1);
    expect(llm.requests).toBe(1);
    // Read-only: nothing was written to the document.
    expect(rt.spreadsheet.getSheetByName("_territory_cache")).toBeNull();
  });

  it("starts no step it has no time left for: a slow search leaves no room for the LLM call", () => {
    const { rt, llm } = setup({ rows: companyRows([]), tavily: { latencyMs: () => 18_000 } });
    const result = rt.run("TERRITORY_TIER", ["Anthropic"], { kind: "customFunction" });
    expect(result.killed).toBe(false);
    expect(result.error).toBeNull();
    expect(String(result.value)).toMatch(/Research selected rows/);
    expect(llm.requests).toBe(0);
  });

  it("after an LLM call that outlived the 30 s limit, answers with text instead of starting another", () => {
    const { rt, tavily, llm } = setup({ rows: companyRows([]), tavily: { latencyMs: () => 3_000 }, llm: { latencyMs: () => 40_000 } });
    // Google stops the execution at 30 s while UrlFetchApp waits: that first call is the platform's error.
    const first = rt.run("TERRITORY_TIER", ["Anthropic"], { kind: "customFunction" });
    expect(first.killed).toBe(true);
    const second = rt.run("TERRITORY_TIER", ["Mistral AI"], { kind: "customFunction" });
    expect(second.killed).toBe(false);
    expect(second.error).toBeNull();
    expect(String(second.value)).toMatch(/Research selected rows/);
    expect(llm.requests).toBe(1);
    expect(tavily.requests).toBe(1);
  });

  it("answers missing keys, odd names and provider errors with text, never an error", () => {
    const { rt } = setup({ rows: companyRows([]), tavily: { apiKey: "another" } });
    const rejected = rt.run("TERRITORY_TIER", ["Anthropic"], { kind: "customFunction" });
    expect(rejected.error).toBeNull();
    expect(String(rejected.value)).toMatch(/Tavily API key rejected/);
    for (const odd of ["💎", "", "=1+1", 42, "x".repeat(300)]) {
      const result = rt.run("TERRITORY_TIER", [odd], { kind: "customFunction" });
      expect(result.error).toBeNull();
      expect(result.killed).toBe(false);
      expect(typeof result.value === "string" || typeof result.value === "number").toBe(true);
    }
    rt.userProperties.deleteProperty("TAVILY_API_KEY");
    const noKeys = rt.run("TERRITORY_TIER", ["Perplexity"], { kind: "customFunction" });
    expect(String(noKeys.value)).toMatch(/API keys/);
  });
});

const COLD_REPLY = JSON.stringify({
  about_company: true,
  relevance: 0.9,
  use_case_class: "E",
  funding_musd: 1,
  platform_adoption: null,
  quant_trading: false,
  rapid_growth: false,
  ml_hiring: false,
  recent_funding: false,
  confidence: "high",
  use_case_label: "Light AI use",
  rationale: "It calls third-party model APIs. Nothing shows more.",
  sources: [],
});

describe("=TERRITORY_TIER by name alone", () => {
  it("finds companies researched with a Website column, the most recent research answering, in cells and ranges", () => {
    let cold = true;
    const rows = [
      ["Company", "Website"],
      ["Cohere", "cohere.com"],
      ["Cohere", "cohere.io"],
      ["Runway", "runwayml.com"],
    ];
    const { rt, tavily } = setup({ rows, llm: { malformed: () => (cold ? { content: COLD_REPLY } : null) } });
    const research = (a1: string, command = "researchSelectedRows") => {
      rt.spreadsheet.setSelection("Sheet1", [a1]);
      ok(rt.run(command));
      driveWithSidebar(rt);
      rt.clock.advance(60_000);
    };
    const tierOf = (name: string) => rt.run("TERRITORY_TIER", [name], { kind: "customFunction" }).value;
    research("A2");
    cold = false;
    research("A3:A4");
    const [older, newer, runway] = table(rt);
    expect(older?.["Tier"]).toBe("COLD");
    expect(newer?.["Tier"]).not.toBe("COLD");
    const searches = tavily.requests;
    expect(tierOf("Cohere")).toBe(newer?.["Tier"]);
    expect(rt.run("TERRITORY_TIER", [[["cohere inc"], ["runway"]]], { kind: "customFunction" }).value).toEqual([
      [newer?.["Tier"]],
      [runway?.["Tier"]],
    ]);
    // Re-researching the first row makes it the most recent.
    cold = true;
    research("A2", "refreshSelectedRows");
    expect(table(rt)[0]?.["Tier"]).toBe("COLD");
    const before = tavily.requests;
    expect(tierOf("Cohere")).toBe("COLD");
    expect(rt.run("TERRITORY_TIER", [[["Cohere"]]], { kind: "customFunction" }).value).toEqual([["COLD"]]);
    expect(tavily.requests).toBe(before);
    expect(before).toBeGreaterThan(searches);
  });
});

describe("=TERRITORY_TIER live lookups", () => {
  const names = Array.from({ length: 40 }, (_, i) => `Newco Labs ${i + 1}`);

  it("40 cells of new companies make at most LIVE_LOOKUPS_PER_DAY paid lookups a day, whoever recalculates", () => {
    const { rt, tavily, llm } = setup({ rows: companyRows([]) });
    const answers = names.map((name, i) =>
      rt.run("TERRITORY_TIER", [name], { kind: "customFunction", user: i % 2 ? "alice@example.com" : "bob@example.com" }),
    );
    expect(answers.every((a) => a.error === null && !a.killed)).toBe(true);
    expect(tavily.requests).toBe(20);
    expect(llm.requests).toBeLessThanOrEqual(20);
    const refused = answers.slice(20).map((a) => String(a.value));
    for (const text of refused)
      expect(text).toMatch(/20 live lookups for today are used up: use Territory Planner > Research selected rows/);
    // Recalculating the refused cells pays nothing more today.
    for (const name of names.slice(20)) rt.run("TERRITORY_TIER", [name], { kind: "customFunction" });
    expect(tavily.requests).toBe(20);
    // The next day has its own allowance; the answers already found are not paid again.
    rt.clock.advance(24 * 3_600_000);
    for (const name of names.slice(0, 25)) rt.run("TERRITORY_TIER", [name], { kind: "customFunction" });
    expect(tavily.requests).toBeLessThanOrEqual(40);
    expect(tavily.requests).toBeGreaterThan(20);
  });

  it("counts per document, and 0 turns live lookups off", () => {
    const { rt, tavily } = setup({ rows: companyRows([]), settings: { LIVE_LOOKUPS_PER_DAY: "3" } });
    rt.addDocument({ id: "doc-2" });
    for (const name of names.slice(0, 5)) rt.run("TERRITORY_TIER", [name], { kind: "customFunction" });
    expect(tavily.requests).toBe(3);
    for (const name of names.slice(5, 10)) rt.run("TERRITORY_TIER", [name], { kind: "customFunction", document: "doc-2" });
    expect(tavily.requests).toBe(6);
    rt.userProperties.setProperty("LIVE_LOOKUPS_PER_DAY", "0");
    rt.clock.advance(24 * 3_600_000);
    const off = rt.run("TERRITORY_TIER", [names[20]], { kind: "customFunction" });
    expect(String(off.value)).toMatch(/live lookups are off.*Research selected rows/);
    expect(tavily.requests).toBe(6);
  });

  it("keeps a search whose LLM call failed, so recalculation pays only for the LLM call", () => {
    const { rt, tavily, llm } = setup({ rows: companyRows([]), llm: { apiKey: "llm-right-key-1234" } });
    const failed = rt.run("TERRITORY_TIER", ["Anthropic"], { kind: "customFunction" });
    expect(String(failed.value)).toMatch(/LLM API key rejected/);
    expect(tavily.requests).toBe(1);
    expect(llm.requests).toBe(1);
    rt.run("TERRITORY_TIER", ["Anthropic"], { kind: "customFunction" });
    expect(tavily.requests).toBe(1);
    rt.userProperties.setProperty("LLM_API_KEY", "llm-right-key-1234");
    const fixed = rt.run("TERRITORY_TIER", ["Anthropic"], { kind: "customFunction" });
    expect(["HOT", "WARM", "WATCH", "COLD"]).toContain(fixed.value);
    expect(tavily.requests).toBe(1);
  });
});

describe("=TERRITORY_TIER memo and lock", () => {
  const TIERS = ["HOT", "WARM", "WATCH", "COLD"];

  // Google hashes a string as US_ASCII unless told otherwise: each pair below would share one digest.
  for (const [first, second] of [
    ["Сбербанк", "Тинькофф"],
    ["任天堂", "資生堂"],
  ] as const) {
    it(`never answers ${second} with the memo of ${first}`, () => {
      const { rt, tavily } = setup({ rows: companyRows([]) });
      expect(TIERS).toContain(rt.run("TERRITORY_TIER", [first], { kind: "customFunction" }).value);
      expect(TIERS).toContain(rt.run("TERRITORY_TIER", [second], { kind: "customFunction" }).value);
      expect(tavily.requests).toBe(2);
      expect(Object.keys(tavily.byCompany).sort()).toEqual([first, second].sort());
      // Each is memoised under its own key: recalculating either pays nothing.
      rt.run("TERRITORY_TIER", [first], { kind: "customFunction" });
      rt.run("TERRITORY_TIER", [second], { kind: "customFunction" });
      expect(tavily.requests).toBe(2);
    });
  }

  it("counts live lookups under the document's lock, not the script lock every document of an add-on shares", () => {
    const { rt, tavily } = setup({ rows: companyRows([]), runtime: { installationSource: "WEB_STORE_ADD_ON" } });
    // Another document's recalculation holds the script lock: this document's lookup goes on.
    rt.holdLock("script");
    expect(TIERS).toContain(rt.run("TERRITORY_TIER", ["Anthropic"], { kind: "customFunction" }).value);
    rt.releaseHeldLock("script");
    // This document's own recalculation holds its lock: the cell says so, and nothing is paid.
    rt.holdLock("document");
    const busy = rt.run("TERRITORY_TIER", ["Cohere"], { kind: "customFunction" });
    expect(busy.error).toBeNull();
    expect(String(busy.value)).toMatch(/^Too many live lookups at once/);
    expect(tavily.requests).toBe(1);
  });

  it("still answers, with text, where Google gives no document lock", () => {
    const { rt, tavily } = setup({ rows: companyRows([]), runtime: { platform: { documentLock: "absent" } } });
    const answer = rt.run("TERRITORY_TIER", ["Anthropic"], { kind: "customFunction" });
    expect(answer.error).toBeNull();
    expect(TIERS).toContain(answer.value);
    expect(tavily.requests).toBe(1);
  });
});

describe("=TERRITORY_TIER after a run", () => {
  it("re-enters the document's TERRITORY_TIER formulas when the run ends, with one read per sheet", () => {
    const { rt } = setup({ rows: companyRows(["Cohere", "Runway"]) });
    const summary = rt.spreadsheet.insertSheet("Summary");
    const formulas = ["=TERRITORY_TIER(Sheet1!A2:A3)", '=territory_tier("Cohere", "score")'];
    // Entered as Sheets enters typed input, so they are formulas.
    summary.write({ row: 1, col: 1, numRows: 3, numCols: 2 }, [
      [formulas[0], "kept as typed"],
      ["", formulas[1]],
      ["=SUM(1,2)", ""],
    ]);
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    const workers = driveWithSidebar(rt);
    const calls = (method: string) => workers.reduce((n, w) => n + (w.stats.rangeCallsByMethod[method] ?? 0), 0);
    // Swapped through their own text (never emptied) and entered again, in one block each: the two
    // formulas are not adjacent. The journal of the block in progress is gone once all are back.
    expect(calls("Range.setFormulas")).toBe(2);
    expect(rt.documentProperties.getProperty("TP_FORMULA_REFRESH")).toBeNull();
    expect(calls("Range.setFormula") + calls("Range.setValue")).toBe(0);
    // The execution that ended the run read each of the two sheets' formulas once (not the cache sheet).
    const last = workers[workers.length - 1];
    expect(last?.stats.rangeCallsByMethod["Range.getFormulas"]).toBe(2);
    expect(summary.dump()[0]?.[1]).toBe("kept as typed");
    expect(summary.formulaAt("A1")).toBe(formulas[0]);
    expect(summary.formulaAt("B2")).toBe(formulas[1]);
    expect(summary.formulaAt("A3")).toBe("=SUM(1,2)");
  });

  it("finishes the run when a TERRITORY_TIER formula sits in a range the user may not edit", () => {
    const { rt } = setup({ rows: companyRows(["Cohere", "Runway"]) });
    rt.spreadsheet.owner = "boss@example.com";
    const summary = rt.spreadsheet.insertSheet("Summary");
    summary.write({ row: 1, col: 1, numRows: 2, numCols: 1 }, [["=TERRITORY_TIER(Sheet1!A2:A3)"], ['=TERRITORY_TIER("Cohere")']]);
    summary.protect("A1:A1");
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    const workers = driveWithSidebar(rt);
    expect(workers.every((w) => w.error === null)).toBe(true);
    expect(progress(rt)).toMatchObject({ running: false, done: 2 });
    expect(rt.triggers()).toEqual([]);
    expect(summary.formulaAt("A1")).toBe("=TERRITORY_TIER(Sheet1!A2:A3)");
    expect(summary.formulaAt("A2")).toBe('=TERRITORY_TIER("Cohere")');
  });
});
