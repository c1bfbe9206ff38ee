// Offline provider: answers the add-on's Tavily and chat-completions requests from recordings.
// It never depends on the exact query or prompt wording (the engine may reword them): a search is
// matched by the company quoted in its query, a chat call by the `Company: <name>` line of its prompt.
import { z } from "zod";
import { bearerToken, type ProviderHandler, type ProviderReply, type ProviderRequest } from "../providers/common";
import { notAboutVerdict } from "../providers/llm";
import { serviceOf } from "./fetch";
import { RecordingIndex, type ChatCompletion, type Recording, type TavilyResponse } from "./recordings";

// The bench's latency model, so the virtual clock and ETA look like a live run.
const EMPTY_SEARCH_MS = 1_500;
const LLM_BASE_MS = 2_000;
const LLM_MS_PER_1000_PROMPT_CHARS = 20;
const LLM_MS_PER_OUTPUT_TOKEN = 8;

const searchPayloadSchema = z.looseObject({ query: z.string(), search_depth: z.string().optional() });
const chatPayloadSchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })),
});

function json(status: number, body: unknown, latencyMs: number): ProviderReply {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body), latencyMs };
}

function hasBearer(request: ProviderRequest): boolean {
  return (bearerToken(request.headers) ?? "").trim() !== "";
}

/** Text of a chat message whether content is a string or a list of parts. */
function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        typeof part === "object" && part !== null && "text" in part && typeof part.text === "string" ? part.text : "",
      )
      .join("\n");
  }
  return "";
}

/** A JSON request body checked against a schema, or null when it is not JSON or does not fit. */
export function parsePayload<T>(schema: z.ZodType<T>, payload: string | undefined): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(payload ?? ""));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The company a search is about: the first quoted name that has a recording, else a whole-word mention. */
export function companyOfQuery(index: RecordingIndex, query: string): Recording | null {
  for (const match of query.matchAll(/"([^"]+)"/g)) {
    const found = index.byName(match[1] ?? "");
    if (found) return found;
  }
  return index.mentionedIn(query);
}

/** The company a chat call is about, from the `Company: <name>` line of the user's message. */
export function companyOfPrompt(index: RecordingIndex, messages: readonly { role: string; content: unknown }[]): Recording | null {
  for (const message of messages) {
    if (message.role !== "user") continue;
    const line = /^[ \t]*Company:[ \t]*(.+?)[ \t]*$/m.exec(messageText(message.content));
    if (line) return index.byName((line[1] ?? "").replace(/^["“]|["”]$/g, ""));
  }
  return null;
}

export interface ReplayOptions {
  /** Makes ids and the empty reply's request id repeatable in tests. */
  newId?: () => string;
}

export function createReplayHandler(recordings: readonly Recording[], options: ReplayOptions = {}): ProviderHandler {
  const index = new RecordingIndex(recordings);
  const newId = options.newId ?? (() => crypto.randomUUID());
  const searchesSeen = new Map<Recording, number>();
  const completionsSeen = new Map<Recording, number>();

  const nth = <T>(list: readonly T[], seen: Map<Recording, number>, recording: Recording): T | undefined => {
    const n = seen.get(recording) ?? 0;
    seen.set(recording, n + 1);
    return list[Math.min(n, list.length - 1)];
  };

  const search = (request: ProviderRequest): ProviderReply => {
    if (!hasBearer(request)) return json(401, { detail: { error: "Unauthorized: missing or invalid API key." } }, 200);
    const payload = parsePayload(searchPayloadSchema, request.payload);
    if (!payload) return json(400, { detail: { error: "Invalid request body: query is required." } }, 200);
    // Tavily bills 2 credits for an advanced search and 1 for a basic one.
    const credits = payload.search_depth === "advanced" ? 2 : 1;
    const recording = companyOfQuery(index, payload.query);
    const recorded = recording ? nth(recording.searches, searchesSeen, recording) : undefined;
    const response: TavilyResponse = recorded
      ? { ...structuredClone(recorded), query: payload.query, usage: { credits } }
      : {
          query: payload.query,
          follow_up_questions: null,
          answer: null,
          images: [],
          results: [],
          response_time: EMPTY_SEARCH_MS / 1000,
          usage: { credits },
          request_id: newId(),
        };
    return json(200, response, Math.round(response.response_time * 1000));
  };

  const chat = (request: ProviderRequest): ProviderReply => {
    if (!hasBearer(request)) {
      return json(
        401,
        { error: { message: "Incorrect API key provided.", type: "invalid_request_error", param: null, code: "invalid_api_key" } },
        200,
      );
    }
    const payload = parsePayload(chatPayloadSchema, request.payload);
    if (!payload)
      return json(400, { error: { message: "messages is required", type: "invalid_request_error", param: "messages", code: null } }, 200);
    const promptChars = payload.messages.reduce((sum, m) => sum + messageText(m.content).length, 0);
    const recording = companyOfPrompt(index, payload.messages);
    const recorded = recording ? nth(recording.completions, completionsSeen, recording) : undefined;
    const completion = recorded ? structuredClone(recorded) : unknownCompanyCompletion(newId());
    // The recorded prompt was worded by an earlier engine; bill the prompt that was actually sent
    // (about 4 characters per token) so cost and token figures follow the engine's real prompt size.
    const promptTokens = Math.ceil(promptChars / 4);
    const usage = { ...completion.usage, prompt_tokens: promptTokens, total_tokens: promptTokens + completion.usage.completion_tokens };
    const reply: ChatCompletion = {
      ...completion,
      created: Math.floor(request.sentAt / 1000),
      model: payload.model ?? completion.model,
      usage,
    };
    const latency = LLM_BASE_MS + (promptChars / 1000) * LLM_MS_PER_1000_PROMPT_CHARS + usage.completion_tokens * LLM_MS_PER_OUTPUT_TOKEN;
    return json(200, reply, Math.round(latency));
  };

  return (request) => {
    const service = serviceOf(request.url);
    if (service === "tavily" && request.method.toLowerCase() === "post" && new URL(request.url).pathname === "/search")
      return search(request);
    if (service === "llm" && request.method.toLowerCase() === "post") return chat(request);
    return json(404, { error: { message: `The offline demo has no recording for ${request.method.toUpperCase()} ${request.url}` } }, 100);
  };
}

/** A judgement for a company the recordings do not know: not about the company, so no reliable data. */
function unknownCompanyCompletion(id: string): ChatCompletion {
  const reply = notAboutVerdict("this company");
  return {
    id: `chatcmpl-${id}`,
    object: "chat.completion",
    created: 0,
    model: "",
    choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify(reply) }, finish_reason: "stop" }],
    usage: { prompt_tokens: 0, completion_tokens: 60, total_tokens: 60 },
  };
}
