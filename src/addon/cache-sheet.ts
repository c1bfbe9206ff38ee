// The hidden cache sheet: one row per key, evidence gzip+base64 and split over cells. Lookups read
// the key column once, then only the rows they need. Each row says whether its evidence was judged
// ("validated"), paid for but not judged yet ("unjudged"), or found nothing ("noData"); an unjudged
// row never answers as a result. The sheet is the add-on's by its developer-metadata tag, not by
// its name: a sheet a user made or renamed `_territory_cache` is never read, written or cleared.
import * as z from "zod/mini";
import { PROFILES, TIERS, type CacheEntry, type EvidenceItem, type Profile, type ScoreParts, type Tier } from "../core/types";
import { CALL_COST_IN_CELLS, changedColumns, coveringSpans } from "../core/run/changed-cells";
import { columnLetter, consecutiveRuns } from "../core/run/sheet-layout";
import { nameKeyOf } from "../core/company-key";
import { keepingUserPlace } from "./sheet-io";
import { isWebUrl } from "../core/evidence";

/** The name a new cache sheet gets, when no sheet of the user's has it. */
export const CACHE_SHEET_NAME = "_territory_cache";
/** The sheet-level developer-metadata key that makes a sheet the add-on's cache. */
export const CACHE_TAG = "territory-planner-cache";
const EVIDENCE_CELLS = 8;
/** Under the 50,000-character cell limit with room to spare. */
const EVIDENCE_CELL_CHARS = 45_000;

const BASE_COLUMNS = [
  "key",
  "profile",
  "company",
  "domain",
  "query",
  "fetched_at",
  "relevance",
  "credits",
  "tier",
  "score",
  "use_case",
  "rationale",
  "sources",
  "model",
  "classified_at",
  "evidence_cells",
] as const;
// Columns added later come last, so that rows written before them still read (as validated, with
// no score breakdown, no count of searches).
const HEADER = [
  ...BASE_COLUMNS,
  ...Array.from({ length: EVIDENCE_CELLS }, (_, i) => `evidence_${i + 1}`),
  "status",
  "breakdown",
  "searches",
];
const STATUS_COLUMN = BASE_COLUMNS.length + EVIDENCE_CELLS;
const BREAKDOWN_COLUMN = STATUS_COLUMN + 1;
const SEARCHES_COLUMN = BREAKDOWN_COLUMN + 1;
const WIDTH = HEADER.length;

// Built on first use (z.lazy): most executions never read the cache sheet.
const evidenceSchema = z.lazy(() => z.array(z.object({ url: z.string(), title: z.string(), content: z.string() })));
const rowSchema = z.lazy(() => {
  const cell = z.pipe(
    z.union([z.string(), z.number(), z.boolean(), z.null(), z.undefined()]),
    z.transform((v) => (v === null || v === undefined ? "" : String(v))),
  );
  return z.array(cell).check(z.minLength(BASE_COLUMNS.length));
});

function encodeEvidence(evidence: EvidenceItem[]): string[] {
  const gz = Utilities.gzip(Utilities.newBlob(JSON.stringify(evidence), "application/json"));
  const encoded = Utilities.base64Encode(gz.getBytes());
  const parts: string[] = [];
  for (let i = 0; i < encoded.length; i += EVIDENCE_CELL_CHARS) parts.push(encoded.slice(i, i + EVIDENCE_CELL_CHARS));
  if (parts.length > EVIDENCE_CELLS) throw new Error("evidence too large for the cache sheet");
  return parts;
}

function decodeEvidence(parts: string[]): EvidenceItem[] | null {
  try {
    const bytes = Utilities.base64Decode(parts.join(""));
    const json = Utilities.ungzip(Utilities.newBlob(bytes, "application/x-gzip")).getDataAsString();
    const parsed = evidenceSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

type CacheRowValues = (string | number)[];

/** An entry as its row of the cache sheet (also how the journal of what was just paid keeps it). */
export function cacheRowOf(entry: CacheEntry): CacheRowValues {
  const parts = encodeEvidence(entry.evidence);
  const r = entry.result;
  const row: CacheRowValues = [
    entry.key,
    entry.profile,
    entry.company,
    entry.domain ?? "",
    entry.query,
    new Date(entry.fetchedAt).toISOString(),
    entry.relevance,
    entry.credits,
    r?.tier ?? "",
    r?.score ?? "",
    r?.useCase ?? "",
    r?.rationale ?? "",
    r ? r.sources.join("\n") : "",
    r?.model ?? "",
    r ? new Date(r.classifiedAt).toISOString() : "",
    parts.length,
  ];
  for (let i = 0; i < EVIDENCE_CELLS; i++) row.push(parts[i] ?? "");
  row.push(entry.status, r?.breakdown ? JSON.stringify(r.breakdown) : "", entry.searches ?? "");
  return row;
}

const profileSchema = z.enum(PROFILES as [string, ...string[]]);
const statusSchema = z.enum(["validated", "unjudged", "noData"]);
const breakdownSchema = z.lazy(() =>
  z.object({
    useCaseClass: z.enum(["S", "A", "B", "C", "D", "E", "UNKNOWN"]),
    useCase: z.number(),
    second: z.number(),
    growth: z.number(),
    confidence: z.number(),
  }),
);

function readBreakdown(cell: string): ScoreParts | undefined {
  if (!cell) return undefined;
  try {
    return breakdownSchema.safeParse(JSON.parse(cell)).data;
  } catch {
    return undefined;
  }
}
const tierSchema = z.enum(TIERS as [string, ...string[]]);

/** A row of the cache sheet read back (and checked), or null when it is not a valid entry. */
export function cacheEntryOf(values: unknown[]): CacheEntry | null {
  const parsed = rowSchema.safeParse(values);
  if (!parsed.success) return null;
  const c = parsed.data;
  const at = (i: number) => c[i] ?? "";
  const profile = profileSchema.safeParse(at(1));
  const fetchedAt = Date.parse(at(5));
  const evidenceCells = Number(at(15));
  if (!profile.success || !Number.isFinite(fetchedAt) || !Number.isInteger(evidenceCells)) return null;
  const evidence = decodeEvidence(c.slice(BASE_COLUMNS.length, BASE_COLUMNS.length + evidenceCells));
  if (!evidence) return null;
  const status = at(STATUS_COLUMN) === "" ? "validated" : statusSchema.safeParse(at(STATUS_COLUMN)).data;
  if (!status) return null;
  const tier = tierSchema.safeParse(at(8));
  const classifiedAt = Date.parse(at(14));
  const score = at(9) === "" ? null : Number(at(9));
  const breakdown = readBreakdown(at(BREAKDOWN_COLUMN));
  const searches = at(SEARCHES_COLUMN) === "" ? NaN : Number(at(SEARCHES_COLUMN));
  const result =
    status !== "unjudged" && tier.success && Number.isFinite(classifiedAt)
      ? {
          tier: tier.data as Tier,
          score: score !== null && Number.isFinite(score) ? score : null,
          useCase: at(10),
          rationale: at(11),
          // The sheet can be edited: a line that is not one http(s) URL never becomes a link.
          sources: at(12)
            .split("\n")
            .map((line) => line.trim())
            .filter(isWebUrl),
          model: at(13),
          profile: profile.data as Profile,
          classifiedAt,
          ...(breakdown ? { breakdown } : {}),
        }
      : null;
  return {
    key: at(0),
    profile: profile.data as Profile,
    company: at(2),
    domain: at(3) || null,
    query: at(4),
    fetchedAt,
    relevance: Number(at(6)) || 0,
    credits: Number(at(7)) || 0,
    ...(Number.isInteger(searches) && searches >= 0 ? { searches } : {}),
    evidence,
    result,
    status,
  };
}

type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

/**
 * A cache sheet an earlier version of the add-on wrote, before it tagged its sheet: named
 * `_territory_cache` and headed with the cache's own columns (every version's header starts so). A
 * user's sheet of that name holds anything else and is left alone.
 */
function isEarlierCacheSheet(sheet: Sheet): boolean {
  if (sheet.getLastColumn() < BASE_COLUMNS.length) return false;
  const header = sheet.getRange(1, 1, 1, BASE_COLUMNS.length).getValues()[0] ?? [];
  return BASE_COLUMNS.every((name, i) => header[i] === name);
}

/** What this execution found last (each execution loads the script afresh); undefined: not looked yet. */
let found: { sheet: Sheet; tagged: boolean } | null | undefined;

/**
 * The add-on's cache sheet, and whether it carries the tag yet (an earlier version's does not), or
 * null; looked up once per execution unless `afresh` (the sheet went missing meanwhile).
 */
function findSheet(afresh = false): { sheet: Sheet; tagged: boolean } | null {
  if (found !== undefined && !afresh) return found;
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  found = null;
  for (const meta of spreadsheet.createDeveloperMetadataFinder().withKey(CACHE_TAG).find()) {
    const sheet = meta.getLocation().getSheet();
    if (sheet) return (found = { sheet, tagged: true });
  }
  const earlier = spreadsheet.getSheetByName(CACHE_SHEET_NAME);
  if (earlier && isEarlierCacheSheet(earlier)) found = { sheet: earlier, tagged: false };
  return found;
}

/** The add-on's cache sheet, or null when there is none (nothing cached yet). */
export function findCacheSheet(): Sheet | null {
  return findSheet()?.sheet ?? null;
}

/** Whether `sheet` is the add-on's cache sheet. */
export function isCacheSheet(sheet: Sheet): boolean {
  return findCacheSheet()?.getSheetId() === sheet.getSheetId();
}

/** `_territory_cache`, or when a sheet of the user's has that name, a name no sheet has. */
function freeName(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): string {
  const names = [CACHE_SHEET_NAME, `${CACHE_SHEET_NAME} (Territory Planner)`];
  for (let n = 2; names.length < 20; n++) names.push(`${CACHE_SHEET_NAME} (Territory Planner ${n})`);
  return names.find((name) => !spreadsheet.getSheetByName(name)) ?? `${CACHE_SHEET_NAME} ${Date.now()}`;
}

/** Tags a cache sheet as the add-on's; a sheet the user may not change stays untagged, and is still found by its name and header. */
function tag(sheet: Sheet): void {
  try {
    sheet.addDeveloperMetadata(CACHE_TAG, "1");
    found = { sheet, tagged: true };
  } catch {
    // Found again by its name and header; the write that follows reports Google's reason.
  }
}

function createSheet(): Sheet {
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  // insertSheet activates the new sheet: put the user back where they were afterwards.
  const sheet = keepingUserPlace(spreadsheet, () => spreadsheet.insertSheet(freeName(spreadsheet)));
  // Tagged first: from here on it is the cache whatever happens to the steps below.
  sheet.addDeveloperMetadata(CACHE_TAG, "1");
  found = { sheet, tagged: true };
  // A new sheet has 26 columns, fewer than a row's cells.
  if (sheet.getMaxColumns() < WIDTH) sheet.insertColumnsAfter(sheet.getMaxColumns(), WIDTH - sheet.getMaxColumns());
  // Text format first, so no cached rationale, title or base64 chunk ("+...") becomes a formula.
  sheet.getRange(1, 1, sheet.getMaxRows(), WIDTH).setNumberFormat("@");
  sheet.getRange(1, 1, 1, WIDTH).setValues([HEADER]);
  sheet.hideSheet();
  return sheet;
}

/** The cache sheet, tagged if it was not yet, or a new one. */
function openForWriting(): Sheet {
  const cache = findSheet();
  if (!cache) return createSheet();
  if (!cache.tagged) tag(cache.sheet);
  return cache.sheet;
}

/** Grows the sheet so that row `last` exists, in large steps so that growing stays rare. */
function growTo(sheet: Sheet, last: number, maxRows = sheet.getMaxRows()): number {
  if (last <= maxRows) return maxRows;
  const added = Math.max(last - maxRows, 1000);
  sheet.insertRowsAfter(maxRows, added);
  return maxRows + added;
}

export class CacheSheet {
  private index: Map<string, number> | null = null;
  /** The row after the last one holding an entry, as the key index last found it. */
  private nextRow = 2;
  /** The sheet accepted this execution's first write, and has at least `rowsKnown` rows. */
  private probed = false;
  private rowsKnown = 0;
  /** What this execution last wrote to each row of the sheet: such a row is written only where it changes. */
  private written = new Map<number, CacheRowValues>();

  /** Where this sheet was last seen: a sheet of this name and id is still it. */
  private sheetName: string;
  private sheetId: number;

  private constructor(private sheet: Sheet) {
    this.sheetName = sheet.getName();
    this.sheetId = sheet.getSheetId();
  }

  /**
   * The cache sheet; when `create`, tagged if an earlier version left it untagged, or created hidden
   * on first use (Google's error, such as the spreadsheet's cell limit, is thrown). Null when absent
   * and not created.
   */
  static open(create: true): CacheSheet;
  static open(create: boolean): CacheSheet | null;
  static open(create: boolean): CacheSheet | null {
    if (create) return new CacheSheet(openForWriting());
    const cache = findSheet();
    return cache ? new CacheSheet(cache.sheet) : null;
  }

  /** The sheet's name now, for messages (the usual name when Google will not tell). */
  describe(): string {
    return this.sheetName;
  }

  /**
   * Runs a read or write of the sheet. A user may delete the hidden sheet while a run goes on: it is
   * found (or created) again, empty of what was lost, before the call is made.
   */
  private withSheet<T>(use: (sheet: Sheet) => T): T {
    // By name first (no metadata read): the sheet with this sheet's name and id is this sheet.
    const byName = SpreadsheetApp.getActiveSpreadsheet().getSheetByName(this.sheetName);
    if (!byName || byName.getSheetId() !== this.sheetId) {
      this.sheet = findSheet(true)?.sheet ?? createSheet();
      this.sheetName = this.sheet.getName();
      this.sheetId = this.sheet.getSheetId();
      this.index = null;
      this.probed = false;
      this.written.clear();
    }
    return use(this.sheet);
  }

  private keyIndex(): Map<string, number> {
    this.index ??= this.withSheet((sheet) => this.readKeys(sheet));
    return this.index;
  }

  /** The row of each key, from one read of the key column; the row after the last is noted too. */
  private readKeys(sheet: Sheet): Map<string, number> {
    const index = new Map<string, number>();
    const last = sheet.getLastRow();
    this.nextRow = Math.max(last, 1) + 1;
    if (last < 2) return index;
    sheet
      .getRange(2, 1, last - 1, 1)
      .getValues()
      .forEach(([key], i) => {
        if (key !== "" && key !== null && key !== undefined) index.set(String(key), i + 2);
      });
    return index;
  }

  /** Entries for the keys that have one (stale or fresh: the caller decides what is fresh). */
  lookup(keys: readonly string[]): Map<string, CacheEntry> {
    const index = this.keyIndex();
    const rows = keys.map((k) => index.get(k)).filter((r): r is number => r !== undefined);
    const wanted = new Set(keys);
    const found = new Map<string, CacheEntry>();
    if (rows.length === 0) return found;
    // The sheet is looked up once for all the runs of rows, not once per run.
    this.withSheet((sheet) => {
      const width = Math.min(WIDTH, sheet.getMaxColumns());
      for (const [start, count] of consecutiveRuns(rows)) {
        for (const row of sheet.getRange(start, 1, count, width).getValues()) {
          const entry = cacheEntryOf(row);
          // A row the user edited or sorted under another key is not this key's entry.
          if (entry && wanted.has(entry.key)) found.set(entry.key, entry);
        }
      }
    });
    return found;
  }

  /**
   * Every entry filed under each name key (`companyKey(profile, name, null)`), whatever its domain:
   * a lookup by name alone finds a company researched with a Website column.
   */
  lookupByName(nameKeys: readonly string[]): Map<string, CacheEntry[]> {
    const wanted = new Set(nameKeys);
    const keys = [...this.keyIndex().keys()].filter((key) => wanted.has(nameKeyOf(key)));
    const byName = new Map<string, CacheEntry[]>();
    for (const entry of this.lookup(keys).values()) byName.set(nameKeyOf(entry.key), [...(byName.get(nameKeyOf(entry.key)) ?? []), entry]);
    return byName;
  }

  /**
   * Before anything is bought for these keys: makes sure their entries can be written, or throws
   * Google's error. The rows new keys will take exist (grown now, which is where Google refuses a
   * spreadsheet at its cell limit), and once per execution the header's first cell is written as it
   * is, which a protected sheet refuses. Free when the rows are known to be there.
   */
  reserve(keys: readonly string[]): void {
    const index = this.keyIndex();
    const last = this.nextRow + new Set(keys.filter((key) => !index.has(key))).size - 1;
    if (this.probed && last <= this.rowsKnown) return;
    this.withSheet((sheet) => {
      if (!this.probed) sheet.getRange(1, 1).setValues([[HEADER[0]]]);
      this.probed = true;
      this.rowsKnown = growTo(sheet, last);
    });
  }

  /**
   * Writes entries in place of the same key, or appended. A range call costs time for every cell it
   * carries, so a row is written only where it changes: an appended row is blank, a row this
   * execution wrote holds what it wrote, any other row is written whole. One setValues per column
   * span of each run of consecutive rows, every range formatted as text first (one call) whatever
   * format the user gave it.
   */
  upsert(entries: readonly CacheEntry[]): void {
    if (entries.length === 0) return;
    // Read the keys afresh: a user who sorted or edited the sheet since must not get another
    // company's row overwritten.
    this.index = null;
    this.withSheet((sheet) => this.write(sheet, entries));
  }

  private write(sheet: Sheet, entries: readonly CacheEntry[]): void {
    // Read with the sheet at hand: withSheet has just found it.
    const index = (this.index ??= this.readKeys(sheet));
    let next = this.nextRow;
    const byRow = new Map<number, { values: CacheRowValues; before: CacheRowValues | null }>();
    const unjudgedRows = new Set<number>();
    for (const entry of entries) {
      let row = index.get(entry.key);
      let before: CacheRowValues | null = [];
      if (row === undefined) {
        row = next++;
        index.set(entry.key, row);
      } else {
        const known = this.written.get(row);
        before = known && known[0] === entry.key ? known : null;
      }
      byRow.set(row, { values: cacheRowOf(entry), before });
      if (entry.status === "unjudged") unjudgedRows.add(row);
    }
    this.nextRow = next;
    this.rowsKnown = growTo(sheet, next - 1);
    const missingColumns = WIDTH - sheet.getMaxColumns();
    if (missingColumns > 0) {
      sheet.insertColumnsAfter(sheet.getMaxColumns(), missingColumns);
      // The cache panel finds its columns by the header: name the new ones.
      sheet.getRange(1, 1, 1, WIDTH).setNumberFormat("@").setValues([HEADER]);
    }
    // Consecutive rows that change in the same columns make one block, written with one setValues
    // per span of those columns.
    const blocks: { row: number; columns: number[]; values: CacheRowValues[]; unjudged: boolean }[] = [];
    for (const row of [...byRow.keys()].sort((a, b) => a - b)) {
      const { values, before } = byRow.get(row) ?? { values: [], before: null };
      const columns = changedColumns(before, values);
      if (columns.length === 0) continue;
      const last = blocks[blocks.length - 1];
      if (last && last.row + last.values.length === row && last.columns.join() === columns.join()) {
        last.values.push(values);
        last.unjudged ||= unjudgedRows.has(row);
      } else blocks.push({ row, columns, values: [values], unjudged: unjudgedRows.has(row) });
    }
    // Searches just paid for (unjudged rows) are written first: an execution killed during these
    // writes then loses at most a verdict, never a search.
    const ranges = [...blocks.filter((b) => b.unjudged), ...blocks.filter((b) => !b.unjudged)].flatMap((b) =>
      coveringSpans(b.columns, b.values.length, CALL_COST_IN_CELLS.write).map(([column, width]) => ({
        row: b.row,
        column,
        values: b.values.map((v) => v.slice(column - 1, column - 1 + width)),
      })),
    );
    if (ranges.length === 0) return;
    // Until every block is written, these rows hold something between before and after: unknown.
    for (const row of byRow.keys()) this.written.delete(row);
    const a1 = (b: (typeof ranges)[number]) =>
      `${columnLetter(b.column)}${b.row}:${columnLetter(b.column + (b.values[0]?.length ?? 1) - 1)}${b.row + b.values.length - 1}`;
    // The list that formats the ranges also hands them out: no call to get each one.
    const list = sheet.getRangeList(ranges.map(a1)).setNumberFormat("@").getRanges();
    ranges.forEach((range, i) =>
      (list[i] ?? sheet.getRange(range.row, range.column, range.values.length, range.values[0]?.length ?? 1)).setValues(range.values),
    );
    for (const [row, { values }] of byRow) this.written.set(row, values);
  }
}
