// Which cells a read or write has to carry. A range call costs time for every cell it carries, so a
// row whose earlier content is known is written only where it changes, and reads and writes cover
// the cells a step needs in as few calls as pay.
import { consecutiveRuns } from "./sheet-layout";

/**
 * What one more range call costs, counted in cells carried. "Don't make several calls when you can
 * do it in one" is Google's first rule for spreadsheet scripts; a call flushed costs about 30 ms,
 * as much as 200 cells written or 1,000 read (0.15 ms and 0.03 ms a cell: the measurements the
 * local runtime's CELL_MS cites). A span is split, or a sheet read by parts, only where that saves
 * more than this.
 */
export const CALL_COST_IN_CELLS = { read: 1000, write: 200 } as const;

/**
 * The 1-based columns whose value in `next` differs from `before`; a cell missing from `before`
 * counts as blank. `before` null (content unknown): every column of `next`.
 */
export function changedColumns(before: readonly unknown[] | null, next: readonly unknown[]): number[] {
  const columns: number[] = [];
  next.forEach((value, i) => {
    if (before === null || (before[i] ?? "") !== value) columns.push(i + 1);
  });
  return columns;
}

/**
 * Spans [first, count] covering `numbers` (rows or columns). Two spans are joined when carrying the
 * cells between them (`gap` times `cellsPerGap`, the cells of each row or column skipped) costs
 * less than another call of `callCells` cells.
 */
export function coveringSpans(numbers: Iterable<number>, cellsPerGap: number, callCells: number): [number, number][] {
  const spans: [number, number][] = [];
  for (const [start, count] of consecutiveRuns(numbers)) {
    const last = spans[spans.length - 1];
    const gap = last ? start - (last[0] + last[1]) : 0;
    if (last && gap * cellsPerGap < callCells) last[1] = start + count - last[0];
    else spans.push([start, count]);
  }
  return spans;
}
