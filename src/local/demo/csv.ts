// CSV in and out for the demo (RFC 4180 plus what spreadsheet exports really contain): quoted fields
// with commas, doubled quotes and line breaks, CRLF/LF/CR line ends, a UTF-8 byte-order mark, and
// the separator of the export: a comma, a semicolon (Excel where the decimal mark is a comma, as in
// most of Europe) or a tab.
import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";

export class CsvError extends Error {
  override name = "CsvError";
}

export interface ParsedCsv {
  rows: string[][];
  /** The file started with a UTF-8 byte-order mark. */
  bom: boolean;
  /** The field separator the file uses. */
  separator: Separator;
}

export const SEPARATORS = [",", ";", "\t"] as const;
export type Separator = (typeof SEPARATORS)[number];

/** The separator in words, for messages. */
export const SEPARATOR_NAMES: Record<Separator, string> = { ",": "comma", ";": "semicolon", "\t": "tab" };

const BOM = "\uFEFF";
/** Records read to choose the separator: enough to see a pattern, few enough to stay instant on a big file. */
const SNIFF_RECORDS = 50;

/** Decodes bytes as UTF-8, refusing anything that is not text (a spreadsheet saved as .xlsx, say). */
export function decodeCsvBytes(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CsvError('it is not UTF-8 text (save it as "CSV UTF-8")');
  }
  if (text.includes("\0")) throw new CsvError('it holds binary data, not text (save it as "CSV UTF-8")');
  return text;
}

/**
 * Parses CSV text into rows of strings, choosing the separator as `separatorOf` does unless one is
 * given. Rows are padded to the widest row so that column indexes are stable; trailing empty lines
 * are dropped, empty lines inside the file are kept as empty rows (they are rows of the sheet, and
 * the add-on skips rows without a company).
 */
export function parseCsv(input: string, separator?: Separator): ParsedCsv {
  const bom = input.startsWith(BOM);
  let text = bom ? input.slice(1) : input;
  // Excel writes and reads a first line "sep=;" that names the separator.
  const directive = /^sep=(.)(\r\n|\n|\r|$)/i.exec(text);
  const named = SEPARATORS.find((s) => s === directive?.[1]);
  if (directive && named) text = text.slice(directive[0].length);
  const chosen = separator ?? named ?? separatorOf(text);
  const rows = parseRecords(text, chosen, Infinity);
  while (rows.length > 0 && isBlankRow(rows[rows.length - 1] ?? [])) rows.pop();
  const width = rows.reduce((max, r) => Math.max(max, r.length), 0);
  for (const r of rows) while (r.length < width) r.push("");
  return { rows, bom, separator: chosen };
}

/**
 * The separator that reads the start of the file as a table: the header splits into two fields or
 * more, and the most rows below it have as many fields. A quoted field may hold the other
 * separators. With no such separator (a one-column file), a comma.
 */
export function separatorOf(text: string): Separator {
  let best: { separator: Separator; matching: number; width: number } | null = null;
  for (const separator of SEPARATORS) {
    let records: string[][];
    try {
      records = parseRecords(text, separator, SNIFF_RECORDS);
    } catch {
      continue;
    }
    const [header = [], ...rest] = records;
    const width = header.length;
    if (width < 2) continue;
    const matching = rest.filter((r) => !isBlankRow(r) && r.length === width).length;
    // Earlier candidates win ties: a comma is the common case.
    if (!best || matching > best.matching || (matching === best.matching && width > best.width)) best = { separator, matching, width };
  }
  return best?.separator ?? ",";
}

/** Records of the text, at most `limit` of them (the last one may be cut short by the limit). */
function parseRecords(text: string, separator: Separator, limit: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let line = 1;
  let i = 0;

  const endField = () => {
    row.push(field);
    field = "";
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };

  while (i < text.length && rows.length < limit) {
    const ch = text[i];
    if (ch === '"' && field === "") {
      // Quoted field: runs to the next quote that is not doubled, across line breaks.
      const startLine = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new CsvError(`a quoted field that starts on line ${startLine} is never closed`);
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line++;
        field += c;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== separator && next !== "\n" && next !== "\r") {
        throw new CsvError(`unexpected text after a closing quote on line ${line}`);
      }
      continue;
    }
    if (ch === separator) {
      endField();
      i++;
      continue;
    }
    if (ch === "\r" || ch === "\n") {
      endRow();
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      continue;
    }
    field += ch;
    i++;
  }
  if (rows.length < limit && (field !== "" || row.length > 0)) endRow();
  return rows;
}

function isBlankRow(row: readonly string[]): boolean {
  return row.every((cell) => cell === "");
}

/** The text of a sheet value in a CSV cell: numbers and booleans as Sheets exports them, blanks empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function quoteField(text: string, separator: Separator): string {
  // Leading or trailing spaces are quoted too: some readers trim unquoted fields.
  return /["\r\n]|^\s|\s$/.test(text) || text.includes(separator) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Text that a spreadsheet program would run as a formula (or DDE command) when it opens the file gets
 * a leading apostrophe, which Sheets, Excel and LibreOffice read as "this is text":
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function neutralised(value: unknown): string {
  const text = cellText(value);
  return typeof value === "string" && FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * Writes rows as CSV with LF line ends, quoting only where needed; the last line ends with LF. It
 * starts with a UTF-8 byte-order mark, without which Excel reads names such as "株式会社" as Latin-1.
 * The separator is the input's, so the result opens in the program that wrote the input.
 */
export function writeCsv(rows: readonly (readonly unknown[])[], separator: Separator = ","): string {
  const body = rows.map((row) => row.map((value) => quoteField(neutralised(value), separator)).join(separator)).join("\n");
  return BOM + (rows.length > 0 ? body + "\n" : "");
}

/** Why a result cannot be written at `path` (checked before a run spends anything), or null. */
export function outputProblem(path: string): string | null {
  const folder = dirname(path);
  try {
    if (!statSync(folder).isDirectory()) return `${folder} is not a folder`;
  } catch {
    return `the folder ${folder} does not exist`;
  }
  try {
    if (statSync(path).isDirectory()) return `${path} is a folder`;
    accessSync(path, constants.W_OK);
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") {
      try {
        accessSync(folder, constants.W_OK);
      } catch {
        return `the folder ${folder} is not writable`;
      }
      return null;
    }
    return `${path} is not writable`;
  }
  return null;
}
