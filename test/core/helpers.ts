// Shared test data: settings, recorded responses from test/fixtures, and a driver that runs one
// company's state machine against a function answering its requests.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  applyResponse,
  nextStep,
  startCompany,
  type Applied,
  type CompanyState,
  type Effect,
  type Outcome,
  type ResearchOptions,
  type Service,
} from "../../src/core/engine";
import { mergeRawSettings, validateSettings, type RawSettings, type Settings } from "../../src/core/settings";
import manifest from "../../appsscript.json";
import type { CacheEntry, CompanyInput, Cost, HttpRequest, HttpResponse } from "../../src/core/types";
import { ZERO_COST } from "../../src/core/costs";
import type { Reply } from "../../src/core/reply";
import { FENCE_CLOSE, FENCE_OPEN } from "../../src/core/prompt";

export const TAVILY_KEY = "tvly-dev-SECRETtavily0123456789";
export const LLM_KEY = "crusoe-SECRETllm9876543210abcd";

export function makeSettings(overrides: RawSettings = {}): Settings {
  const { settings, errors } = validateSettings(
    mergeRawSettings({ TAVILY_API_KEY: TAVILY_KEY, LLM_API_KEY: LLM_KEY, LLM_MODEL: "model-a", ...overrides }, {}),
    manifest.urlFetchWhitelist,
  );
  if (!settings) throw new Error(JSON.stringify(errors));
  return settings;
}

export function options(overrides: Partial<ResearchOptions> = {}, raw: RawSettings = {}): ResearchOptions {
  return { settings: makeSettings(raw), jsonMode: false, ...overrides };
}

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

export function fixtureText(name: string): string {
  return readFileSync(join(fixtures, name), "utf8");
}

export function response(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body: typeof body === "string" ? body : JSON.stringify(body) };
}

export function tavilyOk(
  results: { url: string; title?: string; content: string; score?: number; raw_content?: string }[],
  credits = 2,
): HttpResponse {
  return response(200, {
    query: "q",
    results: results.map((r) => ({ title: "", score: 0.5, ...r })),
    usage: { credits },
    response_time: 1.2,
  });
}

/** The fields of the reply schema, in the order the model is asked for them (pinned here, not derived from the schema). */
export const REPLY_FIELDS = [
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

export function reply(overrides: Partial<Reply> = {}): Reply {
  return {
    about_company: true,
    relevance: 0.9,
    use_case_class: "S",
    funding_musd: 150,
    platform_adoption: null,
    quant_trading: false,
    rapid_growth: true,
    ml_hiring: true,
    recent_funding: true,
    confidence: "high",
    use_case_label: "Frontier model training",
    rationale: "The company trains foundation models. It raised large rounds.",
    sources: [],
    ...overrides,
  };
}

export function chat(content: unknown, promptTokens = 4000, completionTokens = 200): HttpResponse {
  return response(200, {
    id: "chatcmpl-1",
    object: "chat.completion",
    model: "model-a",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: typeof content === "string" ? content : JSON.stringify(content) },
        finish_reason: "stop",
      },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  });
}

/** The effect of this kind an answer had, if any. */
export function effectOf<K extends Effect["kind"]>(applied: Applied | undefined, kind: K): Extract<Effect, { kind: K }> | undefined {
  return applied?.effects.find((effect): effect is Extract<Effect, { kind: K }> => effect.kind === kind);
}

/** What an answer cost: its paid effect, or nothing for an answer that was not billed. */
export function paidBy(applied: Applied | undefined): Cost {
  return effectOf(applied, "paid")?.cost ?? ZERO_COST;
}

/** The cache entry an answer asks to store at once, if any. */
export function storedBy(applied: Applied | undefined): CacheEntry | undefined {
  return effectOf(applied, "store")?.entry;
}

export interface Call {
  service: Service;
  request: HttpRequest;
  notBefore: number;
}

export interface Run {
  outcome: Outcome;
  calls: Call[];
  applied: Applied[];
  final: CompanyState;
}

/** Drives one company to its outcome; answer() plays the providers. The clock jumps to each request's notBefore. */
export function drive(
  input: CompanyInput,
  answer: (call: Call, index: number) => HttpResponse,
  opts: ResearchOptions = options(),
  cache: CacheEntry | null = null,
  start = 1_700_000_000_000,
): Run {
  let now = start;
  let state = startCompany(input, cache, opts, now);
  const calls: Call[] = [];
  const applied: Applied[] = [];
  for (let guard = 0; guard < 50; guard++) {
    const step = nextStep(state);
    if (step.kind === "finished") return { outcome: step.outcome, calls, applied, final: state };
    const call = { service: step.service, request: step.request, notBefore: step.notBefore };
    now = Math.max(now + 1000, step.notBefore);
    calls.push(call);
    const a = applyResponse(state, answer(call, calls.length - 1), opts, now);
    applied.push(a);
    state = a.state;
  }
  throw new Error("no outcome after 50 steps");
}

export function body(call: Call): Record<string, unknown> {
  return JSON.parse(call.request.payload ?? "{}") as Record<string, unknown>;
}

export function userMessage(call: Call): string {
  const messages = body(call).messages as { role: string; content: string }[];
  return messages.find((m) => m.role === "user")?.content ?? "";
}

export function promptChars(call: Call): number {
  const messages = body(call).messages as { role: string; content: string }[];
  return messages.reduce((sum, m) => sum + m.content.length, 0);
}

/** Characters of the evidence block (between the fences) of a judging call. */
export function evidenceChars(call: Call): number {
  const user = userMessage(call);
  return user.indexOf(FENCE_CLOSE) - user.indexOf(FENCE_OPEN) - FENCE_OPEN.length;
}

/** URLs of the evidence items the prompt shows. */
export function evidenceUrls(call: Call): string[] {
  return [...userMessage(call).matchAll(/^URL: (.+)$/gm)].map((m) => m[1] ?? "");
}
