// The output columns the add-on owns in a user's sheet, found by their developer-metadata tag, and
// the rows a user selected.
import {
  COLUMN_TAG,
  columnLetter,
  describeClashes,
  holdsOnlyOutputWords,
  OUTPUT_HEADERS,
  planOwnedColumns,
  readColumnTags,
  TIER_COLOURS,
  untaggedOutputBlock,
  type ColumnTags,
  type OutputColumns,
} from "../core/run/sheet-layout";
import { columnClashText, statusKind, type PauseReason } from "../core/status";
import { TIERS } from "../core/types";

type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

/** Tagged columns by output, read with one metadata search; an output tagged twice is a clash, never a guess. */
function taggedColumns(sheet: Sheet): ColumnTags {
  return readColumnTags(
    sheet
      .createDeveloperMetadataFinder()
      .withKey(COLUMN_TAG)
      .find()
      .flatMap((meta) => {
        const column = meta.getLocation().getColumn()?.getColumn();
        return column === undefined ? [] : [{ value: meta.getValue(), column }];
      }),
  );
}

/**
 * The six owned output columns wherever they are now, or null when the add-on owns none (or not all)
 * here, or when two columns claim one output: then nothing of this sheet is written.
 */
export function ownedColumns(sheet: Sheet): OutputColumns | null {
  const { tagged, clashes } = taggedColumns(sheet);
  return clashes.length === 0 && OUTPUT_HEADERS.every((name) => tagged[name] !== undefined) ? (tagged as OutputColumns) : null;
}

/** Which columns of the sheet claim the same output (letters and headers), or null when none do. */
function describeClash(sheet: Sheet, clashes: ColumnTags["clashes"]): (PauseReason & { kind: "columnClash" }) | null {
  if (clashes.length === 0) return null;
  const widest = Math.max(...clashes.flatMap((c) => c.columns));
  const header = sheet.getRange(1, 1, 1, widest).getDisplayValues()[0] ?? [];
  return describeClashes(sheet.getName(), clashes, header);
}

/**
 * The clash that stops a run: two columns of a queue sheet claim one output while rows there wait
 * (Queued or Researching in a column tagged Status). A clash on a sheet with nothing waiting
 * concerns no run, and the sheet is left alone.
 */
export function waitingRowsClash(sheet: Sheet): (PauseReason & { kind: "columnClash" }) | null {
  const { tagged, clashes } = taggedColumns(sheet);
  if (clashes.length === 0) return null;
  const lastRow = sheet.getLastRow();
  const statusColumns = tagged.Status !== undefined ? [tagged.Status] : (clashes.find((c) => c.name === "Status")?.columns ?? []);
  const waiting = (column: number) =>
    lastRow >= 2 &&
    sheet
      .getRange(2, column, lastRow - 1, 1)
      .getValues()
      .some(([cell]) => ["queued", "researching"].includes(statusKind(cell)));
  return statusColumns.some(waiting) ? describeClash(sheet, clashes) : null;
}

/** What the rep is told when the sheet's columns clash and nothing is queued there; null when they do not. */
export function columnClashMessage(sheet: Sheet): string | null {
  const clash = describeClash(sheet, taggedColumns(sheet).clashes);
  return clash ? `Nothing was queued. ${columnClashText(clash.sheet, clash.clashes)}` : null;
}

/**
 * Makes sure the sheet has its six owned columns: adopts empty columns with a matching header,
 * appends the others after the last used column, tags them, and gives a new Tier column its colours.
 * A sheet whose columns clash is refused first (columnClashMessage): this never adds a third claimant.
 */
export function prepareOutputColumns(sheet: Sheet): OutputColumns {
  const { tagged, clashes } = taggedColumns(sheet);
  if (clashes.length > 0) throw new Error(columnClashMessage(sheet) ?? "two columns claim the same output");
  if (OUTPUT_HEADERS.every((name) => tagged[name] !== undefined)) return tagged as OutputColumns;
  const lastColumn = sheet.getLastColumn();
  const lastRow = sheet.getLastRow();
  const header = lastColumn > 0 ? (sheet.getRange(1, 1, 1, lastColumn).getValues()[0] ?? []) : [];
  const earlier = Object.keys(tagged).length === 0 ? earlierVersionColumns(sheet, header, lastRow) : null;
  const plan = planOwnedColumns({
    header,
    lastColumn,
    tagged,
    mayAdopt: (column) =>
      (earlier !== null && column >= earlier && column < earlier + OUTPUT_HEADERS.length) ||
      lastRow < 2 ||
      sheet.getRange(2, column, lastRow - 1, 1).isBlank(),
  });
  const first = plan.appended[0];
  if (first) {
    const missing = first.column + plan.appended.length - 1 - sheet.getMaxColumns();
    if (missing > 0) sheet.insertColumnsAfter(sheet.getMaxColumns(), missing);
    sheet.getRange(1, first.column, 1, plan.appended.length).setValues([plan.appended.map((a) => a.header)]);
  }
  for (const { name, column } of [...plan.adopted, ...plan.appended]) {
    // "E:E" names the whole column, where Sheets keeps metadata that moves with it.
    const letter = columnLetter(column);
    sheet.getRange(`${letter}:${letter}`).addDeveloperMetadata(COLUMN_TAG, name);
  }
  if (tagged.Tier === undefined) colourTiers(sheet, plan.columns.Tier);
  return plan.columns;
}

/**
 * The first column of the six an earlier version of the add-on wrote without tagging them, when
 * their Tier and Status cells show it (two column reads), else null.
 */
function earlierVersionColumns(sheet: Sheet, header: readonly unknown[], lastRow: number): number | null {
  const first = untaggedOutputBlock(header);
  if (first === null || lastRow < 2) return null;
  const column = (offset: number) =>
    sheet
      .getRange(2, first + offset, lastRow - 1, 1)
      .getValues()
      .map((r) => r[0]);
  const written = holdsOnlyOutputWords(column(OUTPUT_HEADERS.indexOf("Tier")), column(OUTPUT_HEADERS.indexOf("Status")));
  return written ? first : null;
}

/** Conditional-format rules on the Tier column, added once when the column becomes ours. */
function colourTiers(sheet: Sheet, column: number): void {
  const maxRows = sheet.getMaxRows();
  if (maxRows < 2) return;
  const range = sheet.getRange(2, column, maxRows - 1, 1);
  const rules = TIERS.map((tier) =>
    SpreadsheetApp.newConditionalFormatRule()
      .whenTextEqualTo(tier)
      .setBackground(TIER_COLOURS[tier].background)
      .setFontColor(TIER_COLOURS[tier].text)
      .setRanges([range])
      .build(),
  );
  sheet.setConditionalFormatRules([...sheet.getConditionalFormatRules(), ...rules]);
}

/** A cell as a condition sees it: its value (dates by their time) and the text Sheets shows. */
function cellKey(value: unknown, shown: string): string {
  const raw = value instanceof Date ? value.getTime() : value;
  return JSON.stringify([typeof value, raw, shown]);
}

/**
 * Whether a row is hidden by the sheet's filter, asking Google as little as it allows. Apps Script
 * reads a filter's criteria one column at a time and answers isRowHiddenByFilter one row at a time;
 * it has no call for many rows. So a filter with no criteria hides nothing and no row is asked;
 * criteria by values are evaluated on one read per column; a condition's verdict depends only on
 * the cell of its column, so rows are grouped by their cells in the condition columns and one row of
 * each group is asked. Only a custom formula (which may read any cell) or criteria of another kind
 * (by colour) are asked row by row. Sheets applies a filter when it is set, not when a cell changes
 * later, so a row edited since may differ from its group: Google offers no call that would tell.
 */
function filterHides(sheet: Sheet, rows: readonly number[]): (row: number) => boolean {
  const filter = sheet.getFilter();
  if (!filter || rows.length === 0) return () => false;
  const range = filter.getRange();
  const top = range.getRow() + 1;
  const bottom = range.getLastRow();
  const inside = rows.filter((r) => r >= top && r <= bottom);
  if (inside.length === 0) return () => false;
  const first = Math.min(...inside);
  const last = Math.max(...inside);
  const byValues: { column: number; hidden: Set<string>; visible: Set<string> | null }[] = [];
  const byCondition: number[] = [];
  let rowByRow = false;
  for (let column = range.getColumn(); column <= range.getLastColumn(); column++) {
    const criteria = filter.getColumnFilterCriteria(column);
    if (!criteria) continue;
    const type = criteria.getCriteriaType();
    const hidden = criteria.getHiddenValues();
    const visible = criteria.getVisibleValues();
    if (hidden.length > 0 || visible.length > 0) {
      byValues.push({ column, hidden: new Set(hidden), visible: visible.length > 0 ? new Set(visible) : null });
    }
    if (type === SpreadsheetApp.BooleanCriteria.CUSTOM_FORMULA || (type === null && hidden.length === 0 && visible.length === 0))
      rowByRow = true;
    else if (type !== null) byCondition.push(column);
  }
  if (byValues.length === 0 && byCondition.length === 0 && !rowByRow) return () => false;

  const cells = (column: number) => sheet.getRange(first, column, last - first + 1, 1);
  const shownOf = new Map(byValues.map(({ column }) => [column, cells(column).getDisplayValues()]));
  const hiddenByValues = (row: number): boolean =>
    byValues.some(({ column, hidden, visible }) => {
      const value = shownOf.get(column)?.[row - first]?.[0] ?? "";
      return hidden.has(value) || (visible !== null && !visible.has(value));
    });
  const asked = new Map<number, boolean>();
  const ask = (row: number): boolean => {
    let hidden = asked.get(row);
    if (hidden === undefined) asked.set(row, (hidden = sheet.isRowHiddenByFilter(row)));
    return hidden;
  };
  if (rowByRow) return (row) => row >= first && row <= last && (hiddenByValues(row) || ask(row));

  const conditionCells = byCondition.map((column) => ({ values: cells(column).getValues(), shown: cells(column).getDisplayValues() }));
  const keyOf = (row: number) =>
    conditionCells.map(({ values, shown }) => cellKey(values[row - first]?.[0], shown[row - first]?.[0] ?? "")).join("\n");
  const verdicts = new Map<string, boolean>();
  return (row) => {
    if (row < first || row > last) return false;
    if (hiddenByValues(row)) return true;
    if (byCondition.length === 0) return false;
    // The first row asked of a group answers for all of it: not hidden by values, so its verdict is the condition's.
    const key = keyOf(row);
    let hidden = verdicts.get(key);
    if (hidden === undefined) verdicts.set(key, (hidden = ask(row)));
    return hidden;
  };
}

/**
 * The rows of the user's selection on `sheet` (below the header, within the data, not hidden by a
 * filter) and the leftmost selected column.
 */
export function selectedRowNumbers(sheet: Sheet): { rows: Set<number>; leftmostColumn: number } {
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
  const hidden = filterHides(sheet, [...rows]);
  for (const row of [...rows]) if (hidden(row)) rows.delete(row);
  return { rows, leftmostColumn: Number.isFinite(leftmostColumn) ? leftmostColumn : 1 };
}
