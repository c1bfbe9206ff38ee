// The sidebar's cache panel: what the hidden cache sheet holds, and clearing all of it or the
// entries older than some days. It reads the cache sheet's own header to find its columns and
// never reads the evidence; it deletes rows of the cache sheet only (the sheet the add-on tagged,
// never a user's sheet of the same name), and never what a waiting run still needs.
import { clearMessage, planClear } from "../core/cache-clear";
import { LIMITS } from "../core/limits";
import { consecutiveRuns } from "../core/run/sheet-layout";
import type { CacheStatus } from "../core/types";
import type { CacheStats, ClearCacheResult } from "../core/wire";
import { findCacheSheet } from "./cache-sheet";
import { runLock } from "./run-lock";
import { loadRunState } from "./run-state";

const DAY_MS = 86_400_000;

/** A cache row as the panel and the estimate need it: never its evidence. */
export interface CacheRow {
  row: number;
  key: string;
  fetchedAt: number;
  status: CacheStatus;
  profile: string;
  /** The model of the stored result; "" when there is none. */
  model: string;
  hasEvidence: boolean;
}

const STATUSES: readonly string[] = ["validated", "unjudged", "noData"] satisfies CacheStatus[];

/** One read of the header, then one per column needed. */
function readRows(sheet: GoogleAppsScript.Spreadsheet.Sheet): CacheRow[] {
  const lastRow = sheet.getLastRow();
  const lastColumn = sheet.getLastColumn();
  if (lastRow < 2 || lastColumn < 1) return [];
  const header = (sheet.getRange(1, 1, 1, lastColumn).getValues()[0] ?? []).map((cell) => String(cell));
  const read = (name: string): unknown[] => {
    const column = header.indexOf(name) + 1;
    return column > 0
      ? sheet
          .getRange(2, column, lastRow - 1, 1)
          .getValues()
          .map((r) => r[0])
      : [];
  };
  const [keys, fetched, statuses, profiles, models, evidenceCells] = [
    "key",
    "fetched_at",
    "status",
    "profile",
    "model",
    "evidence_cells",
  ].map(read);
  const text = (column: unknown[] | undefined, i: number) => String(column?.[i] ?? "");
  const rows: CacheRow[] = [];
  (keys ?? []).forEach((key, i) => {
    if (String(key ?? "") === "") return;
    const at = fetched?.[i];
    const fetchedAt = at instanceof Date ? at.getTime() : Date.parse(String(at ?? ""));
    // Rows written before entries had a status are validated ones.
    const status = text(statuses, i) || "validated";
    if (!STATUSES.includes(status)) return;
    rows.push({
      row: i + 2,
      key: String(key),
      fetchedAt: Number.isFinite(fetchedAt) ? fetchedAt : 0,
      status: status as CacheStatus,
      profile: text(profiles, i),
      model: text(models, i),
      hasEvidence: Number(evidenceCells?.[i] ?? 0) > 0,
    });
  });
  return rows;
}

/** The cache rows of these keys, read without their evidence (the estimate's light lookup). */
export function cacheRows(keys: readonly string[]): Map<string, CacheRow> {
  const sheet = findCacheSheet();
  const wanted = new Set(keys);
  const found = new Map<string, CacheRow>();
  if (!sheet) return found;
  for (const row of readRows(sheet)) if (wanted.has(row.key)) found.set(row.key, row);
  return found;
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
  const sheet = findCacheSheet();
  return statsOf(sheet, sheet ? readRows(sheet) : []);
}

/**
 * Deletes every entry, or those fetched more than `olderThanDays` whole days ago, except the
 * evidence searched and not yet judged while a run is queued, running or paused: that run judges it
 * without searching again. It holds the run's lock (the document lock, or its stand-in), so no worker
 * is writing to rows that move up under it.
 */
export function clearCache(olderThanDays: number | null): ClearCacheResult {
  const sheet = findCacheSheet();
  if (!sheet) return { removed: 0, message: "The cache is empty.", stats: statsOf(null, []) };
  const lock = runLock();
  if (!lock?.tryLock(5000)) {
    return { removed: 0, message: "A research step is writing to the cache; try again in a minute.", stats: cacheStats() };
  }
  try {
    const rows = readRows(sheet);
    const cutoff = olderThanDays === null ? Number.POSITIVE_INFINITY : Date.now() - olderThanDays * DAY_MS;
    const plan = planClear(rows, cutoff, loadRunState()?.active === true);
    // Bottom first, so the row numbers still to delete do not move.
    for (const [start, count] of consecutiveRuns(plan.remove).reverse()) sheet.deleteRows(start, count);
    return { removed: plan.remove.length, message: clearMessage(plan, rows.length), stats: statsOf(sheet, readRows(sheet)) };
  } finally {
    lock.releaseLock();
  }
}
