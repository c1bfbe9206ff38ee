// The time-boxed worker of SPEC §7. Each iteration: read every queue sheet once, write finished
// results and newly claimed rows in one setValues per run of rows, send every due request of the
// wave (searches and LLM calls together) in one fetchAll, and record validated data in the cache.
import { applyResponse, companyKey, estimateCompanyCostUsd, nextStep, startCompany, type CompanyState, type Outcome, type ResearchOptions, type Service } from "../core/engine";
import { normaliseDomain } from "../core/names";
import { allowance, nextOpening, recordWave, type PacingLimits } from "../core/run/pacing";
import { capCellText, ignoresCache, STATUS, statusKind, type StatusKind } from "../core/run/sheet-layout";
import { missingKeys, type Settings } from "../core/settings";
import { LIMITS } from "../core/limits";
import type { CacheEntry, CompanyInput, HttpRequest, Tier } from "../core/types";
import { CacheSheet } from "./cache-sheet";
import { fetchAllResponses } from "./http";
import { ERROR_ROWS, loadQueueSheets, loadRunState, RECENT_ROWS, saveRunState, takeCancelRequest, type RunState } from "./run-state";
import { loadSettings } from "./settings-store";
import { cellAt, cellText, readSnapshot, rewriteStatuses, writeRowUpdates, type RowUpdate, type SheetSnapshot } from "./sheet-io";
import { deleteWorkerTriggers, scheduleWorker } from "./triggers";

export interface WorkerReport {
  status: "busy" | "paused" | "idle" | "continuing" | "finished";
  waves: number;
  written: number;
}

/** Room kept between the last wave's expected end and Apps Script's 6-minute stop. */
const SAFETY_MARGIN_MS = 20_000;
/** Assumed length of a wave before one has been measured. */
const FIRST_WAVE_ESTIMATE_MS = 15_000;
/** Cache rows looked up per iteration, to keep each lookup's reads bounded. */
const LOOKUP_BATCH = 500;

interface Job {
  key: string;
  company: string;
  state: CompanyState;
}

interface RowRef {
  snapshot: SheetSnapshot;
  row: number;
  company: string;
  domain: string | null;
  key: string;
  /** As read, or "queued" once this pass has put a stale row back in the queue. */
  kind: StatusKind;
  ignoreCache: boolean;
}

export function pacingLimits(settings: Settings): PacingLimits {
  return {
    concurrency: { tavily: settings.tavilyConcurrency, llm: settings.llmConcurrency },
    rpm: { tavily: settings.tavilyRpm, llm: settings.llmRpm },
  };
}

export function outcomeCells(outcome: Outcome): RowUpdate {
  const blank: RowUpdate = { Tier: "", Score: "", "Use Case": "", Rationale: "", Sources: "" };
  switch (outcome.kind) {
    case "done": {
      const r = outcome.result;
      return {
        Tier: r.tier,
        Score: r.score ?? "",
        "Use Case": capCellText(r.useCase),
        Rationale: capCellText(r.rationale),
        Sources: capCellText(r.sources.join("\n")),
        Status: outcome.fromCache ? STATUS.cached : STATUS.done,
      };
    }
    case "noData":
      return { ...blank, Tier: "UNKNOWN", Rationale: capCellText(outcome.rationale), Status: STATUS.noData };
    case "error":
      return { ...blank, Status: capCellText(STATUS.errorPrefix + outcome.message) };
    case "paused":
      return { ...blank, Status: STATUS.pausedPrefix + outcome.reason };
  }
}

class Worker {
  private readonly pool = new Map<string, Job>();
  private finished: { key: string; company: string; outcome: Outcome }[] = [];
  private readonly startedAt = Date.now();
  private slowestWaveMs = FIRST_WAVE_ESTIMATE_MS;
  private waves = 0;
  private written = 0;
  private cancelling = false;
  private readonly limits: PacingLimits;
  private readonly cache: CacheSheet;

  constructor(
    private readonly settings: Settings,
    private run: RunState,
  ) {
    this.limits = pacingLimits(settings);
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

  /** Rows of every queue sheet, read in one call per sheet. */
  private readRows(): RowRef[] {
    const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
    const rows: RowRef[] = [];
    for (const queueSheet of loadQueueSheets()) {
      const sheet = spreadsheet.getSheetByName(queueSheet.name);
      if (!sheet) continue;
      const snapshot = readSnapshot(sheet, queueSheet.fallbackCompanyColumn);
      const outputs = snapshot.outputs;
      if (!outputs) continue;
      for (let row = 2; row <= snapshot.lastRow; row++) {
        const status = cellAt(snapshot, row, outputs.Status);
        const kind = statusKind(status);
        if (kind !== "queued" && kind !== "researching") continue;
        const company = cellText(cellAt(snapshot, row, snapshot.companyColumn));
        if (company === "") continue;
        const domain = snapshot.websiteColumn ? normaliseDomain(cellText(cellAt(snapshot, row, snapshot.websiteColumn))) : null;
        rows.push({ snapshot, row, company, domain, key: companyKey(this.settings.profile, company, domain), kind, ignoreCache: ignoresCache(status) });
      }
    }
    return rows;
  }

  private recordOutcome(row: RowRef, outcome: Outcome): void {
    const counts = this.run.counts;
    if (outcome.kind === "done") {
      if (outcome.fromCache) counts.cached += 1;
      else counts.done += 1;
      this.run.tiers[outcome.result.tier] += 1;
    } else if (outcome.kind === "noData") {
      counts.noData += 1;
      this.run.tiers.UNKNOWN += 1;
    } else if (outcome.kind === "error") {
      counts.failed += 1;
      this.run.errors = [...this.run.errors, { row: row.row, company: row.company, status: STATUS.errorPrefix + outcome.message }].slice(-ERROR_ROWS);
    }
    if (outcome.kind !== "paused") {
      const result = outcome.kind === "done" ? outcome.result : null;
      const tier: Tier | "" = result ? result.tier : outcome.kind === "noData" ? "UNKNOWN" : "";
      const status = String(outcomeCells(outcome).Status ?? "");
      this.run.recent = [...this.run.recent, { company: row.company, tier, score: result?.score ?? null, status }].slice(-RECENT_ROWS);
    }
  }

  private addCost(outcome: Outcome): void {
    const cost = this.run.cost;
    cost.tavilyCredits += outcome.cost.tavilyCredits;
    cost.llmInputTokens += outcome.cost.llmInputTokens;
    cost.llmOutputTokens += outcome.cost.llmOutputTokens;
    cost.usd += outcome.cost.usd;
  }

  private budgetLeftFor(extraCompanies: number): boolean {
    const budget = this.settings.jobBudgetUsd;
    if (budget === null) return true;
    const estimate = estimateCompanyCostUsd(this.settings);
    return this.run.cost.usd + (this.pool.size + extraCompanies) * estimate <= budget;
  }

  private pause(reason: string): void {
    if (this.run.paused === null) this.run.paused = reason;
  }

  /**
   * One pass over the sheets: write finished results, put stale rows back in the queue, apply a
   * cancel or pause, and (when admitting) claim queued rows for new companies.
   */
  private sync(admit: boolean, releasePool: boolean): { queuedLeft: number } {
    const rows = this.readRows();
    const updates = new Map<SheetSnapshot, Map<number, RowUpdate>>();
    const update = (ref: RowRef, cells: RowUpdate) => {
      let bySheet = updates.get(ref.snapshot);
      if (!bySheet) updates.set(ref.snapshot, (bySheet = new Map()));
      bySheet.set(ref.row, cells);
    };

    const finishedByKey = new Map(this.finished.map((f) => [f.key, f.outcome]));
    this.finished = [];
    for (const ref of rows) {
      if (ref.kind !== "researching") continue;
      const outcome = finishedByKey.get(ref.key);
      if (outcome) {
        update(ref, outcomeCells(outcome));
        this.recordOutcome(ref, outcome);
      } else if (!this.pool.has(ref.key) || releasePool) {
        // Left by a killed execution (this worker holds the lock, so nobody else is on it) or handed off.
        update(ref, { Status: ref.ignoreCache ? STATUS.queuedIgnoringCache : STATUS.queued });
        ref.kind = "queued";
      }
    }
    if (releasePool) this.pool.clear();

    if (takeCancelRequest()) this.cancelling = true;
    if (this.budgetExhausted()) this.pause("budget reached");

    const queued = rows.filter((ref) => ref.kind === "queued");
    let queuedLeft = 0;
    if (this.cancelling || this.run.paused !== null) {
      for (const ref of queued) {
        if (this.cancelling) {
          update(ref, { Status: STATUS.cancelled });
          this.run.counts.cancelled += 1;
        } else update(ref, { Status: STATUS.pausedPrefix + this.run.paused });
      }
      // The wave in flight has been written above; companies it left unfinished stop here too
      // (after a pause their requests would be refused anyway).
      for (const ref of rows) {
        if (ref.kind !== "researching" || !this.pool.has(ref.key)) continue;
        if (this.run.paused !== null) update(ref, { Status: STATUS.pausedPrefix + this.run.paused });
        else {
          update(ref, { Status: STATUS.cancelled });
          this.run.counts.cancelled += 1;
        }
      }
      this.pool.clear();
    } else if (admit) {
      queuedLeft = this.admit(queued, update);
    } else {
      queuedLeft = queued.length;
    }

    // Rows still in flight, or finished earlier, sit between the rows this pass changes: writing
    // them back as just read joins everything into one run of rows, so one setValues per sheet.
    for (const [snapshot, bySheet] of updates) {
      const outputs = snapshot.outputs;
      if (!outputs) continue;
      const first = Math.min(...bySheet.keys());
      const last = Math.max(...bySheet.keys());
      for (let row = first + 1; row < last; row++) {
        if (bySheet.has(row)) continue;
        const kind = statusKind(cellAt(snapshot, row, outputs.Status));
        if (kind !== "none" && kind !== "other") bySheet.set(row, {});
      }
    }
    for (const [snapshot, bySheet] of updates) {
      writeRowUpdates(snapshot, bySheet);
      this.written += bySheet.size;
    }
    saveRunState(this.run);
    return { queuedLeft };
  }

  private budgetExhausted(): boolean {
    const budget = this.settings.jobBudgetUsd;
    return budget !== null && this.run.cost.usd >= budget;
  }

  /** Claims queued rows for new companies while the wave has room; returns the rows left queued. */
  private admit(queued: RowRef[], update: (ref: RowRef, cells: RowUpdate) => void): number {
    const groups = new Map<string, RowRef[]>();
    for (const ref of queued) {
      const group = groups.get(ref.key);
      if (group) group.push(ref);
      else groups.set(ref.key, [ref]);
    }
    const capacity = this.run.pacing.waveSize.tavily + this.run.pacing.waveSize.llm;
    const candidates = new Set([...groups.keys()].slice(0, LOOKUP_BATCH));
    const wantCache = [...candidates].filter((key) => !(groups.get(key) ?? []).some((ref) => ref.ignoreCache) && !this.pool.has(key));
    const cached = this.cache.lookup(wantCache);
    const ttlMs = this.settings.cacheTtlDays * 86_400_000;
    const now = Date.now();
    let left = 0;
    let blockedByBudget = false;
    for (const key of groups.keys()) {
      const group = groups.get(key) ?? [];
      const first = group[0];
      if (!first) continue;
      const inPool = this.pool.has(key);
      if (!inPool && !candidates.has(key)) {
        left += group.length;
        continue;
      }
      if (inPool) {
        // Added to the queue while the company is in flight: it gets the same result.
        for (const ref of group) update(ref, { Status: STATUS.researching });
        continue;
      }
      const entry = cached.get(key);
      const fresh: CacheEntry | null = entry && now - entry.fetchedAt < ttlMs ? entry : null;
      const input: CompanyInput = { company: first.company, domain: first.domain };
      const state = startCompany(input, fresh, this.options(), now);
      const step = nextStep(state);
      if (step.kind === "finished") {
        for (const ref of group) {
          update(ref, outcomeCells(step.outcome));
          this.recordOutcome(ref, step.outcome);
        }
        this.addCost(step.outcome);
        continue;
      }
      if (this.pool.size >= capacity || !this.budgetLeftFor(1)) {
        blockedByBudget ||= !this.budgetLeftFor(1);
        left += group.length;
        continue;
      }
      this.pool.set(key, { key, company: first.company, state });
      const researching = first.ignoreCache ? STATUS.researchingIgnoringCache : STATUS.researching;
      for (const ref of group) update(ref, { Tier: "", Score: "", "Use Case": "", Rationale: "", Sources: "", Status: researching });
    }
    if (blockedByBudget && this.pool.size === 0 && left > 0) {
      this.pause("budget reached");
      for (const ref of queued) if (!this.pool.has(ref.key)) update(ref, { Status: STATUS.pausedPrefix + "budget reached" });
    }
    return left;
  }

  /** Sends one wave; returns false when nothing could be sent before the time budget ran out. */
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
      const waitMs = wakeAt - Date.now();
      if (this.elapsed() + waitMs + this.slowestWaveMs + SAFETY_MARGIN_MS >= LIMITS.executionMs) return false;
      Utilities.sleep(Math.max(waitMs, 0));
      return true;
    }
    const sentAt = Date.now();
    const responses = fetchAllResponses(outgoing.map((o) => o.request));
    const receivedAt = Date.now();
    this.slowestWaveMs = Math.max(this.waves === 0 ? 0 : this.slowestWaveMs, receivedAt - sentAt);
    const rateLimited: Partial<Record<Service, number>> = {};
    outgoing.forEach(({ job }, i) => {
      const response = responses[i];
      if (!response) return;
      const applied = applyResponse(job.state, response, this.options(), receivedAt);
      job.state = applied.state;
      if (applied.switchToJsonMode) this.run.jsonMode = true;
      if (applied.rateLimited) {
        const { service, retryAfterMs } = applied.rateLimited;
        rateLimited[service] = Math.max(rateLimited[service] ?? 0, retryAfterMs);
      }
    });
    this.run.pacing = recordWave(this.run.pacing, this.limits, sentAt, receivedAt, sent, rateLimited);
    const newEntries: CacheEntry[] = [];
    for (const job of [...this.pool.values()]) {
      const step = nextStep(job.state);
      if (step.kind !== "finished") continue;
      this.finish(job, step.outcome);
      if (step.outcome.kind === "done" && step.outcome.cacheEntry) newEntries.push(step.outcome.cacheEntry);
    }
    // Validated data goes to the cache at once: a kill before the rows are written loses nothing paid for.
    this.cache.upsert(newEntries);
    this.waves += 1;
    return true;
  }

  private finish(job: Job, outcome: Outcome): void {
    this.pool.delete(job.key);
    this.finished.push({ key: job.key, company: job.company, outcome });
    this.addCost(outcome);
    if (outcome.kind === "paused") this.pause(outcome.reason);
  }

  work(): WorkerReport {
    for (;;) {
      const { queuedLeft } = this.sync(this.mayAdmit(), false);
      if (this.run.paused !== null) return this.end("paused");
      if (this.pool.size === 0 && this.finished.length === 0) {
        if (queuedLeft === 0 || this.cancelling) return this.end("finished");
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
      this.run.active = false;
      deleteWorkerTriggers();
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
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(1000)) return { status: "busy", waves: 0, written: 0 };
  try {
    // This execution is the continuation: any trigger still pending for it is redundant.
    deleteWorkerTriggers();
    const { settings } = loadSettings();
    const run = loadRunState();
    if (!run || !run.active) return { status: "idle", waves: 0, written: 0 };
    if (run.paused !== null) return { status: "paused", waves: 0, written: 0 };
    // Should this execution be killed, a trigger that fires after it is surely over carries on.
    scheduleWorker("after-this-execution");
    if (!settings || missingKeys(settings).length > 0) {
      // Settings went missing or broke after the rows were queued: pause rather than fail every row.
      pauseRun(run, "settings incomplete, open Settings");
      return { status: "paused", waves: 0, written: 0 };
    }
    return new Worker(settings, run).work();
  } finally {
    lock.releaseLock();
  }
}

/** Pauses a run that no worker is processing: every queued row shows the reason. */
export function pauseRun(run: RunState, reason: string): void {
  saveRunState({ ...run, paused: reason });
  rewriteStatuses(loadQueueSheets(), (status) => (statusKind(status) === "queued" ? STATUS.pausedPrefix + reason : null));
}
