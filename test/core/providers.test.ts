// Real answers of real providers (test/fixtures/providers: documentation examples, bodies users
// pasted from the APIs, bodies rebuilt from the server source that formats them, each with its
// source) fed to the engine, each handled as the error table of the product says.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import type { Outcome } from "../../src/core/engine";
import { describeConnectionTest, parseModelsResponse } from "../../src/core/connection";
import type { HttpResponse } from "../../src/core/types";
import { body, chat, drive, effectOf, evidenceChars, fixtureText, options, paidBy, reply, response, type Call, type Run } from "./helpers";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "providers");

const fixtureSchema = z.object({
  service: z.enum(["tavily", "llm"]),
  status: z.number(),
  headers: z.optional(z.record(z.string(), z.string())),
  body: z.unknown(),
  source: z.string().check(z.minLength(20)),
  note: z.optional(z.string()),
});

function payload(file: string): HttpResponse {
  const f = fixtureSchema.parse(JSON.parse(readFileSync(join(dir, file), "utf8")));
  const headers = Object.fromEntries(Object.entries(f.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { status: f.status, headers, body: typeof f.body === "string" ? f.body : JSON.stringify(f.body) };
}

const anthropic = { company: "Anthropic", domain: "anthropic.com" };
const search = () => response(200, fixtureText("tavily-search-anthropic.json"));

function expectKind<K extends Outcome["kind"]>(outcome: Outcome, kind: K): Extract<Outcome, { kind: K }> {
  expect(outcome.kind).toBe(kind);
  return outcome as Extract<Outcome, { kind: K }>;
}

/** The search succeeds; the LLM answers with `llm(i)` for its i-th call. */
function judged(llm: (i: number) => HttpResponse): Run {
  let n = 0;
  return drive(anthropic, (call) => (call.service === "tavily" ? search() : llm(n++)));
}

const llmCalls = (run: Run): Call[] => run.calls.filter((c) => c.service === "llm");

/** Run-stopping answers: the first one pauses the company with the reason, before any other request. */
function pausesWith(reason: unknown) {
  return (res: HttpResponse, service: "tavily" | "llm") => {
    const run = service === "tavily" ? drive(anthropic, () => res) : judged(() => res);
    expect(expectKind(run.outcome, "paused").reason).toEqual(reason);
    expect(run.calls).toHaveLength(service === "tavily" ? 1 : 2);
    expect(paidBy(run.applied.at(-1)).usd).toBe(0);
  };
}

/** A rate limit: the row waits (Retry-After or a default), is not failed, and the next answer is used. */
function waits(expectedMs: number) {
  return (res: HttpResponse, service: "tavily" | "llm") => {
    const run = drive(anthropic, (call, i) => {
      if (service === "tavily" && i === 0) return res;
      if (call.service === "tavily") return search();
      return service === "llm" && i === 1 ? res : chat(reply());
    });
    const limited = effectOf(run.applied[service === "tavily" ? 0 : 1], "rateLimited");
    expect(limited).toEqual({ kind: "rateLimited", service, retryAfterMs: expectedMs });
    expectKind(run.outcome, "done");
  };
}

/** Too long for the model: the evidence actually sent is halved, at most twice, then an error. */
function shrinks(res: HttpResponse) {
  const always = judged(() => res);
  const sizes = llmCalls(always).map(evidenceChars);
  expect(sizes).toHaveLength(3);
  expect(sizes[1]).toBeLessThanOrEqual((sizes[0] ?? 0) / 2);
  expect(sizes[2]).toBeLessThanOrEqual((sizes[1] ?? 0) / 2);
  expect(expectKind(always.outcome, "error").message).toMatch(/too long/);
  const once = judged((i) => (i === 0 ? res : chat(reply())));
  expectKind(once.outcome, "done");
}

/** The JSON schema refused: the same company asks again in JSON mode and the run is told to switch. */
function jsonMode(res: HttpResponse) {
  const run = judged((i) => (i === 0 ? res : chat(reply())));
  expect(effectOf(run.applied[1], "jsonMode")).toBeDefined();
  expect(body(llmCalls(run)[1] as Call).response_format).toEqual({ type: "json_object" });
  expectKind(run.outcome, "done");
}

/** A reasoning model's empty reply cut by the cap: one retry with a larger cap and low effort, then Error. */
function reasoningRetry(res: HttpResponse) {
  const once = judged((i) => (i === 0 ? res : chat(reply())));
  const second = body(llmCalls(once)[1] as Call);
  expect(second.max_tokens).toBeGreaterThan(body(llmCalls(once)[0] as Call).max_tokens as number);
  expect(second.reasoning_effort).toBe("low");
  expectKind(once.outcome, "done");
  // The thinking was paid for, as the usage says.
  expect(paidBy(once.applied[1]).llmOutputTokens).toBe(700);
  const always = judged(() => res);
  expect(llmCalls(always)).toHaveLength(2);
  expect(expectKind(always.outcome, "error").message).toMatch(/reasoning/);
}

const vllmThinking = () => payload("vllm-200-reasoning-cut-by-length.json");

const table: Record<string, (res: HttpResponse, service: "tavily" | "llm") => void> = {
  // Tavily
  "tavily-200-search-readai.json": (res) => {
    // The recorded Read AI results never name the company: no LLM call, every query tried, no data.
    const run = drive({ company: "Read AI", domain: null }, () => res);
    expect(run.calls.map((c) => c.service)).toEqual(["tavily", "tavily", "tavily"]);
    const noData = expectKind(run.outcome, "noData");
    expect(noData.cost.tavilyCredits).toBe(6);
    expect(run.applied.map((a) => paidBy(a).tavilyCredits)).toEqual([2, 2, 2]);
    expect(noData.cacheEntry?.status).toBe("noData");
  },
  "tavily-200-usage.json": (res) =>
    expect(describeConnectionTest("tavily", res)).toEqual({ ok: true, message: "The web search key works.", detail: "" }),
  "tavily-401-invalid-key.json": pausesWith({ kind: "keyRejected", service: "tavily" }),
  "tavily-432-plan-limit.json": pausesWith({ kind: "planLimit", limit: "plan" }),
  "tavily-433-paygo-limit.json": pausesWith({ kind: "planLimit", limit: "payAsYouGo" }),
  "tavily-429-rate-limit.json": waits(10_000),
  // OpenAI
  "openai-200-chat-completion.json": (res) => {
    // A real completion whose content is not the JSON asked for: paid, one retry saying why, then Error.
    const run = judged(() => res);
    expect(llmCalls(run)).toHaveLength(2);
    expect(paidBy(run.applied[1])).toMatchObject({ llmInputTokens: 19, llmOutputTokens: 10 });
    expect(expectKind(run.outcome, "error").message).toMatch(
      /^the AI's answer could not be read, twice; .*\(the reply was not valid JSON\)$/,
    );
  },
  "openai-200-models.json": (res) => expect(parseModelsResponse(res)).toEqual(["model-id-0", "model-id-1", "model-id-2"]),
  "openai-429-insufficient-quota.json": pausesWith({ kind: "outOfCredit", service: "llm" }),
  "openai-429-insufficient-quota-legacy.json": pausesWith({ kind: "outOfCredit", service: "llm" }),
  "openai-400-context-length-exceeded.json": shrinks,
  "openai-429-request-too-large-tpm.json": shrinks,
  "openai-429-rate-limit-tpm.json": waits(3890),
  "openai-404-model-not-found.json": pausesWith({ kind: "modelNotFound" }),
  "openai-400-reasoning-effort-unsupported.json": (res) => {
    // Refused only after the reasoning retry sent it: dropped for the rest of the run, the request sent again without it.
    const run = judged((i) => (i === 0 ? vllmThinking() : i === 1 ? res : chat(reply())));
    expect(effectOf(run.applied[2], "dropReasoningEffort")).toBeDefined();
    expect(body(llmCalls(run)[2] as Call)).not.toHaveProperty("reasoning_effort");
    expectKind(run.outcome, "done");
  },
  // Groq
  "groq-413-request-too-large-tpm.json": shrinks,
  "groq-429-rate-limit-reached.json": waits(4770),
  "groq-404-model-not-found.json": pausesWith({ kind: "modelNotFound" }),
  // vLLM
  "vllm-400-max-context-legacy.json": shrinks,
  "vllm-400-max-context.json": shrinks,
  "vllm-200-reasoning-cut-by-length.json": reasoningRetry,
  // llama.cpp server
  "llamacpp-500-exceed-context-size.json": shrinks,
  "llamacpp-400-exceed-context-size.json": shrinks,
  "llamacpp-200-reasoning-cut-by-length.json": reasoningRetry,
  // Hugging Face TGI
  "tgi-422-input-validation.json": shrinks,
  "tgi-429-overloaded.json": waits(10_000),
  // DeepSeek: the marker is only in the text (its code is the generic invalid_request_error)
  "deepseek-400-max-context.json": shrinks,
  // Together, OpenRouter, Fireworks
  "together-200-models-bare-array.json": (res) => expect(parseModelsResponse(res)).toEqual(["Austism/chronos-hermes-13b"]),
  "openrouter-402-insufficient-credits.json": pausesWith({ kind: "outOfCredit", service: "llm" }),
  "fireworks-400-json-schema-not-supported.json": jsonMode,
  "fireworks-400-response-format-extra-input.json": jsonMode,
};

describe("real provider payloads", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

  it("every collected payload has a row in the table, and every row a payload", () => {
    expect(files.sort()).toEqual(Object.keys(table).sort());
  });

  for (const file of files) {
    it(file, () => {
      const raw = JSON.parse(readFileSync(join(dir, file), "utf8")) as { service: "tavily" | "llm" };
      const check = table[file];
      if (!check) throw new Error(`no expectation for ${file}`);
      check(payload(file), raw.service);
    });
  }

  it("a run that dropped reasoning_effort never sends it, even on the reasoning retry", () => {
    const run = drive(
      anthropic,
      (call, i) => (call.service === "tavily" ? search() : i === 1 ? vllmThinking() : chat(reply())),
      options({ noReasoningEffort: true }),
    );
    expect(body(llmCalls(run)[1] as Call)).not.toHaveProperty("reasoning_effort");
    expectKind(run.outcome, "done");
  });
});
