// Which provider a request of the add-on is for, by URL.
import { TAVILY_ORIGIN } from "../providers";

export type Service = "tavily" | "llm" | "other";

export function serviceOf(url: string): Service {
  if (url.startsWith(TAVILY_ORIGIN + "/")) return "tavily";
  // The LLM base URL is a setting; the chat-completions path is what every compatible provider shares.
  if (/\/chat\/completions(?:\?|$)/.test(url)) return "llm";
  return "other";
}
