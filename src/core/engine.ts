// The research of one company as a sans-IO state machine: the caller asks nextStep() for the
// request to send, sends a whole wave of them in one fetchAll, and feeds each answer back with
// applyResponse(). No Apps Script or Node API is used, so the same code runs in tests and in
// Sheets. Requests carry no key (HttpRequest.auth names whose key the sender adds). An answer
// returns the company's new state and its effects as data (what it cost, what to store, what the
// rest of the run must do differently), so the caller counts money when it is paid.
import type { CacheEntry, CompanyInput, Cost, EvidenceItem, HttpRequest, HttpResponse, Profile, ResearchResult, Service } from "./types";
import { apiKeySecrets, type Settings } from "./settings";
import type { PauseReason } from "./status";
import { domainFromName, normaliseCompanyName } from "./names";
import { companyKey } from "./company-key";
import { buildSearchRequest, displayName, parseSearchResponse, searchQueries, type SearchResult } from "./search";
import { cutToBudget, formatEvidence, isWebUrl, mentionMatcher, selectEvidence } from "./evidence";
import { buildMessages, promptOverheadChars } from "./prompt";
import { checkReply, parseChatCompletion, responseFormat, sanitiseReply, type Reply } from "./reply";
import { scoreReply, useCaseText } from "./scoring";
import { ADVANCED_SEARCH_CREDITS, addCost, CHARS_PER_TOKEN, expectedCompanyCost, ZERO_COST } from "./costs";
import { classifyHttpError, ROW_ADVICE, rowError, timesText } from "./errors";
import { containsSecret, maskSecrets } from "./secrets";

export type { Service } from "./types";

export interface ResearchOptions {
  settings: Settings;
  /** The provider refused the JSON schema earlier in this run: ask for JSON mode instead. */
  jsonMode: boolean;
  /** The provider refused reasoning_effort earlier in this run: never send it. */
  noReasoningEffort?: boolean;
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
/**
 * The cap of the one retry a reasoning model gets after spending the first cap on its thinking
 * (gpt-oss, DeepSeek-R1 and Qwen3 think for one to three thousand tokens at low effort).
 */
export const REASONING_MAX_OUTPUT_TOKENS = 4000;
/** The lowest effort every provider that knows the parameter accepts (OpenAI, vLLM, Groq, OpenRouter). */
export const LOW_REASONING_EFFORT = "low";
/** 5xx, timeouts and network errors: tries per request, the first one included. */
export const MAX_TRIES = 3;
/** Context-length refusals: how many times the evidence is halved. */
export const MAX_SHRINKS = 2;
/** Names longer than this are not researched: no company is called that, and it would crowd the query. */
export const MAX_COMPANY_CHARS = 200;
const BACKOFF_BASE_MS = 2000;
/** Output tokens a typical reply uses, for the cost estimate. */
const TYPICAL_OUTPUT_TOKENS = 300;
const DAY_MS = 24 * 60 * 60_000;

export type Phase = "search" | "judge" | "finished";

interface Pending {
  service: Service;
  request: HttpRequest;
  notBefore: number;
}

/** Per-company state: plain JSON with no key in it, so it can be persisted or logged. Treat it as opaque. */
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
  /** All the evidence of the search being judged, as paid for: it goes into the cache whole. */
  readonly paidEvidence: EvidenceItem[];
  /** The evidence is a validated cache entry judged again (another model or profile), not a new search. */
  readonly revalidating: boolean;
  /** What the pending or last judging request sends: paidEvidence cut to the budget. */
  readonly evidence: EvidenceItem[];
  readonly budgetChars: number;
  readonly shrinks: number;
  /** Transient failures of the pending request. */
  readonly tries: number;
  /** Why the last reply was rejected, once it has been; a second rejection fails the row. */
  readonly replyProblem: string | null;
  /** The pending LLM request asks for JSON mode rather than the JSON schema. */
  readonly jsonMode: boolean;
  /** The reply came back empty because reasoning used the cap: the judging call now has the larger cap. */
  readonly reasoningRetry: boolean;
  /** The provider refused reasoning_effort: the larger-cap retry goes without it. */
  readonly noReasoningEffort: boolean;
  readonly pending: Pending | null;
  /** What this research has paid so far (a cache entry's earlier search is not counted again). */
  readonly cost: Cost;
  readonly outcome: Outcome | null;
}

export type Outcome =
  /** cacheEntry: the entry to upsert into the cache sheet (new evidence or a new result), null when nothing changed. */
  | { kind: "done"; result: ResearchResult; fromCache: boolean; cacheEntry: CacheEntry | null; cost: Cost }
  /** cacheEntry: the no-data entry to store (null when this answer came from one). */
  | { kind: "noData"; rationale: string; fromCache: boolean; cacheEntry: CacheEntry | null; cost: Cost }
  /** message: what the Status shows after "Error: ". */
  | { kind: "error"; message: string; cost: Cost }
  /** The whole run must pause (bad key, plan limit, out of credit, unknown model). */
  | { kind: "paused"; reason: PauseReason; cost: Cost };

export type Step =
  /** notBefore: epoch ms before which the request must not be sent (backoff, Retry-After); 0 for now. */
  { kind: "fetch"; service: Service; request: HttpRequest; notBefore: number } | { kind: "finished"; outcome: Outcome };

/**
 * What an answer asks of the run beyond the company's own state. The run folds every effect in
 * through one function whose switch must name each kind, so a new effect cannot go unhandled.
 */
export type Effect =
  /** What this response cost (search credits or LLM tokens): count it now. */
  | { kind: "paid"; cost: Cost }
  /**
   * Store at once so nothing is paid for twice: evidence just paid for and about to be judged, or,
   * when a search found nothing about the company, how far its re-search chain has gone.
   */
  | { kind: "store"; entry: CacheEntry }
  /** The provider refused the JSON schema: use JSON mode for the rest of the run. */
  | { kind: "jsonMode" }
  /** The provider refused reasoning_effort: never send it again in this run. */
  | { kind: "dropReasoningEffort" }
  /** A 429: the caller shrinks its waves for this service and waits retryAfterMs (handing off when that is longer than it has left). */
  | { kind: "rateLimited"; service: Service; retryAfterMs: number };

export interface Applied {
  state: CompanyState;
  effects: Effect[];
}

/** Whether a cache entry may still answer: no-data entries for NO_DATA_TTL_DAYS, the others for CACHE_TTL_DAYS. */
export function isFresh(
  entry: Pick<CacheEntry, "status" | "fetchedAt">,
  settings: Pick<Settings, "cacheTtlDays" | "noDataTtlDays">,
  now: number,
): boolean {
  const days = entry.status === "noData" ? settings.noDataTtlDays : settings.cacheTtlDays;
  return now - entry.fetchedAt < days * DAY_MS;
}

function secretsOf(opts: ResearchOptions): string[] {
  return apiKeySecrets(opts.settings);
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

function entryBase(state: CompanyState): Omit<CacheEntry, "status" | "relevance" | "evidence" | "result"> {
  return {
    key: state.key,
    profile: state.profile,
    company: state.input.company,
    domain: state.input.domain,
    query: state.query,
    fetchedAt: state.fetchedAt,
    credits: state.searchCredits,
    searches: state.searchesDone,
  };
}

function noDataEntry(state: CompanyState, why: string, now: number): CacheEntry {
  const result: ResearchResult = {
    tier: "UNKNOWN",
    score: null,
    useCase: "",
    rationale: why,
    sources: [],
    model: state.model,
    profile: state.profile,
    classifiedAt: now,
  };
  return { ...entryBase(state), fetchedAt: now, status: "noData", relevance: 0, evidence: [], result };
}

/** A re-search chain under way: the searches made so far found nothing about the company. */
function progressEntry(state: CompanyState): CacheEntry {
  return { ...entryBase(state), status: "unjudged", relevance: 0, evidence: [], result: null };
}

function notAboutWhy(state: CompanyState): string {
  return `The search results were not about ${displayName(state.input.company)} (${state.searchesDone} searches).`;
}

/** Search number `index` (0-based), or no reliable data when the searches are used up. */
function toSearch(state: CompanyState, index: number, opts: ResearchOptions, why: string, now: number): CompanyState {
  const query = state.queries[index];
  if (index >= maxSearches(opts) || query === undefined) {
    return finish(state, { kind: "noData", rationale: why, fromCache: false, cacheEntry: noDataEntry(state, why, now), cost: state.cost });
  }
  return { ...state, phase: "search", tries: 0, pending: { service: "tavily", request: buildSearchRequest(query), notBefore: 0 } };
}

function maxOutputTokens(state: CompanyState, opts: ResearchOptions): number {
  const cap = opts.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  return state.reasoningRetry ? Math.max(cap, REASONING_MAX_OUTPUT_TOKENS) : cap;
}

function llmRequest(state: CompanyState, opts: ResearchOptions): HttpRequest {
  const { settings } = opts;
  const payload: Record<string, unknown> = {
    model: settings.llmModel,
    messages: buildMessages(state.profile, state.input.company, state.searchDomain, state.evidence, state.replyProblem),
    temperature: 0,
    max_tokens: maxOutputTokens(state, opts),
    response_format: responseFormat(state.jsonMode),
  };
  if (state.reasoningRetry && !state.noReasoningEffort) payload.reasoning_effort = LOW_REASONING_EFFORT;
  return {
    url: `${settings.llmBaseUrl.replace(/\/+$/, "")}/chat/completions`,
    method: "post",
    headers: {},
    auth: "llm",
    payload: JSON.stringify(payload),
  };
}

/** (Re)builds the judging call for the paid evidence, cut to the state's budget. */
function toJudge(state: CompanyState, opts: ResearchOptions): CompanyState {
  const evidence = cutToBudget(state.paidEvidence, state.budgetChars);
  if (evidence.length === 0)
    return fail(state, rowError("the evidence budget is too small for one search result", ROW_ADVICE.raiseEvidence));
  // Run-wide fallbacks learned by any company apply to this one too.
  const next: CompanyState = {
    ...state,
    phase: "judge",
    evidence,
    tries: 0,
    jsonMode: state.jsonMode || opts.jsonMode,
    noReasoningEffort: state.noReasoningEffort || (opts.noReasoningEffort ?? false),
  };
  return { ...next, pending: { service: "llm", request: llmRequest(next, opts), notBefore: 0 } };
}

/** The entry to store for evidence paid for and not yet judged; null when the state is not judging new evidence. */
export function unjudgedEntry(state: CompanyState): CacheEntry | null {
  if (state.phase !== "judge" || state.revalidating) return null;
  return { ...entryBase(state), status: "unjudged", relevance: 0, evidence: state.paidEvidence, result: null };
}

/**
 * cache: a fresh entry for this key (the caller checks isFresh), or null to research from
 * scratch. A validated entry answers with its result when profile and model match, else its
 * evidence is judged again; an unjudged entry is judged with no new search (its credits were
 * counted when paid); a no-data entry answers at once with no request (pass it only for a plain
 * Research: Re-research and Retry failed rows try again).
 */
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
    paidEvidence: [],
    revalidating: false,
    evidence: [],
    budgetChars: opts.evidenceBudgetChars ?? settings.evidenceBudgetChars,
    shrinks: 0,
    tries: 0,
    replyProblem: null,
    jsonMode: opts.jsonMode,
    reasoningRetry: false,
    noReasoningEffort: opts.noReasoningEffort ?? false,
    pending: null,
    cost: ZERO_COST,
    outcome: null,
  };
  if (normaliseCompanyName(input.company) === "")
    return fail(state, rowError("the company name has no letters or digits", ROW_ADVICE.checkName));
  if (input.company.trim().length > MAX_COMPANY_CHARS) {
    return fail(state, `the company name is longer than ${MAX_COMPANY_CHARS} characters; shorten it`);
  }
  if (!cache) return toSearch(state, 0, opts, "", now);
  const fromEntry = {
    ...state,
    query: cache.query,
    fetchedAt: cache.fetchedAt,
    searchCredits: cache.credits,
    paidEvidence: cache.evidence,
  };
  switch (cache.status) {
    case "noData":
      return finish(state, {
        kind: "noData",
        rationale: cache.result?.rationale ?? "",
        fromCache: true,
        cacheEntry: null,
        cost: ZERO_COST,
      });
    case "unjudged": {
      // Searches already made count: the chain goes on at the next query, never from the first again.
      const done = cache.searches ?? state.queries.indexOf(cache.query) + 1;
      if (cache.evidence.length === 0) {
        const resumed = { ...fromEntry, searchesDone: done };
        return toSearch(resumed, done, opts, notAboutWhy(resumed), now);
      }
      return toJudge({ ...fromEntry, searchesDone: Math.max(1, done) }, opts);
    }
    case "validated":
      if (cache.result && cache.result.profile === profile && cache.result.model === settings.llmModel) {
        return finish(state, { kind: "done", result: cache.result, fromCache: true, cacheEntry: null, cost: ZERO_COST });
      }
      if (cache.evidence.length === 0) return toSearch(state, 0, opts, "", now);
      // Evidence already paid for and validated: only the judging call is new (another model or profile).
      return toJudge({ ...fromEntry, revalidating: true }, opts);
  }
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

/** A failure worth trying again after a backoff; the row fails once MAX_TRIES have failed. */
function transient(state: CompanyState, what: string, detail: string, now: number): CompanyState {
  const tries = state.tries + 1;
  if (tries >= MAX_TRIES || !state.pending) return fail(state, rowError(`${what} ${timesText(MAX_TRIES)}`, ROW_ADVICE.retryLater, detail));
  return { ...state, tries, pending: { ...state.pending, notBefore: now + BACKOFF_BASE_MS * 2 ** (tries - 1) } };
}

/** Results with any key an endpoint echoed masked, and results whose URL carries one (or is not a web page) dropped. */
function withoutSecrets(results: SearchResult[], secrets: readonly string[]): SearchResult[] {
  return results
    .filter((r) => isWebUrl(r.url) && !containsSecret(r.url, secrets))
    .map((r) => ({
      ...r,
      title: maskSecrets(r.title, secrets),
      content: maskSecrets(r.content, secrets),
      rawContent: r.rawContent === null ? null : maskSecrets(r.rawContent, secrets),
    }));
}

interface Transition {
  state: CompanyState;
  paid: Cost;
  /** The re-search chain's progress, when this answer moved it on to another search. */
  progress?: CacheEntry;
}

/** Moves on to the next search after one that found nothing about the company, remembering how far the chain got. */
function searchAgain(state: CompanyState, paid: Cost, why: string, opts: ResearchOptions, now: number): Transition {
  const next = toSearch(state, state.searchesDone, opts, why, now);
  // A revalidated cache entry judged not about the company has no search of this chain to record.
  if (next.phase !== "search" || state.searchesDone === 0) return { state: next, paid };
  return { state: next, paid, progress: progressEntry(state) };
}

function onSearchAnswer(state: CompanyState, body: string, opts: ResearchOptions, now: number): Transition {
  const parsed = parseSearchResponse(body);
  if (!parsed) {
    // A 2xx is billed even when its body cannot be read: count the usual price.
    const paid = addCost(ZERO_COST, { tavilyCredits: ADVANCED_SEARCH_CREDITS }, opts.settings);
    return {
      state: transient(
        { ...state, cost: addCost(state.cost, paid, opts.settings) },
        "the web search service sent an unreadable answer",
        "Tavily's answer was not a search result",
        now,
      ),
      paid,
    };
  }
  const paid = addCost(ZERO_COST, { tavilyCredits: parsed.credits }, opts.settings);
  const name = displayName(state.input.company);
  const searched: CompanyState = {
    ...state,
    cost: addCost(state.cost, paid, opts.settings),
    // A re-judged cache entry's credits belong to that entry, not to the new search.
    searchCredits: (state.revalidating ? 0 : state.searchCredits) + parsed.credits,
    searchesDone: state.searchesDone + 1,
    query: state.queries[state.searchesDone] ?? "",
    fetchedAt: now,
    revalidating: false,
  };
  const evidence = selectEvidence(withoutSecrets(parsed.results, secretsOf(opts)), mentionMatcher(state.input.company, state.searchDomain));
  if (evidence.length === 0) {
    // Nothing names the company: the model would only be asked about namesakes, so search again instead.
    return searchAgain(searched, paid, `No search result mentions ${name} (${searched.searchesDone} searches).`, opts, now);
  }
  const judging = toJudge(
    {
      ...searched,
      paidEvidence: evidence,
      budgetChars: opts.evidenceBudgetChars ?? opts.settings.evidenceBudgetChars,
      shrinks: 0,
      replyProblem: null,
      reasoningRetry: false,
    },
    opts,
  );
  return { state: judging, paid };
}

function resultFrom(state: CompanyState, reply: Reply, now: number): ResearchResult {
  const { score, tier, useCase, second, growth, confidence } = scoreReply(state.profile, reply);
  return {
    tier,
    score,
    useCase: useCaseText(state.profile, reply),
    rationale: reply.rationale,
    sources: reply.sources,
    model: state.model,
    profile: state.profile,
    classifiedAt: now,
    breakdown: { useCaseClass: reply.use_case_class, useCase, second, growth, confidence },
  };
}

/** Tokens the pending judging request is expected to use, for usage figures that are missing or not believable. */
function usageEstimate(state: CompanyState, opts: ResearchOptions): { inputTokens: number; maxOutputTokens: number } {
  const payload = state.pending?.request.payload ?? "";
  return { inputTokens: Math.ceil(payload.length / CHARS_PER_TOKEN), maxOutputTokens: maxOutputTokens(state, opts) };
}

function onJudgeAnswer(state: CompanyState, body: string, opts: ResearchOptions, now: number): Transition {
  const estimate = usageEstimate(state, opts);
  const completion = parseChatCompletion(body, estimate);
  if (!completion) {
    const paid = addCost(ZERO_COST, { llmInputTokens: estimate.inputTokens }, opts.settings);
    return {
      state: transient(
        { ...state, cost: addCost(state.cost, paid, opts.settings) },
        "the AI service sent an unreadable answer",
        "the LLM's answer was not a chat completion",
        now,
      ),
      paid,
    };
  }
  const paid = addCost(ZERO_COST, { llmInputTokens: completion.inputTokens, llmOutputTokens: completion.outputTokens }, opts.settings);
  const spent: CompanyState = { ...state, cost: addCost(state.cost, paid, opts.settings) };
  const check = checkReply(completion.content);
  if (!check.ok && completion.finishReason === "length") {
    // The cap cut the reply: a reasoning model thinking (empty content, or <think> text in it).
    // Once more with room to answer and the least thinking the provider accepts.
    if (state.reasoningRetry) {
      const why = completion.content.trim() === "" ? "the reply was all reasoning" : "the reply was cut off by the output cap";
      return { state: fail(spent, rowError("the AI model ran out of room to answer, twice", ROW_ADVICE.otherModel, why)), paid };
    }
    return { state: toJudge({ ...spent, reasoningRetry: true }, opts), paid };
  }
  if (!check.ok) {
    const problem = check.problem.slice(0, 150);
    if (state.replyProblem !== null)
      return { state: fail(spent, rowError("the AI's answer could not be read, twice", ROW_ADVICE.retryOrModel, problem)), paid };
    return { state: toJudge({ ...spent, replyProblem: problem }, opts), paid };
  }
  const reply = sanitiseReply(check.reply, spent.evidence, secretsOf(opts));
  const judged: CompanyState = { ...spent, replyProblem: null };
  if (!reply.about_company || reply.relevance < opts.settings.relevanceThreshold)
    return searchAgain(judged, paid, notAboutWhy(judged), opts, now);
  const result = resultFrom(judged, reply, now);
  const cacheEntry: CacheEntry = {
    ...entryBase(judged),
    status: "validated",
    relevance: reply.relevance,
    evidence: judged.paidEvidence,
    result,
  };
  return { state: finish(judged, { kind: "done", result, fromCache: false, cacheEntry, cost: judged.cost }), paid };
}

/**
 * Feeds the answer to the pending request. Calling it for a finished state, or one with nothing
 * pending, is a bug in the caller (an answer paid for and then lost) and throws.
 */
export function applyResponse(state: CompanyState, response: HttpResponse, opts: ResearchOptions, now: number): Applied {
  const pending = state.pending;
  if (state.outcome || !pending) {
    throw new Error(`applyResponse: ${state.input.company} has no request waiting for an answer (phase ${state.phase})`);
  }
  const { service } = pending;
  if (response.status >= 200 && response.status < 300) {
    const next = service === "tavily" ? onSearchAnswer(state, response.body, opts, now) : onJudgeAnswer(state, response.body, opts, now);
    const unjudged = next.progress ?? (service === "tavily" ? unjudgedEntry(next.state) : null);
    const effects: Effect[] = [{ kind: "paid", cost: next.paid }];
    if (unjudged) effects.push({ kind: "store", entry: unjudged });
    return { state: next.state, effects };
  }
  // An error answer is not billed: it has no paid effect.
  const only = (next: CompanyState, ...effects: Effect[]): Applied => ({ state: next, effects });
  const action = classifyHttpError(service, response, now, secretsOf(opts));
  switch (action.kind) {
    case "pause":
      return only(finish(state, { kind: "paused", reason: action.reason, cost: state.cost }));
    case "rateLimited":
      return only(
        { ...state, pending: { ...pending, notBefore: now + action.retryAfterMs } },
        { kind: "rateLimited", service, retryAfterMs: action.retryAfterMs },
      );
    case "retry":
      return only(transient(state, action.what, action.detail, now));
    case "shrink": {
      if (state.shrinks >= MAX_SHRINKS) {
        return only(
          fail(
            state,
            rowError("the AI model could not take in the evidence, even cut to a quarter", ROW_ADVICE.lowerEvidence, action.detail),
          ),
        );
      }
      // Half of what was actually sent: halving a budget the evidence never filled would barely shrink it.
      const sent = formatEvidence(state.evidence).length;
      return only(toJudge({ ...state, shrinks: state.shrinks + 1, budgetChars: Math.floor(Math.min(state.budgetChars, sent) / 2) }, opts));
    }
    case "jsonMode":
      if (state.jsonMode)
        return only(fail(state, rowError("the AI model refused the answer format", ROW_ADVICE.otherModel, action.detail)));
      return only(toJudge({ ...state, jsonMode: true }, opts), { kind: "jsonMode" });
    case "reasoningEffortRefused":
      if (state.noReasoningEffort || !state.reasoningRetry) {
        return only(fail(state, rowError("the AI model refused a setting it needs", ROW_ADVICE.otherModel, action.detail)));
      }
      return only(toJudge({ ...state, noReasoningEffort: true }, opts), { kind: "dropReasoningEffort" });
    case "fail":
      return only(fail(state, action.message));
  }
}

/** Expected dollars for one new company at the current prices (for JOB_BUDGET_USD admission). */
export function estimateCompanyCostUsd(settings: Settings): number {
  return expectedCompanyCost(settings, promptOverheadChars(settings.profile), TYPICAL_OUTPUT_TOKENS).usd;
}
