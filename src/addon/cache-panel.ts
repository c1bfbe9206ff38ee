// The sidebar's cache panel: what the hidden cache sheet holds, and clearing all of it or the
// entries older than some days. It reads the cache sheet's own header to find its columns and
// never reads the evidence; it deletes rows of the cache sheet only, never of a user's sheet.
import { LIMITS } from "../core/limits";
import { consecutiveRuns } from "../core/run/sheet-layout";
import { formatCount } from "../core/format";
import type { CacheStats, ClearCacheResult } from "../core/wire";
import { CACHE_SHEET_NAME } from "./cache-sheet";

const DAY_MS = 86_400_000;

interface CacheRow {
  row: number;
  fetchedAt: number;
  status: string;
}

function cacheSheet(): GoogleAppsScript.Spreadsheet.Sheet | null {
  return SpreadsheetApp.getActiveSpreadsheet().getSheetByName(CACHE_SHEET_NAME);
}

/** One read of the header, then the two columns the panel needs. */
function readRows(sheet: GoogleAppsScript.Spreadsheet.Sheet): CacheRow[] {
  const lastRow = sheet.getLastRow();
  const lastColumn = sheet.getLastColumn();
  if (lastRow < 2 || lastColumn < 1) return [];
  const header = (sheet.getRange(1, 1, 1, lastColumn).getValues()[0] ?? []).map((cell) => String(cell));
  const column = (name: string) => header.indexOf(name) + 1;
  const read = (name: string): unknown[] => (column(name) > 0 ? sheet.getRange(2, column(name), lastRow - 1, 1).getValues().map((r) => r[0]) : []);
  const keys = read("key");
  const fetched = read("fetched_at");
  const statuses = read("status");
  const rows: CacheRow[] = [];
  keys.forEach((key, i) => {
    if (String(key ?? "") === "") return;
    const at = fetched[i];
    const fetchedAt = at instanceof Date ? at.getTime() : Date.parse(String(at ?? ""));
    // Rows written before entries had a status are validated ones.
    rows.push({ row: i + 2, fetchedAt: Number.isFinite(fetchedAt) ? fetchedAt : 0, status: String(statuses[i] ?? "") || "validated" });
  });
  return rows;
}

function statsOf(sheet: GoogleAppsScript.Spreadsheet.Sheet | null, rows: readonly CacheRow[]): CacheStats {
  const dated = rows.map((r) => r.fetchedAt).filter((t) => t > 0);
  return {
    companies: rows.filter((r) => r.status === "validated").length,
    noData: rows.filter((r) => r.status === "noData").length,
    unjudged: rows.filter((r) => r.status === "unjudged").length,
    oldestAt: dated.length > 0 ? Math.min(...dated) : 0,
    // Empty cells of a sheet count against the spreadsheet's limit too.
    cells: sheet ? sheet.getMaxRows() * sheet.getMaxColumns() : 0,
    cellLimit: LIMITS.cellsPerSpreadsheet,
  };
}

export function cacheStats(): CacheStats {
  const sheet = cacheSheet();
  return statsOf(sheet, sheet ? readRows(sheet) : []);
}

/**
 * Deletes every entry, or those fetched more than `olderThanDays` days ago. It holds the document
 * lock, so no worker is writing to rows that move up under it.
 */
export function clearCache(olderThanDays: number | null): ClearCacheResult {
  const sheet = cacheSheet();
  if (!sheet) return { removed: 0, message: "The cache is empty.", stats: statsOf(null, []) };
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(5000)) {
    return { removed: 0, message: "A research step is writing to the cache; try again in a minute.", stats: cacheStats() };
  }
  try {
    const rows = readRows(sheet);
    const cutoff = olderThanDays === null ? Number.POSITIVE_INFINITY : Date.now() - Math.max(0, olderThanDays) * DAY_MS;
    const doomed = rows.filter((r) => r.fetchedAt < cutoff).map((r) => r.row);
    // Bottom first, so the row numbers still to delete do not move.
    for (const [start, count] of consecutiveRuns(doomed).reverse()) sheet.deleteRows(start, count);
    const left = rows.length - doomed.length;
    const message =
      doomed.length === 0 ? "No entry was old enough to clear." : `Cleared ${formatCount(doomed.length)} cache entr${doomed.length === 1 ? "y" : "ies"}; ${formatCount(left)} left.`;
    return { removed: doomed.length, message, stats: statsOf(sheet, readRows(sheet)) };
  } finally {
    lock.releaseLock();
  }
}
