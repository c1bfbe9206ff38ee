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

/** How a sales rep knows each provider; the provider's own name follows in the technical detail. */
export const PLAIN_NAMES: Record<Service, string> = { tavily: "web search", llm: "AI" };

/** A verdict in a rep's words, and the technical detail (provider, HTTP status, its message) the page shows smaller. */
export interface ConnectionVerdict {
  ok: boolean;
  message: string;
  /** "" when there is nothing more to say. */
  detail: string;
}

/** A model list that could not be had; `detail` is the technical part, for smaller text. */
export class ConnectionProblem extends Error {
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

/**
 * Model ids from a /models response, sorted; throws a ConnectionProblem with a user-facing message when the response is an error.
 * secrets: keys to mask should the provider echo one.
 */
export function parseModelsResponse(response: HttpResponse, secrets: readonly string[] = []): string[] {
  if (!ok(response.status)) {
    const verdict = describeConnectionTest("llm", response, secrets);
    throw new ConnectionProblem(verdict.message, verdict.detail);
  }
  const notAList = "The AI provider address did not answer with a list of models: check the address.";
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw new ConnectionProblem(notAList, "GET /models: the answer is not JSON");
  }
  const parsed = modelsSchema.safeParse(json);
  if (!parsed.success) throw new ConnectionProblem(notAList, "GET /models: the answer has no model ids");
  return [...new Set(parsed.data.map((m) => m.id))].sort((a, b) => a.localeCompare(b));
}

/** The verdict on a test call ("The web search key works."), with the HTTP detail apart; never contains a key. */
export function describeConnectionTest(service: Service, response: HttpResponse, secrets: readonly string[] = []): ConnectionVerdict {
  const name = SERVICE_NAMES[service];
  const plain = PLAIN_NAMES[service];
  const { status } = response;
  if (ok(status)) return { ok: true, message: `The ${plain} key works.`, detail: "" };
  const body = shortMessage(response.body, secrets);
  const detail = `${name} answered HTTP ${status}${body ? `: ${body}` : ""}`;
  if (status === 0)
    return { ok: false, message: `Could not reach the ${plain} service: try again in a minute.`, detail: body ? `${name}: ${body}` : "" };
  if (status === 401 || status === 403) {
    return { ok: false, message: `The ${plain} service refused this key: paste it again, copied whole.`, detail };
  }
  if (service === "tavily" && (status === 432 || status === 433)) {
    return { ok: false, message: "The key works, but the web search plan is used up.", detail };
  }
  if (status === 429) return { ok: false, message: `The ${plain} service is busy with this key: try again in a minute.`, detail };
  if (service === "llm" && status === 404) {
    return { ok: false, message: "Nothing answers at the AI provider address: check the address.", detail: `GET /models: ${detail}` };
  }
  return { ok: false, message: `The ${plain} test failed: try again later.`, detail };
}
