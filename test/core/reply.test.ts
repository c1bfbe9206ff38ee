import { describe, expect, it } from "vitest";
import { checkReply, parseChatCompletion, replyJsonSchema, responseFormat, sanitiseReply } from "../../src/core/reply";
import { reply } from "./helpers";

const FIELDS = [
  "about_company",
  "relevance",
  "use_case_class",
  "funding_musd",
  "platform_adoption",
  "quant_trading",
  "rapid_growth",
  "ml_hiring",
  "recent_funding",
  "confidence",
  "use_case_label",
  "rationale",
  "sources",
];

describe("reply schema", () => {
  it("accepts a reply with exactly the SPEC §4 fields", () => {
    const check = checkReply(JSON.stringify(reply()));
    expect(check.ok).toBe(true);
  });

  it("sends a strict JSON schema with every field required and no others allowed", () => {
    const schema = replyJsonSchema() as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(schema.properties).sort()).toEqual([...FIELDS].sort());
    expect([...schema.required].sort()).toEqual([...FIELDS].sort());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.funding_musd).toEqual({ type: ["number", "null"] });
    expect(responseFormat(false)).toMatchObject({ type: "json_schema", json_schema: { strict: true, name: "company_judgment" } });
    expect(responseFormat(true)).toEqual({ type: "json_object" });
  });

  it("refuses a missing field, a wrong enum, a wrong type, and text that is not JSON", () => {
    const missing = Object.fromEntries(Object.entries(reply()).filter(([k]) => k !== "confidence"));
    expect(checkReply(JSON.stringify(missing))).toMatchObject({ ok: false, problem: expect.stringContaining("confidence") });
    expect(checkReply(JSON.stringify({ ...reply(), use_case_class: "Z" }))).toMatchObject({ ok: false, problem: expect.stringContaining("use_case_class") });
    expect(checkReply(JSON.stringify({ ...reply(), platform_adoption: "maybe" })).ok).toBe(false);
    expect(checkReply(JSON.stringify({ ...reply(), confidence: "HIGH" })).ok).toBe(false);
    expect(checkReply(JSON.stringify({ ...reply(), funding_musd: "120" })).ok).toBe(false);
    expect(checkReply("I think this company is an S.")).toEqual({ ok: false, problem: "the reply was not valid JSON" });
    expect(checkReply("").ok).toBe(false);
  });

  it("drops extra keys rather than trusting them", () => {
    const check = checkReply(JSON.stringify({ ...reply(), score: 100, tier: "HOT" }));
    expect(check.ok && Object.keys(check.reply).sort()).toEqual([...FIELDS].sort());
  });

  it("finds the object inside a code fence or a sentence", () => {
    expect(checkReply("Here you go:\n```json\n" + JSON.stringify(reply()) + "\n```").ok).toBe(true);
  });
});

describe("sanitiseReply", () => {
  const evidence = [
    { url: "https://a.example/1", title: "", content: "" },
    { url: "https://b.example/2", title: "", content: "" },
  ];
  it("clamps numbers", () => {
    expect(sanitiseReply(reply({ relevance: 7 }), evidence).relevance).toBe(1);
    expect(sanitiseReply(reply({ relevance: -1 }), evidence).relevance).toBe(0);
    expect(sanitiseReply(reply({ funding_musd: -5 }), evidence).funding_musd).toBe(0);
    expect(sanitiseReply(reply({ funding_musd: Infinity }), evidence).funding_musd).toBeNull();
    expect(sanitiseReply(reply({ funding_musd: 1e12 }), evidence).funding_musd).toBe(1_000_000);
  });
  it("caps strings to one line", () => {
    const clean = sanitiseReply(reply({ use_case_label: "x".repeat(500), rationale: "Line one.\n\nLine two. " + "y".repeat(2000) }), evidence);
    expect(clean.use_case_label.length).toBeLessThanOrEqual(80);
    expect(clean.rationale.length).toBeLessThanOrEqual(600);
    expect(clean.rationale).not.toContain("\n");
  });
  it("keeps only sources that were in the evidence, once, at most 5", () => {
    const clean = sanitiseReply(reply({ sources: ["https://invented.example/x", "https://b.example/2", " https://a.example/1 ", "https://b.example/2", "https://a.example/1/"] }), evidence);
    expect(clean.sources).toEqual(["https://b.example/2", "https://a.example/1"]);
  });
});

describe("chat completion", () => {
  it("reads content and usage", () => {
    const parsed = parseChatCompletion(JSON.stringify({ choices: [{ message: { content: "{}" }, finish_reason: "stop" }], usage: { prompt_tokens: 12, completion_tokens: 3 } }));
    expect(parsed).toEqual({ content: "{}", inputTokens: 12, outputTokens: 3 });
  });
  it("treats missing usage as zero and a non-completion as unreadable", () => {
    expect(parseChatCompletion(JSON.stringify({ choices: [{ message: { content: null } }] }))).toEqual({ content: "", inputTokens: 0, outputTokens: 0 });
    expect(parseChatCompletion("<html>")).toBeNull();
    expect(parseChatCompletion(JSON.stringify({ choices: [] }))).toBeNull();
  });
});
