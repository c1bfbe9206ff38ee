// The time-boxed worker: reads the queue sheets, asks the planner what to write and which companies
// to claim, sends every due request of a wave in one fetchAll, and stores in the cache what was
// paid for the moment it was paid. The decisions are the core's (src/core/run); this file does IO.
import {
  applyResponse,
  companyKey,
  estimateCompanyCostUsd,
  isFresh,
  nextStep,
  type CompanyState,
  type Outcome,
  type ResearchOptions,
} from "../core/engine";
import { normaliseDomain } from "../core/names";
import { allowance, nextOpening, recordWave, type PacingLimits } from "../core/run/pacing";
import { admit, groupByKey, settleClaimed, stopRows, type QueueRow, type RowWrite, type Stop } from "../core/run/planner";
import {
  budgetReached,
  companiesBudgetAllows,
  isSkipped,
  pause,
  recordCancelled,
  recordOutcome,
  recordPaid,
  recordRefusals,
  recordSkipped,
  type RunState,
} from "../core/run/run-state";
import { isRefresh, statusKind, statusText, type PauseReason } from "../core/status";
import { missingKeys, type Settings } from "../core/settings";
import { LIMITS } from "../core/limits";
import type { CacheEntry, HttpRequest, Service } from "../core/types";
import { CacheSheet } from "./cache-sheet";
import { refreshTierFormulas } from "./custom-function";
import { apiKeys, fetchAllResponses, type ApiKeys } from "./http";
import { currentUser, loadQueueSheets, loadRunState, saveRunState, takeCancelRequest } from "./run-state";
import { loadSettings } from "./settings-store";
import { cellAt, cellText, readSnapshot, rewriteStatuses, writeRowUpdates, type RowUpdate, type SheetSnapshot } from "./sheet-io";
import { deleteWorkerTriggers, scheduleWorker } from "./triggers";

export interface WorkerReport {
  /** notOwner: the run belongs to another user, and this execution left it alone. */
  status: "busy" | "paused" | "idle" | "continuing" | "finished" | "notOwner";
  waves: number;
  written: number;
}

/** Room kept between the last wave's expected end and Apps Script's 6-minute stop. */
const SAFETY_MARGIN_MS = 20_000;
/** Assumed length of a wave before one has been measured. */
const FIRST_WAVE_ESTIMATE_MS = 15_000;
/** Cache rows looked up per pass, to keep each lookup's reads bounded. */
const LOOKUP_BATCH = 500;
/** How long an execution with nothing to send but a long Retry-After waits before handing off. */
const BLOCKED_NAP_MS = 30_000;
/** Utilities.sleep throws past this (https://developers.google.com/apps-script/reference/utilities/utilities#sleep(Integer)). */
const MAX_SLEEP_MS = 300_000;

interface Job {
  key: string;
  company: string;
  state: CompanyState;
}

export function pacingLimits(settings: Settings): PacingLimits {
  return {
    concurrency: { tavily: settings.tavilyConcurrency, llm: settings.llmConcurrency },
    rpm: { tavily: settings.tavilyRpm, llm: settings.llmRpm },
  };
}

class Worker {
  private readonly pool = new Map<string, Job>();
  private readonly finished = new Map<string, Outcome>();
  private readonly startedAt = Date.now();
  private slowestWaveMs = FIRST_WAVE_ESTIMATE_MS;
  private waves = 0;
  private written = 0;
  private cancelling = false;
  private readonly limits: PacingLimits;
  private readonly keys: ApiKeys;
  private readonly cache: CacheSheet;

  constructor(
    private readonly settings: Settings,
    private run: RunState,
  ) {
    this.limits = pacingLimits(settings);
    this.keys = apiKeys(settings);
    const cache = CacheSheet.open(true);
    if (!cache) throw new Error("The cache sheet could not be created.");
    this.cache = cache;
  }

  private options(): ResearchOptions {
    return { settings: this.settings, jsonMode: this.run.jsonMode };
  }

  private elapsed(): number {
    return Date.now() - this.startedAt;
  }

  private mayAdmit(): boolean {
    return !this.cancelling && this.run.paused === null && this.elapsed() < this.settings.workerTimeBudgetSeconds * 1000;
  }

  private mayStartWave(): boolean {
    return this.elapsed() + this.slowestWaveMs * 1.5 + SAFETY_MARGIN_MS < LIMITS.executionMs;
  }

  /** Queued and Researching rows of every queue sheet, read in one call per sheet. */
  private readRows(): { rows: QueueRow[]; snapshots: Map<string, SheetSnapshot> } {
    const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
    const rows: QueueRow[] = [];
    const snapshots = new Map<string, SheetSnapshot>();
    for (const queueSheet of loadQueueSheets()) {
      const sheet = spreadsheet.getSheetByName(queueSheet.name);
      if (!sheet) continue;
      const snapshot = readSnapshot(sheet, queueSheet.fallbackCompanyColumn);
      const outputs = snapshot.outputs;
      if (!outputs) continue;
      snapshots.set(snapshot.name, snapshot);
      for (let row = 2; row <= snapshot.lastRow; row++) {
        const status = cellAt(snapshot, row, outputs.Status);
        const kind = statusKind(status);
        if (kind !== "queued" && kind !== "researching") continue;
        const company = cellText(cellAt(snapshot, row, snapshot.companyColumn));
        if (company === "" || isSkipped(this.run, { sheet: snapshot.name, row, company })) continue;
        const domain = snapshot.websiteColumn ? normaliseDomain(cellText(cellAt(snapshot, row, snapshot.websiteColumn))) : null;
        rows.push({
          sheet: snapshot.name,
          row,
          company,
          domain,
          key: companyKey(this.settings.profile, company, domain),
          kind,
          refresh: isRefresh(status),
        });
      }
    }
    return { rows, snapshots };
  }

  private record(outcomes: readonly { row: QueueRow; outcome: Outcome }[]): void {
    for (const { row, outcome } of outcomes) this.run = recordOutcome(this.run, row, outcome);
  }

  /**
   * One pass over the sheets: write finished results, put stale rows back in the queue, apply a
   * cancel or pause, and (when admitting) claim queued rows for new companies.
   */
  private sync(mayAdmit: boolean, release: boolean): { queuedLeft: number; blockedRows: number } {
    const { rows, snapshots } = this.readRows();
    const writes: RowWrite[] = [];
    const settled = settleClaimed({ rows, inFlight: new Set(this.pool.keys()), finished: this.finished, release });
    writes.push(...settled.writes);
    this.record(settled.outcomes);
    this.finished.clear();
    if (release) this.pool.clear();

    if (takeCancelRequest()) this.cancelling = true;
    if (budgetReached(this.run, this.settings.jobBudgetUsd)) this.run = pause(this.run, { kind: "budget" });

    let queuedLeft = 0;
    let blockedRows = 0;
    const stop = this.stop();
    if (stop) {
      // The wave in flight has been written above; companies it left unfinished stop here too
      // (their paid evidence waits in the cache, marked not yet judged).
      const stopped = stopRows([...settled.waiting, ...settled.claimed], stop);
      writes.push(...stopped.writes);
      this.run = recordCancelled(this.run, stopped.cancelled);
      this.pool.clear();
    } else if (mayAdmit) {
      ({ queuedLeft, blockedRows } = this.admit(settled.waiting, writes));
    } else {
      queuedLeft = settled.waiting.length;
    }
    this.write(writes, snapshots);
    saveRunState(this.run);
    return { queuedLeft, blockedRows };
  }

  private stop(): Stop | null {
    if (this.cancelling) return { kind: "cancel" };
    return this.run.paused ? { kind: "pause", reason: this.run.paused } : null;
  }

  /** Services whose Retry-After outlasts what this execution may still spend. */
  private blockedServices(): Set<Service> {
    const end = this.startedAt + LIMITS.executionMs - SAFETY_MARGIN_MS - this.slowestWaveMs;
    return new Set((["tavily", "llm"] as const).filter((service) => this.run.pacing.blockedUntil[service] > end));
  }

  /** Claims waiting rows for new companies while the wave has room. */
  private admit(waiting: QueueRow[], writes: RowWrite[]): { queuedLeft: number; blockedRows: number } {
    const groups = groupByKey(waiting);
    const lookedUp = new Set([...groups.keys()].filter((key) => !this.pool.has(key)).slice(0, LOOKUP_BATCH));
    const entries = this.cache.lookup([...lookedUp]);
    const now = Date.now();
    const capacity = this.run.pacing.waveSize.tavily + this.run.pacing.waveSize.llm;
    const admission = admit({
      groups,
      lookedUp,
      entries,
      inFlight: new Set(this.pool.keys()),
      room: Math.max(0, capacity - this.pool.size),
      budgetAllows: companiesBudgetAllows(this.run, this.settings.jobBudgetUsd, estimateCompanyCostUsd(this.settings), this.pool.size),
      blocked: this.blockedServices(),
      runStartedAt: this.run.startedAt,
      fresh: (entry) => isFresh(entry, this.settings, now),
      options: this.options(),
      now,
    });
    writes.push(...admission.writes);
    this.record(admission.outcomes);
    for (const claim of admission.claims) this.pool.set(claim.key, claim);
    if (admission.budgetBlocked && this.pool.size === 0 && admission.left > 0) {
      this.run = pause(this.run, { kind: "budget" });
      const answered = new Set(admission.outcomes.map((o) => o.row.key));
      writes.push(
        ...stopRows(
          waiting.filter((row) => !answered.has(row.key)),
          { kind: "pause", reason: { kind: "budget" } },
        ).writes,
      );
    }
    return { queuedLeft: admission.left, blockedRows: admission.blockedRows };
  }

  private write(writes: readonly RowWrite[], snapshots: ReadonlyMap<string, SheetSnapshot>): void {
    const bySheet = new Map<SheetSnapshot, Map<number, RowUpdate>>();
    for (const { row, cells } of writes) {
      const snapshot = snapshots.get(row.sheet);
      if (!snapshot) continue;
      let updates = bySheet.get(snapshot);
      if (!updates) bySheet.set(snapshot, (updates = new Map()));
      // Later writes of a row (a pause after a requeue) win, cell by cell.
      updates.set(row.row, { ...updates.get(row.row), ...cells });
    }
    const claimedKeys = new Map<string, boolean>();
    for (const [snapshot, updates] of bySheet) {
      const { skipped } = writeRowUpdates(snapshot, updates);
      this.written += updates.size - skipped.length;
      const failed = new Set(skipped.map((s) => s.row));
      for (const { row, cells } of writes) {
        if (row.sheet !== snapshot.name || statusKind(cells.Status) !== "researching") continue;
        claimedKeys.set(row.key, (claimedKeys.get(row.key) ?? false) || !failed.has(row.row));
      }
      // A row that cannot be written (a protected range) is reported once and left alone for the
      // rest of the run, which goes on with the other rows and ends without it.
      for (const s of skipped) this.run = recordSkipped(this.run, s, s.reason);
    }
    // A company whose every claimed row could not be written is not researched.
    for (const [key, anyWritten] of claimedKeys) if (!anyWritten) this.pool.delete(key);
  }

  /** Sends one wave; returns false when the next request cannot go before this execution must end. */
  private wave(): boolean {
    const now = Date.now();
    const room: Record<Service, number> = {
      tavily: allowance(this.run.pacing, this.limits, "tavily", now),
      llm: allowance(this.run.pacing, this.limits, "llm", now),
    };
    const sent: Record<Service, number> = { tavily: 0, llm: 0 };
    const outgoing: { job: Job; request: HttpRequest; service: Service }[] = [];
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const job of [...this.pool.values()]) {
      const step = nextStep(job.state);
      if (step.kind === "finished") {
        this.finish(job, step.outcome);
        continue;
      }
      if (step.notBefore > now) {
        wakeAt = Math.min(wakeAt, step.notBefore);
      } else if (sent[step.service] < room[step.service]) {
        sent[step.service] += 1;
        outgoing.push({ job, request: step.request, service: step.service });
      } else {
        wakeAt = Math.min(wakeAt, Math.max(now + 1000, nextOpening(this.run.pacing, this.limits, step.service, now)));
      }
    }
    if (outgoing.length === 0) {
      if (this.pool.size === 0 || !Number.isFinite(wakeAt)) return true;
      const waitMs = Math.max(wakeAt - Date.now(), 0);
      // A Retry-After longer than this execution has left hands off to the next execution.
      if (waitMs > MAX_SLEEP_MS || this.elapsed() + waitMs + this.slowestWaveMs + SAFETY_MARGIN_MS >= LIMITS.executionMs) return false;
      Utilities.sleep(waitMs);
      return true;
    }
    const sentAt = Date.now();
    const wave = fetchAllResponses(
      outgoing.map((o) => o.request),
      this.keys,
    );
    const receivedAt = Date.now();
    this.slowestWaveMs = Math.max(this.waves === 0 ? 0 : this.slowestWaveMs, receivedAt - sentAt);
    const rateLimited: Partial<Record<Service, number>> = {};
    const answered: Partial<Record<Service, { total: number; refused: number }>> = {};
    const toStore: CacheEntry[] = [];
    wave.responses.forEach((response, i) => {
      const item = outgoing[i];
      if (!item) return;
      const { job, service } = item;
      const applied = applyResponse(job.state, response, this.options(), receivedAt);
      job.state = applied.state;
      this.run = recordPaid(this.run, applied.paid, this.settings);
      if (applied.unjudged) toStore.push(applied.unjudged);
      if (applied.switchToJsonMode) this.run = { ...this.run, jsonMode: true };
      const seen = (answered[service] ??= { total: 0, refused: 0 });
      seen.total += 1;
      if (applied.rateLimited) {
        seen.refused += 1;
        rateLimited[service] = Math.max(rateLimited[service] ?? 0, applied.rateLimited.retryAfterMs);
      }
    });
    this.run = {
      ...recordRefusals(this.run, answered, receivedAt),
      pacing: recordWave(this.run.pacing, this.limits, sentAt, receivedAt, sent, rateLimited),
    };
    if (wave.quotaSpent) this.run = pause(this.run, { kind: "dailyQuota" });
    // What the answers cost is saved before anything else is written: a kill during the cache or
    // row writes must not lose money already paid from the run's figures.
    saveRunState(this.run);
    for (const job of [...this.pool.values()]) {
      const step = nextStep(job.state);
      if (step.kind !== "finished") continue;
      this.finish(job, step.outcome);
      const entry = step.outcome.kind === "done" || step.outcome.kind === "noData" ? step.outcome.cacheEntry : null;
      if (entry) toStore.push(entry);
    }
    // Whatever was paid for goes to the cache at once: a kill before the rows are written, or a
    // hand-off before the LLM answers, loses nothing paid for. Later entries of a key win.
    this.cache.upsert([...new Map(toStore.map((entry) => [entry.key, entry])).values()]);
    this.waves += 1;
    return true;
  }

  private finish(job: Job, outcome: Outcome): void {
    this.pool.delete(job.key);
    this.finished.set(job.key, outcome);
    if (outcome.kind === "paused") this.run = pause(this.run, outcome.reason);
  }

  work(): WorkerReport {
    for (;;) {
      const { queuedLeft, blockedRows } = this.sync(this.mayAdmit(), false);
      if (this.run.paused !== null) return this.end("paused");
      if (this.pool.size === 0 && this.finished.size === 0) {
        if (queuedLeft === 0 || this.cancelling) return this.end("finished");
        // The rest waits for a provider's Retry-After: a later execution takes it up. A short nap
        // first, so a sidebar calling back to back does not spin through executions meanwhile.
        if (blockedRows > 0) {
          Utilities.sleep(Math.max(0, Math.min(BLOCKED_NAP_MS, LIMITS.executionMs - SAFETY_MARGIN_MS - this.elapsed())));
          return this.end("continuing");
        }
        if (!this.mayAdmit()) return this.end("continuing");
        continue;
      }
      if (!this.mayStartWave() || !this.wave()) {
        this.sync(false, true);
        return this.end(this.run.paused !== null ? "paused" : "continuing");
      }
    }
  }

  private end(status: WorkerReport["status"]): WorkerReport {
    if (status === "finished") {
      this.run = { ...this.run, active: false, finishedAt: Date.now() };
      deleteWorkerTriggers();
      // Sheets recalculates a custom function only when its arguments change: show the new results.
      refreshTierFormulas();
    } else if (status === "continuing") {
      scheduleWorker("soon");
    } else {
      deleteWorkerTriggers();
    }
    saveRunState(this.run);
    return { status, waves: this.waves, written: this.written };
  }
}

export function runWorker(): WorkerReport {
  const idle = (status: WorkerReport["status"]): WorkerReport => ({ status, waves: 0, written: 0 });
  const before = loadRunState();
  // Another user's sidebar or trigger: the run is its owner's (their keys, their money); leave it be.
  if (before?.owner && before.owner.key !== currentUser().key) return idle("notOwner");
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(1000)) return idle("busy");
  try {
    // This execution is the continuation: any trigger still pending for it is redundant.
    deleteWorkerTriggers();
    const { settings } = loadSettings();
    const run = loadRunState();
    if (!run || !run.active) return idle("idle");
    if (run.paused !== null) return idle("paused");
    // Should this execution be killed, a trigger that fires after it is surely over carries on.
    scheduleWorker("after-this-execution");
    if (!settings || missingKeys(settings).length > 0) {
      // Settings went missing or broke after the rows were queued: pause rather than fail every row.
      pauseRun(run, { kind: "settings" });
      return idle("paused");
    }
    return new Worker(settings, run).work();
  } finally {
    lock.releaseLock();
  }
}

/** Pauses a run that no worker is processing: every queued row shows the reason. */
function pauseRun(run: RunState, reason: PauseReason): void {
  saveRunState(pause(run, reason));
  const text = statusText({ kind: "paused", reason });
  rewriteStatuses(loadQueueSheets(), (status) => (statusKind(status) === "queued" ? text : null));
}
