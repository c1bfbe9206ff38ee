/** A rectangle of a sheet, 1-based like Apps Script. */
export interface GridRange {
  row: number;
  col: number;
  numRows: number;
  numCols: number;
}

export function columnLetters(col: number): string {
  let letters = "";
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

export function toA1(range: GridRange): string {
  const start = `${columnLetters(range.col)}${range.row}`;
  if (range.numRows === 1 && range.numCols === 1) return start;
  return `${start}:${columnLetters(range.col + range.numCols - 1)}${range.row + range.numRows - 1}`;
}

/** Splits "'My sheet'!A1:B2" into the sheet name (null when absent) and the reference. */
export function splitSheetName(a1: string): { sheetName: string | null; ref: string } {
  const bang = a1.lastIndexOf("!");
  if (bang < 0) return { sheetName: null, ref: a1 };
  let sheetName = a1.slice(0, bang);
  if (sheetName.startsWith("'") && sheetName.endsWith("'")) sheetName = sheetName.slice(1, -1).replace(/''/g, "'");
  return { sheetName, ref: a1.slice(bang + 1) };
}

const PART = /^\$?([A-Za-z]*)\$?(\d*)$/;

/**
 * Parses a reference without sheet name: "B2", "A1:C3", whole columns "A:B" or "A2:B", whole rows
 * "2:4". Open ends reach the sheet's current size. Returns null when it is not A1 notation.
 */
export function parseRef(ref: string, maxRows: number, maxCols: number): GridRange | null {
  const [first, second, extra] = ref.trim().split(":");
  if (first === undefined || extra !== undefined) return null;
  const a = PART.exec(first);
  const b = PART.exec(second ?? first);
  if (!a || !b) return null;
  const [, aCol = "", aRow = ""] = a;
  const [, bCol = "", bRow = ""] = b;
  if ((!aCol && !aRow) || (!bCol && !bRow)) return null;
  // A single part must name a cell; "A" or "3" alone is not a range.
  if (second === undefined && (!aCol || !aRow)) return null;
  const c1 = aCol ? columnNumber(aCol) : 1;
  const c2 = bCol ? columnNumber(bCol) : maxCols;
  const r1 = aRow ? Number(aRow) : 1;
  const r2 = bRow ? Number(bRow) : maxRows;
  if (r1 < 1 || r2 < 1 || c1 < 1 || c2 < 1) return null;
  const row = Math.min(r1, r2);
  const col = Math.min(c1, c2);
  return { row, col, numRows: Math.abs(r2 - r1) + 1, numCols: Math.abs(c2 - c1) + 1 };
}
