// Which provider a request of the add-on is for, by URL.
import type { Service } from "../../core/types";
import { TAVILY_ORIGIN } from "../providers";

/** The provider a URL belongs to, or "other" for anything the add-on should not be calling. */
export function serviceOf(url: string): Service | "other" {
  if (url.startsWith(TAVILY_ORIGIN + "/")) return "tavily";
  // The LLM base URL is a setting; the chat-completions path is what every compatible provider shares.
  if (/\/chat\/completions(?:\?|$)/.test(url)) return "llm";
  return "other";
}
