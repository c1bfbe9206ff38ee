// What the demo does with every request of the add-on, whichever way it is answered (replayed or
// live): classify it by service and count it for the end-of-run line.
import { TAVILY_ORIGIN, type ProviderHandler } from "../providers";

export type Service = "tavily" | "llm" | "other";

export function serviceOf(url: string): Service {
  if (url.startsWith(TAVILY_ORIGIN + "/")) return "tavily";
  // The LLM base URL is a setting; the chat-completions path is what every compatible provider shares.
  if (/\/chat\/completions(?:\?|$)/.test(url)) return "llm";
  return "other";
}

export interface RequestCounts {
  searches: number;
  llmCalls: number;
  other: number;
}

/** Wraps a handler to count the requests the add-on made, per service. */
export function countingHandler(inner: ProviderHandler): { handler: ProviderHandler; counts: RequestCounts } {
  const counts: RequestCounts = { searches: 0, llmCalls: 0, other: 0 };
  const handler: ProviderHandler = (request) => {
    const service = serviceOf(request.url);
    if (service === "tavily") counts.searches++;
    else if (service === "llm") counts.llmCalls++;
    else counts.other++;
    return inner(request);
  };
  return { handler, counts };
}
