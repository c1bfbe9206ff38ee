import { describe, expect, it } from "vitest";
import { createFakeLlm, type LlmVerdict } from "../../src/local/providers";
import { REPLY_FIELDS } from "../core/helpers";

const KEY = "llm-test-key";
const BASE = "https://api.crusoe.ai/v1";

function prompt(company: string, items: { url: string; text: string }[]): string {
  return [`Company: ${company}`, "Evidence:", ...items.flatMap((i) => [`URL: ${i.url}`, i.text])].join("\n");
}
function chat(userText: string, extra: Record<string, unknown> = {}, key = KEY, sentAt = 0) {
  return {
    url: `${BASE}/chat/completions`,
    method: "post" as const,
    headers: { Authorization: `Bearer ${key}` },
    payload: JSON.stringify({
      model: "meta-llama/Llama-3.3-70B-Instruct",
      messages: [
        { role: "system", content: "You classify companies." },
        { role: "user", content: userText },
      ],
      response_format: { type: "json_schema", json_schema: { name: "verdict", schema: {}, strict: true } },
      max_tokens: 600,
      temperature: 0,
      ...extra,
    }),
    sentAt,
  };
}
interface Completion {
  choices: { message: { content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}
const content = (body: string) => JSON.parse((JSON.parse(body) as Completion).choices[0]?.message.content ?? "") as LlmVerdict;
const evidence = [
  { url: "https://acme.com/about", text: "Acme trains robots on GPUs." },
  { url: "https://other.com/x", text: "Unrelated text." },
];

describe("fake LLM", () => {
  it("answers exactly the reply schema's fields, sources from the prompt's URLs that mention the company", () => {
    const llm = createFakeLlm({ apiKey: KEY });
    const text = prompt("Acme", evidence);
    const reply = llm.handle(chat(text));
    expect(reply.status).toBe(200);
    const verdict = content(reply.body);
    expect(Object.keys(verdict)).toEqual(REPLY_FIELDS);
    expect(verdict.about_company).toBe(true);
    expect(verdict.sources).toEqual(["https://acme.com/about"]);
    expect(verdict.rationale).toContain("Acme");
    const usage = (JSON.parse(reply.body) as Completion).usage;
    const promptChars = text.length + "You classify companies.".length;
    expect(usage.prompt_tokens).toBe(Math.ceil(promptChars / 4));
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(reply.latencyMs).toBeCloseTo(2000 + (20 * promptChars) / 1000 + 8 * usage.completion_tokens, 6);
    expect(llm.answeredByCompany).toEqual({ Acme: 1 });
    expect(llm.promptTokensServed).toBe(usage.prompt_tokens);
  });

  it("is deterministic per company, classes vary across companies, overrides apply", () => {
    const llm = createFakeLlm({ apiKey: KEY, verdicts: { globex: { use_case_class: "S", funding_musd: 500 } } });
    const a = content(llm.handle(chat(prompt("Acme", evidence))).body);
    expect(content(llm.handle(chat(prompt("Acme", evidence))).body)).toEqual(a);
    const classes = new Set(Array.from({ length: 60 }, (_, i) => llm.verdictFor(`Company ${i}`).use_case_class));
    expect(classes.size).toBeGreaterThanOrEqual(5);
    const g = content(llm.handle(chat(prompt("Globex", [{ url: "https://globex.com", text: "Globex builds things." }]))).body);
    expect(g.use_case_class).toBe("S");
    expect(g.funding_musd).toBe(500);
  });

  it("says about_company false when the evidence does not name the company", () => {
    const llm = createFakeLlm({ apiKey: KEY });
    const v = content(llm.handle(chat(prompt("Initech", evidence))).body);
    expect(v.about_company).toBe(false);
    expect(v.use_case_class).toBe("UNKNOWN");
    expect(v.sources).toEqual([]);
  });

  it("rejects a wrong key Crusoe-style, rate-limits with Retry-After", () => {
    const llm = createFakeLlm({ apiKey: KEY, rpm: 1 });
    const bad = llm.handle(chat(prompt("Acme", evidence), {}, "nope"));
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body)).toEqual({ errors: [{ message: expect.any(String) }] });
    expect(llm.handle(chat(prompt("Acme", evidence), {}, KEY, 0)).status).toBe(200);
    const limited = llm.handle(chat(prompt("Acme", evidence), {}, KEY, 30_000));
    expect(limited.status).toBe(429);
    expect(limited.headers?.["Retry-After"]).toBe("30");
  });

  it("answers context_length_exceeded over the context limit and refuses json_schema when asked to", () => {
    const small = createFakeLlm({ apiKey: KEY, contextLimitChars: 100 });
    const long = small.handle(chat(prompt("Acme", evidence)));
    expect(long.status).toBe(400);
    expect((JSON.parse(long.body) as { error: { code: string } }).error.code).toBe("context_length_exceeded");
    const noSchema = createFakeLlm({ apiKey: KEY, rejectJsonSchema: true });
    const refused = noSchema.handle(chat(prompt("Acme", evidence)));
    expect(refused.status).toBe(400);
    expect(refused.body).toContain("json_schema");
    expect(noSchema.handle(chat(prompt("Acme", evidence), { response_format: { type: "json_object" } })).status).toBe(200);
  });

  it("lists models and rejects unknown ones", () => {
    const llm = createFakeLlm({ apiKey: KEY, models: ["m1", "m2"] });
    const list = llm.handle({ url: `${BASE}/models`, method: "get", headers: { authorization: `Bearer ${KEY}` }, sentAt: 0 });
    expect(JSON.parse(list.body)).toMatchObject({ object: "list", data: [{ id: "m1" }, { id: "m2" }] });
    expect(llm.handle(chat(prompt("Acme", evidence))).status).toBe(404);
  });

  it("returns malformed replies through the hook, and truncates past max_tokens", () => {
    const llm = createFakeLlm({ apiKey: KEY, malformed: ({ attempt }) => (attempt === 1 ? "not-json" : null) });
    const first = llm.handle(chat(prompt("Acme", evidence)));
    expect(() => content(first.body)).toThrow();
    expect(llm.answeredByCompany).toEqual({});
    expect(content(llm.handle(chat(prompt("Acme", evidence))).body).about_company).toBe(true);
    const capped = createFakeLlm({ apiKey: KEY }).handle(chat(prompt("Acme", evidence), { max_tokens: 10 }));
    expect((JSON.parse(capped.body) as Completion).choices[0]?.finish_reason).toBe("length");
  });

  it("answers hostile conditions in OpenAI's error shapes, billing only the completions it served", () => {
    // Out of credit from the first call for Acme; a 40-minute 429 storm with Retry-After 600 for the rest.
    const llm = createFakeLlm({
      apiKey: KEY,
      faults: ({ company, request }) =>
        company === "Acme"
          ? { kind: "outOfCredit" }
          : request.sentAt < 2_400_000
            ? { kind: "status", status: 429, retryAfterSeconds: 600 }
            : null,
    });
    const broke = llm.handle(chat(prompt("Acme", evidence)));
    expect(broke.status).toBe(429);
    expect(JSON.parse(broke.body)).toMatchObject({ error: { type: "insufficient_quota", code: "insufficient_quota" } });
    const storm = llm.handle(chat(prompt("Globex", evidence), {}, KEY, 60_000));
    expect(storm.status).toBe(429);
    expect(storm.headers?.["Retry-After"]).toBe("600");
    expect(llm.promptTokensServed + llm.completionTokensServed).toBe(0);
    const served = [2_400_000, 2_460_000].map((at) =>
      llm.handle(chat(prompt("Globex", [{ url: "https://globex.com", text: "Globex trains models." }]), {}, KEY, at)),
    );
    expect(served.map((r) => r.status)).toEqual([200, 200]);
    const usage = served.map((r) => (JSON.parse(r.body) as Completion).usage);
    expect(llm.promptTokensServed).toBe(usage.reduce((t, u) => t + u.prompt_tokens, 0));
    expect(llm.completionTokensServed).toBe(usage.reduce((t, u) => t + u.completion_tokens, 0));
    expect(llm.byStatus).toEqual({ 200: 2, 429: 2 });

    const tpm = createFakeLlm({ apiKey: KEY, faults: () => ({ kind: "tooLarge" }) }).handle(chat(prompt("Acme", evidence)));
    expect(tpm.status).toBe(429);
    expect(JSON.parse(tpm.body)).toMatchObject({
      error: { type: "tokens", code: "rate_limit_exceeded", message: expect.stringMatching(/^Request too large for /) },
    });
  });
});
