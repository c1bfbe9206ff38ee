// How many requests a wave may carry per provider: the concurrency setting, halved on 429 and grown
// back slowly, and never more than the provider's requests-per-minute allow in a sliding minute.
import type { Settings } from "../settings";
import type { Service } from "../types";

export interface PacingState {
  /** Current wave size per service. */
  waveSize: Record<Service, number>;
  /** Epoch ms before which no request of that service may be sent (Retry-After). */
  blockedUntil: Record<Service, number>;
  /** Requests sent recently: [epoch ms, count] per wave, pruned to the last minute. */
  sent: Record<Service, [number, number][]>;
}

export interface PacingLimits {
  concurrency: Record<Service, number>;
  rpm: Record<Service, number>;
}

const WINDOW_MS = 60_000;

/** The limits the settings give: concurrency per wave and requests per minute, per provider. */
export function pacingLimits(settings: Settings): PacingLimits {
  return {
    concurrency: { tavily: settings.tavilyConcurrency, llm: settings.llmConcurrency },
    rpm: { tavily: settings.tavilyRpm, llm: settings.llmRpm },
  };
}

export function initialPacing(limits: PacingLimits): PacingState {
  return {
    waveSize: { ...limits.concurrency },
    blockedUntil: { tavily: 0, llm: 0 },
    sent: { tavily: [], llm: [] },
  };
}

function sentInWindow(state: PacingState, service: Service, now: number): number {
  return state.sent[service].filter(([at]) => at > now - WINDOW_MS).reduce((sum, [, count]) => sum + count, 0);
}

/** How many requests of this service a wave starting now may send. */
export function allowance(state: PacingState, limits: PacingLimits, service: Service, now: number): number {
  if (now < state.blockedUntil[service]) return 0;
  const byRate = limits.rpm[service] - sentInWindow(state, service, now);
  return Math.max(0, Math.min(state.waveSize[service], byRate));
}

/** When the next request of this service could go, if allowance is 0 now. */
export function nextOpening(state: PacingState, limits: PacingLimits, service: Service, now: number): number {
  if (now < state.blockedUntil[service]) return state.blockedUntil[service];
  const recent = state.sent[service].filter(([at]) => at > now - WINDOW_MS);
  if (sentInWindow(state, service, now) < limits.rpm[service]) return now;
  const oldest = recent[0];
  return oldest ? oldest[0] + WINDOW_MS : now;
}

/** Records a wave: what was sent, whether a 429 came back, and grows or shrinks the wave. */
export function recordWave(
  state: PacingState,
  limits: PacingLimits,
  sentAt: number,
  receivedAt: number,
  sent: Record<Service, number>,
  rateLimited: Partial<Record<Service, number>>,
): PacingState {
  const next: PacingState = {
    waveSize: { ...state.waveSize },
    blockedUntil: { ...state.blockedUntil },
    sent: { tavily: [...state.sent.tavily], llm: [...state.sent.llm] },
  };
  for (const service of ["tavily", "llm"] as const) {
    next.sent[service] = next.sent[service].filter(([at]) => at > sentAt - WINDOW_MS);
    if (sent[service] > 0) next.sent[service].push([sentAt, sent[service]]);
    const retryAfterMs = rateLimited[service];
    if (retryAfterMs !== undefined) {
      next.waveSize[service] = Math.max(1, Math.floor(next.waveSize[service] / 2));
      next.blockedUntil[service] = Math.max(next.blockedUntil[service], receivedAt + retryAfterMs);
    } else if (sent[service] > 0 && next.waveSize[service] < limits.concurrency[service]) {
      // Grow back slowly: one more request per clean wave.
      next.waveSize[service] += 1;
    }
  }
  return next;
}
