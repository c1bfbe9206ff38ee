// Shared vocabulary of the core, the add-on, the sidebar and the local runtime.
// Everything here is plain JSON data: it crosses fetchAll, properties, cache rows and google.script.run.

export type Profile = "gpu-infrastructure" | "managed-inference";
export const PROFILES: readonly Profile[] = ["gpu-infrastructure", "managed-inference"];

export type Tier = "HOT" | "WARM" | "WATCH" | "COLD" | "UNKNOWN";
export const TIERS: readonly Tier[] = ["HOT", "WARM", "WATCH", "COLD", "UNKNOWN"];

/** The two paid providers: Tavily search and the OpenAI-compatible LLM. */
export type Service = "tavily" | "llm";
/** How messages and statuses name each provider. */
export const SERVICE_NAMES: Record<Service, string> = { tavily: "Tavily", llm: "LLM" };

/**
 * An HTTP request as data, shaped so that UrlFetchApp.fetchAll can take it almost as is. It never
 * carries a key: `auth` names whose key the sender adds as `Authorization: Bearer <key>`, so a
 * request can be logged, persisted or compared without leaking one.
 */
export interface HttpRequest {
  url: string;
  method: "get" | "post";
  headers: Record<string, string>;
  /** JSON body; content type is application/json when present. */
  payload?: string;
  auth?: Service;
}

export interface HttpResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
}

export interface CompanyInput {
  /** The company as written in the cell. */
  company: string;
  /** Domain from a Website/Domain/URL column, normalised (no scheme, no path), or null. */
  domain: string | null;
}

/** One search result kept as evidence after the mention filter and the budget cut. */
export interface EvidenceItem {
  url: string;
  title: string;
  content: string;
}

export interface Cost {
  tavilyCredits: number;
  llmInputTokens: number;
  llmOutputTokens: number;
  usd: number;
}

/** The four parts of a score, with the use-case class that gave the first. */
export interface ScoreParts {
  useCaseClass: "S" | "A" | "B" | "C" | "D" | "E" | "UNKNOWN";
  useCase: number;
  /** Budget (gpu-infrastructure) or platform adoption (managed-inference). */
  second: number;
  growth: number;
  confidence: number;
}

/** What the code wrote (or will write) into Tier, Score, Use Case, Rationale, Sources. */
export interface ResearchResult {
  tier: Tier;
  /** Integer 0-100; null for UNKNOWN. */
  score: number | null;
  useCase: string;
  rationale: string;
  sources: string[];
  model: string;
  profile: Profile;
  /** Epoch ms. */
  classifiedAt: number;
  /** The points the score adds up from (absent for UNKNOWN and for results cached before they were kept). */
  breakdown?: ScoreParts;
}

/**
 * validated: evidence the model judged to be about the company, with its result.
 * unjudged: evidence paid for but not judged yet (an execution ended first), or a re-search chain's
 * progress; never served as a result, judged or continued by the next execution without paying
 * again for what it holds.
 * noData: the searches found nothing reliable; no evidence, remembered for NO_DATA_TTL_DAYS.
 */
export type CacheStatus = "validated" | "unjudged" | "noData";

/** One row of the hidden cache sheet `_territory_cache`, decoded. */
export interface CacheEntry {
  key: string;
  status: CacheStatus;
  profile: Profile;
  company: string;
  domain: string | null;
  query: string;
  /** Epoch ms. */
  fetchedAt: number;
  relevance: number;
  evidence: EvidenceItem[];
  credits: number;
  /**
   * Searches made for the key so far, the one that found `evidence` included: an unjudged entry with
   * no evidence records a re-search chain under way ("searched N, nothing about the company yet").
   * Absent in rows stored before it was kept.
   */
  searches?: number;
  /** null while unjudged; for noData, tier UNKNOWN with the reason as rationale. */
  result: ResearchResult | null;
}

export interface RecentRow {
  company: string;
  tier: Tier | "";
  score: number | null;
  status: string;
}
