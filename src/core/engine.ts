// CONTRACT STUB — the research-engine helper replaces the bodies; the exported names and types are
// what src/addon relies on.
import type { CacheEntry, CompanyInput, Cost, HttpRequest, HttpResponse, Profile, ResearchResult } from "./types";
import type { Settings } from "./settings";

export type Service = "tavily" | "llm";

export interface ResearchOptions {
  settings: Settings;
  /** The provider refused the JSON schema earlier in this run: ask for JSON mode instead. */
  jsonMode: boolean;
  /** Searches allowed per company, first one included: 3 for runs, 1 for the live custom function. */
  maxSearches?: number;
  /** Overrides settings.evidenceBudgetChars (the custom function uses a small budget). */
  evidenceBudgetChars?: number;
  /** Overrides the default max_tokens cap of the LLM call. */
  maxOutputTokens?: number;
}

/** Per-company state: plain JSON, so it can be persisted or logged. Opaque to callers. */
export interface CompanyState {
  readonly phase: string;
  readonly input: CompanyInput;
  readonly key: string;
}

export type Outcome =
  /** cacheEntry: the entry to upsert into the cache sheet (new evidence or a new result), null when nothing changed. */
  | { kind: "done"; result: ResearchResult; fromCache: boolean; cacheEntry: CacheEntry | null; cost: Cost }
  | { kind: "noData"; rationale: string; cost: Cost }
  | { kind: "error"; message: string; cost: Cost }
  /** The whole run must pause (bad key, plan limit); reason is what the Status shows after "Paused: ". */
  | { kind: "paused"; reason: string; cost: Cost };

export type Step =
  /** notBefore: epoch ms before which the request must not be sent (backoff, Retry-After); 0 for now. */
  | { kind: "fetch"; service: Service; request: HttpRequest; notBefore: number }
  | { kind: "finished"; outcome: Outcome };

export interface Applied {
  state: CompanyState;
  /** The provider refused the JSON schema: use JSON mode for the rest of the run. */
  switchToJsonMode?: boolean;
  /** A 429: the caller shrinks its waves for this service and waits retryAfterMs. */
  rateLimited?: { service: Service; retryAfterMs: number };
}

export declare function companyKey(profile: Profile, company: string, domain: string | null): string;
/** cache: a fresh entry for this key (the caller checks the TTL), or null to research from scratch. */
export declare function startCompany(input: CompanyInput, cache: CacheEntry | null, opts: ResearchOptions, now: number): CompanyState;
export declare function nextStep(state: CompanyState): Step;
export declare function applyResponse(state: CompanyState, response: HttpResponse, opts: ResearchOptions, now: number): Applied;
/** Expected dollars for one new company at the current prices (for JOB_BUDGET_USD admission). */
export declare function estimateCompanyCostUsd(settings: Settings): number;
