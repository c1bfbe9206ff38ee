// Reading a user's sheet, and writing back only the output cells whose value changes: a cell the
// add-on did not change is never written, so a user's edit during a run survives. A range call costs
// time for every cell it carries, so a large sheet is read by the columns and rows a step needs.
import {
  columnLetter,
  consecutiveRuns,
  findCompanyColumn,
  findWebsiteColumn,
  OUTPUT_HEADERS,
  sourceLinks,
  type OutputColumns,
  type OutputHeader,
} from "../core/run/sheet-layout";
import { CALL_COST_IN_CELLS, coveringSpans } from "../core/run/changed-cells";
import type { RowCells } from "../core/run/planner";
import { statusKind } from "../core/status";
import { TIERS } from "../core/types";
import { ownedColumns } from "./columns";

export type CellValue = string | number;

export interface SheetSnapshot {
  sheet: GoogleAppsScript.Spreadsheet.Sheet;
  name: string;
  companyColumn: number;
  websiteColumn: number | null;
  /** The owned output columns (found by their tag); null when the add-on owns none here. */
  outputs: OutputColumns | null;
  lastRow: number;
  lastColumn: number;
  /** The cells read so far: read.get(c)[r] is the cell at row r, column c (see cellAt and readCells). */
  read: Map<number, unknown[]>;
}

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return String(value).trim();
}

/** Puts a block of values read at (row, column) into the snapshot. */
function keep(snapshot: SheetSnapshot, row: number, column: number, values: readonly unknown[][]): void {
  values.forEach((line, i) =>
    line.forEach((value, j) => {
      let cells = snapshot.read.get(column + j);
      if (!cells) snapshot.read.set(column + j, (cells = []));
      cells[row + i] = value;
    }),
  );
}

/**
 * The sheet's header, company and website columns and owned columns. A small sheet is read whole in
 * one call; of a larger one only row 1, the rest when cellAt or readCells asks for it.
 */
export function readSnapshot(sheet: GoogleAppsScript.Spreadsheet.Sheet, fallbackCompanyColumn: number): SheetSnapshot {
  const lastRow = sheet.getLastRow();
  const lastColumn = Math.max(sheet.getLastColumn(), 1);
  // Read whole when that costs less than the calls of a read by parts (row 1, then the Status and
  // company columns).
  const rows = lastRow * lastColumn < 3 * CALL_COST_IN_CELLS.read ? lastRow : Math.min(lastRow, 1);
  const values = rows >= 1 ? sheet.getRange(1, 1, rows, lastColumn).getValues() : [[]];
  const header = values[0] ?? [];
  const snapshot: SheetSnapshot = {
    sheet,
    name: sheet.getName(),
    companyColumn: findCompanyColumn(header) ?? fallbackCompanyColumn,
    websiteColumn: findWebsiteColumn(header),
    outputs: ownedColumns(sheet),
    lastRow,
    lastColumn,
    read: new Map(),
  };
  keep(snapshot, 1, 1, values);
  return snapshot;
}

/**
 * Reads the given columns over rows first..last where the snapshot does not hold them yet: one
 * getValues per span of side-by-side columns.
 */
export function readCells(snapshot: SheetSnapshot, columns: Iterable<number | null>, first: number, last: number): void {
  const top = Math.max(first, 1);
  const bottom = Math.min(last, snapshot.lastRow);
  if (bottom < top) return;
  const missing = [...columns].filter((column): column is number => {
    // Past the last used column every cell is blank.
    if (column === null || column < 1 || column > snapshot.lastColumn) return false;
    for (let row = top; row <= bottom; row++) if (!isRead(snapshot, row, column)) return true;
    return false;
  });
  for (const [column, count] of consecutiveRuns(missing)) {
    keep(snapshot, top, column, snapshot.sheet.getRange(top, column, bottom - top + 1, count).getValues());
  }
}

function isRead(snapshot: SheetSnapshot, row: number, column: number): boolean {
  return column > snapshot.lastColumn || row in (snapshot.read.get(column) ?? []);
}

/** A cell of the snapshot; one not read yet is read with its whole column. */
export function cellAt(snapshot: SheetSnapshot, row: number, column: number): unknown {
  if (row < 1 || row > snapshot.lastRow || column < 1 || column > snapshot.lastColumn) return "";
  if (!isRead(snapshot, row, column)) readCells(snapshot, [column], 1, snapshot.lastRow);
  return snapshot.read.get(column)?.[row] ?? "";
}

/** Row 1 of the snapshot's sheet, read with the snapshot. */
export function headerOf(snapshot: SheetSnapshot): unknown[] {
  return Array.from({ length: snapshot.lastColumn }, (_, i) => cellAt(snapshot, 1, i + 1));
}

/** A row that could not be written (a protected range, say): left as it was, with Google's reason. */
export interface SkippedRow {
  sheet: string;
  row: number;
  company: string;
  reason: string;
}

export interface WriteReport {
  /** Range calls made. */
  calls: number;
  skipped: SkippedRow[];
}

/** Changed cells only, side by side in one row: first column and values. */
interface Segment {
  row: number;
  column: number;
  values: CellValue[];
}

/** A rectangle of changed cells: the same columns changed in consecutive rows. */
interface Block {
  row: number;
  column: number;
  values: CellValue[][];
}

/** Score holds a number or nothing, never text. */
function scoreValue(value: CellValue): CellValue {
  if (typeof value === "number") return Number.isFinite(value) ? value : "";
  const n = Number(value.trim());
  return value.trim() !== "" && Number.isFinite(n) ? n : "";
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The segments of one row's changed cells, split where a column is unchanged. */
function changedSegments(snapshot: SheetSnapshot, outputs: OutputColumns, row: number, update: RowCells): Segment[] {
  const changed = new Map<number, CellValue>();
  for (const name of OUTPUT_HEADERS) {
    const raw = update[name];
    if (raw === undefined) continue;
    const value = name === "Score" ? scoreValue(raw) : raw;
    if (cellAt(snapshot, row, outputs[name]) !== value) changed.set(outputs[name], value);
  }
  return consecutiveRuns(changed.keys()).map(([column, count]) => ({
    row,
    column,
    values: Array.from({ length: count }, (_, i) => changed.get(column + i) ?? ""),
  }));
}

/**
 * The output columns writeRowUpdates compares: those the updates set, and, when a row gets a score
 * or sources, the Score, Sources and Status cells by which the presentation knows a row in flight.
 */
function comparedColumns(updates: ReadonlyMap<number, RowCells>, outputs: OutputColumns): number[] {
  const names = new Set<OutputHeader>();
  for (const update of updates.values()) for (const name of OUTPUT_HEADERS) if (update[name] !== undefined) names.add(name);
  const presented = names.has("Score") || names.has("Sources") || [...updates.values()].some((u) => u.scoreNote !== undefined);
  if (presented) for (const name of ["Score", "Sources", "Status"] as const) names.add(name);
  return [...names].map((name) => outputs[name]);
}

/** Consecutive rows whose changed cells span the same columns become one block. */
function blocksOf(segments: Segment[]): Block[] {
  const open = new Map<string, Block>();
  const blocks: Block[] = [];
  for (const segment of [...segments].sort((a, b) => a.row - b.row || a.column - b.column)) {
    const key = `${segment.column}:${segment.values.length}`;
    const block = open.get(key);
    if (block && block.row + block.values.length === segment.row) {
      block.values.push(segment.values);
      continue;
    }
    const fresh = { row: segment.row, column: segment.column, values: [segment.values] };
    open.set(key, fresh);
    blocks.push(fresh);
  }
  return blocks;
}

/**
 * Whether a block holds text Sheets could take for something else (a formula, number, date or
 * boolean). The add-on's own tiers and statuses start with a word and never can: a pass that only
 * claims rows or rewrites statuses needs no format call.
 */
function needsTextFormat(block: Block): boolean {
  return block.values.some((line) => line.some((v) => typeof v === "string" && v !== "" && !isTier(v) && statusKind(v) === "other"));
}

function isTier(value: string): boolean {
  return (TIERS as readonly string[]).includes(value);
}

function blockA1(block: Block): string {
  const last = block.column + (block.values[0]?.length ?? 1) - 1;
  return `${columnLetter(block.column)}${block.row}:${columnLetter(last)}${block.row + block.values.length - 1}`;
}

/** A1 ranges of a block's text cells: every column but Score, which holds numbers. */
function textRanges(block: Block, scoreColumn: number): string[] {
  const width = block.values[0]?.length ?? 0;
  const last = block.column + width - 1;
  const spans: [number, number][] = [];
  if (scoreColumn < block.column || scoreColumn > last) spans.push([block.column, last]);
  else {
    if (scoreColumn > block.column) spans.push([block.column, scoreColumn - 1]);
    if (scoreColumn < last) spans.push([scoreColumn + 1, last]);
  }
  const bottom = block.row + block.values.length - 1;
  return spans.map(([from, to]) => `${columnLetter(from)}${block.row}:${columnLetter(to)}${bottom}`);
}

/**
 * Writes the output cells whose value differs from the snapshot: one setValues per rectangle of
 * changed cells, plain-text format on every text cell first (so nothing from the web becomes a
 * formula, whatever format the user left), then the presentation (Sources links, Score notes) with
 * one call per column for each run of rows, a run passing over rows still in flight. A row that
 * cannot be written is skipped and reported; nothing throws.
 */
export function writeRowUpdates(snapshot: SheetSnapshot, updates: ReadonlyMap<number, RowCells>): WriteReport {
  const outputs = snapshot.outputs;
  const report: WriteReport = { calls: 0, skipped: [] };
  if (!outputs || updates.size === 0) return report;
  const sheet = snapshot.sheet;
  const compared = comparedColumns(updates, outputs);
  for (const [first, count] of coveringSpans(updates.keys(), compared.length, CALL_COST_IN_CELLS.read)) {
    readCells(snapshot, compared, first, first + count - 1);
  }
  const segments = [...updates].flatMap(([row, update]) => changedSegments(snapshot, outputs, row, update));
  const blocks = blocksOf(segments);
  const failed = new Map<number, string>();

  const textA1 = blocks.filter(needsTextFormat).flatMap((b) => textRanges(b, outputs.Score));
  let formatted = textA1.length === 0;
  if (!formatted) {
    try {
      report.calls += 1;
      sheet.getRangeList(textA1).setNumberFormat("@");
      formatted = true;
    } catch {
      // A protected cell among them: each block formats itself below, and the bad rows are found.
    }
  }
  const writeBlock = (block: Block, range?: GoogleAppsScript.Spreadsheet.Range): void => {
    const ranges = formatted || !needsTextFormat(block) ? [] : textRanges(block, outputs.Score);
    if (ranges.length > 0) {
      report.calls += 1;
      sheet.getRangeList(ranges).setNumberFormat("@");
    }
    report.calls += 1;
    (range ?? sheet.getRange(block.row, block.column, block.values.length, block.values[0]?.length ?? 1)).setValues(block.values);
  };
  // Blocks holding one value throughout (a Status such as Queued or Researching) go out together as
  // that one value: one RangeList call per value, carrying one value instead of one per cell.
  const uniform = new Map<CellValue, Block[]>();
  const mixed: Block[] = [];
  for (const block of blocks) {
    const first = block.values[0]?.[0] ?? "";
    if (block.values.every((line) => line.every((v) => v === first))) uniform.set(first, [...(uniform.get(first) ?? []), block]);
    else mixed.push(block);
  }
  for (const [value, group] of uniform) {
    if (group.length === 1 && group[0]?.values.length === 1 && group[0].values[0]?.length === 1) {
      mixed.push(...group);
      continue;
    }
    try {
      report.calls += 1;
      sheet.getRangeList(group.map(blockA1)).setValue(value);
    } catch {
      // A protected cell among them: each block is written on its own below, and the bad rows found.
      mixed.push(...group);
    }
  }
  // A block that fails (a protected row in it) is split in halves until the rows that fail stand
  // alone: one protected row among n costs about 2 log2(n) calls, not n.
  const writeOrSplit = (block: Block, range?: GoogleAppsScript.Spreadsheet.Range): void => {
    try {
      writeBlock(block, range);
    } catch (error) {
      if (block.values.length === 1) {
        failed.set(block.row, errorText(error));
        return;
      }
      const half = Math.ceil(block.values.length / 2);
      writeOrSplit({ row: block.row, column: block.column, values: block.values.slice(0, half) });
      writeOrSplit({ row: block.row + half, column: block.column, values: block.values.slice(half) });
    }
  };
  // One call hands out the range of every block (the halves of a block that fails get their own).
  const ranges = mixed.length > 1 ? sheet.getRangeList(mixed.map(blockA1)).getRanges() : [];
  mixed.forEach((block, i) => writeOrSplit(block, ranges[i]));

  const written = (row: number) => !failed.has(row);
  const covers = (s: Segment, column: number) => s.column <= column && column < s.column + s.values.length;
  // A Sources cell written blank or without a URL needs no links (setValues already wrote its text).
  const sourcesRows = segments
    .filter((s) => written(s.row) && covers(s, outputs.Sources))
    .map((s): [number, string] => [s.row, String(s.values[outputs.Sources - s.column] ?? "")])
    .filter(([, text]) => sourceLinks(text).length > 0);
  const scoreChanged = new Set(segments.filter((s) => covers(s, outputs.Score)).map((s) => s.row));
  const noteRows = [...updates].filter(([row, update]) => written(row) && (update.scoreNote !== undefined || scoreChanged.has(row)));
  // A row in flight was claimed by this run (the worker holds the document lock), its output cells
  // were cleared then, and its result will overwrite them: it holds an empty cell with no note and
  // no link, so the presentation may pass over it instead of breaking into one call per run. A row
  // not read (far from the rows written) is not known to be one.
  const blankInFlight =
    (name: "Score" | "Sources") =>
    (row: number): boolean => {
      if (!isRead(snapshot, row, outputs.Status) || !isRead(snapshot, row, outputs[name])) return false;
      const raw = updates.get(row)?.[name];
      const after = raw === undefined ? cellAt(snapshot, row, outputs[name]) : name === "Score" ? scoreValue(raw) : raw;
      return written(row) && after === "" && statusKind(cellAt(snapshot, row, outputs.Status)) === "researching";
    };
  presentColumn(sheet, outputs.Sources, new Map(sourcesRows), blankInFlight("Sources"), report, (range, texts) => {
    range.setRichTextValues(
      texts.map((text) => {
        const builder = SpreadsheetApp.newRichTextValue().setText(text);
        for (const link of sourceLinks(text)) builder.setLinkUrl(link.start, link.end, link.url);
        return [builder.build()];
      }),
    );
  });
  presentColumn(
    sheet,
    outputs.Score,
    new Map(noteRows.map(([row, update]) => [row, update.scoreNote ?? ""])),
    blankInFlight("Score"),
    report,
    (range, notes) => {
      range.setNotes(notes.map((note) => [note]));
    },
  );

  for (const [row, reason] of failed) {
    report.skipped.push({ sheet: snapshot.name, row, company: cellText(cellAt(snapshot, row, snapshot.companyColumn)), reason });
  }
  return report;
}

/**
 * Runs of presented rows, joined across the rows between them when every one of those is `blank`:
 * each run keeps its parts (the runs it joined), to be written apart should the whole fail.
 */
function joinedRuns(
  rows: Iterable<number>,
  blank: (row: number) => boolean,
): { start: number; count: number; parts: [number, number][] }[] {
  const joined: { start: number; count: number; parts: [number, number][] }[] = [];
  for (const [start, count] of consecutiveRuns(rows)) {
    const last = joined[joined.length - 1];
    const gap = last ? Array.from({ length: start - last.start - last.count }, (_, i) => last.start + last.count + i) : [];
    if (last && gap.every(blank)) {
      last.count = start + count - last.start;
      last.parts.push([start, count]);
    } else {
      joined.push({ start, count, parts: [[start, count]] });
    }
  }
  return joined;
}

/**
 * One column's presentation (Sources links or Score notes): one call per joined run of rows, the
 * blank rows in flight between them given an empty text. Cosmetic writes never stop a run: when a
 * joined call fails (a row between protected since), its parts are written alone; a part that fails
 * leaves the plain text or no note.
 */
function presentColumn(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  column: number,
  texts: ReadonlyMap<number, string>,
  blank: (row: number) => boolean,
  report: WriteReport,
  write: (range: GoogleAppsScript.Spreadsheet.Range, texts: string[]) => void,
): void {
  const attempt = (start: number, count: number): boolean => {
    report.calls += 1;
    try {
      write(
        sheet.getRange(start, column, count, 1),
        Array.from({ length: count }, (_, i) => texts.get(start + i) ?? ""),
      );
      return true;
    } catch {
      return false;
    }
  };
  for (const run of joinedRuns(texts.keys(), blank)) {
    if (attempt(run.start, run.count) || run.parts.length === 1) continue;
    for (const [start, count] of run.parts) attempt(start, count);
  }
}

/**
 * Rewrites the Status of rows in the given sheets: `decide` returns the new Status or null to leave
 * the row alone. Only Status cells that change are written; returns how many were.
 */
export function rewriteStatuses(
  sheets: readonly { name: string; fallbackCompanyColumn: number }[],
  decide: (status: unknown, row: number, snapshot: SheetSnapshot) => string | null,
): number {
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  let changed = 0;
  for (const queueSheet of sheets) {
    const sheet = spreadsheet.getSheetByName(queueSheet.name);
    if (!sheet) continue;
    const snapshot = readSnapshot(sheet, queueSheet.fallbackCompanyColumn);
    const outputs = snapshot.outputs;
    if (!outputs) continue;
    const next = new Map<number, RowCells>();
    for (let row = 2; row <= snapshot.lastRow; row++) {
      const current = cellAt(snapshot, row, outputs.Status);
      const status = decide(current, row, snapshot);
      if (status !== null && status !== current) next.set(row, { Status: status });
    }
    const { skipped } = writeRowUpdates(snapshot, next);
    changed += next.size - skipped.length;
  }
  return changed;
}

/**
 * Runs `action` (inserting a sheet, which Google activates) and puts the user back on the sheet and
 * selection they had.
 */
export function keepingUserPlace<T>(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet, action: () => T): T {
  const userSheet = spreadsheet.getActiveSheet();
  const userSelection =
    spreadsheet
      .getActiveRangeList()
      ?.getRanges()
      .map((r) => r.getA1Notation()) ?? [];
  const result = action();
  if (userSelection.length > 0) userSheet.getRangeList(userSelection).activate();
  else userSheet.activate();
  return result;
}
