// One in-process fetch handler for the local runtime: routes each request to the fake provider
// that owns its URL, so the add-on talks to "Tavily" and "the LLM" exactly as it would in production.
import { jsonReply, type ProviderHandler, type ProviderReply, type ProviderRequest } from "./common";
import type { FakeLlm } from "./llm";
import { TAVILY_ORIGIN, type FakeTavily } from "./tavily";

export interface ProviderRouterOptions {
  tavily: Pick<FakeTavily, "handle">;
  llm: Pick<FakeLlm, "handle" | "baseUrl">;
  /** Further hosts (e.g. a recorded-response replayer): the first whose prefix matches wins. */
  extra?: { prefix: string; handler: ProviderHandler }[];
}

export function createProviderRouter(options: ProviderRouterOptions): ProviderHandler {
  const llmPrefix = options.llm.baseUrl.replace(/\/+$/, "") + "/";
  return (request: ProviderRequest): ProviderReply => {
    if (request.url.startsWith(TAVILY_ORIGIN + "/")) return options.tavily.handle(request);
    if (request.url.startsWith(llmPrefix)) return options.llm.handle(request);
    for (const route of options.extra ?? []) {
      if (request.url.startsWith(route.prefix)) return route.handler(request);
    }
    return jsonReply(404, { error: `No fake provider for ${request.url}` }, 50);
  };
}
