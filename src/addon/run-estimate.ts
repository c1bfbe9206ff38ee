// The plan of a command that queues paid work (Research, Re-research, Retry failed rows, Resume):
// which rows of which sheets it would queue, read before anything is written, and its estimate
// from the sheet and the cache. The menu asks with an alert when the estimate calls for it; the
// sidebar shows the same figures before its Start button and sends back the plan's id.
import { estimateCompanyCostUsd, isFresh } from "../core/engine";
import { companyKey } from "../core/company-key";
import { clip } from "../core/format";
import { normaliseDomain } from "../core/names";
import {
  cacheAnswer,
  describeEstimate,
  estimateRun,
  needsConfirmation,
  planText,
  SHOWN_NAMES,
  type CacheAnswer,
  type CacheSummary,
  type PlannedRowId,
} from "../core/run/estimate";
import { nextStatusText, readStatus, type RowEvent } from "../core/run/row-status";
import { columnLetter, findCompanyColumn } from "../core/run/sheet-layout";
import { ADVANCED_SEARCH_CREDITS } from "../core/costs";
import type { Settings } from "../core/settings";
import { statusKind } from "../core/status";
import type { ColumnChoice, ColumnShown, QueueAction, RunEstimate } from "../core/wire";
import { PROFILES } from "../core/types";
import { cacheRows, type CacheRow } from "./cache-panel";
import type { QueueSheet } from "./run-state";
import { cellAt, cellText, headerOf, readSnapshot, type SheetSnapshot } from "./sheet-io";

type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

/** A row the command would queue. */
export interface PlannedRow {
  sheet: string;
  sheetId: number;
  row: number;
  company: string;
  domain: string | null;
  key: string;
  /** What the command does to it, and the Status that gives. */
  event: RowEvent;
  status: string;
  /** The Status it gets ignores the cache (Re-research, or a retried row that found nothing). */
  refresh: boolean;
  /** It was paused. */
  resumed: boolean;
  /** It was waiting in a run this user takes over, and goes on. */
  takenOver: boolean;
  /** Its last research found nothing reliable. */
  foundNothing: boolean;
}

/** The selected rows of the active sheet, for Research and Re-research. */
export interface SelectedRows {
  sheet: Sheet;
  rows: ReadonlySet<number>;
  leftmostColumn: number;
  /** Selected columns within the data. */
  columns: readonly number[];
  /** The company column the rep chose when no header names one; null for none. */
  chosenColumn: number | null;
}

export interface QueuePlan {
  action: QueueAction;
  rows: PlannedRow[];
  /** The sheets with rows to queue, each with the column used when no header names one. */
  sheets: QueueSheet[];
  columns: ColumnShown[];
  columnChoice: ColumnChoice | null;
  /** Whose run this user takes over (they left it for a day), or null. */
  takenOverFrom: string | null;
}

/** Columns offered when the rep must choose, at most. */
const COLUMN_OPTIONS = 12;
const NAME_CHARS = 40;

/** What the command does to a row of a sheet it sweeps: an event, or null to leave it alone. */
type Sweep = (row: number) => RowEvent | null;

/**
 * The event of each command on the rows it was pointed at (the selection, or for Retry the active
 * sheet), and on every row of the queue sheets: paused rows go on whatever queues more work.
 */
const ACTION_EVENTS: Record<QueueAction, { active: RowEvent; others: RowEvent }> = {
  research: { active: { kind: "queue" }, others: { kind: "resume" } },
  refresh: { active: { kind: "queueIgnoringCache" }, others: { kind: "resume" } },
  retry: { active: { kind: "retry" }, others: { kind: "retry" } },
  resume: { active: { kind: "resume" }, others: { kind: "resume" } },
};

/** The first distinct names of a column in these rows: one more than a line shows. */
function firstNames(snapshot: SheetSnapshot, column: number, rows: Iterable<number>): string[] {
  const names = new Set<string>();
  for (const row of rows) {
    const name = cellText(cellAt(snapshot, row, column));
    if (name !== "") names.add(clip(name, NAME_CHARS));
    if (names.size > SHOWN_NAMES) break;
  }
  return [...names];
}

/**
 * When no header names the company column and the selection spans several columns, the columns the
 * rep may choose from (not the add-on's own), and the one chosen if it is one of them.
 */
function columnChoiceOf(snapshot: SheetSnapshot, selected: SelectedRows): ColumnChoice | null {
  const header = headerOf(snapshot);
  if (findCompanyColumn(header) !== null) return null;
  const owned = new Set(Object.values(snapshot.outputs ?? {}));
  const columns = selected.columns.filter((c) => !owned.has(c)).slice(0, COLUMN_OPTIONS);
  if (columns.length < 2) return null;
  const rows = [...selected.rows].sort((a, b) => a - b);
  const options = columns.map((column) => ({
    column,
    letter: columnLetter(column),
    header: clip(cellText(header[column - 1]), NAME_CHARS),
    names: firstNames(snapshot, column, rows),
  }));
  const chosen = options.some((o) => o.column === selected.chosenColumn) ? selected.chosenColumn : null;
  return { chosen, options };
}

const TAKE_OVER: RowEvent = { kind: "takeOver" };

/**
 * The rows of one sheet the sweep queues, each with a company. `takingOver`: a queue sheet of a run
 * this user takes over, whose rows waiting there join the plan as they are.
 */
function plannedRows(snapshot: SheetSnapshot, sweep: Sweep, settings: Settings, takingOver: boolean): PlannedRow[] {
  const statusColumn = snapshot.outputs?.Status ?? null;
  const sheetId = snapshot.sheet.getSheetId();
  const planned: PlannedRow[] = [];
  for (let row = 2; row <= snapshot.lastRow; row++) {
    const swept = sweep(row);
    if (swept === null) continue;
    const current = statusColumn === null ? "" : cellAt(snapshot, row, statusColumn);
    // A row the command itself leaves alone may be one the run taken over left waiting.
    const event = takingOver && nextStatusText(current, swept) === null ? TAKE_OVER : swept;
    const status = nextStatusText(current, event);
    const company = cellText(cellAt(snapshot, row, snapshot.companyColumn));
    if (status === null || company === "") continue;
    const domain = snapshot.websiteColumn ? normaliseDomain(cellText(cellAt(snapshot, row, snapshot.websiteColumn))) : null;
    const kind = statusKind(current);
    planned.push({
      sheet: snapshot.name,
      sheetId,
      row,
      company,
      domain,
      key: companyKey(settings.profile, company, domain),
      event,
      status,
      refresh: readStatus(status).refresh,
      resumed: kind === "paused",
      takenOver: event === TAKE_OVER,
      foundNothing: kind === "noData",
    });
  }
  return planned;
}

/**
 * What the command would queue: for Research and Re-research the selected rows and the paused rows
 * of every queue sheet (they go on too); for Retry the failed and paused rows of the queue sheets and
 * of the active sheet; for Resume the paused rows. When this user takes over the run of another who
 * left it for a day (`takenOverFrom`), the rows waiting in its queue sheets join every plan. Read
 * from the sheets, nothing written.
 */
export function planQueue(
  action: QueueAction,
  settings: Settings,
  queueSheets: readonly QueueSheet[],
  active: { sheet: Sheet; selected: SelectedRows | null } | null,
  takenOverFrom: string | null,
): QueuePlan {
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  const sheets: { queueSheet: QueueSheet; sheet: Sheet; sweep: Sweep; selected: SelectedRows | null; queued: boolean }[] = [];
  const own = ACTION_EVENTS[action];
  if (active) {
    const name = active.sheet.getName();
    const known = queueSheets.some((s) => s.name === name);
    const selected = active.selected;
    const fallbackCompanyColumn = selected
      ? (selected.chosenColumn ?? selected.leftmostColumn)
      : (queueSheets.find((s) => s.name === name)?.fallbackCompanyColumn ?? 1);
    // The selected rows take the command's event; the others of a queue sheet what every queue sheet gets.
    const sweep: Sweep = selected ? (row) => (selected.rows.has(row) ? own.active : known ? own.others : null) : () => own.active;
    sheets.push({ queueSheet: { name, fallbackCompanyColumn }, sheet: active.sheet, sweep, selected, queued: known });
  }
  for (const queueSheet of queueSheets) {
    if (sheets.some((s) => s.queueSheet.name === queueSheet.name)) continue;
    const sheet = spreadsheet.getSheetByName(queueSheet.name);
    if (sheet) sheets.push({ queueSheet, sheet, sweep: () => own.others, selected: null, queued: true });
  }

  const plan: QueuePlan = { action, rows: [], sheets: [], columns: [], columnChoice: null, takenOverFrom };
  for (const { queueSheet, sheet, sweep, selected, queued } of sheets) {
    const snapshot = readSnapshot(sheet, queueSheet.fallbackCompanyColumn);
    if (selected) plan.columnChoice = columnChoiceOf(snapshot, selected);
    const rows = plannedRows(snapshot, sweep, settings, queued && takenOverFrom !== null);
    if (rows.length === 0) continue;
    plan.sheets.push(queueSheet);
    plan.rows.push(...rows);
    const header = headerOf(snapshot);
    plan.columns.push({
      sheet: snapshot.name,
      letter: columnLetter(snapshot.companyColumn),
      header: clip(cellText(header[snapshot.companyColumn - 1]), NAME_CHARS),
      byHeader: findCompanyColumn(header) !== null,
      names: firstNames(
        snapshot,
        snapshot.companyColumn,
        rows.map((r) => r.row),
      ),
    });
  }
  return plan;
}

/**
 * Hashed as UTF-8: Google's digest of a string defaults to US_ASCII, which turns every non-Latin
 * letter into "?", and two plans of different companies would share one id.
 */
function planId(text: string): string {
  return Utilities.base64EncodeWebSafe(Utilities.computeDigest(Utilities.DigestAlgorithm.SHA_256, text, Utilities.Charset.UTF_8));
}

/** The plan's estimate, with the cache read for the companies that may use it (without their evidence). */
export function estimatePlan(plan: QueuePlan, settings: Settings, now = Date.now()): RunEstimate {
  const companies = new Map<string, { refresh: boolean; foundNothing: boolean }>();
  for (const row of plan.rows) {
    const known = companies.get(row.key);
    companies.set(row.key, {
      refresh: row.refresh || (known?.refresh ?? false),
      foundNothing: row.foundNothing || (known?.foundNothing ?? false),
    });
  }
  // A company researched ignoring the cache does not read it.
  const cached = cacheRows([...companies].filter(([, c]) => !c.refresh).map(([key]) => key));
  const answers = new Map<string, CacheAnswer>();
  for (const [key, company] of companies) {
    const row: CacheRow | undefined = company.refresh ? undefined : cached.get(key);
    const profile = PROFILES.find((p) => p === row?.profile) ?? null;
    const summary: CacheSummary | null =
      row && isFresh(row, settings, now)
        ? { status: row.status, hasEvidence: row.hasEvidence, resultProfile: row.model ? profile : null, resultModel: row.model || null }
        : null;
    answers.set(key, cacheAnswer(summary, settings.profile, settings.llmModel));
  }
  const researchUsd = estimateCompanyCostUsd(settings);
  const estimate = estimateRun({
    action: plan.action,
    rows: plan.rows.length,
    resumed: plan.rows.filter((r) => r.resumed).length,
    takenOver: plan.takenOverFrom === null ? null : { from: plan.takenOverFrom, rows: plan.rows.filter((r) => r.takenOver).length },
    companies: [...companies].map(([key, c]) => ({ answer: answers.get(key) ?? "research", foundNothingBefore: c.foundNothing })),
    prices: { researchUsd, judgeUsd: Math.max(0, researchUsd - ADVANCED_SEARCH_CREDITS * settings.tavilyPricePerCredit) },
    limits: settings,
    thresholds: { budgetUsd: settings.jobBudgetUsd, confirmAboveUsd: settings.confirmAboveUsd },
    columns: plan.columns,
    columnChoice: plan.columnChoice,
  });
  const ids: PlannedRowId[] = plan.rows.map((r) => ({
    sheetId: r.sheetId,
    row: r.row,
    key: r.key,
    status: r.status,
    answer: answers.get(r.key) ?? "research",
  }));
  return { ...estimate, planId: planId(planText(estimate, ids)) };
}

/** Asks with a YES/NO alert when the estimate calls for it; false queues nothing. */
export function confirmWithAlert(estimate: RunEstimate): boolean {
  if (!needsConfirmation(estimate)) return true;
  try {
    const ui = SpreadsheetApp.getUi();
    const { title, lines } = describeEstimate(estimate);
    return ui.alert(title, lines.join("\n"), ui.ButtonSet.YES_NO) === ui.Button.YES;
  } catch {
    // No one to ask (no UI in this context): spend nothing.
    return false;
  }
}
