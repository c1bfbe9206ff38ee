// The journal of what a wave just paid for, written in one call the moment the answers are in and
// before anything else: writing a large wave into the cache sheet takes a while, and an execution
// killed meanwhile would otherwise lose searches it paid for. The cache sheet stays the record: the
// journal is cleared once the sheet holds the wave, and the next execution copies into the sheet
// whatever a stopped one left here. The document cache keeps it six hours at most (Google may evict
// it sooner, which costs no more than a kill cost without it).
import * as z from "zod/mini";
import { parseStoredJson } from "../core/json";
import { LIMITS } from "../core/limits";
import { utf8Bytes } from "../core/run/run-state";
import type { CacheEntry, Cost } from "../core/types";
import { cacheEntryOf, cacheRowOf } from "./cache-sheet";

const INDEX_KEY = "TP_PAID";
const ENTRY_PREFIX = "TP_PAID_";

const num = z.number().check(z.refine(Number.isFinite));
const indexSchema = z.lazy(() =>
  z.object({
    runId: z.string(),
    cost: z.object({ tavilyCredits: num, llmInputTokens: num, llmOutputTokens: num, usd: num }),
    entries: z.number().check(z.int(), z.nonnegative()),
  }),
);
const rowSchema = z.lazy(() => z.array(z.union([z.string(), z.number()])));

/** What a stopped execution paid for and may not have stored: the run's cost then, and the entries. */
export interface PaidJournal {
  runId: string;
  cost: Cost;
  entries: CacheEntry[];
}

function cache(): GoogleAppsScript.Cache.Cache | null {
  try {
    return CacheService.getDocumentCache();
  } catch {
    return null;
  }
}

/**
 * Journals a wave's paid entries and the run's cost after it, in one call. An entry too large for
 * the cache is left to the sheet write that follows; a cache that refuses is no worse than none.
 */
export function journalPaid(journal: PaidJournal): void {
  const store = cache();
  if (!store) return;
  const rows = journal.entries
    .map((entry) => JSON.stringify(cacheRowOf(entry)))
    .filter((row) => utf8Bytes(row) <= LIMITS.cacheValueBytes - 1024);
  const values: Record<string, string> = {
    [INDEX_KEY]: JSON.stringify({ runId: journal.runId, cost: journal.cost, entries: rows.length }),
  };
  rows.forEach((row, i) => (values[ENTRY_PREFIX + i] = row));
  try {
    store.putAll(values, LIMITS.cacheMaxExpirationSeconds);
  } catch {
    // The sheet write follows at once; only a kill during it would cost what this journal saves.
  }
}

/** What the journal holds, or null when the last wave reached the sheet (or nothing was journaled). */
export function readPaidJournal(): PaidJournal | null {
  const store = cache();
  const index = store ? parseStoredJson(store.get(INDEX_KEY), indexSchema) : null;
  if (!store || !index) return null;
  const keys = Array.from({ length: index.entries }, (_, i) => ENTRY_PREFIX + i);
  const found = keys.length > 0 ? store.getAll(keys) : {};
  const entries = keys.flatMap((key) => {
    const row = parseStoredJson(found[key], rowSchema);
    const entry = row ? cacheEntryOf(row) : null;
    return entry ? [entry] : [];
  });
  return { runId: index.runId, cost: index.cost, entries };
}

/** The wave reached the cache sheet: nothing to copy any more. */
export function clearPaidJournal(): void {
  cache()?.remove(INDEX_KEY);
}
