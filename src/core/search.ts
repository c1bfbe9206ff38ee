// The Tavily search request and response.
import * as z from "zod/mini";
import type { HttpRequest, Profile } from "./types";
import { ADVANCED_SEARCH_CREDITS, readCount } from "./costs";
import { parseStoredJson } from "./json";

export const TAVILY_SEARCH_URL = "https://api.tavily.com/search";
/** More credits than any one search costs: a usage figure above it is not believed. */
const MAX_CREDITS_PER_SEARCH = 100;

/** Words that steer the first search towards what the profile judges. */
const PROFILE_KEYWORDS: Record<Profile, string> = {
  "gpu-infrastructure": "AI machine learning models GPU training inference funding",
  "managed-inference": "AI inference API LLM production customers funding",
};

/** Names longer than this are cut in queries and prompts: Tavily refuses very long queries. */
export const MAX_NAME_CHARS = 120;

/** The name as it goes into a query or prompt: one line, no quotes of its own, bounded. */
export function displayName(company: string): string {
  return company.replace(/\s+/g, " ").replace(/"/g, "").trim().slice(0, MAX_NAME_CHARS);
}

/**
 * Queries in the order they are tried: the profile query first, then ones that drop the profile's
 * words (which pull in generic articles, as the Read AI recording shows) for the domain or the
 * plain name.
 */
export function searchQueries(profile: Profile, company: string, domain: string | null): string[] {
  const name = `"${displayName(company)}"`;
  const keywords = PROFILE_KEYWORDS[profile];
  if (domain) return [`${name} ${domain} ${keywords}`, `${domain} ${name} company about`, `${name} company`];
  return [`${name} ${keywords}`, `${name} company`, `${name} company overview funding news`];
}

/**
 * Advanced depth returns, per result, the query-relevant chunks of the page (about 3 x 800
 * characters), which already fill the evidence budget; raw pages (30-70 KB each in the Read AI
 * recording, 450 KB per response) would only be cut away again, so they are not asked for.
 */
export function buildSearchRequest(query: string): HttpRequest {
  return {
    url: TAVILY_SEARCH_URL,
    method: "post",
    headers: {},
    auth: "tavily",
    payload: JSON.stringify({
      query,
      search_depth: "advanced",
      max_results: 10,
      include_answer: false,
      include_raw_content: false,
      include_images: false,
      include_usage: true,
    }),
  };
}

// Built on first use: most executions load the bundle without reading a search response.
export const tavilySearchResponseSchema = z.lazy(() =>
  z.object({
    query: z.optional(z.string()),
    results: z.array(
      z.object({
        url: z.string(),
        title: z.nullish(z.string()),
        content: z.nullish(z.string()),
        score: z.catch(z.nullish(z.number()), null),
        raw_content: z.nullish(z.string()),
      }),
    ),
    // A malformed usage block must not make a paid search unreadable: its figure is estimated instead.
    usage: z.catch(z.nullish(z.partial(z.object({ credits: z.unknown() }))), null),
  }),
);

export interface SearchResult {
  url: string;
  title: string;
  content: string;
  score: number;
  rawContent: string | null;
}

export interface ParsedSearch {
  results: SearchResult[];
  credits: number;
}

/** The results and the credits a Tavily response reports, or null when the body is not a search response. */
export function parseSearchResponse(body: string): ParsedSearch | null {
  const data = parseStoredJson(body, tavilySearchResponseSchema);
  if (!data) return null;
  return {
    credits: readCount(data.usage?.credits, ADVANCED_SEARCH_CREDITS, MAX_CREDITS_PER_SEARCH),
    results: data.results.map((r) => ({
      url: r.url,
      title: r.title ?? "",
      content: r.content ?? "",
      score: r.score ?? 0,
      rawContent: r.raw_content ?? null,
    })),
  };
}
