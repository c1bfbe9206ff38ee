// Reading a user's sheet in one call and writing output cells with as few calls as possible.
import { columnLetter, consecutiveRuns, findCompanyColumn, findWebsiteColumn, normaliseHeader, OUTPUT_HEADERS, planOutputColumns, type OutputColumns, type OutputHeader } from "../core/run/sheet-layout";

export type CellValue = string | number;

export interface SheetSnapshot {
  sheet: GoogleAppsScript.Spreadsheet.Sheet;
  name: string;
  companyColumn: number;
  websiteColumn: number | null;
  /** Null when the sheet lacks some output header (the worker then leaves it alone). */
  outputs: OutputColumns | null;
  lastRow: number;
  /** values[r - 1][c - 1] is the cell at row r, column c. */
  values: unknown[][];
}

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return String(value).trim();
}

/** The whole used area of a sheet in one getValues. */
export function readSnapshot(sheet: GoogleAppsScript.Spreadsheet.Sheet, fallbackCompanyColumn: number): SheetSnapshot {
  const lastRow = sheet.getLastRow();
  const lastColumn = Math.max(sheet.getLastColumn(), 1);
  const values = lastRow >= 1 ? sheet.getRange(1, 1, lastRow, lastColumn).getValues() : [[]];
  const header = values[0] ?? [];
  const normalised = header.map(normaliseHeader);
  const hasAllOutputs = OUTPUT_HEADERS.every((h) => normalised.includes(normaliseHeader(h)));
  return {
    sheet,
    name: sheet.getName(),
    companyColumn: findCompanyColumn(header) ?? fallbackCompanyColumn,
    websiteColumn: findWebsiteColumn(header),
    outputs: hasAllOutputs ? planOutputColumns(header).columns : null,
    lastRow,
    values,
  };
}

export function cellAt(snapshot: SheetSnapshot, row: number, column: number): unknown {
  return snapshot.values[row - 1]?.[column - 1] ?? "";
}

export type RowUpdate = Partial<Record<OutputHeader, CellValue>>;

/**
 * Writes output cells: one setValues per run of consecutive rows and consecutive output columns.
 * Cells of a touched row that the update leaves out keep the value read in the snapshot.
 */
export function writeRowUpdates(snapshot: SheetSnapshot, updates: Map<number, RowUpdate>): number {
  const outputs = snapshot.outputs;
  if (!outputs || updates.size === 0) return 0;
  const columnRuns = consecutiveRuns(OUTPUT_HEADERS.map((h) => outputs[h]));
  const headerAt = new Map<number, OutputHeader>(OUTPUT_HEADERS.map((h) => [outputs[h], h]));
  let calls = 0;
  for (const [firstRow, rowCount] of consecutiveRuns(updates.keys())) {
    for (const [firstColumn, columnCount] of columnRuns) {
      const block: CellValue[][] = [];
      for (let r = firstRow; r < firstRow + rowCount; r++) {
        const update = updates.get(r) ?? {};
        const line: CellValue[] = [];
        for (let c = firstColumn; c < firstColumn + columnCount; c++) {
          const header = headerAt.get(c);
          const fresh = header ? update[header] : undefined;
          const kept = cellAt(snapshot, r, c);
          line.push(fresh !== undefined ? fresh : typeof kept === "number" ? kept : cellText(kept));
        }
        block.push(line);
      }
      snapshot.sheet.getRange(firstRow, firstColumn, rowCount, columnCount).setValues(block);
      calls++;
    }
  }
  return calls;
}

/** Text format on the text output columns, so that no value the add-on writes becomes a formula. */
export function formatOutputColumnsAsText(sheet: GoogleAppsScript.Spreadsheet.Sheet, outputs: OutputColumns): void {
  const maxRows = sheet.getMaxRows();
  const a1 = OUTPUT_HEADERS.filter((h) => h !== "Score").map((h) => `${columnLetter(outputs[h])}1:${columnLetter(outputs[h])}${maxRows}`);
  sheet.getRangeList(a1).setNumberFormat("@");
}

/**
 * Rewrites the Status of rows in the given sheets: `decide` returns the new Status or null to leave
 * the row alone. Only the Status column is written, one setValues per run of consecutive rows.
 */
export function rewriteStatuses(
  sheets: readonly { name: string; fallbackCompanyColumn: number }[],
  decide: (status: unknown, row: number, snapshot: SheetSnapshot) => string | null,
): number {
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  let changed = 0;
  for (const queueSheet of sheets) {
    const sheet = spreadsheet.getSheetByName(queueSheet.name);
    if (!sheet) continue;
    const snapshot = readSnapshot(sheet, queueSheet.fallbackCompanyColumn);
    const outputs = snapshot.outputs;
    if (!outputs) continue;
    const next = new Map<number, string>();
    for (let row = 2; row <= snapshot.lastRow; row++) {
      const status = decide(cellAt(snapshot, row, outputs.Status), row, snapshot);
      if (status !== null) next.set(row, status);
    }
    for (const [start, count] of consecutiveRuns(next.keys())) {
      const block = Array.from({ length: count }, (_, i) => [next.get(start + i) ?? ""]);
      sheet.getRange(start, outputs.Status, count, 1).setValues(block);
    }
    changed += next.size;
  }
  return changed;
}
