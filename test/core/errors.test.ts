import { describe, expect, it } from "vitest";
import { classifyHttpError, maskSecrets, providerMessage, retryAfterMs, shortMessage } from "../../src/core/errors";
import { LLM_KEY, response, TAVILY_KEY } from "./helpers";

const secrets = [TAVILY_KEY, LLM_KEY];
const now = Date.UTC(2025, 5, 1, 8, 0, 0);
const classify = (service: "tavily" | "llm", status: number, body: unknown = "", headers: Record<string, string> = {}) =>
  classifyHttpError(service, response(status, body, headers), now, secrets);

describe("classifyHttpError (SPEC §11)", () => {
  it("401/403 pause with the exact reasons", () => {
    for (const status of [401, 403]) {
      expect(classify("tavily", status)).toEqual({ kind: "pause", reason: "Tavily API key rejected" });
      expect(classify("llm", status)).toEqual({ kind: "pause", reason: "LLM API key rejected" });
    }
    expect(classify("llm", 401, { errors: ["unauthorized: invalid token"] })).toEqual({ kind: "pause", reason: "LLM API key rejected" });
  });
  it("Tavily 432/433 pause with a plan-limit reason", () => {
    expect(classify("tavily", 432)).toEqual({ kind: "pause", reason: "Tavily plan limit reached" });
    expect(classify("tavily", 433)).toEqual({ kind: "pause", reason: "Tavily pay-as-you-go limit reached" });
  });
  it("429 waits Retry-After", () => {
    expect(classify("tavily", 429, "", { "retry-after": "12" })).toEqual({ kind: "rateLimited", retryAfterMs: 12_000 });
    expect(classify("llm", 429, "", { "retry-after": new Date(now + 45_000).toUTCString() })).toEqual({ kind: "rateLimited", retryAfterMs: 45_000 });
    expect(classify("llm", 429)).toEqual({ kind: "rateLimited", retryAfterMs: 10_000 });
  });
  it("5xx, 408 and status 0 are retried", () => {
    for (const status of [500, 502, 503, 504, 408]) expect(classify("tavily", status).kind).toBe("retry");
    expect(classify("llm", 0, "Timeout")).toEqual({ kind: "retry", message: "could not reach LLM (Timeout)" });
  });
  it("context length: OpenAI code, vLLM text, 413", () => {
    expect(classify("llm", 400, { error: { message: "too long", code: "context_length_exceeded" } }).kind).toBe("shrink");
    expect(classify("llm", 400, { object: "error", message: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens", code: 400 }).kind).toBe("shrink");
    expect(classify("llm", 413, "Payload Too Large").kind).toBe("shrink");
  });
  it("a refused response_format asks for JSON mode", () => {
    expect(classify("llm", 400, { error: { message: "response_format of type json_schema is not supported" } }).kind).toBe("jsonMode");
    expect(classify("llm", 422, { detail: "Unsupported: structured output" }).kind).toBe("jsonMode");
  });
  it("other client errors fail the row with the provider's words", () => {
    expect(classify("tavily", 400, { detail: { error: "Query is too long." } })).toEqual({
      kind: "fail",
      message: "Tavily refused the search (HTTP 400): Query is too long.",
    });
    expect(classify("llm", 400, { error: { message: "max_tokens too large" } }).kind).toBe("fail");
  });
});

describe("retryAfterMs", () => {
  it("bounds what a server asks for", () => {
    expect(retryAfterMs({ "retry-after": "0" }, now)).toBe(1000);
    expect(retryAfterMs({ "retry-after": "86400" }, now)).toBe(600_000);
    expect(retryAfterMs({ "retry-after": "soon" }, now)).toBe(10_000);
    expect(retryAfterMs({ "retry-after": "1.5" }, now)).toBe(1500);
  });
});

describe("messages never show keys", () => {
  it("masks the configured keys and key-shaped tokens", () => {
    const text = `key ${TAVILY_KEY} and ${LLM_KEY}, header Bearer abc.def, sk-proj-abcdefgh12345678, id 3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a`;
    const masked = maskSecrets(text, secrets);
    expect(masked).not.toContain(TAVILY_KEY);
    expect(masked).not.toContain(LLM_KEY);
    expect(masked).toContain(`••••${LLM_KEY.slice(-4)}`);
    expect(masked).toContain("Bearer ••••");
    expect(masked).not.toContain("sk-proj-abcdefgh12345678");
    expect(masked).not.toContain("3f9a8b7c6d5e");
  });
  it("keeps messages short and on one line", () => {
    const message = shortMessage(JSON.stringify({ error: { message: "x ".repeat(500) + `\n${LLM_KEY}` } }), secrets);
    expect(message.length).toBeLessThanOrEqual(160);
    expect(message).not.toContain("\n");
  });
  it("reads each provider's error shape", () => {
    expect(providerMessage(JSON.stringify({ error: { message: "openai says" } }))).toBe("openai says");
    expect(providerMessage(JSON.stringify({ detail: { error: "tavily says" } }))).toBe("tavily says");
    expect(providerMessage(JSON.stringify({ errors: ["crusoe says"] }))).toBe("crusoe says");
    expect(providerMessage(JSON.stringify({ errors: [{ message: "crusoe object" }] }))).toBe("crusoe object");
    expect(providerMessage(JSON.stringify({ object: "error", message: "vllm says" }))).toBe("vllm says");
    expect(providerMessage("<html><body>Bad Gateway</body></html>")).toBe("Bad Gateway");
  });
});
