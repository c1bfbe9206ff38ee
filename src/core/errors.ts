// SPEC §11: what an HTTP answer other than 2xx means for the run, and messages a user can act on.
// Bodies are echoed only in short, key-masked form.
import { maskSecret } from "./settings";
import type { HttpResponse } from "./types";

export type Service = "tavily" | "llm";

export const SERVICE_NAMES: Record<Service, string> = { tavily: "Tavily", llm: "LLM" };

export type ErrorAction =
  /** The whole run must stop; reason is shown after "Paused: ". */
  | { kind: "pause"; reason: string }
  /** 429: wait, then send the same request again; never counts against the row. */
  | { kind: "rateLimited"; retryAfterMs: number }
  /** 5xx, timeout, network: try again after a backoff, a bounded number of times. */
  | { kind: "retry"; message: string }
  /** The prompt is too long for the model: send less evidence. */
  | { kind: "shrink"; message: string }
  /** The provider refuses response_format json_schema: ask for JSON mode instead. */
  | { kind: "jsonMode"; message: string }
  /** Nothing to retry: the row fails with this message (shown after "Error: "). */
  | { kind: "fail"; message: string };

export const DEFAULT_RETRY_AFTER_MS = 10_000;
const MAX_RETRY_AFTER_MS = 10 * 60_000;
const MESSAGE_CHARS = 160;

/** Masks the given secrets (to their last 4 characters) and anything shaped like a key or token. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 6) out = out.split(secret).join(maskSecret(secret));
  }
  return out
    .replace(/\bBearer\s+[^\s"',;]+/gi, "Bearer ••••")
    .replace(/\b(?:tvly|sk|pk|rk|nvapi|key)[-_][A-Za-z0-9_-]{8,}/gi, "••••")
    .replace(/[A-Za-z0-9_-]{32,}/g, (m) => (/\d/.test(m) && /[A-Za-z]/.test(m) ? "••••" : m));
}

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

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === "object" ? (obj as Record<string, unknown>)[key] : undefined;
}

/**
 * The provider's own words from an error body: OpenAI and vLLM `{"error":{"message"}}` or
 * `{"message"}`, Tavily `{"detail":{"error"}}`, Crusoe `{"errors":[...]}`, or plain text.
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

/** A provider message made fit for a cell: masked, one line, short. */
export function shortMessage(body: string, secrets: readonly string[]): string {
  const text = maskSecrets(providerMessage(body), secrets);
  return text.length <= MESSAGE_CHARS ? text : text.slice(0, MESSAGE_CHARS - 1) + "…";
}

/** Retry-After in seconds or as an HTTP date; a default when absent or unreadable. */
export function retryAfterMs(headers: Record<string, string>, now: number): number {
  const value = (headers["retry-after"] ?? "").trim();
  let ms = DEFAULT_RETRY_AFTER_MS;
  if (/^\d+(\.\d+)?$/.test(value)) ms = Number(value) * 1000;
  else if (value) {
    const at = Date.parse(value);
    if (Number.isFinite(at)) ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(1000, ms));
}

function isContextLength(status: number, code: unknown, text: string): boolean {
  if (status === 413) return true;
  if (status !== 400) return false;
  return (
    code === "context_length_exceeded" ||
    /context[_ ]length|maximum context|too many tokens|prompt is too long|input is too long/i.test(text)
  );
}

function isSchemaRefused(status: number, text: string): boolean {
  return (status === 400 || status === 422) && /response_format|json_schema|structured output|guided_json|\bschema\b/i.test(text);
}

/** What the run does with a non-2xx answer (status 0: the request never got an answer). */
export function classifyHttpError(service: Service, response: HttpResponse, now: number, secrets: readonly string[]): ErrorAction {
  const name = SERVICE_NAMES[service];
  const { status } = response;
  const detail = shortMessage(response.body, secrets);
  const code = field(field(safeJson(response.body), "error"), "code");

  if (status === 401 || status === 403) return { kind: "pause", reason: `${name} API key rejected` };
  if (service === "tavily" && status === 432) return { kind: "pause", reason: "Tavily plan limit reached" };
  if (service === "tavily" && status === 433) return { kind: "pause", reason: "Tavily pay-as-you-go limit reached" };
  if (status === 402) return { kind: "pause", reason: `${name} account needs payment` };
  if (status === 429) return { kind: "rateLimited", retryAfterMs: retryAfterMs(response.headers, now) };
  if (status === 0) return { kind: "retry", message: `could not reach ${name}${detail ? ` (${detail})` : ""}` };
  if (status >= 500 || status === 408 || status === 425) return { kind: "retry", message: `${name} unavailable (HTTP ${status})` };
  if (service === "llm") {
    if (isContextLength(status, code, detail)) return { kind: "shrink", message: `prompt too long for the model (HTTP ${status})` };
    if (isSchemaRefused(status, detail)) return { kind: "jsonMode", message: `structured output refused (HTTP ${status})` };
    // A wrong model or base URL fails every row alike: stop and let the user fix Settings.
    if (status === 404) return { kind: "pause", reason: "LLM model or base URL not found, check Settings" };
  }
  const what = service === "tavily" ? "Tavily refused the search" : "LLM refused the request";
  return { kind: "fail", message: `${what} (HTTP ${status})${detail ? `: ${detail}` : ""}` };
}
