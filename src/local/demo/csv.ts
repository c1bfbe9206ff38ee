// CSV in and out for the demo (RFC 4180 plus what spreadsheet exports really contain): quoted fields
// with commas, doubled quotes and line breaks, CRLF/LF/CR line ends, a UTF-8 byte-order mark.
import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";

export class CsvError extends Error {
  override name = "CsvError";
}

export interface ParsedCsv {
  rows: string[][];
  /** The file started with a UTF-8 byte-order mark. */
  bom: boolean;
}

const BOM = "\uFEFF";

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
 * Parses CSV text into rows of strings. Rows are padded to the widest row so that column indexes are
 * stable; trailing empty lines are dropped, empty lines inside the file are kept as empty rows (they
 * are rows of the sheet, and the add-on skips rows without a company).
 */
export function parseCsv(input: string): ParsedCsv {
  const bom = input.startsWith(BOM);
  const text = bom ? input.slice(1) : input;
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

  while (i < text.length) {
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
      if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
        throw new CsvError(`unexpected text after a closing quote on line ${line}`);
      }
      continue;
    }
    if (ch === ",") {
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
  if (field !== "" || row.length > 0) endRow();

  while (rows.length > 0 && isBlankRow(rows[rows.length - 1] ?? [])) rows.pop();
  const width = rows.reduce((max, r) => Math.max(max, r.length), 0);
  for (const r of rows) while (r.length < width) r.push("");
  return { rows, bom };
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

function quoteField(text: string): string {
  // Leading or trailing spaces are quoted too: some readers trim unquoted fields.
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
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
 */
export function writeCsv(rows: readonly (readonly unknown[])[]): string {
  const body = rows.map((row) => row.map((value) => quoteField(neutralised(value))).join(",")).join("\n");
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
