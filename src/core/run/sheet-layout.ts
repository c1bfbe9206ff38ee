// Where things are in a user's sheet (SPEC §3): header matching and the Status vocabulary.

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

/**
 * Output columns found by header (1-based); missing ones are appended after the last used column, in
 * SPEC order. Returns the columns and the headers to write for the appended ones.
 */
export function planOutputColumns(header: readonly unknown[]): { columns: OutputColumns; appended: { column: number; header: OutputHeader }[] } {
  const normalised = header.map(normaliseHeader);
  let lastUsed = 0;
  header.forEach((cell, i) => {
    if (String(cell ?? "").trim() !== "") lastUsed = i + 1;
  });
  const appended: { column: number; header: OutputHeader }[] = [];
  const columns = {} as OutputColumns;
  for (const name of OUTPUT_HEADERS) {
    const index = normalised.indexOf(normaliseHeader(name));
    if (index >= 0) columns[name] = index + 1;
    else {
      lastUsed += 1;
      columns[name] = lastUsed;
      appended.push({ column: lastUsed, header: name });
    }
  }
  return { columns, appended };
}

export const STATUS = {
  queued: "Queued",
  queuedIgnoringCache: "Queued (ignore cache)",
  researching: "Researching",
  researchingIgnoringCache: "Researching (ignore cache)",
  done: "Done",
  cached: "Done (cached)",
  noData: "No reliable data",
  cancelled: "Cancelled",
  errorPrefix: "Error: ",
  pausedPrefix: "Paused: ",
} as const;

export type StatusKind = "none" | "queued" | "researching" | "done" | "cached" | "noData" | "error" | "cancelled" | "paused" | "other";

export function statusKind(value: unknown): StatusKind {
  const text = String(value ?? "").trim();
  if (text === "") return "none";
  if (text.startsWith(STATUS.queued)) return "queued";
  if (text.startsWith(STATUS.researching)) return "researching";
  if (text.startsWith(STATUS.cached)) return "cached";
  if (text.startsWith(STATUS.done)) return "done";
  if (text.startsWith(STATUS.noData)) return "noData";
  if (text.startsWith("Error")) return "error";
  if (text.startsWith(STATUS.cancelled)) return "cancelled";
  if (text.startsWith("Paused")) return "paused";
  return "other";
}

/** A queued or researching row remembers in its Status whether the user asked to bypass the cache. */
export function ignoresCache(value: unknown): boolean {
  return String(value ?? "").includes("(ignore cache)");
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

/** Cell text is capped to what a cell holds (SPEC §12), with room to spare. */
export const CELL_TEXT_CAP = 49_000;
export function capCellText(text: string): string {
  return text.length > CELL_TEXT_CAP ? text.slice(0, CELL_TEXT_CAP - 1) + "…" : text;
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
