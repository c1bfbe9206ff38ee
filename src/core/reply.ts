// The model's reply (SPEC §4 table): one zod schema, the JSON schema sent in response_format derived
// from it, and the sanitising that makes the values safe to score and to write into cells.
import { z } from "zod";
import type { EvidenceItem } from "./types";

export const USE_CASE_CLASSES = ["S", "A", "B", "C", "D", "E", "UNKNOWN"] as const;
export type UseCaseClass = (typeof USE_CASE_CLASSES)[number];
export const PLATFORM_ADOPTION = ["confirmed", "strong", "possible", "none"] as const;
export type PlatformAdoption = (typeof PLATFORM_ADOPTION)[number];
export const CONFIDENCE = ["high", "medium", "low"] as const;
export type Confidence = (typeof CONFIDENCE)[number];

/** Exactly the fields of SPEC §4; unknown extra keys are dropped, missing or mistyped ones refused. */
export const replySchema = z.object({
  about_company: z.boolean(),
  relevance: z.number(),
  use_case_class: z.enum(USE_CASE_CLASSES),
  funding_musd: z.number().nullable(),
  platform_adoption: z.enum(PLATFORM_ADOPTION).nullable(),
  quant_trading: z.boolean(),
  rapid_growth: z.boolean(),
  ml_hiring: z.boolean(),
  recent_funding: z.boolean(),
  confidence: z.enum(CONFIDENCE),
  use_case_label: z.string(),
  rationale: z.string(),
  sources: z.array(z.string()),
});
export type Reply = z.output<typeof replySchema>;

export const REPLY_SCHEMA_NAME = "company_judgment";

/** Built once per execution: every judging request of a run carries the same schema. */
let jsonSchemaMemo: Record<string, unknown> | null = null;

/**
 * The JSON schema for response_format: derived from replySchema (all fields required, nullable ones
 * as a null alternative, additionalProperties false), which is what OpenAI's strict mode demands;
 * the $schema marker is dropped because some providers refuse unknown top-level keys.
 */
export function replyJsonSchema(): Record<string, unknown> {
  if (!jsonSchemaMemo) {
    const schema: Record<string, unknown> = { ...z.toJSONSchema(replySchema) };
    delete schema.$schema;
    jsonSchemaMemo = schema;
  }
  return jsonSchemaMemo;
}

export function responseFormat(jsonMode: boolean): Record<string, unknown> {
  if (jsonMode) return { type: "json_object" };
  return { type: "json_schema", json_schema: { name: REPLY_SCHEMA_NAME, strict: true, schema: replyJsonSchema() } };
}

const chatResponseSchema = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullish() }), finish_reason: z.string().nullish() }))
    .min(1),
  usage: z.object({ prompt_tokens: z.number().nonnegative(), completion_tokens: z.number().nonnegative() }).partial().nullish(),
});

export interface ChatCompletion {
  content: string;
  inputTokens: number;
  outputTokens: number;
}

/** The message text and token counts of a chat-completions response, or null when it is not one. */
export function parseChatCompletion(body: string): ChatCompletion | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const parsed = chatResponseSchema.safeParse(json);
  if (!parsed.success) return null;
  return {
    content: parsed.data.choices[0]?.message.content ?? "",
    inputTokens: parsed.data.usage?.prompt_tokens ?? 0,
    outputTokens: parsed.data.usage?.completion_tokens ?? 0,
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
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : oneLine.slice(0, max - 1).trimEnd() + "…";
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

/**
 * The reply made safe: numbers clamped, strings capped to one line, and sources kept only when the
 * URL is one of the evidence items the model was shown (an invented or altered URL is dropped).
 */
export function sanitiseReply(reply: Reply, evidence: EvidenceItem[]): Reply {
  const shown = new Set(evidence.map((e) => e.url));
  const sources: string[] = [];
  for (const url of reply.sources) {
    const u = url.trim();
    if (shown.has(u) && !sources.includes(u)) sources.push(u);
    if (sources.length === LIMITS_OF_REPLY.maxSources) break;
  }
  return {
    ...reply,
    relevance: Number.isFinite(reply.relevance) ? clamp(reply.relevance, 0, 1) : 0,
    funding_musd:
      reply.funding_musd === null || !Number.isFinite(reply.funding_musd)
        ? null
        : clamp(reply.funding_musd, 0, LIMITS_OF_REPLY.maxFundingMusd),
    use_case_label: capText(reply.use_case_label, LIMITS_OF_REPLY.labelChars),
    rationale: capText(reply.rationale, LIMITS_OF_REPLY.rationaleChars),
    sources,
  };
}
