// What the menu items and sidebar buttons do to the queue. The queue is the Status column.
import { missingKeys, type Settings } from "../core/settings";
import { CACHE_SHEET_NAME, CacheSheet } from "./cache-sheet";
import { driveAs, newRunState, recordOwnerTrigger } from "../core/run/run-state";
import { pacingLimits } from "../core/run/pacing";
import { nextStatusText } from "../core/run/row-status";
import {
  addQueueSheet,
  currentUser,
  loadQueueSheets,
  loadRunState,
  requestCancel,
  runOwnedByAnother,
  saveRunState,
  type QueueSheet,
} from "./run-state";
import { loadSettings } from "./settings-store";
import type { CommandResult, EstimateResult, RunEstimate, SidebarStart } from "../core/wire";
import { confirmWithAlert, estimatePlanned, planCompanies, type QueueMode } from "./run-estimate";
import { columnClashMessage, prepareOutputColumns, selectedRowNumbers } from "./columns";
import { cellAt, cellText, readSnapshot, rewriteStatuses } from "./sheet-io";
import { runLock } from "./run-lock";
import { deleteWorkerTriggers, scheduleWorker, sidebarOnly } from "./triggers";

export type { QueueMode };
/** Sees the estimate of the selection before anything is queued; false queues nothing. */
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
 * day (refusedForAnotherRun let them through); the trigger made now is theirs. Returns what a user
 * who queued rows should know when no trigger can carry the run on ("" otherwise).
 */
function activateRun(settings: Settings | null = loadSettings().settings): string {
  if (!settings) return "";
  const me = currentUser();
  const activated = withRunLock(() => {
    const run = loadRunState();
    const active =
      !run || !run.active ? newRunState(pacingLimits(settings), Date.now(), me) : { ...driveAs(run, me, Date.now()), paused: null };
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

/** Paused rows of every queue sheet go back to Queued. */
function resumePausedRows(): number {
  return rewriteStatuses(loadQueueSheets(), (status) => nextStatusText(status, { kind: "resume" }));
}

/**
 * A run belongs to the user who started it (their keys, their money): while it is active another
 * user's Research, Retry or Resume queues nothing and says whose run it is. Anyone may cancel it.
 */
function refusedForAnotherRun(): CommandResult | null {
  const other = runOwnedByAnother();
  if (!other) return null;
  const message = `${other.ownerLabel} has a research run in progress here. Wait for it to finish, or cancel it first.`;
  toast(message);
  return { ok: false, message, queued: 0 };
}

/** The Status a Research or Re-research gives a selected row, or null to leave the row alone. */
function queuedStatus(mode: QueueMode, status: unknown, company: unknown): string | null {
  if (company === null || company === undefined || String(company).trim() === "") return null;
  return nextStatusText(status, { kind: mode === "refresh" ? "queueIgnoringCache" : "queue" });
}

type Selection = { settings: Settings; sheet: GoogleAppsScript.Spreadsheet.Sheet; rows: Set<number>; leftmostColumn: number };

/** The settings and the selected rows, or why nothing can be queued (said to the user too). */
function readSelection(): Selection | CommandResult {
  const { settings, errors } = loadSettings();
  const missing = settings ? missingKeys(settings) : [];
  if (!settings || missing.length > 0) {
    const what = settings
      ? `Add your ${missing.join(" and ")} in Settings first.`
      : `Fix the settings marked in Settings first (${Object.keys(errors).join(", ")}).`;
    toast(what);
    openSettingsSafely();
    return { ok: false, message: what, queued: 0 };
  }
  const refused = refusedForAnotherRun();
  if (refused) return refused;
  const sheet = SpreadsheetApp.getActiveSpreadsheet().getActiveSheet();
  if (sheet.getName() === CACHE_SHEET_NAME)
    return { ok: false, message: "Select rows of your company list, not the cache sheet.", queued: 0 };
  const { rows, leftmostColumn } = selectedRowNumbers(sheet);
  if (rows.size === 0) {
    const message = "Select the rows of the companies to research (row 1 is the header).";
    toast(message);
    return { ok: false, message, queued: 0 };
  }
  // Two columns claim one output: the add-on would not know which to write, so it queues nothing here.
  const clash = columnClashMessage(sheet);
  if (clash) {
    toast(clash);
    return { ok: false, message: clash, queued: 0 };
  }
  return { settings, sheet, rows, leftmostColumn };
}

/** What queueing the selection would do and cost, read before anything is written. */
function estimateOf(selection: Selection, mode: QueueMode): RunEstimate {
  const snapshot = readSnapshot(selection.sheet, selection.leftmostColumn);
  const statusColumn = snapshot.outputs?.Status ?? null;
  const rows = [...selection.rows].filter(
    (row) =>
      queuedStatus(
        mode,
        statusColumn === null ? "" : cellAt(snapshot, row, statusColumn),
        cellAt(snapshot, row, snapshot.companyColumn),
      ) !== null,
  );
  return estimatePlanned(planCompanies(snapshot, rows, selection.settings), selection.settings, mode);
}

export function estimateSelection(): EstimateResult {
  const selection = readSelection();
  if (!("settings" in selection)) return { ok: false, message: selection.message };
  return { ok: true, estimate: estimateOf(selection, "research") };
}

/** Research from the sidebar, whose user saw the estimate of `companies` companies. */
export function queueFromSidebar(companies: number): SidebarStart {
  let changed: RunEstimate | null = null;
  const result = queueSelectedRows(
    "research",
    (estimate) => {
      if (estimate.companies === companies) return true;
      changed = estimate;
      return false;
    },
    true,
  );
  return changed ? { kind: "changed", estimate: changed } : { kind: result.ok ? "queued" : "refused", result };
}

/** `fromSidebar`: the sidebar asked, so it is open already (showing it again would reload it). */
export function queueSelectedRows(mode: QueueMode, confirm: Confirm = confirmWithAlert, fromSidebar = false): CommandResult {
  const selection = readSelection();
  if (!("settings" in selection)) return selection;
  const { sheet, rows, leftmostColumn } = selection;
  if (!confirm(estimateOf(selection, mode))) return { ok: false, message: "Nothing was queued.", queued: 0 };
  try {
    prepareOutputColumns(sheet);
  } catch (error) {
    // A protected header row (or a sheet the user may not change) leaves nowhere to put the results.
    const message = `Territory Planner could not add its columns to this sheet (${error instanceof Error ? error.message : String(error)}). Ask the owner to let you edit row 1, or copy the companies to a sheet you can edit.`;
    toast(message);
    return { ok: false, message, queued: 0 };
  }
  // Created now, while the user is here, rather than by a worker later.
  CacheSheet.open(true);
  const queueSheet: QueueSheet = { name: sheet.getName(), fallbackCompanyColumn: leftmostColumn };
  const queued = rewriteStatuses([queueSheet], (status, row, snapshot) =>
    rows.has(row) ? queuedStatus(mode, status, cellAt(snapshot, row, snapshot.companyColumn)) : null,
  );
  addQueueSheet(queueSheet);
  const resumed = resumePausedRows();
  // The settings the selection was read with: not read again.
  const note = activateRun(selection.settings);
  const message =
    queued + resumed > 0
      ? `Queued ${queued + resumed} row(s) for research.${note}`
      : "Nothing to queue: the selected rows are done already (use Re-research to research them again).";
  toast(message);
  if (!fromSidebar) showSidebarSafely();
  return { ok: true, message, queued: queued + resumed };
}

export function retryFailed(): CommandResult {
  const refused = refusedForAnotherRun();
  if (refused) return refused;
  const sheets = [...loadQueueSheets()];
  const active = SpreadsheetApp.getActiveSpreadsheet().getActiveSheet();
  // The active sheet, when it is not a queue sheet yet: the only one that may need adding.
  const added: QueueSheet | null =
    active.getName() !== CACHE_SHEET_NAME && !sheets.some((s) => s.name === active.getName())
      ? { name: active.getName(), fallbackCompanyColumn: 1 }
      : null;
  if (added) sheets.push(added);
  const queued = rewriteStatuses(sheets, (status) => nextStatusText(status, { kind: "retry" }));
  let note = "";
  if (queued > 0) {
    if (added) addQueueSheet(added);
    note = activateRun();
  }
  const message = queued > 0 ? `Queued ${queued} failed row(s) again.${note}` : "No failed rows to retry.";
  toast(message);
  return { ok: true, message, queued };
}

export function resume(): CommandResult {
  const refused = refusedForAnotherRun();
  if (refused) return refused;
  const queued = resumePausedRows();
  const note = activateRun();
  return { ok: true, message: `Resumed ${queued} row(s).${note}`, queued };
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
  if (sheet.isSheetHidden() || sheetName === CACHE_SHEET_NAME)
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
