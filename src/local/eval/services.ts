// What answers the add-on's requests during an eval: the recordings (replayed only for a request
// sent exactly as recorded), or the live services, whose searches the models share and whose
// answers --record keeps. Each handler is an ordinary fetch handler of the local runtime.
import { maskSecrets } from "../../core/secrets";
import type { Profile, Service } from "../../core/types";
import { chatCompletionSchema, tavilyResponseSchema } from "../demo/recordings";
import { jsonReply } from "../providers/common";
import type { ProviderHandler, ProviderReply, ProviderRequest } from "../providers";
import {
  companyKeyOf,
  completionKey,
  parseRequest,
  type CompletionKey,
  type ParsedRequest,
  type RecordingPool,
  type RequestCompany,
} from "./recordings";

/** Marks a row whose request had no recording; the Status cell carries it after the provider's words. */
export const REPLAY_MISS = "eval replay: no recording of this request";
/** Latency of a replayed judgment whose recording has none (hand-made samples). */
const TYPICAL_LLM_LATENCY_MS = 3_000;
const MISS_LATENCY_MS = 100;

export interface Exchange {
  request: ProviderRequest;
  parsed: ParsedRequest | null;
  reply: ProviderReply;
}

/** The handler, telling `listener` about every request and its answer. */
export function observe(handler: ProviderHandler, listener: (exchange: Exchange) => void): ProviderHandler {
  return (request) => {
    const reply = handler(request);
    listener({ request, parsed: parseRequest(request.url, request.payload), reply });
    return reply;
  };
}

/** A request replay could not answer, and what differs from what was recorded. */
export interface Miss {
  company: RequestCompany;
  service: Service;
  why: string;
  /** An answer was recorded at this place for another request: the prompt, evidence or query changed. */
  changed: boolean;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function listed(urls: readonly string[]): string {
  const shown = urls.slice(0, 3).join(", ");
  return urls.length > 3 ? `${shown} and ${urls.length - 3} more` : shown;
}

/** What differs between the judging request now sent and the one recorded at the same place. */
export function requestChange(sent: CompletionKey, recorded: CompletionKey): string {
  const parts: string[] = [];
  if (sent.system !== recorded.system) parts.push("the system prompt (the profile's rules) changed");
  if (sent.user !== recorded.user) {
    if (sameList(sent.evidence_urls, recorded.evidence_urls)) {
      parts.push("the user message changed with the same evidence URLs (the evidence text or the Company/Domain lines)");
    } else {
      const added = sent.evidence_urls.filter((u) => !recorded.evidence_urls.includes(u));
      const dropped = recorded.evidence_urls.filter((u) => !sent.evidence_urls.includes(u));
      const detail = [added.length > 0 ? `now also ${listed(added)}` : "", dropped.length > 0 ? `no longer ${listed(dropped)}` : ""]
        .filter((d) => d !== "")
        .join("; ");
      parts.push(
        `the evidence changed: ${sent.evidence_urls.length} results sent, ${recorded.evidence_urls.length} recorded${detail ? ` (${detail})` : " (same results, another order)"}`,
      );
    }
  }
  if (parts.length === 0) parts.push("the request's other fields changed (output cap, temperature or response format)");
  return parts.join("; ");
}

export interface ReplayOptions {
  profile: Profile;
  /**
   * --rekey: a request with no exact recording takes the company's recorded answer at the same
   * place (its n-th search, its n-th judgment by this model), and that answer is keyed to it.
   */
  rekey: boolean;
  misses: Miss[];
}

/** Answers from the recordings; a request not recorded as sent gets an error and becomes a Miss. */
export function createKeyedReplay(pool: RecordingPool, options: ReplayOptions): ProviderHandler {
  const { profile } = options;
  const seen = new Map<string, number>();
  const nth = (company: RequestCompany, service: Service) => {
    const key = `${companyKeyOf(company)}|${service}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return n;
  };

  const search = (parsed: Extract<ParsedRequest, { service: "tavily" }>): ProviderReply => {
    const n = nth(parsed.company, "tavily");
    let response = pool.search(parsed.query);
    const recorded = pool.filesOf(parsed.company).length > 0;
    const candidate = pool.searchesFor(parsed.company, profile)[n];
    if (!response && options.rekey && candidate) {
      pool.keySearch(candidate.file, candidate.index, { profile, query: parsed.query });
      response = pool.search(parsed.query);
    }
    if (response) return jsonReply(200, { ...structuredClone(response), query: parsed.query }, Math.round(response.response_time * 1000));
    let why: string;
    if (!recorded) why = "no recording of this company";
    else if (!candidate) why = n === 0 ? `no recording for ${profile}` : `search ${n + 1} was never recorded`;
    else if (!candidate.key) why = "its recording is not keyed yet (npm run eval -- --rekey)";
    else why = `the search query changed: sent "${parsed.query}", recorded "${candidate.key.query}"`;
    options.misses.push({ company: parsed.company, service: "tavily", why, changed: candidate !== undefined });
    return jsonReply(400, { detail: { error: REPLAY_MISS } }, MISS_LATENCY_MS);
  };

  const judge = (parsed: Extract<ParsedRequest, { service: "llm" }>, payload: string): ProviderReply => {
    const n = nth(parsed.company, "llm");
    const sent = completionKey(profile, parsed, payload);
    let found = pool.completion(sent.request);
    const recorded = pool.filesOf(parsed.company).length > 0;
    const all = pool.completionsFor(parsed.company, profile);
    const ours = all.filter((c) => c.key === null || c.key.model === parsed.model);
    const candidate = ours[n];
    if (!found && options.rekey && candidate) {
      const latency = candidate.key?.latency_ms;
      pool.keyCompletion(candidate.file, candidate.index, { ...sent, ...(latency === undefined ? {} : { latency_ms: latency }) });
      found = pool.completion(sent.request);
    }
    if (found) return jsonReply(200, found.completion, found.key.latency_ms ?? TYPICAL_LLM_LATENCY_MS);
    let why: string;
    if (!recorded) why = "no recording of this company";
    else if (ours.length === 0 && all.length > 0) {
      const models = [...new Set(all.map((c) => c.key?.model ?? "?"))].join(", ");
      why = `no recorded answer from ${parsed.model} (recorded: ${models})`;
    } else if (!candidate) why = n === 0 ? `no recording for ${profile}` : `judgment ${n + 1} was never recorded`;
    else if (!candidate.key) why = "its recording is not keyed yet (npm run eval -- --rekey)";
    else why = requestChange(sent, candidate.key);
    options.misses.push({ company: parsed.company, service: "llm", why, changed: candidate !== undefined });
    return jsonReply(400, { error: { message: REPLAY_MISS, type: "invalid_request_error", param: null, code: null } }, MISS_LATENCY_MS);
  };

  return (request) => {
    const parsed = parseRequest(request.url, request.payload);
    if (parsed?.service === "tavily") return search(parsed);
    if (parsed?.service === "llm") return judge(parsed, request.payload ?? "");
    return jsonReply(404, { error: { message: `eval replay: not a request the add-on makes (${request.url})` } }, MISS_LATENCY_MS);
  };
}

/**
 * Live searches shared by the models of one eval: the same query is sent to Tavily once and its
 * answer given again, so every model judges the same evidence (and the recordings hold one answer
 * per query). The add-on still counts the credits the answer reports, as if it had searched.
 */
export function shareSearches(handler: ProviderHandler): ProviderHandler {
  const answers = new Map<string, ProviderReply>();
  return (request) => {
    const parsed = parseRequest(request.url, request.payload);
    if (parsed?.service !== "tavily") return handler(request);
    const known = answers.get(parsed.query);
    if (known) return known;
    const reply = handler(request);
    if (reply.status === 200) answers.set(parsed.query, reply);
    return reply;
  };
}

/** --record: every successful live answer goes into the pool, keyed by what was sent, keys blanked out. */
export function recordInto(pool: RecordingPool, profile: Profile, secrets: readonly string[], note: string): (exchange: Exchange) => void {
  return ({ request, parsed, reply }) => {
    if (reply.status !== 200 || !parsed) return;
    let body: unknown;
    try {
      body = JSON.parse(maskSecrets(reply.body, secrets));
    } catch {
      return;
    }
    if (parsed.service === "tavily") {
      const response = tavilyResponseSchema.safeParse(body);
      if (response.success) pool.addSearch(parsed.company, { profile, query: parsed.query }, response.data, note);
    } else {
      const completion = chatCompletionSchema.safeParse(body);
      const key = completionKey(profile, parsed, request.payload ?? "", reply.latencyMs);
      if (completion.success) pool.addCompletion(parsed.company, key, completion.data, note);
    }
  };
}
