// What an HTTP answer other than 2xx means for the run, and messages a user can act on. The
// bodies recognised here are the ones real providers send (OpenAI, vLLM, llama.cpp's server,
// Hugging Face TGI, Groq, Together, OpenRouter, Tavily); bodies are echoed only short and masked.
import { SERVICE_WORDS, type PauseReason } from "./status";
import { clip } from "./format";
import { jsonField as field } from "./json";
import { maskSecrets } from "./secrets";
import { SERVICE_NAMES, type HttpResponse, type Service } from "./types";

export { SERVICE_NAMES, type Service } from "./types";

export type ErrorAction =
  /** The whole run must stop until the user resumes. */
  | { kind: "pause"; reason: PauseReason }
  /** 429: wait, then send the same request again; never counts against the row. */
  | { kind: "rateLimited"; retryAfterMs: number }
  /**
   * 5xx, timeout, network: try again after a backoff, a bounded number of times. `what` says one
   * failure in a rep's words ("could not reach the AI service"), `detail` the technical reason.
   */
  | { kind: "retry"; what: string; detail: string }
  /** The prompt is too long for the model (or for a per-minute token limit): send less evidence. */
  | { kind: "shrink"; detail: string }
  /** The provider refuses response_format json_schema: ask for JSON mode instead. */
  | { kind: "jsonMode"; detail: string }
  /** The provider refuses the reasoning_effort parameter: send the request without it. */
  | { kind: "reasoningEffortRefused"; detail: string }
  /** Nothing to retry: the row fails with this message (shown after "Error: "). */
  | { kind: "fail"; message: string };

/**
 * What a row's error tells the rep to do. The command line, which has neither the menu nor the
 * Settings dialog, says each of them its own way.
 */
export const ROW_ADVICE = {
  retryLater: "try again later with Retry failed rows",
  retryOrModel: "try again with Retry failed rows, or choose another model in Settings",
  otherModel: "choose another model in Settings",
  checkModel: "check the AI model in Settings",
  lowerEvidence: "lower the evidence budget in Settings (Advanced)",
  raiseEvidence: "raise the evidence budget in Settings (Advanced)",
  checkName: "correct the company name in the row",
} as const;
export type RowAdvice = (typeof ROW_ADVICE)[keyof typeof ROW_ADVICE];

/** How many technical characters follow a row's error: enough to report it, short enough to read past. */
const DETAIL_CHARS = 120;

/**
 * A row's error as its Status shows it after "Error: ": what happened in a rep's words and what to
 * do, then the technical detail, briefly, in parentheses.
 */
export function rowError(what: string, advice: RowAdvice, detail = ""): string {
  return `${what}; ${advice}${detail ? ` (${clip(detail, DETAIL_CHARS)})` : ""}`;
}

/** "once", "twice", "three times": how many tries failed, as a person says it. */
export function timesText(n: number): string {
  return ["once", "twice", "three times"][n - 1] ?? `${n} times`;
}

export const DEFAULT_RETRY_AFTER_MS = 10_000;
/** A wait longer than a day is not a rate limit anyone can plan around; reported as a day. */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;
/** A provider that asks to wait longer than this pauses the run, which says when to resume. */
export const LONG_RETRY_AFTER_MS = 15 * 60_000;
const MESSAGE_CHARS = 160;

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function firstString(...candidates: unknown[]): string | null {
  for (const c of candidates) if (typeof c === "string" && c.trim()) return c;
  return null;
}

/**
 * The provider's own words from an error body: OpenAI, vLLM, llama.cpp, OpenRouter
 * `{"error":{"message"}}` or `{"message"}`, TGI `{"error":"..."}`, Tavily `{"detail":{"error"}}`,
 * Crusoe `{"errors":[...]}`, or plain text.
 */
export function providerMessage(body: string): string {
  const json = safeJson(body);
  const errors = field(json, "errors");
  const firstError: unknown = Array.isArray(errors) ? errors[0] : undefined;
  const error = field(json, "error");
  const detail = field(json, "detail");
  const text =
    firstString(
      field(error, "message"),
      error,
      field(detail, "error"),
      detail,
      field(json, "message"),
      firstError,
      field(firstError, "message"),
      field(firstError, "detail"),
    ) ?? body.replace(/<[^>]*>/g, " ");
  return text.replace(/\s+/g, " ").trim();
}

/** The machine-readable markers of an error body: `code` and `type`, inside `error` or at the top. */
function errorMarkers(body: string): { code: unknown; type: unknown } {
  const json = safeJson(body);
  const error = field(json, "error");
  return {
    code: field(error, "code") ?? field(json, "code"),
    type: field(error, "type") ?? field(json, "type") ?? field(json, "error_type"),
  };
}

/** A provider message made fit for a cell: masked, one line, short. */
export function shortMessage(body: string, secrets: readonly string[]): string {
  const text = maskSecrets(providerMessage(body), secrets, { tokens: true });
  return clip(text, MESSAGE_CHARS);
}

/**
 * How long a 429 asks to wait: Retry-After in seconds or as an HTTP date, OpenAI's
 * retry-after-ms, or the "try again in 4.77s" of OpenAI's and Groq's messages; a default
 * otherwise. Long waits are reported as they are: the caller hands off rather than sleeping.
 */
export function retryAfterMs(headers: Record<string, string>, now: number, body = ""): number {
  const value = (headers["retry-after"] ?? "").trim();
  const msValue = (headers["retry-after-ms"] ?? "").trim();
  const inText = /try again in (\d+(?:\.\d+)?)(ms|s)\b/i.exec(body);
  let ms = DEFAULT_RETRY_AFTER_MS;
  if (/^\d+(\.\d+)?$/.test(msValue)) ms = Number(msValue);
  else if (/^\d+(\.\d+)?$/.test(value)) ms = Number(value) * 1000;
  else if (value && Number.isFinite(Date.parse(value))) ms = Date.parse(value) - now;
  else if (inText) ms = Number(inText[1]) * (inText[2]?.toLowerCase() === "ms" ? 1 : 1000);
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(1000, Math.ceil(ms)));
}

const CONTEXT_TEXT =
  /context[_ ]length|maximum context|context size|context window|too many tokens|prompt is too long|input is too long|`inputs` tokens \+ `max_new_tokens`|`inputs` must have less than/i;

/**
 * The prompt does not fit: OpenAI's `context_length_exceeded`, vLLM's "maximum context length",
 * llama.cpp's `exceed_context_size_error` (HTTP 400, or 500 from older servers), TGI's input
 * validation (422), any 413, and OpenAI's and Groq's "Request too large ... tokens per min" (429
 * or 413), which a single request hits whatever the pacing: a size problem, not a rate limit.
 */
function isTooLong(status: number, markers: { code: unknown; type: unknown }, text: string): boolean {
  if (status === 413) return true;
  if (markers.type === "exceed_context_size_error") return true;
  if (markers.code === "context_length_exceeded") return true;
  if ((status === 429 || status === 413) && /request too large/i.test(text) && /tokens per min/i.test(text)) return true;
  return (status === 400 || status === 422) && CONTEXT_TEXT.test(text);
}

/** OpenAI's out-of-credit answer is a 429 with `insufficient_quota` in its code or type. */
function isOutOfCredit(markers: { code: unknown; type: unknown }): boolean {
  return markers.code === "insufficient_quota" || markers.type === "insufficient_quota";
}

function isSchemaRefused(status: number, text: string): boolean {
  return (status === 400 || status === 422) && /response_format|json_schema|structured output|guided_json|\bschema\b/i.test(text);
}

function isReasoningEffortRefused(status: number, text: string): boolean {
  return (status === 400 || status === 422) && /reasoning[_.\s]?effort/i.test(text);
}

/** What the run does with a non-2xx answer (status 0: the request never got an answer). */
export function classifyHttpError(service: Service, response: HttpResponse, now: number, secrets: readonly string[]): ErrorAction {
  const name = SERVICE_NAMES[service];
  const plain = SERVICE_WORDS[service];
  const { status } = response;
  const text = providerMessage(response.body);
  const detail = shortMessage(response.body, secrets);
  const markers = errorMarkers(response.body);

  if (status === 401 || status === 403) return { kind: "pause", reason: { kind: "keyRejected", service } };
  if (service === "tavily" && status === 432) return { kind: "pause", reason: { kind: "planLimit", limit: "plan" } };
  if (service === "tavily" && status === 433) return { kind: "pause", reason: { kind: "planLimit", limit: "payAsYouGo" } };
  if (status === 402) return { kind: "pause", reason: { kind: "outOfCredit", service } };
  if (service === "llm" && isTooLong(status, markers, text)) {
    return { kind: "shrink", detail: `prompt too long, HTTP ${status}` };
  }
  if (status === 429) {
    if (isOutOfCredit(markers)) return { kind: "pause", reason: { kind: "outOfCredit", service } };
    const wait = retryAfterMs(response.headers, now, text);
    // Longer than a run waits: the rows would sit Queued with no word, so the run pauses and says until when.
    if (wait > LONG_RETRY_AFTER_MS) return { kind: "pause", reason: { kind: "askedToWait", service, until: now + wait } };
    return { kind: "rateLimited", retryAfterMs: wait };
  }
  const answered = `${name} HTTP ${status}${detail ? `: ${detail}` : ""}`;
  if (status === 0) return { kind: "retry", what: `could not reach ${plain}`, detail: detail || `${name} did not answer` };
  if (status >= 500 || status === 408 || status === 425)
    return { kind: "retry", what: `${plain} failed`, detail: `${name} HTTP ${status}` };
  if (service === "llm") {
    if (isReasoningEffortRefused(status, text))
      return { kind: "reasoningEffortRefused", detail: `reasoning_effort refused, HTTP ${status}` };
    if (isSchemaRefused(status, text)) return { kind: "jsonMode", detail: `structured output refused, HTTP ${status}` };
    // A wrong model or base URL fails every row alike: stop and let the user fix Settings.
    if (status === 404 || markers.code === "model_not_found") return { kind: "pause", reason: { kind: "modelNotFound" } };
    return { kind: "fail", message: rowError(`${plain} refused the request`, ROW_ADVICE.checkModel, answered) };
  }
  return { kind: "fail", message: rowError(`${plain} refused the search`, ROW_ADVICE.checkName, answered) };
}
