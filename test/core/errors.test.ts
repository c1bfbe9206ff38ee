import { describe, expect, it } from "vitest";
import { classifyHttpError, providerMessage, retryAfterMs, ROW_ADVICE, rowError, shortMessage } from "../../src/core/errors";
import { pauseAdvice, pauseText } from "../../src/core/status";
import { maskSecret, maskSecrets } from "../../src/core/secrets";
import { LLM_KEY, response, TAVILY_KEY } from "./helpers";

const secrets = [TAVILY_KEY, LLM_KEY];
const now = Date.UTC(2025, 5, 1, 8, 0, 0);
const classify = (service: "tavily" | "llm", status: number, body: unknown = "", headers: Record<string, string> = {}) =>
  classifyHttpError(service, response(status, body, headers), now, secrets);

describe("classifyHttpError", () => {
  it("401/403 pause: key rejected, naming the service", () => {
    for (const status of [401, 403]) {
      expect(classify("tavily", status)).toEqual({ kind: "pause", reason: { kind: "keyRejected", service: "tavily" } });
      expect(classify("llm", status)).toEqual({ kind: "pause", reason: { kind: "keyRejected", service: "llm" } });
    }
    expect(classify("llm", 401, { errors: ["unauthorized: invalid token"] })).toEqual({
      kind: "pause",
      reason: { kind: "keyRejected", service: "llm" },
    });
  });
  it("Tavily 432/433 pause with the plan limit", () => {
    expect(classify("tavily", 432)).toEqual({ kind: "pause", reason: { kind: "planLimit", limit: "plan" } });
    expect(classify("tavily", 433)).toEqual({ kind: "pause", reason: { kind: "planLimit", limit: "payAsYouGo" } });
  });
  it("402 and a 429 saying insufficient_quota pause: out of credit, not a rate limit", () => {
    expect(classify("llm", 402)).toEqual({ kind: "pause", reason: { kind: "outOfCredit", service: "llm" } });
    expect(classify("llm", 429, { error: { message: "You exceeded your current quota", type: "insufficient_quota", code: null } })).toEqual(
      {
        kind: "pause",
        reason: { kind: "outOfCredit", service: "llm" },
      },
    );
    expect(classify("llm", 429, { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } }).kind).toBe(
      "rateLimited",
    );
  });
  it("an LLM 404 or model_not_found pauses pointing at Settings", () => {
    expect(classify("llm", 404)).toEqual({ kind: "pause", reason: { kind: "modelNotFound" } });
    expect(classify("llm", 400, { error: { message: "no such model", code: "model_not_found" } })).toEqual({
      kind: "pause",
      reason: { kind: "modelNotFound" },
    });
  });
  it("429 waits Retry-After", () => {
    expect(classify("tavily", 429, "", { "retry-after": "12" })).toEqual({ kind: "rateLimited", retryAfterMs: 12_000 });
    expect(classify("llm", 429, "", { "retry-after": new Date(now + 45_000).toUTCString() })).toEqual({
      kind: "rateLimited",
      retryAfterMs: 45_000,
    });
    expect(classify("llm", 429)).toEqual({ kind: "rateLimited", retryAfterMs: 10_000 });
  });
  it("5xx, 408 and status 0 are retried", () => {
    for (const status of [500, 502, 503, 504, 408]) expect(classify("tavily", status).kind).toBe("retry");
    expect(classify("llm", 0, "Timeout")).toEqual({ kind: "retry", what: "could not reach the AI service", detail: "Timeout" });
    expect(classify("tavily", 503)).toEqual({ kind: "retry", what: "the web search service failed", detail: "Tavily HTTP 503" });
  });
  it("context length: OpenAI code, vLLM text, llama.cpp type (400 or an older server's 500), TGI 422, 413", () => {
    expect(classify("llm", 400, { error: { message: "too long", code: "context_length_exceeded" } }).kind).toBe("shrink");
    expect(
      classify("llm", 400, {
        object: "error",
        message: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens",
        code: 400,
      }).kind,
    ).toBe("shrink");
    expect(
      classify("llm", 500, {
        error: { code: 500, message: "the request exceeds the available context size", type: "exceed_context_size_error" },
      }).kind,
    ).toBe("shrink");
    expect(
      classify("llm", 422, {
        error: "Input validation error: `inputs` must have less than 4096 tokens. Given: 5000",
        error_type: "validation",
      }).kind,
    ).toBe("shrink");
    expect(classify("llm", 413, "Payload Too Large").kind).toBe("shrink");
    // Another TGI validation error is not about size.
    expect(
      classify("llm", 422, { error: "Input validation error: `temperature` must be strictly positive", error_type: "validation" }).kind,
    ).toBe("fail");
  });
  it("a request larger than a tokens-per-minute limit shrinks; a plain rate limit waits", () => {
    const tooLarge = {
      error: {
        message: "Request too large for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Requested 36278.",
        type: "tokens",
        code: "rate_limit_exceeded",
      },
    };
    expect(classify("llm", 429, tooLarge).kind).toBe("shrink");
    expect(classify("llm", 413, tooLarge).kind).toBe("shrink");
    const reached = {
      error: {
        message:
          "Rate limit reached for gpt-4.1 on tokens per min (TPM): Limit 30000, Used 28039, Requested 3906. Please try again in 3.89s.",
        type: "tokens",
        code: "rate_limit_exceeded",
      },
    };
    expect(classify("llm", 429, reached)).toEqual({ kind: "rateLimited", retryAfterMs: 3890 });
  });
  it("a refused reasoning_effort is told apart from a refused schema", () => {
    expect(
      classify("llm", 400, {
        error: {
          message: "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
          param: "reasoning_effort",
          code: "unsupported_parameter",
        },
      }).kind,
    ).toBe("reasoningEffortRefused");
  });
  it("a refused response_format asks for JSON mode", () => {
    expect(classify("llm", 400, { error: { message: "response_format of type json_schema is not supported" } }).kind).toBe("jsonMode");
    expect(classify("llm", 422, { detail: "Unsupported: structured output" }).kind).toBe("jsonMode");
  });
  it("other client errors fail the row with the provider's words", () => {
    expect(classify("tavily", 400, { detail: { error: "Query is too long." } })).toEqual({
      kind: "fail",
      message: "the web search service refused the search; correct the company name in the row (Tavily HTTP 400: Query is too long.)",
    });
    expect(classify("llm", 400, { error: { message: "max_tokens too large" } }).kind).toBe("fail");
  });
});

describe("a Retry-After longer than 15 minutes", () => {
  it("pauses the run until the time the provider gave, in seconds or as an HTTP date; a shorter one waits", () => {
    const date = new Date(now + 3_600_000).toUTCString();
    expect(classify("llm", 429, "", { "retry-after": date })).toEqual({
      kind: "pause",
      reason: { kind: "askedToWait", service: "llm", until: now + 3_600_000 },
    });
    expect(classify("tavily", 429, "", { "retry-after": "99999999999" })).toEqual({
      kind: "pause",
      reason: { kind: "askedToWait", service: "tavily", until: now + 86_400_000 },
    });
    expect(classify("llm", 429, "", { "retry-after": "900" })).toEqual({ kind: "rateLimited", retryAfterMs: 900_000 });
  });

  it("says when to resume, in the Status and in the sidebar's advice", () => {
    const reason = { kind: "askedToWait", service: "llm", until: Date.UTC(2025, 5, 1, 9, 5, 30) } as const;
    expect(pauseText(reason)).toBe("the AI service asked to wait until 2025-06-01 09:05 UTC (rate limit), resume then");
    expect(pauseAdvice(reason).advice).toMatch(/^It is turning requests away until 2025-06-01 09:05 UTC\. Press Resume after that/);
  });
});

describe("row errors", () => {
  it("say what happened and what to do first, the technical detail after and brief", () => {
    expect(rowError("the AI service failed three times", ROW_ADVICE.retryLater, "LLM HTTP 500")).toBe(
      "the AI service failed three times; try again later with Retry failed rows (LLM HTTP 500)",
    );
    const long = rowError("the AI service refused the request", ROW_ADVICE.checkModel, `LLM HTTP 400: ${"x".repeat(500)}`);
    expect(long.length).toBeLessThan(200);
    expect(long.endsWith("…)")).toBe(true);
    expect(rowError("the company name has no letters or digits", ROW_ADVICE.checkName)).toBe(
      "the company name has no letters or digits; correct the company name in the row",
    );
  });
});

describe("retryAfterMs", () => {
  it("bounds what a server asks for", () => {
    expect(retryAfterMs({ "retry-after": "0" }, now)).toBe(1000);
    // A long wait is reported as it is (the worker hands off); only absurd ones are capped at a day.
    expect(retryAfterMs({ "retry-after": "600" }, now)).toBe(600_000);
    expect(retryAfterMs({ "retry-after": "99999999999" }, now)).toBe(86_400_000);
    expect(retryAfterMs({ "retry-after-ms": "250" }, now)).toBe(1000);
    expect(retryAfterMs({ "retry-after-ms": "4500" }, now)).toBe(4500);
    expect(retryAfterMs({ "retry-after": "soon" }, now)).toBe(10_000);
    expect(retryAfterMs({ "retry-after": "1.5" }, now)).toBe(1500);
  });
});

describe("messages never show keys", () => {
  it("masks the configured keys and key-shaped tokens", () => {
    const text = `key ${TAVILY_KEY} and ${LLM_KEY}, header Bearer abc.def, sk-proj-abcdefgh12345678, id 3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a`;
    const masked = maskSecrets(text, secrets, { tokens: true });
    expect(masked).not.toContain(TAVILY_KEY);
    expect(masked).not.toContain(LLM_KEY);
    expect(masked).toContain(`••••${LLM_KEY.slice(-4)}`);
    expect(masked).toContain("Bearer ••••");
    expect(masked).not.toContain("sk-proj-abcdefgh12345678");
    expect(masked).not.toContain("3f9a8b7c6d5e");
  });
  it("masks short keys whole, URL-encoded and \\u-escaped echoes", () => {
    expect(maskSecret("abc12")).toBe("•••• (set)");
    expect(maskSecret(LLM_KEY)).toBe(`••••${LLM_KEY.slice(-4)}`);
    expect(maskSecrets("invalid key abc12 given", ["abc12"])).toBe("invalid key •••• given");
    // A 3-character key only as a whole token, not inside words.
    expect(maskSecrets("key xyz, not xyzzy", ["xyz"])).toBe("key ••••, not xyzzy");
    const key = "tvly+dev/Key=0123456789";
    expect(maskSecrets(`q?key=${encodeURIComponent(key)}`, [key])).not.toContain("0123456789");
    const escaped = JSON.stringify(key)
      .slice(1, -1)
      .replace(/[a-z]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    expect(maskSecrets(`{"echo":"${escaped}"}`, [key])).not.toMatch(/0123456789/);
    expect(maskSecrets("%2F%2f", ["//"])).toBe("••••");
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
