// The research of one company (SPEC §5) as a sans-IO state machine: the caller asks nextStep() for
// the request to send, sends a whole wave of them in one fetchAll, and feeds each answer back with
// applyResponse(). No Apps Script or Node API is used, so the same code runs in tests and in Sheets.
import type { CacheEntry, CompanyInput, Cost, EvidenceItem, HttpRequest, HttpResponse, Profile, ResearchResult } from "./types";
import type { Settings } from "./settings";
import { domainFromName, normaliseCompanyName } from "./names";
import { buildSearchRequest, displayName, parseSearchResponse, searchQueries } from "./search";
import { cutToBudget, mentionMatcher, selectEvidence } from "./evidence";
import { buildMessages, promptOverheadChars } from "./prompt";
import { checkReply, parseChatCompletion, responseFormat, sanitiseReply, type Reply } from "./reply";
import { scoreReply, useCaseText } from "./scoring";
import { addCost, expectedCompanyCost, ZERO_COST } from "./costs";
import { classifyHttpError, type Service } from "./errors";

export type { Service } from "./errors";

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

export const DEFAULT_MAX_SEARCHES = 3;
/** Enough for the reply (about 250 tokens with a 3-sentence rationale and 5 long URLs), with room to spare. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 700;
/** 5xx, timeouts and network errors: tries per request, the first one included. */
export const MAX_TRIES = 3;
/** Context-length refusals: how many times the evidence is halved. */
export const MAX_SHRINKS = 2;
/** Names longer than this are not researched: no company is called that, and it would crowd the query. */
export const MAX_COMPANY_CHARS = 200;
const BACKOFF_BASE_MS = 2000;
/** Output tokens a typical reply uses, for the cost estimate. */
const TYPICAL_OUTPUT_TOKENS = 300;

export type Phase = "search" | "judge" | "finished";

interface Pending {
  service: Service;
  request: HttpRequest;
  notBefore: number;
}

/**
 * Per-company state: plain JSON, so it can be persisted. Treat it as opaque. It carries the
 * pending request, Authorization header included: never log it as is.
 */
export interface CompanyState {
  readonly phase: Phase;
  readonly input: CompanyInput;
  readonly key: string;
  readonly profile: Profile;
  readonly model: string;
  /** The input's domain, or the company cell's own host ("stealthium.io"); used for search and mentions, not the key. */
  readonly searchDomain: string | null;
  readonly queries: string[];
  readonly searchesDone: number;
  /** Query, fetch time and search credits of the evidence being judged. */
  readonly query: string;
  readonly fetchedAt: number;
  readonly searchCredits: number;
  /**
   * The cache entry's evidence when that is what is being judged (no search yet in this research):
   * it goes back into the cache whole, even when a small budget sent the model only part of it.
   */
  readonly cachedEvidence: EvidenceItem[] | null;
  readonly evidence: EvidenceItem[];
  readonly budgetChars: number;
  readonly shrinks: number;
  /** Transient failures of the pending request. */
  readonly tries: number;
  /** Why the last reply was rejected, once it has been; a second rejection fails the row. */
  readonly replyProblem: string | null;
  /** The pending LLM request asks for JSON mode rather than the JSON schema. */
  readonly jsonMode: boolean;
  readonly pending: Pending | null;
  readonly cost: Cost;
  readonly outcome: Outcome | null;
}

export type Outcome =
  /** cacheEntry: the entry to upsert into the cache sheet (new evidence or a new result), null when nothing changed. */
  | { kind: "done"; result: ResearchResult; fromCache: boolean; cacheEntry: CacheEntry | null; cost: Cost }
  | { kind: "noData"; rationale: string; cost: Cost }
  /** message: what the Status shows after "Error: ". */
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

/** Cache key (SPEC §5.1): profile, the folded name with its spaces removed ("ScaleAI" = "Scale AI"), the domain when given. */
export function companyKey(profile: Profile, company: string, domain: string | null): string {
  return `${profile}|${normaliseCompanyName(company).replace(/ /g, "")}|${domain ?? ""}`;
}

function finish(state: CompanyState, outcome: Outcome): CompanyState {
  return { ...state, phase: "finished", pending: null, outcome };
}

function fail(state: CompanyState, message: string): CompanyState {
  return finish(state, { kind: "error", message, cost: state.cost });
}

function maxSearches(opts: ResearchOptions): number {
  return Math.max(1, opts.maxSearches ?? DEFAULT_MAX_SEARCHES);
}

/** Search number `index` (0-based), or no reliable data when the searches are used up. */
function toSearch(state: CompanyState, index: number, opts: ResearchOptions, why: string): CompanyState {
  const query = state.queries[index];
  if (index >= maxSearches(opts) || query === undefined) {
    return finish(state, { kind: "noData", rationale: why, cost: state.cost });
  }
  return {
    ...state,
    phase: "search",
    tries: 0,
    pending: { service: "tavily", request: buildSearchRequest(opts.settings.tavilyApiKey, query), notBefore: 0 },
  };
}

function llmRequest(state: CompanyState, opts: ResearchOptions): HttpRequest {
  const { settings } = opts;
  return {
    url: `${settings.llmBaseUrl.replace(/\/+$/, "")}/chat/completions`,
    method: "post",
    headers: { Authorization: `Bearer ${settings.llmApiKey}` },
    payload: JSON.stringify({
      model: settings.llmModel,
      messages: buildMessages(state.profile, state.input.company, state.searchDomain, state.evidence, state.replyProblem),
      temperature: 0,
      max_tokens: opts.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
      response_format: responseFormat(state.jsonMode),
    }),
  };
}

/** (Re)builds the judging call for the state's evidence, cut to its budget. */
function toJudge(state: CompanyState, opts: ResearchOptions): CompanyState {
  const evidence = cutToBudget(state.evidence, state.budgetChars);
  if (evidence.length === 0) return fail(state, "the evidence budget is too small for one search result; raise it in Settings");
  // JSON mode once this company or any other in the run found the schema refused.
  const next: CompanyState = { ...state, phase: "judge", evidence, tries: 0, jsonMode: state.jsonMode || opts.jsonMode };
  return { ...next, pending: { service: "llm", request: llmRequest(next, opts), notBefore: 0 } };
}

/** cache: a fresh entry for this key (the caller checks the TTL), or null to research from scratch. */
export function startCompany(input: CompanyInput, cache: CacheEntry | null, opts: ResearchOptions, now: number): CompanyState {
  const { settings } = opts;
  const profile = settings.profile;
  const searchDomain = input.domain ?? domainFromName(input.company);
  const state: CompanyState = {
    phase: "search",
    input,
    key: companyKey(profile, input.company, input.domain),
    profile,
    model: settings.llmModel,
    searchDomain,
    queries: searchQueries(profile, input.company, searchDomain),
    searchesDone: 0,
    query: "",
    fetchedAt: now,
    searchCredits: 0,
    cachedEvidence: null,
    evidence: [],
    budgetChars: opts.evidenceBudgetChars ?? settings.evidenceBudgetChars,
    shrinks: 0,
    tries: 0,
    replyProblem: null,
    jsonMode: opts.jsonMode,
    pending: null,
    cost: ZERO_COST,
    outcome: null,
  };
  if (normaliseCompanyName(input.company) === "") return fail(state, "the company name has no letters or digits");
  if (input.company.trim().length > MAX_COMPANY_CHARS) {
    return fail(state, `the company name is longer than ${MAX_COMPANY_CHARS} characters; shorten it`);
  }
  if (cache?.result && cache.result.profile === profile && cache.result.model === settings.llmModel) {
    return finish(state, { kind: "done", result: cache.result, fromCache: true, cacheEntry: null, cost: ZERO_COST });
  }
  if (cache && cache.evidence.length > 0) {
    // Evidence already paid for and validated: only the judging call is new (another model or profile).
    return toJudge(
      { ...state, cachedEvidence: cache.evidence, evidence: cache.evidence, query: cache.query, fetchedAt: cache.fetchedAt, searchCredits: cache.credits },
      opts,
    );
  }
  return toSearch(state, 0, opts, "");
}

export function nextStep(state: CompanyState): Step {
  if (state.outcome) return { kind: "finished", outcome: state.outcome };
  if (!state.pending) {
    // Unreachable through this module's functions; a hand-made state gets an answer rather than a throw.
    return { kind: "finished", outcome: { kind: "error", message: "internal: nothing to do", cost: state.cost } };
  }
  const { service, request, notBefore } = state.pending;
  return { kind: "fetch", service, request, notBefore };
}

function transient(state: CompanyState, message: string, now: number): CompanyState {
  const tries = state.tries + 1;
  if (tries >= MAX_TRIES || !state.pending) return fail(state, `${message} after ${MAX_TRIES} tries; use Retry failed rows later`);
  return { ...state, tries, pending: { ...state.pending, notBefore: now + BACKOFF_BASE_MS * 2 ** (tries - 1) } };
}

function onSearchAnswer(state: CompanyState, body: string, opts: ResearchOptions, now: number): CompanyState {
  const parsed = parseSearchResponse(body);
  if (!parsed) return transient(state, "Tavily sent an unreadable answer", now);
  const name = displayName(state.input.company);
  const searched: CompanyState = {
    ...state,
    cost: addCost(state.cost, { tavilyCredits: parsed.credits }, opts.settings),
    searchCredits: state.searchCredits + parsed.credits,
    searchesDone: state.searchesDone + 1,
    query: state.queries[state.searchesDone] ?? "",
    fetchedAt: now,
    cachedEvidence: null,
  };
  const evidence = selectEvidence(parsed.results, mentionMatcher(state.input.company, state.searchDomain));
  if (evidence.length === 0) {
    // Nothing names the company: the model would only be asked about namesakes, so search again instead.
    const why = `No search result mentions ${name} (${searched.searchesDone} searches).`;
    return toSearch(searched, searched.searchesDone, opts, why);
  }
  return toJudge({ ...searched, evidence, budgetChars: opts.evidenceBudgetChars ?? opts.settings.evidenceBudgetChars, shrinks: 0, replyProblem: null }, opts);
}

function resultFrom(state: CompanyState, reply: Reply, now: number): ResearchResult {
  const { score, tier } = scoreReply(state.profile, reply);
  return {
    tier,
    score,
    useCase: useCaseText(state.profile, reply),
    rationale: reply.rationale,
    sources: reply.sources,
    model: state.model,
    profile: state.profile,
    classifiedAt: now,
  };
}

function onJudgeAnswer(state: CompanyState, body: string, opts: ResearchOptions, now: number): CompanyState {
  const completion = parseChatCompletion(body);
  if (!completion) return transient(state, "the LLM sent an unreadable answer", now);
  const paid: CompanyState = {
    ...state,
    cost: addCost(state.cost, { llmInputTokens: completion.inputTokens, llmOutputTokens: completion.outputTokens }, opts.settings),
  };
  const check = checkReply(completion.content);
  if (!check.ok) {
    const problem = check.problem.slice(0, 150);
    if (state.replyProblem !== null) return fail(paid, `the model's reply was invalid twice (${problem}); retry, or choose another model`);
    return toJudge({ ...paid, replyProblem: problem }, opts);
  }
  const reply = sanitiseReply(check.reply, paid.evidence);
  const judged: CompanyState = { ...paid, replyProblem: null };
  const name = displayName(state.input.company);
  if (!reply.about_company || reply.relevance < opts.settings.relevanceThreshold) {
    const why = `The search results were not about ${name} (${judged.searchesDone} searches).`;
    if (judged.cachedEvidence) return toSearch({ ...judged, searchCredits: 0, cachedEvidence: null }, 0, opts, why);
    return toSearch(judged, judged.searchesDone, opts, why);
  }
  const result = resultFrom(judged, reply, now);
  const cacheEntry: CacheEntry = {
    key: judged.key,
    profile: judged.profile,
    company: judged.input.company,
    domain: judged.input.domain,
    query: judged.query,
    fetchedAt: judged.fetchedAt,
    relevance: reply.relevance,
    evidence: judged.cachedEvidence ?? judged.evidence,
    credits: judged.searchCredits,
    result,
  };
  return finish(judged, { kind: "done", result, fromCache: false, cacheEntry, cost: judged.cost });
}

export function applyResponse(state: CompanyState, response: HttpResponse, opts: ResearchOptions, now: number): Applied {
  const pending = state.pending;
  if (state.outcome || !pending) return { state };
  const { service } = pending;
  if (response.status >= 200 && response.status < 300) {
    const next = service === "tavily" ? onSearchAnswer(state, response.body, opts, now) : onJudgeAnswer(state, response.body, opts, now);
    return { state: next };
  }
  const action = classifyHttpError(service, response, now, [opts.settings.tavilyApiKey, opts.settings.llmApiKey]);
  switch (action.kind) {
    case "pause":
      return { state: finish(state, { kind: "paused", reason: action.reason, cost: state.cost }) };
    case "rateLimited":
      return {
        state: { ...state, pending: { ...pending, notBefore: now + action.retryAfterMs } },
        rateLimited: { service, retryAfterMs: action.retryAfterMs },
      };
    case "retry":
      return { state: transient(state, action.message, now) };
    case "shrink":
      if (state.shrinks >= MAX_SHRINKS) {
        return { state: fail(state, `${action.message} even with a quarter of the evidence; lower the evidence budget in Settings`) };
      }
      return { state: toJudge({ ...state, shrinks: state.shrinks + 1, budgetChars: Math.floor(state.budgetChars / 2) }, opts) };
    case "jsonMode":
      if (state.jsonMode) return { state: fail(state, `${action.message}; choose another model`) };
      return { state: toJudge({ ...state, jsonMode: true }, opts), switchToJsonMode: true };
    case "fail":
      return { state: fail(state, action.message) };
  }
}

/** Expected dollars for one new company at the current prices (for JOB_BUDGET_USD admission). */
export function estimateCompanyCostUsd(settings: Settings): number {
  return expectedCompanyCost(settings, promptOverheadChars(settings.profile), TYPICAL_OUTPUT_TOKENS).usd;
}
