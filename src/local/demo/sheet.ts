// What the demo needs to know about the table before handing it to the add-on: which column holds
// the companies (the same header rule the add-on applies) and which rows to select.

import { columnLetter, consecutiveRuns, findCompanyColumn as findCompanyColumnNumber, normaliseHeader } from "../../core/run/sheet-layout";

/** Header text folded the way the add-on compares headers: case, spaces and underscores ignored. */
export const foldHeader = (header: string): string => normaliseHeader(header);
/** Column letters of a 1-based column number, as in A1 notation (1 -> A, 27 -> AA). */
export const columnLetters = columnLetter;

export interface CompanyColumn {
  /** 0-based. */
  index: number;
  header: string;
  /** False when no header matched and the leftmost column was taken, as the add-on does. */
  byHeader: boolean;
}

export function findCompanyColumn(header: readonly string[]): CompanyColumn {
  const column = findCompanyColumnNumber(header);
  const index = column === null ? 0 : column - 1;
  return { index, header: header[index] ?? "", byHeader: column !== null };
}

/** A1 range of every data row (row 2 to the last row) across all columns: what a user would select. */
export function dataRange(rowCount: number, columnCount: number): string {
  return `A2:${columnLetters(Math.max(1, columnCount))}${rowCount}`;
}

/** A1 ranges from the first to the last column covering these row numbers, one per run of consecutive rows. */
export function rowRanges(rows: Iterable<number>, lastColumn: number, firstColumn = 1): string[] {
  const first = columnLetters(Math.max(1, firstColumn));
  const last = columnLetters(Math.max(1, firstColumn, lastColumn));
  return consecutiveRuns(rows).map(([start, count]) => `${first}${start}:${last}${start + count - 1}`);
}

/** Number of data rows whose company cell is not blank. */
export function countCompanies(rows: readonly (readonly string[])[], column: number): number {
  return rows.slice(1).filter((row) => (row[column] ?? "").trim() !== "").length;
}
