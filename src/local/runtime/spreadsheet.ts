import { LIMITS } from "../../core/limits";
import { ServiceError } from "./execution";
import { columnLetters, parseRef, splitSheetName, type GridRange } from "./a1";

export type CellValue = string | number | boolean | Date;

/** A link over characters [start, end) of a cell's text (rich text). */
export interface LinkRun {
  start: number;
  end: number;
  url: string;
}

interface Cell {
  value: CellValue;
  /** "" when the cell holds no formula. */
  formula: string;
  /** Number format; "@" is plain text. */
  format: string;
  /** "" when the cell has no note. */
  note: string;
  /** Links of a rich-text value; any other write drops them. */
  links: LinkRun[];
}

/**
 * Developer metadata on a whole column. Sheets keeps it with the column when columns are inserted,
 * deleted or moved: https://developers.google.com/sheets/api/guides/metadata
 */
export interface ColumnMetadata {
  id: number;
  key: string;
  value: string | null;
  column: number;
}

/**
 * Developer metadata on a whole sheet: it stays with the sheet whatever the sheet is named
 * (https://developers.google.com/apps-script/reference/spreadsheet/sheet#addDeveloperMetadata(String,String)).
 */
export interface SheetMetadata {
  id: number;
  key: string;
  value: string | null;
}

/**
 * A protected range: only its editors and the spreadsheet's owner may change it. A protected sheet
 * (`wholeSheet`) covers every cell, those added later too, and its rows and columns themselves
 * (https://support.google.com/docs/answer/1218656).
 */
export interface ProtectedRange {
  id: number;
  range: GridRange;
  editors: Set<string>;
  description: string;
  wholeSheet: boolean;
}

/** A conditional-format rule of the kinds the model knows: "text is exactly" with colours. */
export interface ConditionalRule {
  ranges: GridRange[];
  textEqualTo: string;
  background: string | null;
  fontColor: string | null;
}

/**
 * Google's text when a script edits protected cells it may not edit (the Sheets API answers the same):
 * https://developers.google.com/apps-script/reference/spreadsheet/protection and
 * https://github.com/theoephraim/node-google-spreadsheet/pull/20
 */
export const PROTECTED_MESSAGE =
  "You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit.";

/**
 * A spreadsheet holds at most 10 million cells, empty ones included
 * (https://support.google.com/drive/answer/37603); growing past it fails with this text, as users of
 * Apps Script and the Sheets API report it.
 */
export const CELL_LIMIT_MESSAGE = `This action would increase the number of cells in the workbook above the limit of ${LIMITS.cellsPerSpreadsheet} cells.`;

interface Row {
  cells: (Cell | undefined)[];
  filteredOut: boolean;
  /** Hidden by a custom-formula condition (a test says which rows; the model does not evaluate it). */
  hiddenByFormula: boolean;
  hiddenByUser: boolean;
}

const DEFAULT_ROWS = 1000;
const DEFAULT_COLS = 26;
/** Value of a formula cell the test gave no value for: the runtime stores formulas, never evaluates them. */
export const FORMULA_VALUE = "#ERROR!";

/** A formula a script entered into a cell, and the formula the cell held before ("" for none). */
export interface FormulaEntry {
  sheet: FakeSheet;
  row: number;
  column: number;
  formula: string;
  previous: string;
}

/** Where a formula cell is, for a test's FormulaValues. */
export interface FormulaCell {
  sheet: string;
  row: number;
  column: number;
  a1: string;
}

/**
 * The value Sheets would show for a formula (a formula cell reads back as its value on Google), or
 * undefined for FORMULA_VALUE. A test supplies it; the runtime is not a spreadsheet engine.
 */
export type FormulaValues = (formula: string, cell: FormulaCell) => CellValue | undefined;

/**
 * The condition types of a filter by condition the model evaluates (SpreadsheetApp.BooleanCriteria).
 * CUSTOM_FORMULA is not evaluated: a test marks the rows it hides (FakeSheet.setFilteredOut).
 */
export type FilterCondition =
  | "CELL_EMPTY"
  | "CELL_NOT_EMPTY"
  | "TEXT_CONTAINS"
  | "TEXT_DOES_NOT_CONTAIN"
  | "TEXT_STARTS_WITH"
  | "TEXT_ENDS_WITH"
  | "TEXT_EQUAL_TO"
  | "NUMBER_GREATER_THAN"
  | "NUMBER_GREATER_THAN_OR_EQUAL_TO"
  | "NUMBER_LESS_THAN"
  | "NUMBER_LESS_THAN_OR_EQUAL_TO"
  | "NUMBER_EQUAL_TO"
  | "NUMBER_NOT_EQUAL_TO"
  | "NUMBER_BETWEEN"
  | "NUMBER_NOT_BETWEEN"
  | "CUSTOM_FORMULA";

/** One column's filter criteria: values hidden or shown (the checklist), or a condition. */
export interface FilterCriteria {
  hiddenValues: string[];
  visibleValues: string[];
  condition: { type: FilterCondition; values: (string | number)[] } | null;
}
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** "+SUM(A1)" or "-A1" typed into Sheets is parsed as a formula; "- item" or "-" alone stays text. */
const SIGNED_FORMULA = /^[+-][A-Za-z(]/;

function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === "[object Date]";
}

/** A cell holds at most 50,000 characters (https://support.google.com/docs/answer/37603). */
function checkCellLength(text: string): void {
  if (text.length > LIMITS.cellChars) {
    throw new ServiceError(`Your input contains more than the maximum of ${LIMITS.cellChars} characters in a single cell.`);
  }
}

/** How Sheets stores what a script writes, given the cell's number format ("@" keeps text as text). */
export function interpretInput(input: unknown, format: string): { value: CellValue; formula: string } {
  if (input === null || input === undefined) return { value: "", formula: "" };
  if (typeof input === "number" || typeof input === "boolean") return { value: input, formula: "" };
  if (isDate(input)) return { value: new Date(input.getTime()), formula: "" };
  const text = typeof input === "string" ? input : String(input);
  checkCellLength(text);
  if (format === "@" || text === "") return { value: text, formula: "" };
  // A leading apostrophe forces text in Sheets and is not part of the value.
  if (text.startsWith("'")) return { value: text.slice(1), formula: "" };
  if (text.startsWith("=") && text.length > 1) return { value: FORMULA_VALUE, formula: text };
  if (SIGNED_FORMULA.test(text)) return { value: FORMULA_VALUE, formula: `=${text}` };
  if (NUMBER.test(text.trim())) return { value: Number(text), formula: "" };
  if (/^(true|false)$/i.test(text)) return { value: text.toLowerCase() === "true", formula: "" };
  return { value: text, formula: "" };
}

/** The text Sheets shows for a value (no locale or number-format rendering). */
export function displayOf(value: CellValue): string {
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (isDate(value))
    return value
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "");
  return String(value);
}

function isEmpty(cell: Cell | undefined): boolean {
  return !cell || (cell.value === "" && cell.formula === "");
}

function overlaps(a: GridRange, b: GridRange): boolean {
  return a.row < b.row + b.numRows && b.row < a.row + a.numRows && a.col < b.col + b.numCols && b.col < a.col + a.numCols;
}

/** A range after its rows or columns moved: `move` gives each old index its new one, or null when deleted. */
function remap(range: GridRange, axis: "row" | "col", move: (index: number) => number | null): GridRange | null {
  const size = axis === "row" ? range.numRows : range.numCols;
  const moved: number[] = [];
  for (let i = range[axis]; i < range[axis] + size; i++) {
    const to = move(i);
    if (to !== null) moved.push(to);
  }
  if (moved.length === 0) return null;
  const first = Math.min(...moved);
  const count = Math.max(...moved) - first + 1;
  return axis === "row" ? { ...range, row: first, numRows: count } : { ...range, col: first, numCols: count };
}

function asNumber(value: CellValue): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/**
 * Whether a column's criteria hide a value. Conditions on text ignore case, as the filter menu's do;
 * a number condition hides a cell that holds no number.
 */
function hides(criteria: FilterCriteria, value: CellValue): boolean {
  const shown = displayOf(value);
  if (criteria.hiddenValues.includes(shown)) return true;
  if (criteria.visibleValues.length > 0 && !criteria.visibleValues.includes(shown)) return true;
  const condition = criteria.condition;
  if (!condition || condition.type === "CUSTOM_FORMULA") return false;
  const text = shown.toLowerCase();
  const [a = "", b = ""] = condition.values;
  const wanted = String(a).toLowerCase();
  const n = asNumber(value);
  const x = Number(a);
  const y = Number(b);
  const keep: Record<Exclude<FilterCondition, "CUSTOM_FORMULA">, () => boolean> = {
    CELL_EMPTY: () => shown === "",
    CELL_NOT_EMPTY: () => shown !== "",
    TEXT_CONTAINS: () => text.includes(wanted),
    TEXT_DOES_NOT_CONTAIN: () => !text.includes(wanted),
    TEXT_STARTS_WITH: () => text.startsWith(wanted),
    TEXT_ENDS_WITH: () => text.endsWith(wanted),
    TEXT_EQUAL_TO: () => text === wanted,
    NUMBER_GREATER_THAN: () => n !== null && n > x,
    NUMBER_GREATER_THAN_OR_EQUAL_TO: () => n !== null && n >= x,
    NUMBER_LESS_THAN: () => n !== null && n < x,
    NUMBER_LESS_THAN_OR_EQUAL_TO: () => n !== null && n <= x,
    NUMBER_EQUAL_TO: () => n !== null && n === x,
    NUMBER_NOT_EQUAL_TO: () => n === null || n !== x,
    NUMBER_BETWEEN: () => n !== null && n >= Math.min(x, y) && n <= Math.max(x, y),
    NUMBER_NOT_BETWEEN: () => n !== null && (n < Math.min(x, y) || n > Math.max(x, y)),
  };
  return !keep[condition.type]();
}

export class FakeSheet {
  readonly id: number;
  name: string;
  hidden = false;
  /** Deleted from its spreadsheet: script objects that still point at it fail. */
  deleted = false;
  /** The range of the sheet's filter (at most one per sheet, as in Sheets), or null. */
  filter: GridRange | null = null;
  maxRows = DEFAULT_ROWS;
  maxCols = DEFAULT_COLS;
  /** Index 0 is row 1; rows not yet touched are undefined. */
  #rows: (Row | undefined)[] = [];
  readonly #spreadsheet: FakeSpreadsheet;
  readonly metadata: ColumnMetadata[] = [];
  readonly sheetMetadata: SheetMetadata[] = [];
  readonly protections: ProtectedRange[] = [];
  conditionalRules: ConditionalRule[] = [];
  /** The filter's criteria by column; a filter without any hides nothing. */
  readonly filterCriteria = new Map<number, FilterCriteria>();
  #beforeNextScriptWrite: ((sheet: FakeSheet) => void) | null = null;

  constructor(spreadsheet: FakeSpreadsheet, name: string, id: number) {
    this.#spreadsheet = spreadsheet;
    this.name = name;
    this.id = id;
  }

  // ---- test-facing helpers (free: no stats, no virtual time) ----

  /** Replaces the contents with `rows`, stored as given (no formula or number parsing); grows the grid to fit. */
  load(rows: unknown[][]): void {
    this.#rows = [];
    const width = Math.max(0, ...rows.map((r) => r.length));
    this.maxRows = Math.max(this.maxRows, rows.length);
    this.maxCols = Math.max(this.maxCols, width);
    rows.forEach((values, r) => {
      values.forEach((value, c) => {
        if (value === null || value === undefined || value === "") return;
        const stored: CellValue =
          typeof value === "number" || typeof value === "boolean" || typeof value === "string" || isDate(value) ? value : String(value);
        this.#cellAt(r + 1, c + 1, true).value = stored;
      });
    });
  }

  /** Values, trimmed to the last row and column that hold data. */
  dump(): unknown[][] {
    const lastRow = this.lastRow();
    const lastCol = this.lastColumn();
    if (lastRow === 0) return [];
    return this.values({ row: 1, col: 1, numRows: lastRow, numCols: lastCol });
  }

  cell(a1: string): unknown {
    const range = this.#parseTestRef(a1);
    return this.#valueAt(range.row, range.col);
  }

  formulaAt(a1: string): string {
    const range = this.#parseTestRef(a1);
    return this.#cellAt(range.row, range.col, false)?.formula ?? "";
  }

  formatAt(a1: string): string {
    const range = this.#parseTestRef(a1);
    return this.#cellAt(range.row, range.col, false)?.format ?? "";
  }

  noteAt(a1: string): string {
    const range = this.#parseTestRef(a1);
    return this.#cellAt(range.row, range.col, false)?.note ?? "";
  }

  linksAt(a1: string): LinkRun[] {
    const range = this.#parseTestRef(a1);
    return [...(this.#cellAt(range.row, range.col, false)?.links ?? [])];
  }

  /** A user typing into a cell: the value is stored as given (text stays text), rich text and formula dropped. */
  edit(a1: string, value: string | number | boolean): void {
    const range = this.#parseTestRef(a1);
    const cell = this.#cellAt(range.row, range.col, true);
    cell.value = value;
    cell.formula = "";
    cell.links = [];
  }

  /**
   * Runs `edit` once, just before the next write a script makes to this sheet: a user's edit that lands
   * between a worker's read and its write.
   */
  beforeNextScriptWrite(edit: (sheet: FakeSheet) => void): void {
    this.#beforeNextScriptWrite = edit;
  }

  /** Called by the script-facing Range before each write. */
  scriptWillWrite(): void {
    const edit = this.#beforeNextScriptWrite;
    this.#beforeNextScriptWrite = null;
    edit?.(this);
  }

  /** Protects `a1` so that only `editors` (and the spreadsheet's owner) may change it. */
  protect(a1: string, editors: readonly string[] = [], description = ""): ProtectedRange {
    return this.addProtection(this.#parseTestRef(a1), editors, description);
  }

  /** Protects the whole sheet, as Data > Protect sheets and ranges > Sheet does. */
  protectSheet(editors: readonly string[] = [], description = ""): ProtectedRange {
    return this.addProtection(this.#parseTestRef("A1"), editors, description, true);
  }

  /** The column holding the first metadata with this key and value, or null. */
  columnTagged(key: string, value?: string): number | null {
    return this.metadata.find((m) => m.key === key && (value === undefined || m.value === value))?.column ?? null;
  }

  isHidden(): boolean {
    return this.hidden;
  }

  /**
   * Hides a row by a custom-formula condition on the filter's first column (one the model does not
   * evaluate); a sheet without a filter gets one over its data first.
   */
  setFilteredOut(rowNumber: number, filteredOut: boolean): void {
    const range = this.#filterOver(1, rowNumber);
    this.#row(rowNumber, true).hiddenByFormula = filteredOut;
    const criteria = this.filterCriteria.get(range.col);
    const formula = { type: "CUSTOM_FORMULA" as const, values: ["=TRUE"] };
    this.setColumnCriteria(
      range.col,
      criteria ? { ...criteria, condition: formula } : { hiddenValues: [], visibleValues: [], condition: formula },
    );
  }

  /** Puts a filter with no criteria on `a1` (or removes it with null, which shows every filtered row again). */
  setFilter(a1: string | null): void {
    this.filterCriteria.clear();
    for (const row of this.#rows) {
      if (!row) continue;
      row.filteredOut = false;
      row.hiddenByFormula = false;
    }
    this.filter = a1 === null ? null : this.#parseTestRef(a1);
  }

  /**
   * Filters column `col` "by values", as the filter menu's checklist does: rows of the filter's range
   * whose value shows as one of `hidden` are hidden.
   */
  filterByValues(col: number, hidden: readonly string[]): void {
    this.#filterOver(col, 2);
    this.setColumnCriteria(col, { hiddenValues: [...hidden], visibleValues: [], condition: null });
  }

  /** Filters column `col` by a condition, as the filter menu's "Filter by condition" does. */
  filterByCondition(col: number, type: Exclude<FilterCondition, "CUSTOM_FORMULA">, values: (string | number)[] = []): void {
    this.#filterOver(col, 2);
    this.setColumnCriteria(col, { hiddenValues: [], visibleValues: [], condition: { type, values: [...values] } });
  }

  /** The sheet's filter, created over the data (at least to `col` and `row`) when there is none. */
  #filterOver(col: number, row: number): GridRange {
    if (!this.filter) {
      this.setFilter(`A1:${columnLetters(Math.max(col, this.lastColumn()))}${Math.max(row, this.lastRow())}`);
    }
    return this.filter ?? this.#parseTestRef("A1");
  }

  /**
   * Sets (or with null removes) one column's criteria and applies the filter again: each row of the
   * range below its header row is hidden when any column's criteria hide it. Sheets applies a filter
   * when it is set, not when a cell changes later, and so does the model.
   */
  setColumnCriteria(col: number, criteria: FilterCriteria | null): void {
    const range = this.filter;
    if (!range) return;
    if (criteria) this.filterCriteria.set(col, criteria);
    else this.filterCriteria.delete(col);
    const byFormula = [...this.filterCriteria.values()].some((c) => c.condition?.type === "CUSTOM_FORMULA");
    for (let r = range.row + 1; r < range.row + range.numRows; r++) {
      const row = this.#row(r, false);
      const hidden =
        (byFormula && (row?.hiddenByFormula ?? false)) || [...this.filterCriteria].some(([c, rule]) => hides(rule, this.#valueAt(r, c)));
      if (hidden || row) this.#row(r, true).filteredOut = hidden;
    }
  }

  setHiddenByUser(rowNumber: number, hidden: boolean): void {
    this.#row(rowNumber, true).hiddenByUser = hidden;
  }

  setActive(): void {
    this.#spreadsheet.setSelection(this.name, ["A1"]);
  }

  // ---- the model behind the script-facing Sheet and Range ----

  isFilteredOut(rowNumber: number): boolean {
    return this.#row(rowNumber, false)?.filteredOut ?? false;
  }

  isHiddenByUser(rowNumber: number): boolean {
    return this.#row(rowNumber, false)?.hiddenByUser ?? false;
  }

  lastRow(): number {
    for (let r = this.#rows.length; r >= 1; r--) {
      if (this.#rows[r - 1]?.cells.some((c) => !isEmpty(c))) return r;
    }
    return 0;
  }

  lastColumn(): number {
    let last = 0;
    for (const row of this.#rows) {
      if (!row) continue;
      for (let c = row.cells.length; c > last; c--) {
        if (!isEmpty(row.cells[c - 1])) {
          last = c;
          break;
        }
      }
    }
    return last;
  }

  /** Checks that a range lies inside the grid, with Google's messages. */
  checkRange(range: GridRange): void {
    if (range.row < 1) throw new ServiceError("The starting row of the range is too small.");
    if (range.col < 1) throw new ServiceError("The starting column of the range is too small.");
    if (range.numRows < 1) throw new ServiceError("The number of rows in the range must be at least 1.");
    if (range.numCols < 1) throw new ServiceError("The number of columns in the range must be at least 1.");
    if (range.row + range.numRows - 1 > this.maxRows || range.col + range.numCols - 1 > this.maxCols) {
      throw new ServiceError("The coordinates of the range are outside the dimensions of the sheet.");
    }
  }

  parseA1(a1: string): GridRange {
    const { ref } = splitSheetName(a1);
    const range = parseRef(ref, this.maxRows, this.maxCols);
    if (!range) throw new ServiceError(`Range not found`);
    return range;
  }

  values(range: GridRange): CellValue[][] {
    return this.#map(range, (cell, row, column) => this.#shown(cell, row, column));
  }

  formulas(range: GridRange): string[][] {
    return this.#map(range, (cell) => cell?.formula ?? "");
  }

  formats(range: GridRange): string[][] {
    return this.#map(range, (cell) => cell?.format ?? "");
  }

  /** Writes a grid of inputs with Sheets' interpretation; validates everything before changing anything. */
  write(range: GridRange, inputs: unknown[][]): void {
    const stored = inputs.map((row, r) =>
      row.map((input, c) => interpretInput(input, this.#cellAt(range.row + r, range.col + c, false)?.format ?? "")),
    );
    stored.forEach((row, r) =>
      row.forEach((s, c) => {
        const cell = this.#cellAt(range.row + r, range.col + c, true);
        const previous = cell.formula;
        cell.value = s.value;
        cell.formula = s.formula;
        cell.links = [];
        if (s.formula !== "")
          this.#spreadsheet.formulaEntered?.({ sheet: this, row: range.row + r, column: range.col + c, formula: s.formula, previous });
      }),
    );
  }

  /** Sheets' recalculation of a formula cell: its value, while the cell still holds that formula. */
  setCalculated(row: number, column: number, formula: string, value: CellValue): void {
    const cell = this.#cellAt(row, column, false);
    if (cell?.formula === formula) cell.value = value;
  }

  /**
   * Copies the cells of `range` (values, formulas, formats, notes, links) to `target` with its top
   * left at (row, column); with `metadata`, the developer metadata of the columns copied whole too.
   */
  copyCells(range: GridRange, target: FakeSheet, row: number, column: number, metadata: boolean): void {
    const copies = this.#map(range, (cell) => (cell ? { ...cell, links: [...cell.links] } : undefined));
    copies.forEach((line, r) =>
      line.forEach((copy, c) => {
        if (!copy && !target.#cellAt(row + r, column + c, false)) return;
        Object.assign(target.#cellAt(row + r, column + c, true), copy ?? { value: "", formula: "", format: "", note: "", links: [] });
      }),
    );
    if (!metadata || range.row !== 1 || range.numRows < this.maxRows) return;
    for (const m of this.metadata.filter((m) => m.column >= range.col && m.column < range.col + range.numCols)) {
      target.addColumnMetadata(column + m.column - range.col, m.key, m.value);
    }
  }

  setFormats(range: GridRange, formats: string[][]): void {
    formats.forEach((row, r) =>
      row.forEach((format, c) => {
        this.#cellAt(range.row + r, range.col + c, true).format = format;
      }),
    );
  }

  notes(range: GridRange): string[][] {
    return this.#map(range, (cell) => cell?.note ?? "");
  }

  setNotes(range: GridRange, notes: string[][]): void {
    notes.forEach((row, r) =>
      row.forEach((note, c) => {
        const existing = this.#cellAt(range.row + r, range.col + c, note !== "");
        if (existing) existing.note = note;
      }),
    );
  }

  richText(range: GridRange): { text: string; links: LinkRun[] }[][] {
    return this.#map(range, (cell, row, column) => ({
      text: cell ? displayOf(this.#shown(cell, row, column)) : "",
      links: [...(cell?.links ?? [])],
    }));
  }

  /** Rich text is text whatever the number format: it never becomes a formula or a number. */
  setRichText(range: GridRange, values: { text: string; links: LinkRun[] }[][]): void {
    for (const row of values) for (const v of row) checkCellLength(v.text);
    values.forEach((row, r) =>
      row.forEach((v, c) => {
        const cell = this.#cellAt(range.row + r, range.col + c, true);
        cell.value = v.text;
        cell.formula = "";
        cell.links = v.links.map((l) => ({ ...l }));
      }),
    );
  }

  /** The first protection over `range` (or, with null, over the sheet itself) that `user` may not edit, or null. */
  protectionAgainst(range: GridRange | null, user: string): ProtectedRange | null {
    if (user === this.#spreadsheet.owner) return null;
    return this.protections.find((p) => (p.wholeSheet || (range !== null && overlaps(p.range, range))) && !p.editors.has(user)) ?? null;
  }

  addProtection(range: GridRange, editors: readonly string[], description: string, wholeSheet = false): ProtectedRange {
    const protection: ProtectedRange = { id: this.#spreadsheet.nextId(), range, editors: new Set(editors), description, wholeSheet };
    this.protections.push(protection);
    return protection;
  }

  removeProtection(id: number): void {
    const index = this.protections.findIndex((p) => p.id === id);
    if (index >= 0) this.protections.splice(index, 1);
  }

  addColumnMetadata(column: number, key: string, value: string | null): ColumnMetadata {
    const entry: ColumnMetadata = { id: this.#spreadsheet.nextId(), key, value, column };
    this.metadata.push(entry);
    return entry;
  }

  addSheetMetadata(key: string, value: string | null): SheetMetadata {
    const entry: SheetMetadata = { id: this.#spreadsheet.nextId(), key, value };
    this.sheetMetadata.push(entry);
    return entry;
  }

  removeMetadata(id: number): void {
    const index = this.metadata.findIndex((m) => m.id === id);
    if (index >= 0) this.metadata.splice(index, 1);
    const onSheet = this.sheetMetadata.findIndex((m) => m.id === id);
    if (onSheet >= 0) this.sheetMetadata.splice(onSheet, 1);
  }

  clear(range: GridRange, what: { contents: boolean; formats: boolean }): void {
    for (let r = range.row; r < range.row + range.numRows; r++) {
      for (let c = range.col; c < range.col + range.numCols; c++) {
        const cell = this.#cellAt(r, c, false);
        if (!cell) continue;
        if (what.contents) {
          cell.value = "";
          cell.formula = "";
          cell.links = [];
        }
        if (what.formats) cell.format = "";
      }
    }
  }

  insertRows(beforeRow: number, count: number): void {
    this.#spreadsheet.ensureRoom(count * this.maxCols);
    if (beforeRow - 1 > this.#rows.length) this.#rows.length = beforeRow - 1;
    this.#rows.splice(beforeRow - 1, 0, ...Array.from({ length: count }, () => undefined));
    this.maxRows += count;
    this.#remapRanges("row", (r) => (r >= beforeRow ? r + count : r));
  }

  deleteRows(row: number, count: number): void {
    this.#rows.splice(row - 1, count);
    this.maxRows -= count;
    this.#remapRanges("row", (r) => (r < row ? r : r < row + count ? null : r - count));
  }

  insertColumns(afterCol: number, count: number): void {
    this.#spreadsheet.ensureRoom(count * this.maxRows);
    for (const row of this.#rows) {
      if (!row || row.cells.length <= afterCol) continue;
      row.cells.splice(afterCol, 0, ...Array.from({ length: count }, () => undefined));
    }
    this.maxCols += count;
    this.#remapColumns((c) => (c > afterCol ? c + count : c));
  }

  /** Deletes columns; their metadata goes with them, later columns (and their metadata) shift left. */
  deleteColumns(col: number, count: number): void {
    for (const row of this.#rows) row?.cells.splice(col - 1, count);
    this.maxCols -= count;
    this.#remapColumns((c) => (c < col ? c : c < col + count ? null : c - count));
  }

  /**
   * Moves `count` columns from `col` so that they sit before column `destination`, counted before the
   * move (Sheet.moveColumns). Cells, metadata, protections and rules travel with them.
   */
  moveColumns(col: number, count: number, destination: number): void {
    const order = Array.from({ length: Math.max(this.maxCols, destination - 1) }, (_, i) => i + 1);
    const reorder = <T>(items: T[]): T[] => {
      const block = items.splice(col - 1, count);
      items.splice(destination > col ? destination - 1 - count : destination - 1, 0, ...block);
      return items;
    };
    reorder(order);
    const to = new Map(order.map((from, i) => [from, i + 1]));
    for (const row of this.#rows) {
      if (!row) continue;
      const cells = Array.from({ length: order.length }, (_, i) => row.cells[i]);
      row.cells = reorder(cells);
    }
    this.#remapColumns((c) => to.get(c) ?? c);
  }

  #remapColumns(move: (col: number) => number | null): void {
    for (const m of [...this.metadata]) {
      const to = move(m.column);
      if (to === null) this.removeMetadata(m.id);
      else m.column = to;
    }
    this.#remapRanges("col", move);
  }

  #remapRanges(axis: "row" | "col", move: (index: number) => number | null): void {
    for (const p of [...this.protections]) {
      if (p.wholeSheet) continue;
      const range = remap(p.range, axis, move);
      if (range) p.range = range;
      else this.removeProtection(p.id);
    }
    this.conditionalRules = this.conditionalRules
      .map((rule) => ({ ...rule, ranges: rule.ranges.map((r) => remap(r, axis, move)).filter((r): r is GridRange => r !== null) }))
      .filter((rule) => rule.ranges.length > 0);
  }

  /** Reorders rows fromRow..last row with data by comparing their values. */
  sortRows(fromRow: number, compare: (a: unknown[], b: unknown[]) => number): void {
    const lastRow = this.lastRow();
    if (lastRow < fromRow) return;
    const width = this.lastColumn();
    const moving = this.#rows.slice(fromRow - 1, lastRow);
    const valuesOf = (row: Row | undefined): unknown[] => Array.from({ length: width }, (_, c) => row?.cells[c]?.value ?? "");
    moving.sort((a, b) => compare(valuesOf(a), valuesOf(b)));
    this.#rows.splice(fromRow - 1, moving.length, ...moving);
  }

  reverseRows(fromRow: number, toRow: number): void {
    if (toRow > this.#rows.length) this.#rows.length = toRow;
    const moving = this.#rows.slice(fromRow - 1, toRow).reverse();
    this.#rows.splice(fromRow - 1, moving.length, ...moving);
  }

  /** An A1 reference given by a test (host error, not a script exception, when malformed). */
  #parseTestRef(a1: string): GridRange {
    const range = parseRef(a1, this.maxRows, this.maxCols);
    if (!range) throw new Error(`not a cell reference: ${a1}`);
    return range;
  }

  #map<T>(range: GridRange, read: (cell: Cell | undefined, row: number, column: number) => T): T[][] {
    const out: T[][] = [];
    for (let r = range.row; r < range.row + range.numRows; r++) {
      const cells = this.#rows[r - 1]?.cells;
      const line: T[] = [];
      for (let c = range.col; c < range.col + range.numCols; c++) line.push(read(cells?.[c - 1], r, c));
      out.push(line);
    }
    return out;
  }

  /** A cell's value as a script reads it: a formula cell shows the value the test gave for it. */
  #shown(cell: Cell | undefined, row: number, column: number): CellValue {
    if (!cell) return "";
    const values = this.#spreadsheet.formulaValues;
    if (cell.formula === "" || !values) return cell.value;
    const a1 = `${columnLetters(column)}${row}`;
    return values(cell.formula, { sheet: this.name, row, column, a1 }) ?? cell.value;
  }

  #valueAt(row: number, column: number): CellValue {
    return this.#shown(this.#cellAt(row, column, false), row, column);
  }

  #row(rowNumber: number, create: true): Row;
  #row(rowNumber: number, create: boolean): Row | undefined;
  #row(rowNumber: number, create: boolean): Row | undefined {
    let row = this.#rows[rowNumber - 1];
    if (!row && create) {
      row = { cells: [], filteredOut: false, hiddenByFormula: false, hiddenByUser: false };
      this.#rows[rowNumber - 1] = row;
      if (rowNumber > this.maxRows) this.maxRows = rowNumber;
    }
    return row;
  }

  #cellAt(rowNumber: number, col: number, create: true): Cell;
  #cellAt(rowNumber: number, col: number, create: boolean): Cell | undefined;
  #cellAt(rowNumber: number, col: number, create: boolean): Cell | undefined {
    const row = this.#row(rowNumber, create);
    if (!row) return undefined;
    let cell = row.cells[col - 1];
    if (!cell && create) {
      cell = { value: "", formula: "", format: "", note: "", links: [] };
      row.cells[col - 1] = cell;
      if (col > this.maxCols) this.maxCols = col;
    }
    return cell;
  }
}

export interface ToastRecord {
  message: string;
  title: string;
  seconds: number;
}

/** The in-memory spreadsheet: sheets, the user's selection and the toasts shown on it. */
export class FakeSpreadsheet {
  readonly id: string;
  name = "Territory Planner (local)";
  readonly toasts: ToastRecord[] = [];
  /** The owner may edit every protected range. */
  owner = "user@example.com";
  /** What formula cells read as; null: every formula reads as FORMULA_VALUE. */
  formulaValues: FormulaValues | null = null;
  /**
   * Whether developer metadata travels with a copied column (Range.copyTo) or a duplicated sheet
   * (Sheet.copyTo): Google documents neither, so it is a deployment switch (PlatformBehaviour).
   */
  copiesCarryMetadata = false;
  /** Told of every formula a script enters (the runtime decides which Sheets recalculates). */
  formulaEntered: ((entry: FormulaEntry) => void) | null = null;
  #sheets: FakeSheet[] = [];
  #nextId = 1;
  #nextSheetId = 0;
  #activeSheet: FakeSheet;
  #selection: string[] = ["A1"];

  constructor(id = "local-spreadsheet") {
    this.id = id;
    this.#activeSheet = this.insertSheet("Sheet1");
  }

  getSheetByName(name: string): FakeSheet | null {
    return this.#sheets.find((s) => s.name === name) ?? null;
  }

  insertSheet(name: string, index?: number): FakeSheet {
    if (this.getSheetByName(name)) {
      throw new ServiceError(`A sheet with the name "${name}" already exists. Please enter another name.`);
    }
    this.ensureRoom(DEFAULT_ROWS * DEFAULT_COLS);
    const sheet = new FakeSheet(this, name, this.#nextSheetId++);
    this.#sheets.splice(index ?? this.#sheets.length, 0, sheet);
    return sheet;
  }

  sheets(): FakeSheet[] {
    return [...this.#sheets];
  }

  /** Cells of every sheet's grid, empty ones included: what Google's limit counts. */
  cellCount(): number {
    return this.#sheets.reduce((n, s) => n + s.maxRows * s.maxCols, 0);
  }

  /** Refuses a change that would add `cells` past the spreadsheet's limit. */
  ensureRoom(cells: number): void {
    if (this.cellCount() + cells > LIMITS.cellsPerSpreadsheet) throw new ServiceError(CELL_LIMIT_MESSAGE);
  }

  /**
   * Sheet.copyTo into the same spreadsheet: "Copy of <name>" after the sheets, with every cell and,
   * with `metadata`, the columns' developer metadata.
   */
  copySheet(name: string, metadata: boolean): FakeSheet {
    const source = this.#require(name);
    let copyName = `Copy of ${name}`;
    for (let n = 2; this.getSheetByName(copyName); n++) copyName = `Copy ${n} of ${name}`;
    const copy = this.insertSheet(copyName);
    this.ensureRoom(source.maxRows * source.maxCols - copy.maxRows * copy.maxCols);
    copy.maxRows = source.maxRows;
    copy.maxCols = source.maxCols;
    source.copyCells({ row: 1, col: 1, numRows: source.maxRows, numCols: source.maxCols }, copy, 1, 1, metadata);
    return copy;
  }

  /** Deletes a sheet, as a user or a script does; the first sheet left becomes active if it was. */
  deleteSheet(name: string): void {
    const sheet = this.#require(name);
    if (this.#sheets.length === 1) throw new ServiceError("You can't remove all the sheets in a document.");
    this.#sheets.splice(this.#sheets.indexOf(sheet), 1);
    sheet.deleted = true;
    const first = this.#sheets[0];
    if (this.#activeSheet === sheet && first) {
      this.#activeSheet = first;
      this.#selection = ["A1"];
    }
  }

  /** Ids of metadata and protections, unique in the spreadsheet as Google's are. */
  nextId(): number {
    return this.#nextId++;
  }

  /** Makes `sheetName` active with these ranges selected; the active range is the last one. */
  setSelection(sheetName: string, a1Ranges: string[]): void {
    const sheet = this.#require(sheetName);
    for (const a1 of a1Ranges) sheet.checkRange(sheet.parseA1(a1));
    this.#activeSheet = sheet;
    this.#selection = a1Ranges.length > 0 ? [...a1Ranges] : ["A1"];
  }

  getActiveSheetName(): string {
    return this.#activeSheet.name;
  }

  activeSheet(): FakeSheet {
    return this.#activeSheet;
  }

  selection(): string[] {
    return [...this.#selection];
  }

  insertRows(sheetName: string, beforeRow: number, count: number): void {
    this.#require(sheetName).insertRows(beforeRow, count);
  }

  deleteRows(sheetName: string, row: number, count: number): void {
    this.#require(sheetName).deleteRows(row, count);
  }

  sortRows(sheetName: string, fromRow: number, compare: (a: unknown[], b: unknown[]) => number): void {
    this.#require(sheetName).sortRows(fromRow, compare);
  }

  reverseRows(sheetName: string, fromRow: number, toRow: number): void {
    this.#require(sheetName).reverseRows(fromRow, toRow);
  }

  #require(name: string): FakeSheet {
    const sheet = this.getSheetByName(name);
    if (!sheet) throw new Error(`no sheet named ${name}`);
    return sheet;
  }
}
