// The model's reply: one zod schema, the JSON schema sent in response_format derived
// from it, and the sanitising that makes the values safe to score and to write into cells.
import * as z from "zod/mini";
import "./zod-english";
import type { EvidenceItem } from "./types";
import { CHARS_PER_TOKEN, readCount } from "./costs";
import { jsonField, parseStoredJson } from "./json";
import { containsSecret, maskSecrets } from "./secrets";
import { isWebUrl } from "./evidence";
import { plainLine } from "./format";

export const USE_CASE_CLASSES = ["S", "A", "B", "C", "D", "E", "UNKNOWN"] as const;
export type UseCaseClass = (typeof USE_CASE_CLASSES)[number];
export const PLATFORM_ADOPTION = ["confirmed", "strong", "possible", "none"] as const;
export type PlatformAdoption = (typeof PLATFORM_ADOPTION)[number];
export const CONFIDENCE = ["high", "medium", "low"] as const;
export type Confidence = (typeof CONFIDENCE)[number];

/**
 * Exactly the fields the product defines for a reply; unknown extra keys are dropped, missing or
 * mistyped ones refused. The response schemas here are built on first use (z.lazy): every execution
 * loads the whole bundle, and most (a sidebar poll, a cached =TERRITORY_TIER cell) judge nothing.
 */
export const replySchema = z.lazy(() =>
  z.object({
    about_company: z.boolean(),
    relevance: z.number(),
    use_case_class: z.enum(USE_CASE_CLASSES),
    funding_musd: z.nullable(z.number()),
    platform_adoption: z.nullable(z.enum(PLATFORM_ADOPTION)),
    quant_trading: z.boolean(),
    rapid_growth: z.boolean(),
    ml_hiring: z.boolean(),
    recent_funding: z.boolean(),
    confidence: z.enum(CONFIDENCE),
    use_case_label: z.string(),
    rationale: z.string(),
    sources: z.array(z.string()),
  }),
);
export type Reply = z.output<typeof replySchema>;

export const REPLY_SCHEMA_NAME = "company_judgment";

/**
 * The JSON schema for response_format: derived from replySchema (all fields required, nullable ones
 * as a null alternative, additionalProperties false), which is what OpenAI's strict mode demands;
 * the $schema marker is dropped because some providers refuse unknown top-level keys.
 */
export function deriveReplyJsonSchema(): Record<string, unknown> {
  const schema: Record<string, unknown> = { ...z.toJSONSchema(replySchema) };
  delete schema.$schema;
  return schema;
}

/**
 * The add-on's build derives the schema once (build.mjs calls deriveReplyJsonSchema) and writes
 * the JSON text in here: zod's converter is a seventh of the bundle, which every execution compiles.
 * Unbuilt code (tests, tools) derives it on first use.
 */
declare const __REPLY_JSON_SCHEMA__: string | undefined;

/** Built once per execution: every judging request of a run carries the same schema. */
let jsonSchemaMemo: Record<string, unknown> | null = null;

export function replyJsonSchema(): Record<string, unknown> {
  jsonSchemaMemo ??=
    typeof __REPLY_JSON_SCHEMA__ === "string" ? (JSON.parse(__REPLY_JSON_SCHEMA__) as Record<string, unknown>) : deriveReplyJsonSchema();
  return jsonSchemaMemo;
}

export function responseFormat(jsonMode: boolean): Record<string, unknown> {
  if (jsonMode) return { type: "json_object" };
  return { type: "json_schema", json_schema: { name: REPLY_SCHEMA_NAME, strict: true, schema: replyJsonSchema() } };
}

const chatResponseSchema = z.lazy(() => {
  const text = z.catch(z.nullish(z.string()), null);
  const message = z.object({
    content: text,
    // vLLM and llama.cpp put a reasoning model's thinking beside the answer, under either name.
    reasoning_content: text,
    reasoning: text,
  });
  return z.object({
    choices: z.array(z.object({ message, finish_reason: text })).check(z.minLength(1)),
    // Read field by field below: a malformed usage block must not fail a good reply.
    usage: z.optional(z.unknown()),
  });
});

export interface ChatCompletion {
  content: string;
  /** "length" when the output cap cut the reply short. */
  finishReason: string | null;
  /** The model wrote reasoning (thinking) text beside its answer. */
  reasoned: boolean;
  inputTokens: number;
  outputTokens: number;
}

/** Token counts the caller expects, used where the provider's usage is missing or not believable. */
export interface UsageEstimate {
  inputTokens: number;
  /** The max_tokens cap of the request: no reply has more output tokens. */
  maxOutputTokens: number;
}

/** The message text and token counts of a chat-completions response, or null when it is not one. */
export function parseChatCompletion(body: string, estimate: UsageEstimate): ChatCompletion | null {
  const data = parseStoredJson(body, chatResponseSchema);
  if (!data) return null;
  const choice = data.choices[0];
  const content = choice?.message.content ?? "";
  const reasoning = choice?.message.reasoning_content ?? choice?.message.reasoning ?? "";
  const { usage } = data;
  // No tokenizer makes more than about one token per character: ten times the estimate is not believable.
  const maxInput = estimate.inputTokens * 10 + 10_000;
  const outputEstimate = Math.min(estimate.maxOutputTokens, Math.ceil((content.length + reasoning.length) / CHARS_PER_TOKEN));
  return {
    content,
    finishReason: choice?.finish_reason ?? null,
    reasoned: reasoning.trim() !== "",
    inputTokens: readCount(jsonField(usage, "prompt_tokens"), estimate.inputTokens, maxInput),
    outputTokens: readCount(jsonField(usage, "completion_tokens"), outputEstimate, estimate.maxOutputTokens * 2 + 1000),
  };
}

export type ReplyCheck = { ok: true; reply: Reply } | { ok: false; problem: string };

/** Models in JSON mode sometimes wrap the object in a code fence or a sentence: take the outermost {...}. */
function jsonObjectText(content: string): string {
  const start = content.indexOf("{");
  const end = content.lastIndexOf("}");
  return start >= 0 && end > start ? content.slice(start, end + 1) : content;
}

/** Validates the message text against replySchema; problem is a short reason, fed back on the retry. */
export function checkReply(content: string): ReplyCheck {
  let json: unknown;
  try {
    json = JSON.parse(jsonObjectText(content));
  } catch {
    return { ok: false, problem: "the reply was not valid JSON" };
  }
  const parsed = replySchema.safeParse(json);
  if (parsed.success) return { ok: true, reply: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.join(".") || "reply";
  return { ok: false, problem: `field ${where}: ${issue?.message ?? "invalid"}` };
}

export const LIMITS_OF_REPLY = { labelChars: 80, rationaleChars: 600, maxSources: 5, maxFundingMusd: 1_000_000 } as const;

function capText(text: string, max: number): string {
  const oneLine = plainLine(text);
  return oneLine.length <= max ? oneLine : oneLine.slice(0, max - 1).trimEnd() + "…";
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

/**
 * The reply made safe: numbers clamped, strings capped to one line of plain text (no control or
 * bidi characters) with any key an endpoint echoed masked, and sources kept only when the URL is an http(s) page among the evidence items
 * the model was shown (an invented or altered URL is dropped).
 */
export function sanitiseReply(reply: Reply, evidence: EvidenceItem[], secrets: readonly string[]): Reply {
  const shown = new Set(evidence.map((e) => e.url));
  const sources: string[] = [];
  for (const url of reply.sources) {
    const u = url.trim();
    if (shown.has(u) && isWebUrl(u) && !sources.includes(u) && !containsSecret(u, secrets)) sources.push(u);
    if (sources.length === LIMITS_OF_REPLY.maxSources) break;
  }
  return {
    ...reply,
    relevance: Number.isFinite(reply.relevance) ? clamp(reply.relevance, 0, 1) : 0,
    funding_musd:
      reply.funding_musd === null || !Number.isFinite(reply.funding_musd)
        ? null
        : clamp(reply.funding_musd, 0, LIMITS_OF_REPLY.maxFundingMusd),
    use_case_label: capText(maskSecrets(reply.use_case_label, secrets), LIMITS_OF_REPLY.labelChars),
    rationale: capText(maskSecrets(reply.rationale, secrets), LIMITS_OF_REPLY.rationaleChars),
    sources,
  };
}
