import { describe, expect, it } from "vitest";
import { checkReply, parseChatCompletion, replyJsonSchema, responseFormat, sanitiseReply } from "../../src/core/reply";
import { reply, REPLY_FIELDS } from "./helpers";
import sentBefore from "../fixtures/reply-response-format.json";

describe("reply schema", () => {
  it("accepts a reply with exactly the defined fields", () => {
    const check = checkReply(JSON.stringify(reply()));
    expect(check.ok).toBe(true);
  });

  it("sends a strict JSON schema with every field required and no others allowed", () => {
    const schema = replyJsonSchema() as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(schema.properties).sort()).toEqual([...REPLY_FIELDS].sort());
    expect([...schema.required].sort()).toEqual([...REPLY_FIELDS].sort());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.funding_musd).toEqual({ type: ["number", "null"] });
    expect(responseFormat(false)).toMatchObject({ type: "json_schema", json_schema: { strict: true, name: "company_judgment" } });
    expect(responseFormat(true)).toEqual({ type: "json_object" });
  });

  it("sends the same response_format as the full-zod build did, byte for byte", () => {
    // Recorded from the schema as full zod derived it; providers cache compiled strict schemas, and a
    // different shape (anyOf order, a $schema key) could be refused or re-validated differently.
    expect(JSON.stringify(responseFormat(false))).toBe(JSON.stringify(sentBefore));
  });

  it("tells the model which field is wrong and why, in words it can act on", () => {
    expect(checkReply(JSON.stringify({ ...reply(), confidence: 3 }))).toEqual({
      ok: false,
      problem: 'field confidence: Invalid option: expected one of "high"|"medium"|"low"',
    });
    expect(checkReply(JSON.stringify({ ...reply(), funding_musd: "120" }))).toEqual({
      ok: false,
      problem: "field funding_musd: Invalid input: expected number, received string",
    });
  });

  it("refuses a missing field, a wrong enum, a wrong type, and text that is not JSON", () => {
    const missing = Object.fromEntries(Object.entries(reply()).filter(([k]) => k !== "confidence"));
    expect(checkReply(JSON.stringify(missing))).toMatchObject({ ok: false, problem: expect.stringContaining("confidence") });
    expect(checkReply(JSON.stringify({ ...reply(), use_case_class: "Z" }))).toMatchObject({
      ok: false,
      problem: expect.stringContaining("use_case_class"),
    });
    expect(checkReply(JSON.stringify({ ...reply(), platform_adoption: "maybe" })).ok).toBe(false);
    expect(checkReply(JSON.stringify({ ...reply(), confidence: "HIGH" })).ok).toBe(false);
    expect(checkReply(JSON.stringify({ ...reply(), funding_musd: "120" })).ok).toBe(false);
    expect(checkReply("I think this company is an S.")).toEqual({ ok: false, problem: "the reply was not valid JSON" });
    expect(checkReply("").ok).toBe(false);
  });

  it("drops extra keys rather than trusting them", () => {
    const check = checkReply(JSON.stringify({ ...reply(), score: 100, tier: "HOT" }));
    expect(check.ok && Object.keys(check.reply).sort()).toEqual([...REPLY_FIELDS].sort());
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
    expect(sanitiseReply(reply({ relevance: 7 }), evidence, []).relevance).toBe(1);
    expect(sanitiseReply(reply({ relevance: -1 }), evidence, []).relevance).toBe(0);
    expect(sanitiseReply(reply({ funding_musd: -5 }), evidence, []).funding_musd).toBe(0);
    expect(sanitiseReply(reply({ funding_musd: Infinity }), evidence, []).funding_musd).toBeNull();
    expect(sanitiseReply(reply({ funding_musd: 1e12 }), evidence, []).funding_musd).toBe(1_000_000);
  });
  it("caps strings to one line", () => {
    const clean = sanitiseReply(
      reply({ use_case_label: "x".repeat(500), rationale: "Line one.\n\nLine two. " + "y".repeat(2000) }),
      evidence,
      [],
    );
    expect(clean.use_case_label.length).toBeLessThanOrEqual(80);
    expect(clean.rationale.length).toBeLessThanOrEqual(600);
    expect(clean.rationale).not.toContain("\n");
  });
  it("keeps only sources that were in the evidence, once, at most 5", () => {
    const clean = sanitiseReply(
      reply({
        sources: [
          "https://invented.example/x",
          "https://b.example/2",
          " https://a.example/1 ",
          "https://b.example/2",
          "https://a.example/1/",
        ],
      }),
      evidence,
      [],
    );
    expect(clean.sources).toEqual(["https://b.example/2", "https://a.example/1"]);
  });
});

describe("sanitiseReply and what a provider echoes", () => {
  const key = "sk-live-ECHOED0123456789";
  it("masks a key the endpoint echoed into the rationale or the label", () => {
    const clean = sanitiseReply(
      reply({ rationale: `Trains models (request by ${key}).`, use_case_label: `label ${encodeURIComponent(key)}` }),
      [],
      [key],
    );
    expect(clean.rationale).not.toContain(key);
    expect(clean.rationale).toContain(`••••${key.slice(-4)}`);
    expect(clean.use_case_label).not.toContain("ECHOED0123");
  });
  it("keeps only http and https sources, even when such a URL was in the evidence", () => {
    const urls = [
      "javascript:alert(1)",
      "data:text/html,<b>x</b>",
      "file:///etc/passwd",
      "https://ok.example/a",
      `https://x.example/?k=${key}`,
    ];
    const clean = sanitiseReply(
      reply({ sources: urls }),
      urls.map((url) => ({ url, title: "", content: "" })),
      [key],
    );
    expect(clean.sources).toEqual(["https://ok.example/a"]);
  });
});

describe("chat completion", () => {
  const estimate = { inputTokens: 1000, maxOutputTokens: 700 };
  const completion = (usage: unknown, content: string | null = "{}", finish = "stop") =>
    JSON.stringify({ choices: [{ message: { content }, finish_reason: finish }], usage });
  it("reads content, finish reason and usage", () => {
    expect(parseChatCompletion(completion({ prompt_tokens: 12, completion_tokens: 3 }), estimate)).toEqual({
      content: "{}",
      finishReason: "stop",
      reasoned: false,
      inputTokens: 12,
      outputTokens: 3,
    });
  });
  it("accepts numeric strings and replaces missing, negative, non-finite or absurd figures by the estimate", () => {
    expect(parseChatCompletion(completion({ prompt_tokens: "12", completion_tokens: " 3 " }), estimate)).toMatchObject({
      inputTokens: 12,
      outputTokens: 3,
    });
    // 1e308 survives JSON; "Infinity" is what a provider serialising a float overflow sends.
    const bad = parseChatCompletion(completion({ prompt_tokens: 1e308, completion_tokens: -4 }, "x".repeat(400)), estimate);
    expect(bad).toMatchObject({ inputTokens: 1000, outputTokens: 100 });
    expect(parseChatCompletion(completion({ prompt_tokens: "Infinity", completion_tokens: "n/a" }), estimate)).toMatchObject({
      inputTokens: 1000,
      outputTokens: 1,
    });
    expect(parseChatCompletion(completion("lots"), estimate)).toMatchObject({ inputTokens: 1000 });
    expect(parseChatCompletion(completion(undefined), estimate)).toMatchObject({ inputTokens: 1000 });
  });
  it("sees a reasoning model's empty answer cut by the cap", () => {
    const body = JSON.stringify({
      choices: [{ message: { content: null, reasoning_content: "Let me think..." }, finish_reason: "length" }],
      usage: { prompt_tokens: 900, completion_tokens: 700 },
    });
    expect(parseChatCompletion(body, estimate)).toEqual({
      content: "",
      finishReason: "length",
      reasoned: true,
      inputTokens: 900,
      outputTokens: 700,
    });
  });
  it("a non-completion is unreadable", () => {
    expect(parseChatCompletion("<html>", estimate)).toBeNull();
    expect(parseChatCompletion(JSON.stringify({ choices: [] }), estimate)).toBeNull();
  });
});
