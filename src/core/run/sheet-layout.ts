// Where things are in a user's sheet: header matching, the output columns the add-on owns, and how
// its cells are presented.
import { isWebUrl } from "../evidence";
import { clip, plainLine } from "../format";
import { bandRange, TIER_BANDS } from "../scoring";
import { statusKind, type PauseReason } from "../status";
import { TIERS, type ResearchResult, type Tier } from "../types";

export const OUTPUT_HEADERS = ["Tier", "Score", "Use Case", "Rationale", "Sources", "Status"] as const;
export type OutputHeader = (typeof OUTPUT_HEADERS)[number];

const COMPANY_HEADERS = ["company", "companyname", "name", "organization", "account"];
const WEBSITE_HEADERS = ["website", "domain", "url"];

/** Header comparison ignores case, spaces and underscores. */
export function normaliseHeader(value: unknown): string {
  return String(value ?? "")
    .toLowerCase()
    .replace(/[\s_]+/g, "");
}

function firstColumnMatching(header: readonly unknown[], names: readonly string[]): number | null {
  const index = header.findIndex((cell) => names.includes(normaliseHeader(cell)));
  return index < 0 ? null : index + 1;
}

/** 1-based company column from the header row, or null when no header names it. */
export function findCompanyColumn(header: readonly unknown[]): number | null {
  return firstColumnMatching(header, COMPANY_HEADERS);
}

export function findWebsiteColumn(header: readonly unknown[]): number | null {
  return firstColumnMatching(header, WEBSITE_HEADERS);
}

export type OutputColumns = Record<OutputHeader, number>;

/** Developer-metadata key that tags the columns the add-on owns; the value is the output's name. */
export const COLUMN_TAG = "territory-planner-column";
/** Header of an output column appended beside a user's column of the same name. */
export const OWN_SUFFIX = " (Territory Planner)";

/** Where the sheet's column tags say each output is; `clashes`: outputs whose tag more than one column carries. */
export interface ColumnTags {
  tagged: Partial<OutputColumns>;
  clashes: { name: OutputHeader; columns: number[] }[];
}

function isOutputHeader(value: unknown): value is OutputHeader {
  return (OUTPUT_HEADERS as readonly unknown[]).includes(value);
}

/**
 * The owned columns from the sheet's `territory-planner-column` tags. An output tagged on two columns
 * (a copied column carries its tag, a tag can be pasted) is a clash: neither is taken, since either
 * may be the user's own column, and writing into it would overwrite their work.
 */
export function readColumnTags(tags: readonly { value: unknown; column: number }[]): ColumnTags {
  const columnsOf = new Map<OutputHeader, Set<number>>();
  for (const { value, column } of tags) {
    if (!isOutputHeader(value)) continue;
    const columns = columnsOf.get(value) ?? new Set<number>();
    columnsOf.set(value, columns.add(column));
  }
  const tagged: Partial<OutputColumns> = {};
  const clashes: ColumnTags["clashes"] = [];
  for (const name of OUTPUT_HEADERS) {
    const columns = [...(columnsOf.get(name) ?? [])].sort((a, b) => a - b);
    if (columns.length === 1) tagged[name] = columns[0];
    else if (columns.length > 1) clashes.push({ name, columns });
  }
  return { tagged, clashes };
}

const CLASH_HEADER_CHARS = 40;
const CLASH_SHEET_CHARS = 60;
/** Columns named per clashing output: enough to find them, few enough for the run state's property. */
const CLASH_COLUMNS = 4;

/** The clashes as the rep reads them, by column letter and header (both short), for a sheet named `sheet`. */
export function describeClashes(
  sheet: string,
  clashes: ColumnTags["clashes"],
  header: readonly unknown[],
): PauseReason & { kind: "columnClash" } {
  return {
    kind: "columnClash",
    sheet: clip(sheet, CLASH_SHEET_CHARS),
    clashes: clashes.map(({ name, columns }) => ({
      output: name,
      columns: columns
        .slice(0, CLASH_COLUMNS)
        .map((column) => ({ letter: columnLetter(column), header: clip(plainLine(String(header[column - 1] ?? "")), CLASH_HEADER_CHARS) })),
    })),
  };
}

export interface ColumnPlanInput {
  /** Row 1, as wide as the sheet's last used column. */
  header: readonly unknown[];
  /** The sheet's last used column (data to the right of the headers is the user's too). */
  lastColumn: number;
  /** Columns already tagged as ours, by output. */
  tagged: Partial<OutputColumns>;
  /** Whether a column with a matching header may be taken over: nothing below its header, or only what an earlier version of the add-on wrote. */
  mayAdopt: (column: number) => boolean;
}

export interface ColumnPlan {
  columns: OutputColumns;
  /** Columns with a matching header that may be adopted: taken over and tagged. */
  adopted: { name: OutputHeader; column: number }[];
  /** New columns after the last used one, with the header to write. */
  appended: { name: OutputHeader; column: number; header: string }[];
}

function headerKey(value: unknown): string {
  return String(value ?? "")
    .trim()
    .toLowerCase();
}

/**
 * Where each output goes: its tagged column wherever it moved; else a column headed with its name (or
 * the suffixed name) that is empty below the header; else a new column after the last used one,
 * suffixed when a column of the user's already carries the name.
 */
export function planOwnedColumns(input: ColumnPlanInput): ColumnPlan {
  const taken = new Set(Object.values(input.tagged));
  const columns = {} as OutputColumns;
  const adopted: ColumnPlan["adopted"] = [];
  const appended: ColumnPlan["appended"] = [];
  let next = input.lastColumn;
  for (const name of OUTPUT_HEADERS) {
    const tagged = input.tagged[name];
    if (tagged !== undefined) {
      columns[name] = tagged;
      continue;
    }
    const names = [headerKey(name), headerKey(name + OWN_SUFFIX)];
    const matching = input.header.flatMap((cell, i) => (names.includes(headerKey(cell)) && !taken.has(i + 1) ? [i + 1] : []));
    const adoptable = matching.find((column) => input.mayAdopt(column));
    if (adoptable !== undefined) {
      columns[name] = adoptable;
      adopted.push({ name, column: adoptable });
      taken.add(adoptable);
      continue;
    }
    next += 1;
    const clash = input.header.some((cell) => headerKey(cell) === headerKey(name));
    columns[name] = next;
    appended.push({ name, column: next, header: clash ? name + OWN_SUFFIX : name });
    taken.add(next);
  }
  return { columns, adopted, appended };
}

/**
 * The first version of the add-on found its columns by header and never tagged them: its six output
 * columns stand side by side, in order, under their plain names. Returns the first of them, or null.
 */
export function untaggedOutputBlock(header: readonly unknown[]): number | null {
  for (let start = 0; start + OUTPUT_HEADERS.length <= header.length; start++) {
    if (OUTPUT_HEADERS.every((name, i) => headerKey(header[start + i]) === headerKey(name))) return start + 1;
  }
  return null;
}

/**
 * Whether the Tier and Status cells of such a block hold only the add-on's own words (a tier, a
 * status it writes) and at least one of them: then the block is the add-on's, not a user's columns
 * that happen to carry the same names.
 */
export function holdsOnlyOutputWords(tiers: readonly unknown[], statuses: readonly unknown[]): boolean {
  const filled = (cells: readonly unknown[]) => cells.map((c) => String(c ?? "").trim()).filter((c) => c !== "");
  const tierCells = filled(tiers);
  const statusCells = filled(statuses);
  if (statusCells.length === 0) return false;
  return tierCells.every((t) => (TIERS as readonly string[]).includes(t)) && statusCells.every((s) => statusKind(s) !== "other");
}

/** Tier colours of the conditional-format rules on the Tier column (background, text). */
export const TIER_COLOURS: Record<Tier, { background: string; text: string }> = {
  HOT: { background: "#f4c7c3", text: "#a50e0e" },
  WARM: { background: "#fce8b2", text: "#b05a00" },
  WATCH: { background: "#fff2a8", text: "#7a6400" },
  COLD: { background: "#c9daf8", text: "#1c4587" },
  UNKNOWN: { background: "#e8eaed", text: "#5f6368" },
};

/** The Score cell's note: how the score adds up, the profile, the model, the day it was researched and what the tiers mean. */
export function scoreNote(result: ResearchResult): string {
  const lines: string[] = [];
  const b = result.breakdown;
  if (b && result.score !== null) {
    const second = result.profile === "managed-inference" ? "Adoption" : "Budget";
    lines.push(
      `Use case ${b.useCaseClass} ${b.useCase} + ${second} ${b.second} + Growth ${b.growth} + Confidence ${b.confidence} = ${result.score}`,
    );
  }
  lines.push(
    `Profile: ${result.profile}`,
    `Model: ${plainLine(result.model)}`,
    `Researched: ${new Date(result.classifiedAt).toISOString().slice(0, 10)}`,
    `Tiers: ${TIER_BANDS.map((band) => `${band.tier} ${bandRange(band)} (${band.meaning[result.profile]})`).join(", ")}.`,
  );
  return lines.join("\n");
}

/** The links of a Sources cell: one URL per line, links only for a line that is one http(s) URL. */
export function sourceLinks(text: string): { start: number; end: number; url: string }[] {
  const links: { start: number; end: number; url: string }[] = [];
  let at = 0;
  for (const line of text.split("\n")) {
    const url = line.trim();
    if (isWebUrl(url)) {
      const start = at + line.indexOf(url);
      links.push({ start, end: start + url.length, url });
    }
    at += line.length + 1;
  }
  return links;
}

/** Sorted, de-duplicated numbers grouped into [start, count] runs of consecutive values. */
export function consecutiveRuns(numbers: Iterable<number>): [number, number][] {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const n of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === n) last[1] += 1;
    else runs.push([n, 1]);
  }
  return runs;
}

/** Cell text is capped below the 50,000 characters a cell holds, with room to spare. */
export const CELL_TEXT_CAP = 49_000;
export function capCellText(text: string): string {
  return clip(text, CELL_TEXT_CAP);
}

/** A1 letters of a 1-based column number (1 -> A, 27 -> AA). */
export function columnLetter(column: number): string {
  let n = column;
  let letters = "";
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}
