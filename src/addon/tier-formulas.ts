// The end-of-run refresh of the spreadsheet's =TERRITORY_TIER formulas: Sheets recalculates a
// custom function only when its arguments change, so cells answered before a run are entered again.
import { CACHE_SHEET_NAME } from "./cache-sheet";

const CALLS_TERRITORY_TIER = /\bTERRITORY_TIER\s*\(/i;

type Rect = [row: number, column: number, height: number, width: number];

/** Rectangles (1-based) covering exactly the marked cells: runs of a row, stacked on the same runs of the rows above. */
function rectangles(marked: boolean[][]): Rect[] {
  const done: Rect[] = [];
  let open = new Map<string, Rect>();
  marked.forEach((row, r) => {
    const next = new Map<string, Rect>();
    for (let c = 0; c < row.length; c++) {
      if (!row[c]) continue;
      let end = c;
      while (row[end + 1]) end++;
      const id = `${c}:${end}`;
      const above = open.get(id);
      if (above) {
        above[2] += 1;
        open.delete(id);
        next.set(id, above);
      } else next.set(id, [r + 1, c + 1, 1, end - c + 1]);
      c = end;
    }
    done.push(...open.values());
    open = next;
  });
  return [...done, ...open.values()];
}

/**
 * Sheets recalculates a custom function only when its arguments change, so a range answered before
 * a run would keep "Not researched yet": every formula of the document that calls TERRITORY_TIER is
 * entered again (cleared, then restored), one read per sheet and two writes per block of them.
 * Returns how many formulas were re-entered.
 */
export function refreshTierFormulas(): number {
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  const blocks: { range: GoogleAppsScript.Spreadsheet.Range; formulas: string[][] }[] = [];
  for (const sheet of spreadsheet.getSheets()) {
    if (sheet.getName() === CACHE_SHEET_NAME) continue;
    const lastRow = sheet.getLastRow();
    const lastColumn = sheet.getLastColumn();
    if (lastRow === 0 || lastColumn === 0) continue;
    const formulas = sheet.getRange(1, 1, lastRow, lastColumn).getFormulas();
    const marked = formulas.map((row) => row.map((f) => CALLS_TERRITORY_TIER.test(f)));
    for (const [row, column, height, width] of rectangles(marked)) {
      const block = formulas.slice(row - 1, row - 1 + height).map((r) => r.slice(column - 1, column - 1 + width));
      blocks.push({ range: sheet.getRange(row, column, height, width), formulas: block });
    }
  }
  // A block this user may not edit (a protected range) keeps its formula as it is: refreshing is a
  // courtesy, and a throw here would leave the run unfinished for good.
  const cleared = blocks.filter(({ range, formulas }) => {
    try {
      range.setFormulas(formulas.map((r) => r.map(() => "")));
      return true;
    } catch {
      return false;
    }
  });
  if (cleared.length === 0) return 0;
  SpreadsheetApp.flush();
  for (const { range, formulas } of cleared) range.setFormulas(formulas);
  return cleared.reduce((n, b) => n + b.formulas.length * (b.formulas[0]?.length ?? 0), 0);
}
