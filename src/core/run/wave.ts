// A wave, planned and folded back. Planning: which requests of the companies in flight go out now
// under the pacing allowance and, when none may, how long to wait. Folding: each answer moves its
// company on and its effects into the run (costs, fallbacks, rate limits), then finished companies
// leave the pool and everything paid for is listed for the cache. Pure: the worker sends and writes.
import { applyResponse, nextStep, type CompanyState, type Effect, type Outcome } from "../engine";
import type { Settings } from "../settings";
import type { CacheEntry, HttpRequest, HttpResponse, Service } from "../types";
import { waitFor, type ExecutionClock, type Wait } from "./execution";
import { allowance, nextOpening, recordWave, type PacingLimits } from "./pacing";
import { pause, recordPaid, recordRefusals, researchOptions, type RunState } from "./run-state";

/** A company the worker has claimed and researches wave after wave. */
export interface Job {
  key: string;
  company: string;
  state: CompanyState;
}

export interface Outgoing {
  job: Job;
  service: Service;
  request: HttpRequest;
}

/** The companies in flight after some of them finished, and what finishing did to the run. */
export interface Collected {
  run: RunState;
  /** Still in flight, in the pool's order. */
  jobs: Job[];
  finished: { key: string; outcome: Outcome }[];
  /** Cache entries of the results and no-data outcomes just reached. */
  store: CacheEntry[];
}

/** Takes the finished companies out of the pool; a paused outcome pauses the run. */
export function collectFinished(run: RunState, jobs: readonly Job[]): Collected {
  const collected: Collected = { run, jobs: [], finished: [], store: [] };
  for (const job of jobs) {
    const step = nextStep(job.state);
    if (step.kind !== "finished") {
      collected.jobs.push(job);
      continue;
    }
    const { outcome } = step;
    collected.finished.push({ key: job.key, outcome });
    if (outcome.kind === "paused") collected.run = pause(collected.run, outcome.reason);
    if ((outcome.kind === "done" || outcome.kind === "noData") && outcome.cacheEntry) collected.store.push(outcome.cacheEntry);
  }
  return collected;
}

export interface WavePlan extends Collected {
  /** What goes out now, in one fetchAll. */
  outgoing: Outgoing[];
  sent: Record<Service, number>;
  /** With nothing to send and companies waiting: sleep or hand off. Null when there is nothing to wait for. */
  wait: Wait | null;
}

/**
 * The requests due now, up to each provider's allowance; the rest wait for their time or for room.
 * When more requests wait for room that opens within a wave's length than could go now, and it
 * opens sooner than the few would come back after it (under half a wave from now), the wave waits
 * for that room: sent now, the few would hold the many back for most of a wave.
 */
export function planWave(input: {
  run: RunState;
  jobs: readonly Job[];
  limits: PacingLimits;
  clock: ExecutionClock;
  now: number;
}): WavePlan {
  const { limits, now } = input;
  const collected = collectFinished(input.run, input.jobs);
  const { pacing } = collected.run;
  const room: Record<Service, number> = {
    tavily: allowance(pacing, limits, "tavily", now),
    llm: allowance(pacing, limits, "llm", now),
  };
  const sent: Record<Service, number> = { tavily: 0, llm: 0 };
  const outgoing: Outgoing[] = [];
  let wakeAt = Number.POSITIVE_INFINITY;
  let heldSoon = 0;
  let soonAt = now;
  for (const job of collected.jobs) {
    const step = nextStep(job.state);
    if (step.kind === "finished") continue;
    if (step.notBefore > now) {
      wakeAt = Math.min(wakeAt, step.notBefore);
    } else if (sent[step.service] < room[step.service]) {
      sent[step.service] += 1;
      outgoing.push({ job, request: step.request, service: step.service });
    } else {
      const opening = nextOpening(pacing, limits, step.service, now);
      wakeAt = Math.min(wakeAt, Math.max(now + 1000, opening));
      if (opening > now && opening - now < input.clock.slowestWaveMs) {
        heldSoon += 1;
        soonAt = Math.max(soonAt, opening);
      }
    }
  }
  // Sent now, the few keep the worker until a wave's length from now: the room that opens meanwhile
  // stays unused that long after it opens. Held, the few wait until it opens. The shorter wait wins.
  const idleRoomMs = now + input.clock.slowestWaveMs - soonAt;
  if (outgoing.length > 0 && heldSoon > outgoing.length && idleRoomMs > soonAt - now) {
    return { ...collected, outgoing: [], sent: { tavily: 0, llm: 0 }, wait: waitFor(input.clock, soonAt, now) };
  }
  const waiting = outgoing.length === 0 && collected.jobs.length > 0 && Number.isFinite(wakeAt);
  return { ...collected, outgoing, sent, wait: waiting ? waitFor(input.clock, wakeAt, now) : null };
}

/** What the answers of a wave leave behind besides the run state. */
interface Folding {
  run: RunState;
  store: CacheEntry[];
  /** Per service, the longest Retry-After of the wave's 429s. */
  rateLimited: Partial<Record<Service, number>>;
}

function unhandled(effect: never): never {
  throw new Error(`No handler for the effect ${JSON.stringify(effect)}`);
}

/**
 * Records one effect of an answer. Each kind has its case, and the `never` default makes an effect
 * added to the engine without one here fail to compile.
 */
export function recordEffect(folding: Folding, effect: Effect, settings: Settings): Folding {
  switch (effect.kind) {
    case "paid":
      return { ...folding, run: recordPaid(folding.run, effect.cost, settings) };
    case "store":
      return { ...folding, store: [...folding.store, effect.entry] };
    case "jsonMode":
      return { ...folding, run: { ...folding.run, jsonMode: true } };
    case "dropReasoningEffort":
      return { ...folding, run: { ...folding.run, noReasoningEffort: true } };
    case "rateLimited": {
      const retryAfterMs = Math.max(folding.rateLimited[effect.service] ?? 0, effect.retryAfterMs);
      return { ...folding, rateLimited: { ...folding.rateLimited, [effect.service]: retryAfterMs } };
    }
    default:
      return unhandled(effect);
  }
}

export interface Folded {
  /** The run with what the answers cost and taught: save it before writing anything else. */
  run: RunState;
  /** The answered companies with their new state, in request order. */
  answered: Job[];
  /** Evidence paid for and not judged yet, and re-search chains moved on: store at once. */
  store: CacheEntry[];
}

/**
 * Feeds each answer to its company, and the effects to the run; then the pacing learns from the
 * wave. Requests past `responses` were not answered (Google's daily quota ran out part-way): their
 * companies send them again later, and the run pauses.
 */
export function foldAnswers(input: {
  run: RunState;
  settings: Settings;
  limits: PacingLimits;
  outgoing: readonly Outgoing[];
  sent: Record<Service, number>;
  responses: readonly HttpResponse[];
  quotaSpent: boolean;
  sentAt: number;
  receivedAt: number;
}): Folded {
  const { settings, receivedAt } = input;
  let folding: Folding = { run: input.run, store: [], rateLimited: {} };
  const answered: Job[] = [];
  const seen: Partial<Record<Service, { total: number; refused: number }>> = {};
  input.responses.forEach((response, i) => {
    const item = input.outgoing[i];
    if (!item) return;
    // A fallback an earlier answer of this wave taught applies to the next answers already.
    const applied = applyResponse(item.job.state, response, researchOptions(folding.run, settings), receivedAt);
    answered.push({ ...item.job, state: applied.state });
    folding = applied.effects.reduce((next, effect) => recordEffect(next, effect, settings), folding);
    const count = (seen[item.service] ??= { total: 0, refused: 0 });
    count.total += 1;
    if (applied.effects.some((effect) => effect.kind === "rateLimited")) count.refused += 1;
  });
  let run: RunState = {
    ...recordRefusals(folding.run, seen, receivedAt),
    pacing: recordWave(folding.run.pacing, input.limits, input.sentAt, receivedAt, input.sent, folding.rateLimited),
  };
  if (input.quotaSpent) run = pause(run, { kind: "dailyQuota" });
  return { run, answered, store: folding.store };
}

/** One write per key, in first-seen order, the latest entry of a key winning. */
export function cacheWrites(entries: readonly CacheEntry[]): CacheEntry[] {
  return [...new Map(entries.map((entry) => [entry.key, entry])).values()];
}
