// The fakes answer hostile conditions with the bodies real providers send (the payloads collected
// under test/fixtures/providers, each with its source).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createFakeLlm, createFakeTavily } from "../../src/local/providers";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/providers/${name}.json`, import.meta.url), "utf8")) as { status: number; body: unknown };
const chat = {
  url: "https://api.crusoe.ai/v1/chat/completions",
  method: "post" as const,
  headers: { Authorization: "Bearer k-0123456789" },
  payload: JSON.stringify({ model: "meta-llama/Llama-3.3-70B-Instruct", messages: [{ role: "user", content: "Company: Acme" }] }),
  sentAt: 0,
};
const search = {
  url: "https://api.tavily.com/search",
  method: "post" as const,
  headers: { Authorization: "Bearer t-0123456789" },
  payload: JSON.stringify({ query: '"Acme" GPU' }),
  sentAt: 0,
};
const answer = (reply: { status: number; body: string }) => ({ status: reply.status, body: JSON.parse(reply.body) as unknown });

describe("fake providers against real payloads", () => {
  it("LLM out of credit: OpenAI's 429 insufficient_quota body", () => {
    const llm = createFakeLlm({ apiKey: "k-0123456789", faults: () => ({ kind: "outOfCredit" }) });
    const real = fixture("openai-429-insufficient-quota");
    expect(answer(llm.handle(chat))).toEqual({ status: real.status, body: real.body });
  });

  it("LLM request larger than the tokens-per-minute limit: OpenAI's 429 Request too large envelope", () => {
    const llm = createFakeLlm({ apiKey: "k-0123456789", faults: () => ({ kind: "tooLarge" }) });
    const real = fixture("openai-429-request-too-large-tpm") as {
      status: number;
      body: { error: { message: string; type: string; code: string } };
    };
    const fake = answer(llm.handle(chat)) as typeof real;
    expect(fake.status).toBe(real.status);
    expect(fake.body.error).toMatchObject({ type: real.body.error.type, code: real.body.error.code, param: null });
    expect(fake.body.error.message.split(" in organization")[0]).toBe("Request too large for meta-llama/Llama-3.3-70B-Instruct");
    expect(real.body.error.message).toMatch(/^Request too large for \S+ in organization/);
  });

  it("Tavily rate limit and plan limit: Tavily's detail.error bodies", () => {
    const limited = createFakeTavily({ apiKey: "t-0123456789", faults: () => 429 });
    const rate = fixture("tavily-429-rate-limit");
    expect(answer(limited.handle(search))).toEqual({ status: rate.status, body: rate.body });
    const broke = createFakeTavily({ apiKey: "t-0123456789", faults: () => ({ kind: "outOfCredit" }) });
    const plan = fixture("tavily-432-plan-limit");
    expect(answer(broke.handle(search))).toEqual({ status: plan.status, body: plan.body });
  });
});
