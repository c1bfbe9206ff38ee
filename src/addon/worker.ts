// The time-boxed worker: reads the queue sheets and the cache, sends the requests of each wave in
// one fetchAll, and writes the rows, the cache and the run state. Every decision (which rows to
// write, which companies to claim, what a wave sends, what its answers change, when to stop) is
// the core's, in src/core/run; this file reads, calls them and writes.
import type { Outcome } from "../core/engine";
import {
  blockedServices,
  handedOffStatus,
  mayAdmit,
  mayTakeStep,
  nextMove,
  startClock,
  timeWave,
  workerStart,
  type ExecutionClock,
  type WorkerStatus,
} from "../core/run/execution";
import { pacingLimits, type PacingLimits } from "../core/run/pacing";
import {
  afterWrites,
  admitWaiting,
  inQueue,
  keysToLookUp,
  queueRow,
  rowUpdates,
  settle,
  type QueueRow,
  type RowWrite,
} from "../core/run/planner";
import { nextStatusText } from "../core/run/row-status";
import {
  driveAs,
  drivenByOwner,
  finishRun,
  pause,
  recordJournaledCost,
  recordOwnerTrigger,
  spendingCapUsd,
  type RunState,
} from "../core/run/run-state";
import { COLUMN_TAG } from "../core/run/sheet-layout";
import { cacheWrites, collectFinished, foldAnswers, planWave, type Job, type Outgoing, type WavePlan } from "../core/run/wave";
import { apiKeys, type Settings } from "../core/settings";
import { cacheWritePause } from "../core/sheet-errors";
import type { PauseReason } from "../core/status";
import type { CacheEntry } from "../core/types";
import { CACHE_SHEET_NAME, CacheSheet } from "./cache-sheet";
import { prepareOutputColumns, waitingRowsClash } from "./columns";
import { fetchAllResponses, type ApiKeys } from "./http";
import { clearPaidJournal, journalPaid, readPaidJournal } from "./paid-journal";
import { currentUser, loadConfirmedSpending, loadQueueSheets, loadRunState, saveRunState, takeCancelRequest } from "./run-state";
import { loadSettings } from "./settings-store";
import {
  cellAt,
  cellText,
  readCells,
  readSnapshot,
  rewriteStatuses,
  writeRowUpdates,
  type SheetSnapshot,
  type SkippedRow,
} from "./sheet-io";
import { refreshTierFormulas, restoreInterruptedRefresh } from "./tier-formulas";
import { runLock } from "./run-lock";
import { deleteWorkerTriggers, recordNoLockInTriggers, scheduleWorker, triggerUidOf } from "./triggers";

export interface WorkerReport {
  /**
   * notOwner: the run belongs to another user, and this execution left it alone. noLock: a trigger
   * execution got no document lock and left the run to the sidebar.
   */
  status: "busy" | "paused" | "idle" | WorkerStatus | "notOwner" | "noLock";
  waves: number;
  written: number;
}

class Worker {
  /** The companies in flight, in the order they were claimed. */
  private pool = new Map<string, Job>();
  /** Companies finished since the last pass, to be written by the next. */
  private readonly finished = new Map<string, Outcome>();
  private clock: ExecutionClock;
  private written = 0;
  private cancelling = false;
  private readonly limits: PacingLimits;
  private readonly keys: ApiKeys;

  constructor(
    private readonly settings: Settings,
    private run: RunState,
    private readonly cache: CacheSheet,
  ) {
    this.clock = startClock(settings, Date.now());
    this.limits = pacingLimits(settings);
    this.keys = apiKeys(settings);
  }

  /**
   * Google refused to write the cache sheet: the run pauses with Google's reason before anything
   * more is bought (what was paid for waits in the journal).
   */
  private cacheRefused(error: unknown): void {
    this.run = pause(this.run, cacheWritePause(this.cache.describe(), error instanceof Error ? error.message : String(error)));
  }

  /** Stores entries paid for in the cache sheet, then clears the journal that kept them meanwhile. */
  private store(entries: readonly CacheEntry[]): void {
    try {
      this.cache.upsert(entries);
      clearPaidJournal();
    } catch (error) {
      this.cacheRefused(error);
    }
  }

  /** What a stopped execution paid for and may not have stored goes to the sheet, and its cost to the run, first. */
  private recoverPaid(): void {
    const journal = readPaidJournal();
    if (!journal) return;
    this.run = recordJournaledCost(this.run, journal);
    saveRunState(this.run);
    this.store(journal.entries);
  }

  /** The cache sheet can take what these requests will buy; false when Google refuses (the run pauses). */
  private mayBuy(outgoing: readonly Outgoing[]): boolean {
    try {
      this.cache.reserve(outgoing.map((o) => o.job.key));
      return true;
    } catch (error) {
      this.cacheRefused(error);
      return false;
    }
  }

  /**
   * Queued and Researching rows of every queue sheet: the Status column, then the company and
   * website of the rows from the first of them to the last (a range call costs time per cell). A
   * sheet where two columns claim one output is not read: it gives the pause that says which.
   */
  private readRows(): { rows: QueueRow[]; snapshots: Map<string, SheetSnapshot>; clash: PauseReason | null } {
    const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
    const rows: QueueRow[] = [];
    const snapshots = new Map<string, SheetSnapshot>();
    let clash: PauseReason | null = null;
    for (const queueSheet of loadQueueSheets()) {
      const sheet = spreadsheet.getSheetByName(queueSheet.name);
      if (!sheet) continue;
      const snapshot = readQueueSheet(sheet, queueSheet.fallbackCompanyColumn);
      const outputs = snapshot.outputs;
      if (!outputs) {
        clash ??= waitingRowsClash(sheet);
        continue;
      }
      snapshots.set(snapshot.name, snapshot);
      readCells(snapshot, [outputs.Status], 2, snapshot.lastRow);
      const queued: number[] = [];
      for (let row = 2; row <= snapshot.lastRow; row++) if (inQueue(cellAt(snapshot, row, outputs.Status))) queued.push(row);
      const [first, last] = [queued[0], queued[queued.length - 1]];
      if (first === undefined || last === undefined) continue;
      const website = snapshot.websiteColumn;
      readCells(snapshot, [snapshot.companyColumn, website], first, last);
      for (const row of queued) {
        const found = queueRow(this.run, this.settings.profile, {
          sheet: snapshot.name,
          row,
          status: cellAt(snapshot, row, outputs.Status),
          company: cellText(cellAt(snapshot, row, snapshot.companyColumn)),
          website: website ? cellText(cellAt(snapshot, row, website)) : null,
        });
        if (found) rows.push(found);
      }
    }
    return { rows, snapshots, clash };
  }

  /**
   * One pass over the sheets: write finished results, put stale rows back in the queue, apply a
   * cancel or pause, and (when admitting) claim queued rows for new companies.
   */
  private pass(admitting: boolean, release: boolean): { queuedLeft: number; blockedRows: number } {
    const { rows, snapshots, clash } = this.readRows();
    if (takeCancelRequest()) this.cancelling = true;
    // Rather than guess which column is ours, the run stops: what it paid for waits in the cache.
    if (clash) this.run = pause(this.run, clash);
    // Read at every pass: rows added while this execution runs bring their confirmed maximum.
    const budgetUsd = spendingCapUsd(this.run, loadConfirmedSpending(), this.settings.jobBudgetUsd);
    const settled = settle({
      run: this.run,
      rows,
      inFlight: new Set(this.pool.keys()),
      finished: this.finished,
      release,
      cancelling: this.cancelling,
      budgetUsd,
    });
    this.run = settled.run;
    this.finished.clear();
    if (release || settled.stopped) this.pool.clear();
    const writes: RowWrite[] = [...settled.writes];
    let left = { queuedLeft: settled.waiting.length, blockedRows: 0 };
    if (!settled.stopped && admitting) {
      const inFlight = new Set(this.pool.keys());
      const lookedUp = keysToLookUp(settled.waiting, inFlight);
      const entries = this.cache.lookup([...lookedUp]);
      const admission = admitWaiting({
        run: this.run,
        settings: this.settings,
        waiting: settled.waiting,
        lookedUp,
        entries,
        inFlight,
        blocked: blockedServices(this.clock, this.run),
        budgetUsd,
        now: Date.now(),
      });
      this.run = admission.run;
      writes.push(...admission.writes);
      for (const claim of admission.claims) this.pool.set(claim.key, claim);
      left = { queuedLeft: admission.left, blockedRows: admission.blockedRows };
    }
    this.write(writes, snapshots);
    saveRunState(this.run);
    return left;
  }

  private write(writes: readonly RowWrite[], snapshots: ReadonlyMap<string, SheetSnapshot>): void {
    const skipped: SkippedRow[] = [];
    for (const [sheet, updates] of rowUpdates(writes)) {
      const snapshot = snapshots.get(sheet);
      if (!snapshot) continue;
      const report = writeRowUpdates(snapshot, updates);
      this.written += updates.size - report.skipped.length;
      skipped.push(...report.skipped);
    }
    const after = afterWrites(this.run, writes, skipped);
    this.run = after.run;
    for (const key of after.drop) this.pool.delete(key);
  }

  private takeFinished(finished: readonly { key: string; outcome: Outcome }[]): void {
    for (const { key, outcome } of finished) this.finished.set(key, outcome);
  }

  /** Sends one wave; returns false when the next request cannot go before this execution must end. */
  private plan(): WavePlan {
    const plan = planWave({ run: this.run, jobs: [...this.pool.values()], limits: this.limits, clock: this.clock, now: Date.now() });
    this.run = plan.run;
    this.pool = new Map(plan.jobs.map((job) => [job.key, job]));
    this.takeFinished(plan.finished);
    return plan;
  }

  private wave(): boolean {
    let plan = this.plan();
    // Room about to open (a wait shorter than a wave): wait and send, with no pass between, as if
    // the wave were already in flight.
    if (plan.outgoing.length === 0 && plan.wait?.kind === "sleep" && plan.wait.ms < this.clock.slowestWaveMs) {
      Utilities.sleep(plan.wait.ms);
      plan = this.plan();
    }
    if (plan.outgoing.length === 0) {
      if (plan.wait?.kind === "handOff") return false;
      if (plan.wait?.kind === "sleep") Utilities.sleep(plan.wait.ms);
      return true;
    }
    // Nothing is bought that has no place to be kept: the next pass shows the pause.
    if (!this.mayBuy(plan.outgoing)) return true;
    const sentAt = Date.now();
    const wave = fetchAllResponses(
      plan.outgoing.map((o) => o.request),
      this.keys,
    );
    const receivedAt = Date.now();
    this.clock = timeWave(this.clock, sentAt, receivedAt);
    const costBefore = this.run.cost;
    const folded = foldAnswers({
      run: this.run,
      settings: this.settings,
      limits: this.limits,
      outgoing: plan.outgoing,
      sent: plan.sent,
      responses: wave.responses,
      quotaSpent: wave.quotaSpent,
      sentAt,
      receivedAt,
    });
    this.run = folded.run;
    for (const job of folded.answered) this.pool.set(job.key, job);
    const done = collectFinished(this.run, [...this.pool.values()]);
    this.run = done.run;
    this.pool = new Map(done.jobs.map((job) => [job.key, job]));
    this.takeFinished(done.finished);
    const paid = cacheWrites([...folded.store, ...done.store]);
    const paidFor = paid.length > 0 || this.run.cost !== costBefore;
    // What the answers cost and what they bought are journaled in one call before anything else is
    // written: a kill while the cache sheet or the rows are written loses nothing paid for, and no
    // money from the run's figures. Then the run state, then the cache sheet.
    if (paidFor) journalPaid({ runId: this.run.runId, cost: this.run.cost, entries: paid });
    saveRunState(this.run);
    if (paidFor) this.store(paid);
    return true;
  }

  work(): WorkerReport {
    this.recoverPaid();
    for (;;) {
      const { queuedLeft, blockedRows } = this.pass(mayAdmit(this.clock, this.run, this.cancelling, Date.now()), false);
      const move = nextMove({
        clock: this.clock,
        run: this.run,
        inFlight: this.pool.size,
        queuedLeft,
        blockedRows,
        cancelling: this.cancelling,
        now: Date.now(),
      });
      if (move.kind === "end") {
        if (move.napMs > 0) Utilities.sleep(move.napMs);
        return this.end(move.status);
      }
      if (move.kind === "pass" || (move.kind === "wave" && this.wave())) continue;
      this.pass(false, true);
      return this.end(handedOffStatus(this.run));
    }
  }

  private end(ending: WorkerStatus): WorkerReport {
    let status = ending;
    // Sheets recalculates a custom function only when its arguments change: show the new results.
    // The run ends once every formula is re-entered; until then the trigger this execution set
    // stays, so a stop in the middle is taken up (and its block restored) by the next execution.
    if (status === "finished" && refreshTierFormulas(() => mayTakeStep(this.clock, Date.now())) === "unfinished") status = "continuing";
    if (status === "finished") {
      this.run = finishRun(this.run, Date.now());
      deleteWorkerTriggers();
    } else if (status === "continuing") {
      this.run = recordOwnerTrigger(this.run, scheduleWorker("soon"));
    } else {
      deleteWorkerTriggers();
    }
    saveRunState(this.run);
    return { status, waves: this.clock.waves, written: this.written };
  }
}

/**
 * One worker execution. `event`: the time-driven trigger's, when a trigger started it (the sidebar
 * passes none); a trigger the owner's executions made is the owner's, whatever identity it shows.
 */
export function runWorker(event?: unknown): WorkerReport {
  const idle = (status: WorkerReport["status"]): WorkerReport => ({ status, waves: 0, written: 0 });
  const triggerId = triggerUidOf(event);
  const documentLock = LockService.getDocumentLock();
  // A trigger execution without the document lock (or without the document) could work beside the
  // sidebar's worker, which holds it: it leaves the run to the sidebar, and no trigger is made here
  // any more (where it can still say so).
  if (triggerId !== null && !documentLock) {
    try {
      recordNoLockInTriggers();
      deleteWorkerTriggers();
    } catch {
      // No document: nothing of it to record into; a deployment check reports it.
    }
    return idle("noLock");
  }
  const me = currentUser();
  const stored = loadRunState();
  if (stored && !drivenByOwner(stored, me, triggerId)) return idle("notOwner");
  const lock = documentLock ?? runLock();
  if (!lock?.tryLock(1000)) return idle("busy");
  try {
    // This execution is the continuation: any trigger still pending for it is redundant.
    deleteWorkerTriggers();
    // A formula refresh stopped part-way left a block showing its formulas' text: put them back.
    restoreInterruptedRefresh();
    const { settings } = loadSettings();
    const start = workerStart(loadRunState(), settings);
    if (start.kind === "idle" || start.kind === "paused") return idle(start.kind);
    // Should this execution be killed, a trigger that fires after it is surely over carries on. It is
    // the owner's, and so is this execution: what Google shows of them now is kept (a rotated key).
    const safety = scheduleWorker("after-this-execution");
    const run = recordOwnerTrigger(driveAs(start.run, me, Date.now(), triggerId), safety);
    saveRunState(run);
    if (start.kind === "pause") {
      pauseRun(run, start.reason);
      return idle("paused");
    }
    let cache: CacheSheet;
    try {
      cache = CacheSheet.open(true);
    } catch (error) {
      // No cache sheet, no purchase: the run waits with Google's reason (the cell limit, say).
      pauseRun(run, cacheWritePause(CACHE_SHEET_NAME, error instanceof Error ? error.message : String(error)));
      return idle("paused");
    }
    return new Worker(start.settings, run, cache).work();
  } finally {
    lock.releaseLock();
  }
}

/**
 * A queue sheet as the worker reads it. An owned column the user deleted while the run went on is
 * added back while the sheet's Status column still holds the queue, so no claimed row is left
 * behind; with the Status column gone, the sheet has no queue left.
 */
function readQueueSheet(sheet: GoogleAppsScript.Spreadsheet.Sheet, fallbackCompanyColumn: number): SheetSnapshot {
  const snapshot = readSnapshot(sheet, fallbackCompanyColumn);
  if (snapshot.outputs || sheet.createDeveloperMetadataFinder().withKey(COLUMN_TAG).withValue("Status").find().length === 0) {
    return snapshot;
  }
  try {
    prepareOutputColumns(sheet);
  } catch {
    return snapshot;
  }
  return readSnapshot(sheet, fallbackCompanyColumn);
}

/** Pauses a run that no worker is processing: every queued row shows the reason. */
function pauseRun(run: RunState, reason: PauseReason): void {
  saveRunState(pause(run, reason));
  rewriteStatuses(loadQueueSheets(), (status) => nextStatusText(status, { kind: "pause", reason }));
}
