// What the demo needs to know about the table before handing it to the add-on: which column holds
// the companies (SPEC §3, the same rule the add-on applies) and which rows to select.

const COMPANY_HEADERS = ["company", "companyname", "name", "organization", "account"];

/** Header text folded the way SPEC §3 compares headers: case, spaces and underscores ignored. */
export function foldHeader(header: string): string {
  return header.toLowerCase().replace(/[\s_]+/g, "");
}

export interface CompanyColumn {
  /** 0-based. */
  index: number;
  header: string;
  /** False when no header matched and the leftmost column was taken, as the add-on does. */
  byHeader: boolean;
}

export function findCompanyColumn(header: readonly string[]): CompanyColumn {
  const index = header.findIndex((h) => COMPANY_HEADERS.includes(foldHeader(h)));
  if (index >= 0) return { index, header: header[index] ?? "", byHeader: true };
  return { index: 0, header: header[0] ?? "", byHeader: false };
}

/** Column letters of a 1-based column number, as in A1 notation (1 -> A, 27 -> AA). */
export function columnLetters(column: number): string {
  let n = column;
  let letters = "";
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** A1 range of every data row (row 2 to the last row) across all columns: what a user would select. */
export function dataRange(rowCount: number, columnCount: number): string {
  return `A2:${columnLetters(Math.max(1, columnCount))}${rowCount}`;
}

/** Number of data rows whose company cell is not blank. */
export function countCompanies(rows: readonly (readonly string[])[], column: number): number {
  return rows.slice(1).filter((row) => (row[column] ?? "").trim() !== "").length;
}
