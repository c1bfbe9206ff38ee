// Shared vocabulary of the core, the add-on, the sidebar and the local runtime.
// Everything here is plain JSON data: it crosses fetchAll, properties, cache rows and google.script.run.

export type Profile = "gpu-infrastructure" | "managed-inference";
export const PROFILES: readonly Profile[] = ["gpu-infrastructure", "managed-inference"];

export type Tier = "HOT" | "WARM" | "WATCH" | "COLD" | "UNKNOWN";
export const TIERS: readonly Tier[] = ["HOT", "WARM", "WATCH", "COLD", "UNKNOWN"];

/** An HTTP request as data, shaped so that UrlFetchApp.fetchAll can take it almost as is. */
export interface HttpRequest {
  url: string;
  method: "get" | "post";
  headers: Record<string, string>;
  /** JSON body; content type is application/json when present. */
  payload?: string;
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
}

/** One row of the hidden cache sheet `_territory_cache`, decoded. */
export interface CacheEntry {
  key: string;
  profile: Profile;
  company: string;
  domain: string | null;
  query: string;
  /** Epoch ms. */
  fetchedAt: number;
  relevance: number;
  evidence: EvidenceItem[];
  credits: number;
  result: ResearchResult | null;
}

/** Progress of a run, as returned by getResearchProgress(): plain JSON, no Date objects. */
export interface ResearchProgress {
  total: number;
  queued: number;
  researching: number;
  done: number;
  cached: number;
  noData: number;
  failed: number;
  cancelled: number;
  paused: number;
  tiers: Record<Tier, number>;
  costUsd: number;
  tavilyCredits: number;
  llmTokens: number;
  /** Epoch ms, 0 when no run has started. */
  startedAt: number;
  /** Seconds, 0 when unknown or finished. */
  etaSeconds: number;
  running: boolean;
  /** The reason of a pause, or a short note about the run; "" when nothing to say. */
  message: string;
  /** True when the run is paused and waits for the user. */
  isPaused: boolean;
  /** Whether a closed sidebar means hourly progress (published add-on) rather than about a minute. */
  slowWhenClosed: boolean;
  recent: RecentRow[];
  errors: ErrorRow[];
}

export interface RecentRow {
  company: string;
  tier: Tier | "";
  score: number | null;
  status: string;
}

export interface ErrorRow {
  row: number;
  company: string;
  status: string;
}
