// Which cells the end-of-run refresh re-enters, in blocks small enough to journal: every formula
// that calls TERRITORY_TIER, as rectangles, each cut so that its formulas fit one document property.
import { utf8Bytes } from "./run/run-state";

const CALLS_TERRITORY_TIER = /\bTERRITORY_TIER\s*\(/i;

export function callsTerritoryTier(formula: string): boolean {
  return CALLS_TERRITORY_TIER.test(formula);
}

/** A block of formulas at (row, column), 1-based. */
export interface FormulaBlock {
  row: number;
  column: number;
  formulas: string[][];
}

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

const bytesOf = (formulas: string[][]) => utf8Bytes(JSON.stringify(formulas));

/** A rectangle cut into blocks of whole rows under `maxBytes`; a row too large alone goes cell by cell, and a cell too large is left out. */
function cut(block: FormulaBlock, maxBytes: number): FormulaBlock[] {
  const blocks: FormulaBlock[] = [];
  let rows: string[][] = [];
  let top = block.row;
  const flush = () => {
    if (rows.length > 0) blocks.push({ row: top, column: block.column, formulas: rows });
    rows = [];
  };
  block.formulas.forEach((line, i) => {
    const row = block.row + i;
    if (bytesOf([line]) > maxBytes) {
      flush();
      line.forEach((formula, c) => {
        if (bytesOf([[formula]]) <= maxBytes) blocks.push({ row, column: block.column + c, formulas: [[formula]] });
      });
      top = row + 1;
      return;
    }
    if (rows.length > 0 && bytesOf([...rows, line]) > maxBytes) flush();
    if (rows.length === 0) top = row;
    rows.push(line);
  });
  flush();
  return blocks;
}

/**
 * The blocks of a sheet's formulas (read from A1) that call TERRITORY_TIER, each one's formulas
 * under `maxBytes` as JSON, in sheet order.
 */
export function formulaBlocks(formulas: readonly (readonly string[])[], maxBytes: number): FormulaBlock[] {
  const marked = formulas.map((row) => row.map(callsTerritoryTier));
  return rectangles(marked)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .flatMap(([row, column, height, width]) =>
      cut(
        { row, column, formulas: formulas.slice(row - 1, row - 1 + height).map((r) => r.slice(column - 1, column - 1 + width)) },
        maxBytes,
      ),
    );
}
