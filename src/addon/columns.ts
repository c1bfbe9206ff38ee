// The output columns the add-on owns in a user's sheet, found by their developer-metadata tag, and
// the rows a user selected.
import {
  COLUMN_TAG,
  columnLetter,
  holdsOnlyOutputWords,
  OUTPUT_HEADERS,
  planOwnedColumns,
  TIER_COLOURS,
  untaggedOutputBlock,
  type OutputColumns,
  type OutputHeader,
} from "../core/run/sheet-layout";
import { TIERS } from "../core/types";

type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

function isOutputHeader(value: unknown): value is OutputHeader {
  return (OUTPUT_HEADERS as readonly unknown[]).includes(value);
}

/** Tagged columns by output, read with one metadata search; the leftmost wins if a tag was copied. */
function taggedColumns(sheet: Sheet): Partial<OutputColumns> {
  const tagged: Partial<OutputColumns> = {};
  for (const meta of sheet.createDeveloperMetadataFinder().withKey(COLUMN_TAG).find()) {
    const name = meta.getValue();
    const column = meta.getLocation().getColumn()?.getColumn();
    if (!isOutputHeader(name) || column === undefined) continue;
    const known = tagged[name];
    if (known === undefined || column < known) tagged[name] = column;
  }
  return tagged;
}

/** The six owned output columns wherever they are now, or null when the add-on owns none (or not all) here. */
export function ownedColumns(sheet: Sheet): OutputColumns | null {
  const tagged = taggedColumns(sheet);
  return OUTPUT_HEADERS.every((name) => tagged[name] !== undefined) ? (tagged as OutputColumns) : null;
}

/**
 * Makes sure the sheet has its six owned columns: adopts empty columns with a matching header,
 * appends the others after the last used column, tags them, and gives a new Tier column its colours.
 */
export function prepareOutputColumns(sheet: Sheet): OutputColumns {
  const tagged = taggedColumns(sheet);
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

/**
 * Whether a row is hidden by the sheet's filter, asking Google as little as possible: rows outside
 * the filter's range never are; a filter "by values" is evaluated on one read per filtered column;
 * only a filter by condition is asked row by row.
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
  const hiddenValues: { column: number; hidden: Set<string>; visible: Set<string> | null }[] = [];
  let byCondition = false;
  for (let column = range.getColumn(); column <= range.getLastColumn(); column++) {
    const criteria = filter.getColumnFilterCriteria(column);
    if (!criteria) continue;
    if (criteria.getCriteriaType() !== null) byCondition = true;
    const visible = criteria.getVisibleValues();
    hiddenValues.push({ column, hidden: new Set(criteria.getHiddenValues()), visible: visible.length > 0 ? new Set(visible) : null });
  }
  if (byCondition || hiddenValues.length === 0) {
    const asked = new Map<number, boolean>();
    return (row) => {
      if (row < top || row > bottom) return false;
      let hidden = asked.get(row);
      if (hidden === undefined) asked.set(row, (hidden = sheet.isRowHiddenByFilter(row)));
      return hidden;
    };
  }
  const shown = hiddenValues.map(({ column, hidden, visible }) => ({
    hidden,
    visible,
    values: sheet.getRange(first, column, last - first + 1, 1).getDisplayValues(),
  }));
  return (row) => {
    if (row < first || row > last) return false;
    return shown.some(({ hidden, visible, values }) => {
      const value = values[row - first]?.[0] ?? "";
      return hidden.has(value) || (visible !== null && !visible.has(value));
    });
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
