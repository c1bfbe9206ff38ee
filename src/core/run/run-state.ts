// The run's bookkeeping as plain data and the pure transitions that change it: outcomes, costs
// counted when paid, the pause, and the watch on a provider that refuses everything. The adapter
// stores it in one document property, so it is kept small (bounded by bytes) and finite.
import { addCost, ZERO_COST, type Prices } from "../costs";
import { clip } from "../format";
import type { Outcome, ResearchOptions } from "../engine";
import type { Settings } from "../settings";
import { statusText, type PauseReason } from "../status";
import type { Cost, RecentRow, Service, Tier } from "../types";
import { initialPacing, type PacingLimits, type PacingState } from "./pacing";
import { outcomeStatus } from "./row-status";

export interface RunCounts {
  done: number;
  cached: number;
  noData: number;
  failed: number;
  cancelled: number;
}

/** A failed row, with its sheet so the sidebar can select it. */
export interface RunErrorRow {
  sheet: string;
  row: number;
  company: string;
  status: string;
}

/** Who runs an execution, as Google shows it: the email, the temporary user key; either may be blank. */
export interface Identity {
  email: string;
  userKey: string;
}

/** The user a run belongs to: both identities as last seen, and how to name them to other users. */
export interface RunOwner extends Identity {
  label: string;
}

export interface RunState {
  runId: string;
  startedAt: number;
  /** Who started the run (their requests, keys and money); null for a run stored before owners. */
  owner: RunOwner | null;
  /** When the owner last drove the run (a worker execution of theirs, or a command): after a day away another user may take it. */
  drivenAt: number;
  /** Continuation triggers the owner's executions made, newest last: a trigger runs as its creator. */
  ownerTriggers: string[];
  active: boolean;
  /** Epoch ms when the run ended (finished or cancelled). */
  finishedAt?: number;
  paused: PauseReason | null;
  /** The provider refused the JSON schema: every judging call of the run asks for JSON mode. */
  jsonMode: boolean;
  /** The provider refused reasoning_effort: no judging call of the run sends it. */
  noReasoningEffort: boolean;
  counts: RunCounts;
  tiers: Record<Tier, number>;
  /** Everything paid in this run, counted as each response came back. */
  cost: Cost;
  pacing: PacingState;
  /** Per service, when the provider started refusing every request (429), or null. */
  refusingSince: Record<Service, number | null>;
  recent: RecentRow[];
  errors: RunErrorRow[];
  /** Rows the run could not write (a protected range): reported once, never claimed again in this run. */
  skipped: SkippedRowRef[];
}

export interface SkippedRowRef {
  sheet: string;
  row: number;
  company: string;
}

export const RECENT_ROWS = 6;
export const ERROR_ROWS = 20;
export const SKIPPED_ROWS = 50;
/** Under the 9 KB a property value may hold, with room for the key and for growth between checks. */
export const MAX_RUN_STATE_BYTES = 8_000;
/** A provider that refused every request this long pauses the run. */
export const REFUSING_PAUSE_MS = 15 * 60_000;
const NAME_CHARS = 80;
const STATUS_CHARS = 160;

export function newRunState(limits: PacingLimits, now: number, owner: RunState["owner"]): RunState {
  return {
    runId: String(now),
    startedAt: now,
    owner,
    drivenAt: now,
    ownerTriggers: [],
    active: true,
    paused: null,
    jsonMode: false,
    noReasoningEffort: false,
    counts: { done: 0, cached: 0, noData: 0, failed: 0, cancelled: 0 },
    tiers: { HOT: 0, WARM: 0, WATCH: 0, COLD: 0, UNKNOWN: 0 },
    cost: ZERO_COST,
    pacing: initialPacing(limits),
    refusingSince: { tavily: null, llm: null },
    recent: [],
    errors: [],
    skipped: [],
  };
}

/** What the engine must know of the run: the settings, and the fallbacks the provider taught it. */
export function researchOptions(run: Pick<RunState, "jsonMode" | "noReasoningEffort">, settings: Settings): ResearchOptions {
  return { settings, jsonMode: run.jsonMode, noReasoningEffort: run.noReasoningEffort };
}

/** A run whose owner has not driven it this long may be taken over by another user, whose keys then pay. */
export const OWNER_AWAY_MS = 24 * 3_600_000;
/** Owner trigger ids kept: the owner has at most one pending, a few cover a kill between creating and forgetting one. */
const OWNER_TRIGGERS = 4;

/** The same user: the email or the temporary key matches (a blank one matches nothing); either is enough. */
export function sameUser(owner: Identity, who: Identity): boolean {
  return (owner.email !== "" && owner.email === who.email) || (owner.userKey !== "" && owner.userKey === who.userKey);
}

/**
 * Whether an execution is the run owner's own. By email or temporary key, either matching, in every
 * context; and a time-driven trigger runs as the user who created it, so an execution started by a
 * trigger the owner's executions made is the owner's even when it sees no identity that matches
 * (a blank email in a trigger, a temporary key rotated since: Google rotates it every 30 days).
 */
export function drivenByOwner(run: RunState, who: Identity, triggerId: string | null): boolean {
  if (!run.owner) return true;
  return sameUser(run.owner, who) || (triggerId !== null && run.ownerTriggers.includes(triggerId));
}

/**
 * The run belongs to another user who drove it within the last day: their keys and their money, so
 * this user neither drives nor joins it. A run left longer may be taken over (`driveAs`).
 */
export function ownedByAnother(run: RunState | null, who: Identity, now: number): boolean {
  return !!run?.active && !drivenByOwner(run, who, null) && now - run.drivenAt < OWNER_AWAY_MS;
}

/**
 * The run driven now by `who`: its owner seen again (what Google shows of them refreshes what is
 * stored, so a rotated temporary key is learnt), or, when `who` is another user, a run taken over,
 * whose triggers are then the new owner's to make.
 */
export function driveAs(run: RunState, who: RunOwner, now: number, triggerId: string | null = null): RunState {
  if (run.owner && !drivenByOwner(run, who, triggerId)) return { ...run, owner: who, drivenAt: now, ownerTriggers: [] };
  const known = run.owner ?? who;
  const owner: RunOwner = {
    email: who.email || known.email,
    userKey: who.userKey || known.userKey,
    label: who.email ? who.label : known.label,
  };
  return { ...run, owner, drivenAt: now };
}

/** A continuation trigger the owner's execution just made: it is the owner's when it fires. */
export function recordOwnerTrigger(run: RunState, triggerId: string | null): RunState {
  if (triggerId === null) return run;
  return { ...run, ownerTriggers: [...run.ownerTriggers.filter((id) => id !== triggerId), triggerId].slice(-OWNER_TRIGGERS) };
}

/** The queue is empty or cancelled: the run ends. */
export function finishRun(run: RunState, now: number): RunState {
  return { ...run, active: false, finishedAt: now };
}

/** Records a finished company on one of its rows. A paused outcome is not a row's end: it pauses the run. */
export function recordOutcome(run: RunState, row: { sheet: string; row: number; company: string }, outcome: Outcome): RunState {
  if (outcome.kind === "paused") return pause(run, outcome.reason);
  const counts = { ...run.counts };
  const tiers = { ...run.tiers };
  let errors = run.errors;
  let tier: Tier | "" = "";
  let score: number | null = null;
  if (outcome.kind === "done") {
    if (outcome.fromCache) counts.cached += 1;
    else counts.done += 1;
    tier = outcome.result.tier;
    score = outcome.result.score;
  } else if (outcome.kind === "noData") {
    counts.noData += 1;
    tier = "UNKNOWN";
  } else {
    counts.failed += 1;
  }
  if (tier !== "") tiers[tier] += 1;
  const company = clip(row.company, NAME_CHARS);
  const status = clip(statusText(outcomeStatus(outcome)), STATUS_CHARS);
  if (outcome.kind === "error") errors = [...errors, { sheet: row.sheet, row: row.row, company, status }].slice(-ERROR_ROWS);
  const recent = [...run.recent, { company, tier, score, status }].slice(-RECENT_ROWS);
  return bounded({ ...run, counts, tiers, errors, recent });
}

export function isSkipped(run: RunState, row: SkippedRowRef): boolean {
  const company = clip(row.company, NAME_CHARS);
  return run.skipped.some((s) => s.sheet === row.sheet && s.row === row.row && s.company === company);
}

/** A row that could not be written: counted and listed once as failed, then left alone for the run. */
export function recordSkipped(run: RunState, row: SkippedRowRef, reason: string): RunState {
  if (isSkipped(run, row)) return run;
  const company = clip(row.company, NAME_CHARS);
  const next = recordOutcome(run, row, { kind: "error", message: reason, cost: ZERO_COST });
  return bounded({ ...next, skipped: [...next.skipped, { sheet: row.sheet, row: row.row, company }].slice(-SKIPPED_ROWS) });
}

export function recordCancelled(run: RunState, rows: number): RunState {
  return rows === 0 ? run : { ...run, counts: { ...run.counts, cancelled: run.counts.cancelled + rows } };
}

/** Adds what one response cost; dollars are recomputed from the counts by the core. */
export function recordPaid(run: RunState, paid: Cost, prices: Prices): RunState {
  if (paid.tavilyCredits === 0 && paid.llmInputTokens === 0 && paid.llmOutputTokens === 0) return run;
  const safe = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
  const cost = addCost(
    run.cost,
    { tavilyCredits: safe(paid.tavilyCredits), llmInputTokens: safe(paid.llmInputTokens), llmOutputTokens: safe(paid.llmOutputTokens) },
    prices,
  );
  return { ...run, cost };
}

/** The first reason wins: a later one would only hide why the run stopped. */
export function pause(run: RunState, reason: PauseReason): RunState {
  return run.paused === null ? { ...run, paused: reason } : run;
}

export function budgetReached(run: RunState, budgetUsd: number | null): boolean {
  return budgetUsd !== null && run.cost.usd >= budgetUsd;
}

/** A budget that cannot pay for one company at its estimated cost: the run spends nothing and says so. */
export function budgetBelowCompany(budgetUsd: number | null, perCompanyUsd: number): budgetUsd is number {
  return budgetUsd !== null && budgetUsd < perCompanyUsd;
}

/** Why the budget stops a run: reached, or too small for even one company. */
export function budgetPause(budgetUsd: number | null, perCompanyUsd: number): PauseReason {
  return budgetBelowCompany(budgetUsd, perCompanyUsd)
    ? { kind: "budgetBelowCompany", budgetUsd, companyUsd: perCompanyUsd }
    : { kind: "budget" };
}

/**
 * How many more companies the budget pays for at the estimated cost of one, counting those already
 * in flight as not yet paid: a cap, so the run overspends by at most about one company.
 */
export function companiesBudgetAllows(run: RunState, budgetUsd: number | null, perCompanyUsd: number, inFlight: number): number {
  if (budgetUsd === null) return Number.POSITIVE_INFINITY;
  const left = budgetUsd - run.cost.usd;
  if (left <= 0 || budgetBelowCompany(budgetUsd, perCompanyUsd)) return 0;
  // At least one company when any money is left, or the budget's last fraction of a company never
  // starts. The small epsilon keeps dollar arithmetic (0.5 - 0.4 = 0.0999…) from losing a whole company.
  return Math.max(inFlight === 0 ? 1 : 0, Math.floor(left / Math.max(perCompanyUsd, 1e-9) + 1e-9) - inFlight);
}

/**
 * After a wave: a service whose every answer was a 429 keeps its refusal clock running, any other
 * answer resets it; refused for REFUSING_PAUSE_MS pauses the run.
 */
export function recordRefusals(
  run: RunState,
  answered: Partial<Record<Service, { total: number; refused: number }>>,
  now: number,
): RunState {
  let next = run;
  for (const service of ["tavily", "llm"] as const) {
    const seen = answered[service];
    if (!seen || seen.total === 0) continue;
    const since = seen.refused < seen.total ? null : (next.refusingSince[service] ?? now);
    next = { ...next, refusingSince: { ...next.refusingSince, [service]: since } };
    if (since !== null && now - since >= REFUSING_PAUSE_MS) next = pause(next, { kind: "rateLimited", service });
  }
  return next;
}

/** UTF-8 length of a string, as Google counts a property's size. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The newest items (last) whose JSON fits in `maxBytes`: a list kept in a property, bounded whatever its length. */
export function newestFitting<T>(items: readonly T[], maxBytes: number): T[] {
  let start = 0;
  while (start < items.length && utf8Bytes(JSON.stringify(items.slice(start))) > maxBytes) start += 1;
  return items.slice(start);
}

/** Drops the oldest error and recent rows until the stored state fits its property. */
export function bounded(run: RunState): RunState {
  let next = run;
  while (
    utf8Bytes(JSON.stringify(next)) > MAX_RUN_STATE_BYTES &&
    (next.errors.length > 0 || next.recent.length > 0 || next.skipped.length > 0)
  ) {
    if (next.errors.length > 0 && next.errors.length >= next.recent.length) next = { ...next, errors: next.errors.slice(1) };
    else if (next.recent.length > 0) next = { ...next, recent: next.recent.slice(1) };
    else next = { ...next, skipped: next.skipped.slice(1) };
  }
  return next;
}

/** Replaces any non-finite number (a corrupt usage figure, a broken clock) so JSON keeps it. */
export function finiteNumbers<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? 0 : v))) as T;
}
