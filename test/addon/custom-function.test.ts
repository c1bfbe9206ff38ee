import { describe, expect, it } from "vitest";
import { companyRows, driveWithSidebar, ok, setup, table } from "./harness";

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
    const names = Array.from({ length: 500 }, (_, i) => `Range Company ${i + 1}`);
    const { rt } = researchAll(names);
    const tiers = table(rt).map((r) => [r["Tier"]]);
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
