// Test connection: one cheap call per key, and the provider's model list.
import * as z from "zod/mini";
import type { HttpRequest, HttpResponse } from "./types";
import type { Settings } from "./settings";
import { SERVICE_NAMES, shortMessage, type Service } from "./errors";

/** Tavily's GET /usage: proves the key without spending a search credit. */
export const TAVILY_USAGE_URL = "https://api.tavily.com/usage";

/** One cheap Tavily call that proves the key works (the sender adds the Tavily key). */
export function buildTavilyTestRequest(): HttpRequest {
  return { url: TAVILY_USAGE_URL, method: "get", headers: {}, auth: "tavily" };
}

/** GET <LLM_BASE_URL>/models: lists the models and proves the LLM key works (the sender adds the LLM key). */
export function buildModelsRequest(settings: Pick<Settings, "llmBaseUrl">): HttpRequest {
  return { url: `${settings.llmBaseUrl.replace(/\/+$/, "")}/models`, method: "get", headers: {}, auth: "llm" };
}

/**
 * OpenAI and most providers answer `{"object":"list","data":[...]}`; Together answers the bare
 * array. Built on first use: only Settings' model list reads one.
 */
const modelsSchema = z.lazy(() => {
  const modelList = z.array(z.object({ id: z.string() }));
  return z.union([
    z.pipe(
      z.object({ data: modelList }),
      z.transform((r) => r.data),
    ),
    modelList,
  ]);
});

function ok(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * Model ids from a /models response, sorted; throws an Error with a user-facing message when the response is an error.
 * secrets: keys to mask should the provider echo one.
 */
export function parseModelsResponse(response: HttpResponse, secrets: readonly string[] = []): string[] {
  if (!ok(response.status)) throw new Error(describeConnectionTest("llm", response, secrets).message);
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw new Error("The LLM base URL did not answer with a model list (not JSON); check LLM base URL");
  }
  const parsed = modelsSchema.safeParse(json);
  if (!parsed.success) throw new Error("The LLM base URL did not answer with a model list; check LLM base URL");
  return [...new Set(parsed.data.map((m) => m.id))].sort((a, b) => a.localeCompare(b));
}

/** A one-line, user-facing verdict on a test call ("Tavily key works", "LLM key rejected (401): …"); never contains a key. */
export function describeConnectionTest(
  service: Service,
  response: HttpResponse,
  secrets: readonly string[] = [],
): { ok: boolean; message: string } {
  const name = SERVICE_NAMES[service];
  const { status } = response;
  if (ok(status)) return { ok: true, message: `${name} key works` };
  const detail = shortMessage(response.body, secrets);
  const suffix = detail ? `: ${detail}` : "";
  if (status === 0) return { ok: false, message: `Could not reach ${name}${suffix}` };
  if (status === 401 || status === 403) return { ok: false, message: `${name} key rejected (${status})${suffix}` };
  if (service === "tavily" && (status === 432 || status === 433)) {
    return { ok: false, message: `Tavily key works but its plan limit is reached (${status})${suffix}` };
  }
  if (status === 429) return { ok: false, message: `${name} is rate limiting this key (429); try again in a minute` };
  if (service === "llm" && status === 404) return { ok: false, message: `LLM base URL has no /models (404); check LLM base URL` };
  return { ok: false, message: `${name} test failed (HTTP ${status})${suffix}` };
}
