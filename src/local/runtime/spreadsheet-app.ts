// The SpreadsheetApp a script sees: thin wrappers over the in-memory model that charge each call to
// the execution (virtual time, stats, custom-function permissions) and turn model errors into
// Apps Script exceptions of the script's realm.
import { toA1, splitSheetName, type GridRange } from "./a1";
import type { Execution } from "./execution";
import { displayOf, type FakeSheet, type FakeSpreadsheet } from "./spreadsheet";

function typeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "number[]";
  if (typeof value === "string") return "String";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "Boolean";
  return "Object";
}

function signatureError(exec: Execution, method: string, args: unknown[]): never {
  return exec.fail(
    `The parameters (${args.map(typeName).join(",")}) don't match the method signature for ${method}.`,
  );
}

function integer(exec: Execution, method: string, args: unknown[], index: number): number {
  const value = args[index];
  if (typeof value !== "number" || !Number.isFinite(value)) return signatureError(exec, method, args);
  return Math.floor(value);
}

/** Checks a script's 2-D array against the range size, with Google's messages. */
function grid(exec: Execution, method: string, data: unknown, range: GridRange): unknown[][] {
  if (!Array.isArray(data) || !data.every((row) => Array.isArray(row))) return signatureError(exec, method, [data]);
  const rows = data as unknown[][];
  if (rows.length !== range.numRows) {
    exec.fail(
      `The number of rows in the data does not match the number of rows in the range. The data has ${rows.length} but the range has ${range.numRows}.`,
    );
  }
  for (const row of rows) {
    if (row.length !== range.numCols) {
      exec.fail(
        `The number of columns in the data does not match the number of columns in the range. The data has ${row.length} but the range has ${range.numCols}.`,
      );
    }
  }
  return rows;
}

function fill<T>(range: GridRange, value: T): T[][] {
  return Array.from({ length: range.numRows }, () => Array.from({ length: range.numCols }, () => value));
}

export class ScriptRange {
  readonly #exec: Execution;
  readonly #sheet: FakeSheet;
  readonly #spreadsheet: FakeSpreadsheet;
  readonly #range: GridRange;

  constructor(exec: Execution, spreadsheet: FakeSpreadsheet, sheet: FakeSheet, range: GridRange) {
    this.#exec = exec;
    this.#spreadsheet = spreadsheet;
    this.#sheet = sheet;
    this.#range = range;
  }

  getRow(): number {
    return this.#range.row;
  }
  getColumn(): number {
    return this.#range.col;
  }
  getNumRows(): number {
    return this.#range.numRows;
  }
  getNumColumns(): number {
    return this.#range.numCols;
  }
  getLastRow(): number {
    return this.#range.row + this.#range.numRows - 1;
  }
  getLastColumn(): number {
    return this.#range.col + this.#range.numCols - 1;
  }
  getA1Notation(): string {
    return toA1(this.#range);
  }
  getSheet(): ScriptSheet {
    return new ScriptSheet(this.#exec, this.#spreadsheet, this.#sheet);
  }
  getCell(row: number, column: number): ScriptRange {
    return this.offset(row - 1, column - 1, 1, 1);
  }
  offset(rowOffset: number, columnOffset: number, numRows?: number, numColumns?: number): ScriptRange {
    const range = {
      row: this.#range.row + rowOffset,
      col: this.#range.col + columnOffset,
      numRows: numRows ?? this.#range.numRows,
      numCols: numColumns ?? this.#range.numCols,
    };
    this.#exec.guard(() => this.#sheet.checkRange(range));
    return new ScriptRange(this.#exec, this.#spreadsheet, this.#sheet, range);
  }

  getValues(): unknown[][] {
    this.#exec.service("read");
    return this.#exec.toScript(this.#sheet.values(this.#range));
  }
  getValue(): unknown {
    this.#exec.service("read");
    return this.#exec.toScript(this.#sheet.values(this.#top())[0]?.[0] ?? "");
  }
  getDisplayValues(): string[][] {
    this.#exec.service("read");
    return this.#exec.toScript(this.#sheet.values(this.#range).map((row) => row.map(displayOf)));
  }
  getDisplayValue(): string {
    this.#exec.service("read");
    return displayOf(this.#sheet.values(this.#top())[0]?.[0] ?? "");
  }
  getFormulas(): string[][] {
    this.#exec.service("read");
    return this.#exec.toScript(this.#sheet.formulas(this.#range));
  }
  getFormula(): string {
    this.#exec.service("read");
    return this.#sheet.formulas(this.#top())[0]?.[0] ?? "";
  }
  getNumberFormats(): string[][] {
    this.#exec.service("read");
    // Sheets reports "General"-like formats for untouched cells; the model keeps "" for them.
    return this.#exec.toScript(this.#sheet.formats(this.#range));
  }
  getNumberFormat(): string {
    this.#exec.service("read");
    return this.#sheet.formats(this.#top())[0]?.[0] ?? "";
  }
  isBlank(): boolean {
    this.#exec.service("read");
    return this.#sheet.values(this.#range).every((row) => row.every((v) => v === ""));
  }

  setValues(values: unknown): ScriptRange {
    this.#write("setValues");
    const rows = grid(this.#exec, "SpreadsheetApp.Range.setValues", values, this.#range);
    this.#exec.guard(() => this.#sheet.write(this.#range, rows));
    return this;
  }
  setValue(value: unknown): ScriptRange {
    this.#write("setValue");
    this.#exec.guard(() => this.#sheet.write(this.#range, fill(this.#range, value)));
    return this;
  }
  setFormula(formula: unknown): ScriptRange {
    this.#write("setFormula");
    if (typeof formula !== "string") return signatureError(this.#exec, "SpreadsheetApp.Range.setFormula", [formula]);
    this.#exec.guard(() => this.#sheet.write(this.#range, fill(this.#range, formula)));
    return this;
  }
  setNumberFormat(format: unknown): ScriptRange {
    this.#write("setNumberFormat");
    if (typeof format !== "string") {
      return signatureError(this.#exec, "SpreadsheetApp.Range.setNumberFormat", [format]);
    }
    this.#sheet.setFormats(this.#range, fill(this.#range, format));
    return this;
  }
  setNumberFormats(formats: unknown): ScriptRange {
    this.#write("setNumberFormats");
    const rows = grid(this.#exec, "SpreadsheetApp.Range.setNumberFormats", formats, this.#range);
    this.#sheet.setFormats(this.#range, rows.map((row) => row.map((f) => String(f))));
    return this;
  }
  clearContent(): ScriptRange {
    this.#write("clearContent");
    this.#sheet.clear(this.#range, { contents: true, formats: false });
    return this;
  }
  clear(): ScriptRange {
    this.#write("clear");
    this.#sheet.clear(this.#range, { contents: true, formats: true });
    return this;
  }
  activate(): ScriptRange {
    this.#exec.service();
    this.#spreadsheet.setSelection(this.#sheet.name, [this.getA1Notation()]);
    return this;
  }

  #top(): GridRange {
    return { row: this.#range.row, col: this.#range.col, numRows: 1, numCols: 1 };
  }

  #write(method: string): void {
    this.#exec.forbidInCustomFunction(method);
    this.#exec.service("write");
  }
}

export class ScriptRangeList {
  readonly #exec: Execution;
  readonly #ranges: ScriptRange[];

  constructor(exec: Execution, ranges: ScriptRange[]) {
    this.#exec = exec;
    this.#ranges = ranges;
  }

  getRanges(): ScriptRange[] {
    return this.#exec.toScript([...this.#ranges]);
  }
  setValue(value: unknown): ScriptRangeList {
    this.#ranges.forEach((r) => r.setValue(value));
    return this;
  }
  setNumberFormat(format: unknown): ScriptRangeList {
    this.#ranges.forEach((r) => r.setNumberFormat(format));
    return this;
  }
  clearContent(): ScriptRangeList {
    this.#ranges.forEach((r) => r.clearContent());
    return this;
  }
  /** Selects every range of the list (Google's active range is the last one). */
  activate(): ScriptRangeList {
    this.#exec.service();
    const first = this.#ranges[0];
    if (first) first.getSheet().selectRanges(this.#ranges.map((r) => r.getA1Notation()));
    return this;
  }
}

export class ScriptSheet {
  readonly #exec: Execution;
  readonly #spreadsheet: FakeSpreadsheet;
  readonly #sheet: FakeSheet;

  constructor(exec: Execution, spreadsheet: FakeSpreadsheet, sheet: FakeSheet) {
    this.#exec = exec;
    this.#spreadsheet = spreadsheet;
    this.#sheet = sheet;
  }

  getName(): string {
    return this.#sheet.name;
  }
  getSheetId(): number {
    return this.#sheet.id;
  }
  getIndex(): number {
    return this.#spreadsheet.sheets().indexOf(this.#sheet) + 1;
  }
  getParent(): ScriptSpreadsheet {
    return new ScriptSpreadsheet(this.#exec, this.#spreadsheet);
  }

  /** getRange(row, column, numRows?, numColumns?) or getRange(a1Notation). */
  getRange(...args: unknown[]): ScriptRange {
    this.#exec.service();
    const method = "SpreadsheetApp.Sheet.getRange";
    let range: GridRange;
    if (typeof args[0] === "string" && args.length === 1) {
      const a1 = args[0];
      range = this.#exec.guard(() => this.#sheet.parseA1(a1));
    } else {
      range = {
        row: integer(this.#exec, method, args, 0),
        col: integer(this.#exec, method, args, 1),
        numRows: args.length > 2 ? integer(this.#exec, method, args, 2) : 1,
        numCols: args.length > 3 ? integer(this.#exec, method, args, 3) : 1,
      };
    }
    this.#exec.guard(() => this.#sheet.checkRange(range));
    return new ScriptRange(this.#exec, this.#spreadsheet, this.#sheet, range);
  }

  getRangeList(a1Notations: unknown): ScriptRangeList {
    this.#exec.service();
    if (!Array.isArray(a1Notations)) return signatureError(this.#exec, "SpreadsheetApp.Sheet.getRangeList", [a1Notations]);
    const ranges = a1Notations.map((a1: unknown) => {
      if (typeof a1 !== "string") return signatureError(this.#exec, "SpreadsheetApp.Sheet.getRangeList", [a1Notations]);
      const range = this.#exec.guard(() => this.#sheet.parseA1(a1));
      this.#exec.guard(() => this.#sheet.checkRange(range));
      return new ScriptRange(this.#exec, this.#spreadsheet, this.#sheet, range);
    });
    return new ScriptRangeList(this.#exec, ranges);
  }

  getDataRange(): ScriptRange {
    this.#exec.service();
    const range = {
      row: 1,
      col: 1,
      numRows: Math.max(1, this.#sheet.lastRow()),
      numCols: Math.max(1, this.#sheet.lastColumn()),
    };
    return new ScriptRange(this.#exec, this.#spreadsheet, this.#sheet, range);
  }

  getLastRow(): number {
    this.#exec.service();
    return this.#sheet.lastRow();
  }
  getLastColumn(): number {
    this.#exec.service();
    return this.#sheet.lastColumn();
  }
  getMaxRows(): number {
    this.#exec.service();
    return this.#sheet.maxRows;
  }
  getMaxColumns(): number {
    this.#exec.service();
    return this.#sheet.maxCols;
  }
  isSheetHidden(): boolean {
    this.#exec.service();
    return this.#sheet.hidden;
  }
  isRowHiddenByFilter(rowPosition: unknown): boolean {
    this.#exec.service();
    return this.#sheet.isFilteredOut(integer(this.#exec, "SpreadsheetApp.Sheet.isRowHiddenByFilter", [rowPosition], 0));
  }
  isRowHiddenByUser(rowPosition: unknown): boolean {
    this.#exec.service();
    return this.#sheet.isHiddenByUser(integer(this.#exec, "SpreadsheetApp.Sheet.isRowHiddenByUser", [rowPosition], 0));
  }

  getFilter(): Record<string, unknown> | null {
    this.#exec.service();
    const range = this.#sheet.filter;
    if (!range) return null;
    return {
      getRange: () => new ScriptRange(this.#exec, this.#spreadsheet, this.#sheet, range),
      getColumnFilterCriteria: () => null,
      remove: () => {
        this.#change("remove");
        this.#sheet.setFilter(null);
      },
    };
  }

  hideSheet(): ScriptSheet {
    this.#change("hideSheet");
    const visible = this.#spreadsheet.sheets().filter((s) => !s.hidden);
    if (visible.length === 1 && visible[0] === this.#sheet) this.#exec.fail("You can't hide all the sheets in a document.");
    this.#sheet.hidden = true;
    return this;
  }
  showSheet(): ScriptSheet {
    this.#change("showSheet");
    this.#sheet.hidden = false;
    return this;
  }
  activate(): ScriptSheet {
    this.#exec.service();
    this.#spreadsheet.setSelection(this.#sheet.name, ["A1"]);
    return this;
  }
  /** Test-runtime plumbing for RangeList.activate: not an Apps Script method. */
  selectRanges(a1Ranges: string[]): void {
    this.#spreadsheet.setSelection(this.#sheet.name, a1Ranges);
  }
  insertColumnsAfter(columnIndex: unknown, howMany: unknown): ScriptSheet {
    this.#change("insertColumnsAfter");
    const args = [columnIndex, howMany];
    const method = "SpreadsheetApp.Sheet.insertColumnsAfter";
    this.#sheet.insertColumns(integer(this.#exec, method, args, 0), integer(this.#exec, method, args, 1));
    return this;
  }
  insertColumnAfter(afterPosition: unknown): ScriptSheet {
    return this.insertColumnsAfter(afterPosition, 1);
  }
  insertRowsAfter(afterPosition: unknown, howMany: unknown): ScriptSheet {
    this.#change("insertRowsAfter");
    const args = [afterPosition, howMany];
    const method = "SpreadsheetApp.Sheet.insertRowsAfter";
    this.#sheet.insertRows(integer(this.#exec, method, args, 0) + 1, integer(this.#exec, method, args, 1));
    return this;
  }
  insertRowsBefore(beforePosition: unknown, howMany: unknown): ScriptSheet {
    this.#change("insertRowsBefore");
    const args = [beforePosition, howMany];
    const method = "SpreadsheetApp.Sheet.insertRowsBefore";
    this.#sheet.insertRows(integer(this.#exec, method, args, 0), integer(this.#exec, method, args, 1));
    return this;
  }
  deleteRows(rowPosition: unknown, howMany: unknown): void {
    this.#change("deleteRows");
    const args = [rowPosition, howMany];
    const method = "SpreadsheetApp.Sheet.deleteRows";
    this.#sheet.deleteRows(integer(this.#exec, method, args, 0), integer(this.#exec, method, args, 1));
  }
  deleteRow(rowPosition: unknown): void {
    this.deleteRows(rowPosition, 1);
  }
  /** Writes after the last row with content, growing the grid when it is full (as Google does). */
  appendRow(rowContents: unknown): ScriptSheet {
    this.#exec.forbidInCustomFunction("appendRow");
    this.#exec.service("write");
    if (!Array.isArray(rowContents)) return signatureError(this.#exec, "SpreadsheetApp.Sheet.appendRow", [rowContents]);
    const row = this.#sheet.lastRow() + 1;
    if (row > this.#sheet.maxRows) this.#sheet.insertRows(row, 1);
    if (rowContents.length > this.#sheet.maxCols) this.#sheet.insertColumns(this.#sheet.maxCols, rowContents.length - this.#sheet.maxCols);
    const range = { row, col: 1, numRows: 1, numCols: Math.max(1, rowContents.length) };
    this.#exec.guard(() => this.#sheet.write(range, [rowContents]));
    return this;
  }

  #change(method: string): void {
    this.#exec.forbidInCustomFunction(method);
    this.#exec.service();
  }
}

export class ScriptSpreadsheet {
  readonly #exec: Execution;
  readonly #spreadsheet: FakeSpreadsheet;

  constructor(exec: Execution, spreadsheet: FakeSpreadsheet) {
    this.#exec = exec;
    this.#spreadsheet = spreadsheet;
  }

  getId(): string {
    return this.#spreadsheet.id;
  }
  getName(): string {
    return this.#spreadsheet.name;
  }
  getUrl(): string {
    return `https://docs.google.com/spreadsheets/d/${this.#spreadsheet.id}/edit`;
  }
  getSpreadsheetTimeZone(): string {
    return "Etc/UTC";
  }
  getSheetByName(name: unknown): ScriptSheet | null {
    this.#exec.service();
    const sheet = typeof name === "string" ? this.#spreadsheet.getSheetByName(name) : null;
    return sheet ? this.#wrap(sheet) : null;
  }
  getSheets(): ScriptSheet[] {
    this.#exec.service();
    return this.#exec.toScript(this.#spreadsheet.sheets().map((s) => this.#wrap(s)));
  }
  /** Like Google, the new sheet becomes the active sheet. */
  insertSheet(name?: unknown, index?: unknown): ScriptSheet {
    this.#exec.forbidInCustomFunction("insertSheet");
    this.#exec.service();
    const sheetName = typeof name === "string" ? name : `Sheet${this.#spreadsheet.sheets().length + 1}`;
    const position = typeof index === "number" ? index : undefined;
    const sheet = this.#exec.guard(() => this.#spreadsheet.insertSheet(sheetName, position));
    this.#spreadsheet.setSelection(sheet.name, ["A1"]);
    return this.#wrap(sheet);
  }
  getActiveSheet(): ScriptSheet {
    this.#exec.service();
    return this.#wrap(this.#spreadsheet.activeSheet());
  }
  setActiveSheet(sheet: unknown): ScriptSheet {
    if (!(sheet instanceof ScriptSheet)) return signatureError(this.#exec, "SpreadsheetApp.Spreadsheet.setActiveSheet", [sheet]);
    return sheet.activate();
  }
  getActiveRange(): ScriptRange | null {
    this.#exec.service();
    const last = this.#spreadsheet.selection().at(-1);
    return last === undefined ? null : this.#rangeOn(this.#spreadsheet.activeSheet(), last);
  }
  getActiveRangeList(): ScriptRangeList | null {
    this.#exec.service();
    const sheet = this.#spreadsheet.activeSheet();
    return new ScriptRangeList(this.#exec, this.#spreadsheet.selection().map((a1) => this.#rangeOn(sheet, a1)));
  }
  /** getRange("Sheet!A1:B2"), or a range of the active sheet. */
  getRange(a1Notation: unknown): ScriptRange {
    this.#exec.service();
    if (typeof a1Notation !== "string") return signatureError(this.#exec, "SpreadsheetApp.Spreadsheet.getRange", [a1Notation]);
    const { sheetName } = splitSheetName(a1Notation);
    const sheet = sheetName === null ? this.#spreadsheet.activeSheet() : this.#spreadsheet.getSheetByName(sheetName);
    if (!sheet) return this.#exec.fail("Range not found");
    return this.#rangeOn(sheet, a1Notation);
  }
  toast(msg: unknown, title?: unknown, timeoutSeconds?: unknown): void {
    this.#exec.forbidInCustomFunction("toast");
    this.#exec.service();
    this.#spreadsheet.toasts.push({
      message: String(msg),
      title: title === undefined ? "" : String(title),
      seconds: typeof timeoutSeconds === "number" ? timeoutSeconds : 5,
    });
  }

  #wrap(sheet: FakeSheet): ScriptSheet {
    return new ScriptSheet(this.#exec, this.#spreadsheet, sheet);
  }

  #rangeOn(sheet: FakeSheet, a1: string): ScriptRange {
    const range = this.#exec.guard(() => sheet.parseA1(a1));
    this.#exec.guard(() => sheet.checkRange(range));
    return new ScriptRange(this.#exec, this.#spreadsheet, sheet, range);
  }
}
