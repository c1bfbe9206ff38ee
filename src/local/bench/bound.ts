// The physical lower bound of a run: no add-on, however clever, can finish N companies faster than
// the providers' rate limits and latencies allow.

/** The fake limiters' window: a provider admits `rpm` requests in any sliding 60 s. */
const WINDOW_MS = 60_000;

/**
 * Earliest virtual time, counted from the first request, at which the last of `count` requests can
 * be sent under a sliding-window limit: a full window at once, then one more full window per minute.
 */
export function lastSendMs(count: number, rpm: number): number {
  if (count <= 0) return 0;
  return Math.floor((count - 1) / rpm) * WINDOW_MS;
}

export interface BoundInput {
  /** New companies: each needs at least one search. */
  companies: number;
  /** Companies that needed the model (those with evidence): each needs at least one LLM call. */
  judged: number;
  tavilyRpm: number;
  llmRpm: number;
  searchLatencyMs: number;
  llmLatencyMs: number;
  /** The model accepts no request before this many ms from the start (an outage); default 0. */
  llmFromMs?: number;
}

export interface Bound {
  boundMs: number;
  /** The search-then-LLM chain of a single company. */
  latencyMs: number;
  /** The last search can go no sooner than this, and its LLM call follows it. */
  tavilyRateMs: number;
  /** The last LLM call can go no sooner than this. */
  llmRateMs: number;
}

export function lowerBound(input: BoundInput): Bound {
  if (input.companies <= 0) return { boundMs: 0, latencyMs: 0, tavilyRateMs: 0, llmRateMs: 0 };
  const latencyMs = input.searchLatencyMs + input.llmLatencyMs;
  const tavilyRateMs = lastSendMs(input.companies, input.tavilyRpm) + latencyMs;
  const llmRateMs = input.judged > 0 ? (input.llmFromMs ?? 0) + lastSendMs(input.judged, input.llmRpm) + input.llmLatencyMs : 0;
  return { boundMs: Math.max(latencyMs, tavilyRateMs, llmRateMs), latencyMs, tavilyRateMs, llmRateMs };
}
