// What the menu items and sidebar buttons do to the queue (SPEC §7). The queue is the Status column.
import { missingKeys } from "../core/settings";
import { planOutputColumns, STATUS, statusKind, type OutputHeader } from "../core/run/sheet-layout";
import { CACHE_SHEET_NAME, CacheSheet } from "./cache-sheet";
import { addQueueSheet, loadQueueSheets, loadRunState, newRunState, requestCancel, saveRunState, type QueueSheet } from "./run-state";
import { loadSettings } from "./settings-store";
import { formatOutputColumnsAsText, rewriteStatuses } from "./sheet-io";
import { deleteWorkerTriggers, scheduleWorker } from "./triggers";
import { pacingLimits } from "./worker";

export type QueueMode = "research" | "refresh";

export interface CommandResult {
  ok: boolean;
  message: string;
  queued: number;
}

function toast(message: string): void {
  try {
    SpreadsheetApp.getActiveSpreadsheet().toast(message, "Territory Planner", 5);
  } catch {
    // No UI in this context (trigger): the sidebar shows the same through getResearchProgress.
  }
}

/** Runs `change` holding the document lock if it can be had soon; otherwise returns false. */
function withRunLock(change: () => void): boolean {
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(3000)) return false;
  try {
    change();
    return true;
  } finally {
    lock.releaseLock();
  }
}

/** Starts a run, or continues the active one (rows queued now join it), and clears a pause. */
function activateRun(): void {
  const { settings } = loadSettings();
  if (!settings) return;
  withRunLock(() => {
    const run = loadRunState();
    if (!run || !run.active) saveRunState(newRunState(pacingLimits(settings), Date.now()));
    else if (run.paused !== null) saveRunState({ ...run, paused: null });
  });
  // A worker may be running with its own safety trigger: that one will do.
  scheduleWorker("soon", true);
}

/** Paused rows of every queue sheet go back to Queued. */
function resumePausedRows(): number {
  return rewriteStatuses(loadQueueSheets(), (status) => (statusKind(status) === "paused" ? STATUS.queued : null));
}

/** Header cells for missing output columns, and text format on the output columns. */
function prepareOutputColumns(sheet: GoogleAppsScript.Spreadsheet.Sheet): void {
  const lastColumn = Math.max(sheet.getLastColumn(), 1);
  const header = sheet.getRange(1, 1, 1, lastColumn).getValues()[0] ?? [];
  const { columns, appended } = planOutputColumns(header);
  if (appended.length > 0) {
    const first = appended[0]?.column ?? lastColumn + 1;
    const last = appended[appended.length - 1]?.column ?? first;
    const missing = last - sheet.getMaxColumns();
    if (missing > 0) sheet.insertColumnsAfter(sheet.getMaxColumns(), missing);
    const headers: OutputHeader[] = appended.map((a) => a.header);
    sheet.getRange(1, first, 1, headers.length).setValues([headers]);
  }
  formatOutputColumnsAsText(sheet, columns);
}

function selectedRowNumbers(sheet: GoogleAppsScript.Spreadsheet.Sheet): { rows: Set<number>; leftmostColumn: number } {
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  const rangeList = spreadsheet.getActiveRangeList();
  const ranges = (rangeList ? rangeList.getRanges() : [spreadsheet.getActiveRange()]).filter(
    (r): r is GoogleAppsScript.Spreadsheet.Range => r !== null && r.getSheet().getName() === sheet.getName(),
  );
  const lastRow = sheet.getLastRow();
  const rows = new Set<number>();
  let leftmostColumn = Number.POSITIVE_INFINITY;
  for (const range of ranges) {
    leftmostColumn = Math.min(leftmostColumn, range.getColumn());
    const last = Math.min(range.getLastRow(), lastRow);
    for (let row = Math.max(range.getRow(), 2); row <= last; row++) rows.add(row);
  }
  // Rows a filter hides are not part of what the user sees as selected.
  // Asking per row is slow, so only when the sheet has a filter at all.
  if (sheet.getFilter()) for (const row of [...rows]) if (sheet.isRowHiddenByFilter(row)) rows.delete(row);
  return { rows, leftmostColumn: Number.isFinite(leftmostColumn) ? leftmostColumn : 1 };
}

export function queueSelectedRows(mode: QueueMode): CommandResult {
  const { settings, errors } = loadSettings();
  const missing = settings ? missingKeys(settings) : [];
  if (!settings || missing.length > 0) {
    const what = settings ? `Add your ${missing.join(" and ")} in Settings first.` : `Fix the settings marked in Settings first (${Object.keys(errors).join(", ")}).`;
    toast(what);
    openSettingsSafely();
    return { ok: false, message: what, queued: 0 };
  }
  const sheet = SpreadsheetApp.getActiveSpreadsheet().getActiveSheet();
  if (sheet.getName() === CACHE_SHEET_NAME) return { ok: false, message: "Select rows of your company list, not the cache sheet.", queued: 0 };
  const { rows, leftmostColumn } = selectedRowNumbers(sheet);
  if (rows.size === 0) {
    const message = "Select the rows of the companies to research (row 1 is the header).";
    toast(message);
    return { ok: false, message, queued: 0 };
  }
  prepareOutputColumns(sheet);
  // Created now, while the user is here, rather than by a worker later.
  CacheSheet.open(true);
  const queueSheet: QueueSheet = { name: sheet.getName(), fallbackCompanyColumn: leftmostColumn };
  const queued = rewriteStatuses([queueSheet], (status, row, snapshot) => {
    if (!rows.has(row)) return null;
    const company = snapshot.values[row - 1]?.[snapshot.companyColumn - 1];
    if (company === null || company === undefined || String(company).trim() === "") return null;
    const kind = statusKind(status);
    if (mode === "refresh") return kind === "researching" ? null : STATUS.queuedIgnoringCache;
    return kind === "done" || kind === "cached" || kind === "queued" || kind === "researching" ? null : STATUS.queued;
  });
  addQueueSheet(queueSheet);
  const resumed = resumePausedRows();
  activateRun();
  const message = queued + resumed > 0 ? `Queued ${queued + resumed} row(s) for research.` : "Nothing to queue: the selected rows are done already (use Re-research to research them again).";
  toast(message);
  showSidebarSafely();
  return { ok: true, message, queued: queued + resumed };
}

export function retryFailed(): CommandResult {
  const sheets = [...loadQueueSheets()];
  const active = SpreadsheetApp.getActiveSpreadsheet().getActiveSheet();
  if (active.getName() !== CACHE_SHEET_NAME && !sheets.some((s) => s.name === active.getName())) sheets.push({ name: active.getName(), fallbackCompanyColumn: 1 });
  const queued = rewriteStatuses(sheets, (status) => {
    const kind = statusKind(status);
    return kind === "error" || kind === "noData" || kind === "paused" ? STATUS.queued : null;
  });
  if (queued > 0) {
    for (const sheet of sheets) if (!loadQueueSheets().some((s) => s.name === sheet.name)) addQueueSheet(sheet);
    activateRun();
  }
  const message = queued > 0 ? `Queued ${queued} failed row(s) again.` : "No failed rows to retry.";
  toast(message);
  return { ok: true, message, queued };
}

export function resume(): CommandResult {
  const queued = resumePausedRows();
  activateRun();
  return { ok: true, message: `Resumed ${queued} row(s).`, queued };
}

export function cancel(): CommandResult {
  let cancelled = 0;
  const done = withRunLock(() => {
    cancelled = rewriteStatuses(loadQueueSheets(), (status) => {
      const kind = statusKind(status);
      // With the lock held no worker is running, so Researching rows are stale ones.
      return kind === "queued" || kind === "researching" || kind === "paused" ? STATUS.cancelled : null;
    });
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
