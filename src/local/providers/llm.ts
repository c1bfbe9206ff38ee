// Fake OpenAI-compatible chat-completions provider (Crusoe-like): POST <base>/chat/completions and
// GET <base>/models, with a latency model, key check, rate limit, context limit, switches that
// refuse json_schema response formats and reasoning_effort, fault injection and hooks for
// malformed replies.
//
// Contract with the research engine: the user message holds a line `Company: <name>` and, per
// evidence item, a line `URL: <url>` followed by that item's text.
import { z } from "zod";
import { DEFAULT_LLM_BASE_URL, DEFAULT_LLM_MODEL } from "../../core/settings";
import {
  bearerToken,
  companyId,
  createGate,
  fakeId,
  jsonReply,
  mentions,
  type Charge,
  type FaultDecision,
  type FaultOption,
  type ProviderReply,
  type ProviderRequest,
} from "./common";
import { companyTraits, type Confidence, type PlatformAdoption, type UseCaseClass } from "./traits";

/** Exactly the fields of the reply schema the add-on asks the model for (src/core/reply.ts). */
export interface LlmVerdict {
  about_company: boolean;
  relevance: number;
  use_case_class: UseCaseClass;
  funding_musd: number | null;
  platform_adoption: PlatformAdoption | null;
  quant_trading: boolean;
  rapid_growth: boolean;
  ml_hiring: boolean;
  recent_funding: boolean;
  confidence: Confidence;
  use_case_label: string;
  rationale: string;
  sources: string[];
}

/**
 * Ways to break a reply, to test the engine's validation and retry:
 * - not-json: prose instead of JSON; fenced: valid JSON inside a ```json fence;
 * - missing-field: `confidence` left out; bad-enum: `use_case_class` "Z";
 * - truncated: JSON cut in the middle with finish_reason "length"; empty: "" content;
 * - foreign-sources: sources that were not in the prompt;
 * - { content }: exactly this content.
 */
export type Malformation =
  "not-json" | "fenced" | "missing-field" | "bad-enum" | "truncated" | "empty" | "foreign-sources" | { content: string };

export interface MalformedContext {
  company: string | null;
  /** How many chat requests this company has sent so far, this one included (1-based). */
  attempt: number;
  requestIndex: number;
  request: ProviderRequest;
}

export interface FakeLlmOptions {
  apiKey: string;
  /** Default https://api.crusoe.ai/v1 (the add-on's default LLM_BASE_URL). */
  baseUrl?: string;
  /** Model ids served by /models and accepted by chat; default includes the add-on's default model. */
  models?: string[];
  /** Company (any case) -> fields that override the derived verdict. */
  verdicts?: Record<string, Partial<LlmVerdict>>;
  /**
   * Model id -> how that model's verdict on a company differs from the one above, so two models of
   * one fake judge the same evidence differently (an eval compares them side by side).
   */
  judgeAs?: Record<string, (verdict: LlmVerdict) => Partial<LlmVerdict>>;
  /** Default 2000 ms + 20 ms per 1,000 prompt characters + 8 ms per output token. */
  latencyMs?: (usage: { promptChars: number; completionTokens: number }, request: ProviderRequest) => number;
  errorLatencyMs?: number;
  rpm?: number;
  faults?: FaultOption;
  /** Prompts longer than this many characters get 400 context_length_exceeded. */
  contextLimitChars?: number;
  /** Answer 400 to response_format json_schema, as providers without structured output do. */
  rejectJsonSchema?: boolean;
  /** Answer 400 unsupported_parameter to a request carrying reasoning_effort, as a model without reasoning does. */
  rejectReasoningEffort?: boolean;
  malformed?: (ctx: MalformedContext) => Malformation | null;
}

export interface FakeLlm {
  handle(request: ProviderRequest): ProviderReply;
  readonly baseUrl: string;
  readonly requests: number;
  /** Chat requests answered 200. */
  readonly completions: number;
  /** Chat requests per company (from the `Company:` line), whatever their answer. */
  readonly byCompany: Readonly<Record<string, number>>;
  /** Well-formed verdicts (200, not malformed) per company: what a correct add-on must have written. */
  readonly answeredByCompany: Readonly<Record<string, number>>;
  readonly promptTokensServed: number;
  readonly completionTokensServed: number;
  /** Sum of the latencies of the completions answered 200 (the bench's bound uses their mean). */
  readonly completionLatencyMsServed: number;
  /** Every billed completion, in tokens (prompt and completion): a caller can tell which came back after a kill. */
  readonly charges: readonly Charge[];
  readonly byStatus: Readonly<Record<number, number>>;
  /** The verdict this fake gives a company whose evidence mentions it (sources left empty). */
  verdictFor(company: string): LlmVerdict;
  reset(): void;
}

const TextPart = z.object({ type: z.literal("text"), text: z.string() });
const Message = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z.union([z.string(), z.array(TextPart)]).nullable(),
});
const ResponseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({ name: z.string(), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().optional() }),
  }),
]);
const ChatBody = z.object({
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  response_format: ResponseFormat.optional(),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  reasoning_effort: z.string().optional(),
  top_p: z.number().optional(),
  stream: z.boolean().optional(),
  seed: z.number().int().optional(),
});
type ChatBody = z.infer<typeof ChatBody>;

const DEFAULT_MODELS = [DEFAULT_LLM_MODEL, "deepseek-ai/DeepSeek-R1-0528", "Qwen/Qwen3-235B-A22B-Instruct-2507"];

function messageText(content: z.infer<typeof Message>["content"]): string {
  if (content === null) return "";
  return typeof content === "string" ? content : content.map((p) => p.text).join("");
}

interface ParsedPrompt {
  company: string | null;
  /** Evidence items in prompt order: the URL and the text that follows it up to the next URL. */
  evidence: { url: string; text: string }[];
}

/** Reads the engine's prompt contract out of the user message(s). */
export function parsePrompt(userText: string): ParsedPrompt {
  const company = /^\s*Company:\s*(.+?)\s*$/m.exec(userText)?.[1] ?? null;
  const evidence: { url: string; text: string }[] = [];
  const lines = userText.split(/\r?\n/);
  let current: { url: string; text: string } | null = null;
  for (const line of lines) {
    const url = /^\s*URL:\s*(\S+)\s*$/.exec(line)?.[1];
    if (url !== undefined) {
      current = { url, text: "" };
      evidence.push(current);
    } else if (current) {
      current.text += line + "\n";
    }
  }
  return { company, evidence };
}

function deriveVerdict(company: string): LlmVerdict {
  const t = companyTraits(company);
  const funding = t.fundingMusd === null ? "Its funding is not disclosed." : `It has raised about $${t.fundingMusd}M.`;
  return {
    about_company: true,
    relevance: 0.9,
    use_case_class: t.useCaseClass,
    funding_musd: t.fundingMusd,
    platform_adoption: t.platformAdoption,
    quant_trading: t.quantTrading,
    rapid_growth: t.rapidGrowth,
    ml_hiring: t.mlHiring,
    recent_funding: t.recentFunding,
    confidence: t.confidence,
    use_case_label: t.useCaseLabel,
    rationale: `The evidence describes ${company} as: ${t.useCaseLabel.toLowerCase()}. ${funding}`,
    sources: [],
  };
}

/** The judgement of evidence that does not describe the company. */
export function notAboutVerdict(company: string): LlmVerdict {
  return {
    about_company: false,
    relevance: 0.1,
    use_case_class: "UNKNOWN",
    funding_musd: null,
    platform_adoption: null,
    quant_trading: false,
    rapid_growth: false,
    ml_hiring: false,
    recent_funding: false,
    confidence: "low",
    use_case_label: "Unknown",
    rationale: `The evidence does not describe ${company}. The pages found are about other subjects.`,
    sources: [],
  };
}

function malform(verdict: LlmVerdict, how: Malformation): { content: string; finishReason: "stop" | "length" } {
  const json = JSON.stringify(verdict);
  if (typeof how === "object") return { content: how.content, finishReason: "stop" };
  switch (how) {
    case "not-json":
      return { content: `Here is my assessment: the company looks like ${verdict.use_case_label}.`, finishReason: "stop" };
    case "fenced":
      return { content: "```json\n" + json + "\n```", finishReason: "stop" };
    case "missing-field": {
      const rest: Partial<LlmVerdict> = { ...verdict };
      delete rest.confidence;
      return { content: JSON.stringify(rest), finishReason: "stop" };
    }
    case "bad-enum":
      return { content: JSON.stringify({ ...verdict, use_case_class: "Z" }), finishReason: "stop" };
    case "truncated":
      return { content: json.slice(0, Math.floor(json.length / 2)), finishReason: "length" };
    case "empty":
      return { content: "", finishReason: "stop" };
    case "foreign-sources":
      return { content: JSON.stringify({ ...verdict, sources: ["https://attacker.example/injected"] }), finishReason: "stop" };
  }
}

const tokensOf = (chars: number) => Math.ceil(chars / 4);

export function createFakeLlm(options: FakeLlmOptions): FakeLlm {
  const baseUrl = (options.baseUrl ?? DEFAULT_LLM_BASE_URL).replace(/\/+$/, "");
  const models = options.models ?? DEFAULT_MODELS;
  const overrides = new Map<string, Partial<LlmVerdict>>();
  for (const [name, v] of Object.entries(options.verdicts ?? {})) overrides.set(companyId(name), v);
  const latencyOf =
    options.latencyMs ??
    ((u: { promptChars: number; completionTokens: number }) => 2000 + (20 * u.promptChars) / 1000 + 8 * u.completionTokens);
  const gate = createGate(options, () => ({
    requests: 0,
    completions: 0,
    promptTokensServed: 0,
    completionTokensServed: 0,
    completionLatencyMsServed: 0,
    byCompany: {} as Record<string, number>,
    answeredByCompany: {} as Record<string, number>,
    charges: [] as Charge[],
  }));
  const errorLatency = gate.errorLatencyMs;
  const answer = gate.answer;
  const count = gate.counts;

  const openAiError = (
    status: number,
    message: string,
    type: string,
    code: string | null,
    param: string | null = null,
    headers: Record<string, string> = {},
  ) => answer(jsonReply(status, { error: { message, type, param, code } }, errorLatency, headers));
  const rateLimited = (retryAfterSeconds: number) =>
    openAiError(429, "Rate limit exceeded: too many requests per minute.", "rate_limit_error", "rate_limit_exceeded", null, {
      "Retry-After": String(retryAfterSeconds),
    });

  const verdictFor = (company: string): LlmVerdict => ({ ...deriveVerdict(company), ...overrides.get(companyId(company)) });

  // OpenAI's error bodies (https://platform.openai.com/docs/guides/error-codes): the account out of
  // credit is a 429 whose type and code say `insufficient_quota`; a single request above the
  // tokens-per-minute limit is a 429 "Request too large", a size problem rather than a rate.
  function faultReply(injected: FaultDecision, body: ChatBody | null): ProviderReply {
    const model = body?.model ?? models[0] ?? "model";
    switch (injected.kind) {
      case "outOfCredit":
        return openAiError(
          429,
          "You exceeded your current quota, please check your plan and billing details.",
          "insufficient_quota",
          "insufficient_quota",
        );
      case "tooLarge":
        return openAiError(
          429,
          `Request too large for ${model} in organization org-fake on tokens per min (TPM): Limit 30000, Requested 45000. The input or output tokens must be reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more.`,
          "tokens",
          "rate_limit_exceeded",
        );
      case "status":
        if (injected.status === 429) return rateLimited(injected.retryAfterSeconds);
        if (injected.status === 502) return gate.badGateway();
        return openAiError(injected.status, "The server had an error while processing your request.", "server_error", null);
    }
  }

  function complete(request: ProviderRequest, body: ChatBody, company: string | null): ProviderReply {
    const promptChars = body.messages.reduce((sum, m) => sum + messageText(m.content).length, 0);
    if (!models.includes(body.model)) {
      return openAiError(404, `The model \`${body.model}\` does not exist.`, "invalid_request_error", "model_not_found", "model");
    }
    if (options.rejectJsonSchema && body.response_format?.type === "json_schema") {
      return openAiError(
        400,
        "response_format of type json_schema is not supported by this model",
        "invalid_request_error",
        null,
        "response_format",
      );
    }
    // OpenAI's answer for a model without reasoning (the body quoted in
    // https://github.com/BoundaryML/baml/pull/2708, with the Chat Completions parameter's name).
    if (options.rejectReasoningEffort && body.reasoning_effort !== undefined) {
      return openAiError(
        400,
        "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
        "invalid_request_error",
        "unsupported_parameter",
        "reasoning_effort",
      );
    }
    if (options.contextLimitChars !== undefined && promptChars > options.contextLimitChars) {
      const limitTokens = tokensOf(options.contextLimitChars);
      return openAiError(
        400,
        `This model's maximum context length is ${limitTokens} tokens. However, your messages resulted in ${tokensOf(promptChars)} tokens. Please reduce the length of the messages.`,
        "invalid_request_error",
        "context_length_exceeded",
        "messages",
      );
    }

    const userText = body.messages
      .filter((m) => m.role === "user")
      .map((m) => messageText(m.content))
      .join("\n");
    const prompt = parsePrompt(userText);
    const name = company ?? "the company";
    const relevant = company === null ? [] : prompt.evidence.filter((e) => mentions(e.text, company) || mentions(e.url, company));
    const judged = verdictFor(name);
    const verdict: LlmVerdict =
      relevant.length === 0
        ? notAboutVerdict(name)
        : { ...judged, ...options.judgeAs?.[body.model]?.(judged), sources: relevant.slice(0, 3).map((e) => e.url) };
    if (relevant.length > 0) {
      // Overrides may set sources explicitly; otherwise they come from the prompt.
      const explicit = overrides.get(companyId(name))?.sources;
      if (explicit) verdict.sources = explicit;
    }

    const attempt = company === null ? 1 : (count.byCompany[company] ?? 1);
    const how = options.malformed?.({ company, attempt, requestIndex: count.requests, request }) ?? null;
    let { content, finishReason } =
      how === null ? { content: JSON.stringify(verdict), finishReason: "stop" as const } : malform(verdict, how);
    const cap = body.max_tokens ?? body.max_completion_tokens;
    let malformed = how !== null && how !== "fenced";
    if (cap !== undefined && tokensOf(content.length) > cap) {
      content = content.slice(0, cap * 4);
      finishReason = "length";
      malformed = true;
    }
    const completionTokens = tokensOf(content.length);
    const promptTokens = tokensOf(promptChars);
    count.completions++;
    count.promptTokensServed += promptTokens;
    count.completionTokensServed += completionTokens;
    if (company !== null && !malformed) count.answeredByCompany[company] = (count.answeredByCompany[company] ?? 0) + 1;
    const latencyMs = latencyOf({ promptChars, completionTokens }, request);
    count.completionLatencyMsServed += latencyMs;
    count.charges.push({ sentAt: request.sentAt, answeredAt: request.sentAt + latencyMs, amount: promptTokens + completionTokens });
    return answer(
      jsonReply(
        200,
        {
          id: fakeId("chatcmpl-", count.requests, company ?? ""),
          object: "chat.completion",
          created: Math.floor(request.sentAt / 1000),
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finishReason }],
          usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
        },
        latencyMs,
      ),
    );
  }

  function handle(request: ProviderRequest): ProviderReply {
    count.requests++;
    const path = request.url.startsWith(baseUrl + "/") ? request.url.slice(baseUrl.length).split("?")[0] : null;
    const isChat = path === "/chat/completions" && request.method === "post";
    const isModels = path === "/models" && request.method === "get";
    if (!isChat && !isModels)
      return openAiError(404, `No route for ${request.method.toUpperCase()} ${request.url}`, "invalid_request_error", "not_found");

    let body: ChatBody | null = null;
    if (isChat) {
      let json: unknown;
      try {
        json = JSON.parse(request.payload ?? "");
      } catch {
        return openAiError(400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
      }
      const parsed = ChatBody.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return openAiError(
          400,
          `Invalid request: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim(),
          "invalid_request_error",
          null,
        );
      }
      body = parsed.data;
    }
    const company =
      body === null
        ? null
        : parsePrompt(
            body.messages
              .filter((m) => m.role === "user")
              .map((m) => messageText(m.content))
              .join("\n"),
          ).company;
    if (company !== null) count.byCompany[company] = (count.byCompany[company] ?? 0) + 1;

    if (bearerToken(request.headers) !== options.apiKey) {
      return answer(jsonReply(401, { errors: [{ message: "unauthorized: invalid or missing API key" }] }, errorLatency));
    }
    if (gate.limiter) {
      const admitted = gate.limiter.admit(request.sentAt);
      if (!admitted.ok) return rateLimited(admitted.retryAfterSeconds);
    }
    const injected = gate.fault({ request, company, requestIndex: count.requests });
    if (injected) return faultReply(injected, body);
    if (body === null) {
      return answer(
        jsonReply(
          200,
          {
            object: "list",
            data: models.map((id) => ({ id, object: "model", created: 1_720_000_000, owned_by: id.split("/")[0] ?? "fake" })),
          },
          errorLatency,
        ),
      );
    }
    return complete(request, body, company);
  }

  return gate.expose({ handle, baseUrl, verdictFor });
}
