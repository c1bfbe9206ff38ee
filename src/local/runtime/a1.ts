/**
 * A rectangle of a sheet, 1-based like Apps Script. `openRows` marks a range named by whole columns
 * ("D:F", every row), `openColumns` one named by whole rows ("5:7"): Google writes them back that way.
 */
export interface GridRange {
  row: number;
  col: number;
  numRows: number;
  numCols: number;
  openRows?: boolean;
  openColumns?: boolean;
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

/**
 * A1 notation as Range.getA1Notation gives it: whole columns as "D:F" and whole rows as "5:7"
 * (gas-fakes test/testsheetsdeveloper.js, "A1 Notation Range Parsing", recorded on Google).
 */
export function toA1(range: GridRange): string {
  const lastCol = columnLetters(range.col + range.numCols - 1);
  const lastRow = range.row + range.numRows - 1;
  if (range.openRows) return `${columnLetters(range.col)}:${lastCol}`;
  if (range.openColumns) return `${range.row}:${lastRow}`;
  const start = `${columnLetters(range.col)}${range.row}`;
  if (range.numRows === 1 && range.numCols === 1) return start;
  return `${start}:${lastCol}${lastRow}`;
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
const R1C1_PART = /^R(\d+)C(\d+)$/i;

function span(r1: number, c1: number, r2: number, c2: number): GridRange {
  return { row: Math.min(r1, r2), col: Math.min(c1, c2), numRows: Math.abs(r2 - r1) + 1, numCols: Math.abs(c2 - c1) + 1 };
}

/**
 * Absolute R1C1 ("R5C3", "r2c2:r4c5"), which Sheet.getRange accepts besides A1 (gas-fakes
 * test/testsheets.js, "getRange with R1C1 notation", recorded on Google); "RC1" is not R1C1 but
 * the A1 cell of column RC.
 */
function parseR1C1(first: string, second: string | undefined): GridRange | null {
  const a = R1C1_PART.exec(first);
  const b = R1C1_PART.exec(second ?? first);
  if (!a || !b) return null;
  const [r1, c1, r2, c2] = [a[1], a[2], b[1], b[2]].map(Number) as [number, number, number, number];
  if (Math.min(r1, c1, r2, c2) < 1) return null;
  return span(r1, c1, r2, c2);
}

/**
 * Parses a reference without sheet name: "B2", "A1:C3", whole columns "A:B" or "A2:B", whole rows
 * "2:4", or absolute R1C1. Open ends reach the sheet's current size; an inverted range is put
 * right ("C5:B2" is B2:C5). Returns null when it is none of these.
 */
export function parseRef(ref: string, maxRows: number, maxCols: number): GridRange | null {
  const [first, second, extra] = ref.trim().split(":");
  if (first === undefined || extra !== undefined) return null;
  const r1c1 = parseR1C1(first, second);
  if (r1c1) return r1c1;
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
  const range = span(r1, c1, r2, c2);
  if (!aRow && !bRow) range.openRows = true;
  if (!aCol && !bCol) range.openColumns = true;
  return range;
}

// A cell reference inside a formula: not part of a name ("LOG10(" is a function, "A1B" no reference).
const FORMULA_REF = /(?<![A-Za-z0-9_.$])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_(])/g;

/**
 * A formula as Sheets enters it `rows` below and `cols` right of where it was written: relative
 * references move, absolute ones ($A$1) stay, text in quotes is left alone. Range.setFormula on a
 * block does this for every cell (gas-fakes test/testsheets.js, "setting and repeating cell
 * formats": "=A1" set on a 2x2 block reads back as =A1, =B1 / =A2, =B2 on Google).
 */
export function shiftFormula(formula: string, rows: number, cols: number): string {
  if (rows === 0 && cols === 0) return formula;
  return formula
    .split(/("(?:[^"]|"")*")/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(FORMULA_REF, (ref: string, colAbs: string, letters: string, rowAbs: string, digits: string) => {
            const col = colAbs ? columnNumber(letters) : columnNumber(letters) + cols;
            const row = rowAbs ? Number(digits) : Number(digits) + rows;
            return col < 1 || row < 1 ? ref : `${colAbs}${columnLetters(col)}${rowAbs}${row}`;
          }),
    )
    .join("");
}
