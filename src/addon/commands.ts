// What the menu items and sidebar buttons do to the queue. The queue is the Status column.
import { missingKeys, type Settings } from "../core/settings";
import { CacheSheet, isCacheSheet } from "./cache-sheet";
import { columnUnchosen } from "../core/run/estimate";
import { formatCount } from "../core/format";
import { confirmSpending, driveAs, newRunState, recordOwnerTrigger, type RunState } from "../core/run/run-state";
import { pacingLimits } from "../core/run/pacing";
import { nextStatusText } from "../core/run/row-status";
import {
  addQueueSheet,
  currentUser,
  loadConfirmedSpending,
  loadQueueSheets,
  loadRunState,
  requestCancel,
  runOwnedByAnother,
  runTakenOverFrom,
  saveConfirmedSpending,
  saveRunState,
} from "./run-state";
import { loadSettings } from "./settings-store";
import type { CommandResult, EstimateResult, QueueAction, RunEstimate, SidebarAction, SidebarStart } from "../core/wire";
import { confirmWithAlert, estimatePlan, planQueue, type QueuePlan, type SelectedRows } from "./run-estimate";
import { columnClashMessage, prepareOutputColumns, selectedRowNumbers } from "./columns";
import { cellAt, cellText, readSnapshot, rewriteStatuses } from "./sheet-io";
import { runLock } from "./run-lock";
import { deleteWorkerTriggers, scheduleWorker, sidebarOnly } from "./triggers";

/** Sees the estimate of what a command would queue before anything is written; false queues nothing. */
export type Confirm = (estimate: RunEstimate) => boolean;

function toast(message: string): void {
  try {
    SpreadsheetApp.getActiveSpreadsheet().toast(message, "Territory Planner", 5);
  } catch {
    // No UI in this context (trigger): the sidebar shows the same through getResearchProgress.
  }
}

/** Runs `change` holding the run's lock if it can be had soon; otherwise returns false. */
function withRunLock(change: () => void): boolean {
  const lock = runLock();
  if (!lock?.tryLock(3000)) return false;
  try {
    change();
    return true;
  } finally {
    lock.releaseLock();
  }
}

/**
 * Starts a run, or continues the active one (rows queued now join it), and clears a pause. The user
 * here drives the run: its owner, seen again, or another user taking over a run its owner left for a
 * day (refusedForAnotherRun let them through); the trigger made now is theirs. A new run records what
 * its confirmed rows may cost just before it exists; an active run had it recorded before its rows
 * were written (confirmForActiveRun). Returns what a user who queued rows should know when no
 * trigger can carry the run on ("" otherwise).
 */
function activateRun(settings: Settings, maximumUsd: number): string {
  const me = currentUser();
  const activated = withRunLock(() => {
    const run = loadRunState();
    let active: RunState;
    if (!run || !run.active) {
      active = newRunState(pacingLimits(settings), Date.now(), me);
      saveConfirmedSpending(confirmSpending(active, null, maximumUsd));
    } else active = { ...driveAs(run, me, Date.now()), paused: null };
    // Saved before the trigger is asked for: should Google refuse it, the run is there for the sidebar.
    saveRunState(active);
    const trigger = scheduleWorker("soon", true);
    if (trigger !== null) saveRunState(recordOwnerTrigger(active, trigger));
  });
  // A worker holds the lock: its own safety trigger will do, or one is made now. Where Google allows
  // no trigger, the rows stay queued and the sidebar drives the run.
  if (!activated) scheduleWorker("soon", true);
  return sidebarOnly() === null ? "" : ` ${SIDEBAR_DRIVES}`;
}

const SIDEBAR_DRIVES =
  "Keep the Territory Planner sidebar open: here it is what moves the research on, and closing it stops the research (your rows stay queued) until you open it again with Show progress.";

/**
 * Rows about to join an active run: what they may cost is added before they are written. A worker
 * may be running it, holding the lock the run state needs, so this is kept apart and read by the
 * worker at its next pass. A run taken over starts from what it spent: what its owner confirmed is
 * not this user's to spend.
 */
function confirmForActiveRun(maximumUsd: number, takingOver: boolean): void {
  const run = loadRunState();
  if (run?.active) saveConfirmedSpending(confirmSpending(run, takingOver ? null : loadConfirmedSpending(), maximumUsd));
}

/**
 * A run belongs to the user who started it (their keys, their money): while it is active another
 * user's Research, Retry or Resume queues nothing and says whose run it is. Anyone may cancel it.
 */
function refusedForAnotherRun(): CommandResult | null {
  const other = runOwnedByAnother();
  return other ? refused(`${other.ownerLabel} has a research run in progress here. Wait for it to finish, or cancel it first.`) : null;
}

/** Why nothing is queued, said to the user too. */
function refused(message: string): CommandResult {
  toast(message);
  return { ok: false, message, queued: 0 };
}

/**
 * The settings a command queues with, or why it queues nothing (said to the user too). Another
 * user's run is named before anything else: keys of one's own would not let one join it.
 */
function readyToQueue(): Settings | CommandResult {
  const other = refusedForAnotherRun();
  if (other) return other;
  const { settings } = loadSettings();
  const missing = settings ? missingKeys(settings) : [];
  if (settings && missing.length === 0) return settings;
  openSettingsSafely();
  return refused(
    settings
      ? `Add your ${missing.join(" and ")} in Settings first: research is paid with them.`
      : "Some settings are not valid. Open Settings, correct the fields marked there, then try again.",
  );
}

/** The selected rows of the active sheet, or why there are none to research. */
function readSelection(chosenColumn: number | null): SelectedRows | CommandResult {
  const sheet = SpreadsheetApp.getActiveSpreadsheet().getActiveSheet();
  if (isCacheSheet(sheet)) return refused("Select rows of your company list, not the cache sheet.");
  const { rows, leftmostColumn, columns } = selectedRowNumbers(sheet);
  if (rows.size === 0) return refused("Select the rows of the companies to research (row 1 is the header).");
  // Two columns claim one output: the add-on would not know which to write, so it queues nothing here.
  const clash = columnClashMessage(sheet);
  if (clash) return refused(clash);
  return { sheet, rows, leftmostColumn, columns, chosenColumn };
}

/** What `action` would queue, read from the sheets; or why it can queue nothing. */
function planOf(action: QueueAction, settings: Settings, chosenColumn: number | null): QueuePlan | CommandResult {
  const queueSheets = loadQueueSheets();
  const takenOverFrom = runTakenOverFrom();
  if (action === "resume") return planQueue(action, settings, queueSheets, null, takenOverFrom);
  const sheet = SpreadsheetApp.getActiveSpreadsheet().getActiveSheet();
  if (action === "retry")
    return planQueue(action, settings, queueSheets, isCacheSheet(sheet) ? null : { sheet, selected: null }, takenOverFrom);
  const selected = readSelection(chosenColumn);
  if ("ok" in selected) return selected;
  return planQueue(action, settings, queueSheets, { sheet, selected }, takenOverFrom);
}

/** What each command says when it has nothing to queue, and when it queued `n` rows. */
const WORDS: Record<QueueAction, { nothing: string; queued: (n: number) => string }> = {
  research: {
    nothing: "Nothing to queue: the selected rows are done already (use Re-research to research them again).",
    queued: (n) => `Queued ${formatCount(n)} row(s) for research.`,
  },
  refresh: { nothing: "Nothing to queue in the selected rows.", queued: (n) => `Queued ${formatCount(n)} row(s) to research again.` },
  retry: { nothing: "No failed rows to retry.", queued: (n) => `Queued ${formatCount(n)} failed row(s) again.` },
  resume: { nothing: "No paused rows to resume.", queued: (n) => `Resumed ${formatCount(n)} row(s).` },
};

/**
 * Nothing to queue. A paused run with no row left paused (its rows deleted, say) is let go on, to
 * end, rather than wait for a Resume that has nothing to resume.
 */
function nothingToQueue(action: QueueAction, settings: Settings): CommandResult {
  if (loadRunState()?.paused) activateRun(settings, 0);
  toast(WORDS[action].nothing);
  return { ok: true, message: WORDS[action].nothing, queued: 0 };
}

type Queued =
  | { kind: "queued" | "refused"; result: CommandResult }
  /** The confirmation said no: nothing was written. */
  | { kind: "declined"; estimate: RunEstimate; result: CommandResult };

/**
 * Every command that queues paid work: it reads what it would queue, estimates it, asks `confirm`,
 * and only then writes `Queued` into exactly the rows of the plan (a row whose company or Status
 * changed since is left alone), with the confirmed maximum added to what the run may spend.
 */
function queueConfirmed(action: QueueAction, confirm: Confirm, chosenColumn: number | null = null): Queued {
  const settings = readyToQueue();
  if ("ok" in settings) return { kind: "refused", result: settings };
  const plan = planOf(action, settings, chosenColumn);
  if ("ok" in plan) return { kind: "refused", result: plan };
  if (plan.rows.length === 0) return { kind: "queued", result: nothingToQueue(action, settings) };
  const estimate = estimatePlan(plan, settings);
  if (!confirm(estimate)) return { kind: "declined", estimate, result: { ok: false, message: "Nothing was queued.", queued: 0 } };
  if (action === "research" || action === "refresh") {
    try {
      prepareOutputColumns(SpreadsheetApp.getActiveSpreadsheet().getActiveSheet());
    } catch (error) {
      // A protected header row (or a sheet the user may not change) leaves nowhere to put the results.
      return {
        kind: "refused",
        result: refused(
          `Territory Planner could not add its columns to this sheet (${error instanceof Error ? error.message : String(error)}). Ask the owner to let you edit row 1, or copy the companies to a sheet you can edit.`,
        ),
      };
    }
  }
  // Created now, while the user is here, rather than by a worker later. Google may refuse (the
  // spreadsheet's cell limit): the worker then pauses the run with Google's reason before buying.
  try {
    CacheSheet.open(true);
  } catch {
    // Reported by the worker.
  }
  confirmForActiveRun(estimate.maximumUsd, plan.takenOverFrom !== null);
  const queued = writePlan(plan);
  for (const sheet of plan.sheets) addQueueSheet(sheet);
  const note = queued > 0 ? activateRun(settings, estimate.maximumUsd) : "";
  const message = queued > 0 ? `${WORDS[action].queued(queued)}${note}` : WORDS[action].nothing;
  toast(message);
  return { kind: "queued", result: { ok: true, message, queued } };
}

/**
 * Writes the plan's Status into its rows, where the row still holds the planned company and Status.
 * Returns how many rows wait in the queue now: those written, and those that held their Status
 * already (waiting in a run taken over, or queued again to ignore the cache).
 */
function writePlan(plan: QueuePlan): number {
  const byRow = new Map(plan.rows.map((r) => [`${r.sheet}\n${r.row}`, r]));
  let held = 0;
  const written = rewriteStatuses(plan.sheets, (status, row, snapshot) => {
    const planned = byRow.get(`${snapshot.name}\n${row}`);
    if (!planned || cellText(cellAt(snapshot, row, snapshot.companyColumn)) !== planned.company) return null;
    const next = nextStatusText(status, planned.event);
    if (next !== planned.status) return null;
    if (next === status) held += 1;
    return next;
  });
  return written + held;
}

/** Research or Re-research of the selected rows from the menu: asks with an alert when the estimate calls for it. */
export function queueSelectedRows(mode: "research" | "refresh"): CommandResult {
  const done = queueConfirmed(mode, confirmWithAlert);
  if (done.kind === "queued" && done.result.queued > 0) showSidebarSafely();
  return done.result;
}

export function retryFailed(): CommandResult {
  return queueConfirmed("retry", confirmWithAlert).result;
}

export function resume(): CommandResult {
  return queueConfirmed("resume", confirmWithAlert).result;
}

/** The sidebar's estimate of what `action` would queue, shown before its Start button. */
export function estimateForSidebar(action: SidebarAction, chosenColumn: number | null): EstimateResult {
  const settings = readyToQueue();
  if ("ok" in settings) return { ok: false, message: settings.message };
  const plan = planOf(action, settings, chosenColumn);
  if ("ok" in plan) return { ok: false, message: plan.message };
  if (plan.rows.length === 0) return { ok: false, message: nothingToQueue(action, settings).message };
  return { ok: true, estimate: estimatePlan(plan, settings) };
}

/**
 * The sidebar's Start: queues exactly the plan the user saw estimated (`planId`). Anything that
 * changed since (the selection, a row, the cache, a setting) makes another plan, which is estimated
 * again and shown instead; so is a plan whose company column the rep has not chosen yet.
 */
export function startFromSidebar(action: SidebarAction, planId: string, chosenColumn: number | null): SidebarStart {
  const done = queueConfirmed(action, (estimate) => estimate.planId === planId && !columnUnchosen(estimate), chosenColumn);
  return done.kind === "declined" ? { kind: "changed", estimate: done.estimate } : { kind: done.kind, result: done.result };
}

export function cancel(): CommandResult {
  let cancelled = 0;
  const done = withRunLock(() => {
    // With the lock held no worker is running, so Researching rows are stale ones.
    cancelled = rewriteStatuses(loadQueueSheets(), (status) => nextStatusText(status, { kind: "cancel" }));
    const run = loadRunState();
    if (run) saveRunState({ ...run, active: false, paused: null, counts: { ...run.counts, cancelled: run.counts.cancelled + cancelled } });
    deleteWorkerTriggers();
  });
  if (!done) {
    requestCancel();
    return { ok: true, message: "Cancelling: the research in flight finishes and is written, the rest is cancelled.", queued: 0 };
  }
  const message = `Cancelled ${cancelled} row(s).`;
  toast(message);
  return { ok: true, message, queued: 0 };
}

export function showSidebarSafely(): void {
  try {
    const html = HtmlService.createHtmlOutputFromFile("Sidebar").setTitle("Territory Planner");
    SpreadsheetApp.getUi().showSidebar(html);
  } catch {
    // Not in a UI context (trigger or test): nothing to show.
  }
}

export function openSettingsSafely(): void {
  try {
    const html = HtmlService.createHtmlOutputFromFile("Settings").setWidth(460).setHeight(640);
    SpreadsheetApp.getUi().showModalDialog(html, "Territory Planner settings");
  } catch {
    // Not in a UI context.
  }
}

/** Selects the row of `sheetName` that holds `company`: at `row` while it is there, else where it moved. */
export function selectRow(sheetName: string, row: number, company: string): CommandResult {
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  const sheet = spreadsheet.getSheetByName(sheetName);
  if (!sheet) return { ok: false, message: `The sheet "${sheetName}" no longer exists.`, queued: 0 };
  // Activating a hidden sheet shows it: never the add-on's cache, nor a sheet the user hid.
  if (sheet.isSheetHidden() || isCacheSheet(sheet))
    return { ok: false, message: `The sheet "${sheetName}" is hidden: show it first (View > Hidden sheets) to go to the row.`, queued: 0 };
  const snapshot = readSnapshot(sheet, 1);
  const holds = (r: number) => cellText(cellAt(snapshot, r, snapshot.companyColumn)) === company.trim();
  let target = row >= 2 && holds(row) ? row : 0;
  for (let r = 2; target === 0 && r <= snapshot.lastRow; r++) if (holds(r)) target = r;
  if (target === 0) return { ok: false, message: `No row of "${sheetName}" holds ${company} any more.`, queued: 0 };
  sheet.activate();
  sheet.getRange(target, 1, 1, Math.max(sheet.getLastColumn(), 1)).activate();
  return { ok: true, message: `Selected row ${target} of ${sheetName}.`, queued: 0 };
}
