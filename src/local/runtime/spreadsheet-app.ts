// The SpreadsheetApp a script sees: thin wrappers over the in-memory model that charge each call to
// the execution (virtual time, stats, custom-function permissions) and turn model errors into
// Apps Script exceptions of the script's realm.
import { shiftFormula, splitSheetName, toA1, type GridRange } from "./a1";
import { signatureError, type Execution } from "./execution";
import {
  displayOf,
  PROTECTED_MESSAGE,
  type ColumnMetadata,
  type ConditionalRule,
  type FakeSheet,
  type FakeSpreadsheet,
  type FilterCondition,
  type FilterCriteria,
  type LinkRun,
  type ProtectedRange,
  type SheetMetadata,
} from "./spreadsheet";

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

/** The (position, howMany) whole numbers of an insert or delete method, with Google's signature error. */
function positionAndCount(exec: Execution, method: string, args: unknown[]): [number, number] {
  return [integer(exec, method, args, 0), integer(exec, method, args, 1)];
}

function fill<T>(range: GridRange, value: T): T[][] {
  return Array.from({ length: range.numRows }, () => Array.from({ length: range.numCols }, () => value));
}

/**
 * A Sheet or Range object of a sheet that was deleted since fails every call. Google documents no
 * text for this; the model's text names what happened.
 */
function failOnceDeleted<T extends object>(target: T, exec: Execution, sheet: FakeSheet): T {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (sheet.deleted) exec.fail(`The sheet "${sheet.name}" has been deleted.`);
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
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
    return failOnceDeleted(this, exec, sheet);
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
  /** Runtime plumbing (not an Apps Script method): the sheet model, for a copy into this range. */
  sheetModel(): FakeSheet {
    return this.#sheet;
  }
  /** Runtime plumbing (not an Apps Script method): the rectangle, for rules built from ranges. */
  gridRange(): GridRange {
    return { ...this.#range };
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
    this.#exec.service("read", "Range.getValues", this.#cells());
    return this.#exec.toScript(this.#sheet.values(this.#range));
  }
  getValue(): unknown {
    this.#exec.service("read", "Range.getValue", 1);
    return this.#exec.toScript(this.#sheet.values(this.#top())[0]?.[0] ?? "");
  }
  getDisplayValues(): string[][] {
    this.#exec.service("read", "Range.getDisplayValues", this.#cells());
    return this.#exec.toScript(this.#sheet.values(this.#range).map((row) => row.map(displayOf)));
  }
  getDisplayValue(): string {
    this.#exec.service("read", "Range.getDisplayValue", 1);
    return displayOf(this.#sheet.values(this.#top())[0]?.[0] ?? "");
  }
  getFormulas(): string[][] {
    this.#exec.service("read", "Range.getFormulas", this.#cells());
    return this.#exec.toScript(this.#sheet.formulas(this.#range));
  }
  getFormula(): string {
    this.#exec.service("read", "Range.getFormula", 1);
    return this.#sheet.formulas(this.#top())[0]?.[0] ?? "";
  }
  getNumberFormats(): string[][] {
    this.#exec.service("read", "Range.getNumberFormats", this.#cells());
    // Sheets reports "General"-like formats for untouched cells; the model keeps "" for them.
    return this.#exec.toScript(this.#sheet.formats(this.#range));
  }
  getNumberFormat(): string {
    this.#exec.service("read", "Range.getNumberFormat", 1);
    return this.#sheet.formats(this.#top())[0]?.[0] ?? "";
  }
  isBlank(): boolean {
    this.#exec.service("read", "Range.isBlank", this.#cells());
    return this.#sheet.values(this.#range).every((row) => row.every((v) => v === ""));
  }

  setValues(values: unknown): ScriptRange {
    this.#write("setValues", this.#cells());
    const rows = grid(this.#exec, "SpreadsheetApp.Range.setValues", values, this.#range);
    this.#exec.guard(() => this.#sheet.write(this.#range, rows));
    return this;
  }
  setValue(value: unknown): ScriptRange {
    this.#write("setValue");
    return this.applyValue(value);
  }
  /** Runtime plumbing for RangeList (one call for all its ranges): not an Apps Script method. */
  applyValue(value: unknown): ScriptRange {
    this.#exec.guard(() => this.#sheet.write(this.#range, fill(this.#range, value)));
    return this;
  }
  setFormula(formula: unknown): ScriptRange {
    this.#write("setFormula");
    if (typeof formula !== "string") return signatureError(this.#exec, "SpreadsheetApp.Range.setFormula", [formula]);
    const block = Array.from({ length: this.#range.numRows }, (_, r) =>
      Array.from({ length: this.#range.numCols }, (_, c) => shiftFormula(formula, r, c)),
    );
    this.#exec.guard(() => this.#sheet.write(this.#range, block));
    return this;
  }
  setFormulas(formulas: unknown): ScriptRange {
    this.#write("setFormulas", this.#cells());
    const method = "SpreadsheetApp.Range.setFormulas";
    const rows = grid(this.#exec, method, formulas, this.#range);
    if (!rows.every((row) => row.every((f) => typeof f === "string"))) return signatureError(this.#exec, method, [formulas]);
    this.#exec.guard(() => this.#sheet.write(this.#range, rows));
    return this;
  }
  setNumberFormat(format: unknown): ScriptRange {
    this.#write("setNumberFormat");
    return this.applyNumberFormat(format);
  }
  /** Runtime plumbing for RangeList (one call for all its ranges): not an Apps Script method. */
  applyNumberFormat(format: unknown): ScriptRange {
    if (typeof format !== "string") {
      return signatureError(this.#exec, "SpreadsheetApp.Range.setNumberFormat", [format]);
    }
    this.#sheet.setFormats(this.#range, fill(this.#range, format));
    return this;
  }
  setNumberFormats(formats: unknown): ScriptRange {
    this.#write("setNumberFormats", this.#cells());
    const rows = grid(this.#exec, "SpreadsheetApp.Range.setNumberFormats", formats, this.#range);
    this.#sheet.setFormats(
      this.#range,
      rows.map((row) => row.map((f) => String(f))),
    );
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
  /**
   * Copies this range's cells to the destination's top left (https://developers.google.com/apps-script/reference/spreadsheet/range#copyTo(Range));
   * whether a whole column's developer metadata goes with it is undocumented (FakeSpreadsheet.copiesCarryMetadata).
   */
  copyTo(destination: unknown): void {
    this.#exec.forbidInCustomFunction("copyTo");
    if (!(destination instanceof ScriptRange)) return signatureError(this.#exec, "SpreadsheetApp.Range.copyTo", [destination]);
    this.#exec.service("write", "Range.copyTo");
    const target = destination.gridRange();
    const sheet = destination.sheetModel();
    this.#exec.guard(() => {
      sheet.checkRange({ row: target.row, col: target.col, numRows: this.#range.numRows, numCols: this.#range.numCols });
      this.#sheet.copyCells(this.#range, sheet, target.row, target.col, this.#spreadsheet.copiesCarryMetadata);
    });
  }
  activate(): ScriptRange {
    this.#exec.service();
    this.#spreadsheet.setSelection(this.#sheet.name, [this.getA1Notation()]);
    return this;
  }

  getNotes(): string[][] {
    this.#exec.service("read", "Range.getNotes", this.#cells());
    return this.#exec.toScript(this.#sheet.notes(this.#range));
  }
  getNote(): string {
    this.#exec.service("read", "Range.getNote", 1);
    return this.#sheet.notes(this.#top())[0]?.[0] ?? "";
  }
  setNotes(notes: unknown): ScriptRange {
    this.#write("setNotes", this.#cells());
    const rows = grid(this.#exec, "SpreadsheetApp.Range.setNotes", notes, this.#range);
    this.#sheet.setNotes(
      this.#range,
      rows.map((row) => row.map((n) => (n === null || n === undefined ? "" : String(n)))),
    );
    return this;
  }
  setNote(note: unknown): ScriptRange {
    this.#write("setNote");
    this.#sheet.setNotes(this.#range, fill(this.#range, note === null || note === undefined ? "" : String(note)));
    return this;
  }

  getRichTextValues(): ScriptRichTextValue[][] {
    this.#exec.service("read", "Range.getRichTextValues", this.#cells());
    return this.#exec.toScript(this.#sheet.richText(this.#range).map((row) => row.map((v) => new ScriptRichTextValue(v.text, v.links))));
  }
  getRichTextValue(): ScriptRichTextValue | null {
    this.#exec.service("read", "Range.getRichTextValue", 1);
    const v = this.#sheet.richText(this.#top())[0]?.[0];
    return v ? new ScriptRichTextValue(v.text, v.links) : null;
  }
  setRichTextValues(values: unknown): ScriptRange {
    this.#write("setRichTextValues", this.#cells());
    const method = "SpreadsheetApp.Range.setRichTextValues";
    const rows = grid(this.#exec, method, values, this.#range);
    const data = rows.map((row) =>
      row.map((v) => (v instanceof ScriptRichTextValue ? v.data() : signatureError(this.#exec, method, [values]))),
    );
    this.#exec.guard(() => this.#sheet.setRichText(this.#range, data));
    return this;
  }
  setRichTextValue(value: unknown): ScriptRange {
    if (!(value instanceof ScriptRichTextValue)) return signatureError(this.#exec, "SpreadsheetApp.Range.setRichTextValue", [value]);
    return this.setRichTextValues(fill(this.#range, value));
  }

  /**
   * Metadata goes on a whole column (or row, sheet, spreadsheet); the model knows columns only.
   * https://developers.google.com/apps-script/reference/spreadsheet/range#addDeveloperMetadata(String,String)
   */
  addDeveloperMetadata(key: unknown, value?: unknown): ScriptRange {
    this.#exec.forbidInCustomFunction("addDeveloperMetadata");
    this.#exec.service();
    if (typeof key !== "string" || (value !== undefined && typeof value !== "string")) {
      return signatureError(this.#exec, "SpreadsheetApp.Range.addDeveloperMetadata", [key, value]);
    }
    if (this.#range.row !== 1 || this.#range.numRows !== this.#sheet.maxRows || this.#range.numCols !== 1) {
      this.#exec.fail(
        "Adding developer metadata to arbitrary ranges is not currently supported. Developer metadata may only be added to the top-level spreadsheet, an individual sheet, or an entire row or column.",
      );
    }
    this.#sheet.addColumnMetadata(this.#range.col, key, value ?? null);
    return this;
  }
  /** Metadata on columns that intersect this range. */
  createDeveloperMetadataFinder(): ScriptMetadataFinder {
    this.#exec.service();
    const { col, numCols } = this.#range;
    return new ScriptMetadataFinder(this.#exec, this.#spreadsheet, [this.#sheet], (m) => m.column >= col && m.column < col + numCols);
  }

  /**
   * A sheet has at most one filter; Google's text for a second one is recorded by gas-fakes
   * (test/testsheetssets.js, "Range.createFilter and getFilter").
   */
  createFilter(): ScriptFilter {
    this.#exec.forbidInCustomFunction("createFilter");
    this.#exec.service();
    if (this.#sheet.filter) this.#exec.fail("You can't create a filter in a sheet that already has a filter.");
    this.#sheet.setFilter(toA1(this.#range));
    return new ScriptFilter(this.#exec, this.#spreadsheet, this.#sheet);
  }
  /** The sheet's filter, whether or not it covers this range (as gas-fakes records Google doing). */
  getFilter(): ScriptFilter | null {
    this.#exec.service();
    return this.#sheet.filter ? new ScriptFilter(this.#exec, this.#spreadsheet, this.#sheet) : null;
  }

  /** The running user becomes an editor of the new protection, as on Google. */
  protect(): ScriptProtection {
    this.#exec.forbidInCustomFunction("protect");
    this.#exec.service();
    const protection = this.#sheet.addProtection(this.#range, [this.#exec.user], "");
    return new ScriptProtection(this.#exec, this.#spreadsheet, this.#sheet, protection);
  }

  #top(): GridRange {
    return { row: this.#range.row, col: this.#range.col, numRows: 1, numCols: 1 };
  }

  /** Cells of the range: what a call that moves a value per cell pays for. */
  #cells(): number {
    return this.#range.numRows * this.#range.numCols;
  }

  /** `cells`: the values the call carries, one per cell; a setter of one value for the range carries none. */
  #write(method: string, cells = 0): void {
    this.#exec.forbidInCustomFunction(method);
    this.#exec.service("write", `Range.${method}`, cells);
    this.assertWritable();
  }
  /** Runtime plumbing: a user's pending edit lands, then protection is checked. Not an Apps Script method. */
  assertWritable(): void {
    this.#sheet.scriptWillWrite();
    if (this.#sheet.protectionAgainst(this.#range, this.#exec.user)) this.#exec.fail(PROTECTED_MESSAGE);
  }
}

/** SpreadsheetApp.newRichTextValue(): https://developers.google.com/apps-script/reference/spreadsheet/rich-text-value-builder */
class ScriptRichTextValueBuilder {
  #text = "";
  #links: LinkRun[] = [];
  setText(text: unknown): ScriptRichTextValueBuilder {
    this.#text = String(text ?? "");
    this.#links = [];
    return this;
  }
  setLinkUrl(...args: unknown[]): ScriptRichTextValueBuilder {
    const [start, end, url] = args.length === 1 ? [0, this.#text.length, args[0]] : args;
    if (typeof start !== "number" || typeof end !== "number" || (url !== null && typeof url !== "string")) {
      throw new TypeError("The parameters don't match the method signature for SpreadsheetApp.RichTextValueBuilder.setLinkUrl.");
    }
    this.#links = this.#links.filter((l) => l.end <= start || l.start >= end);
    if (url) this.#links.push({ start, end, url });
    this.#links.sort((a, b) => a.start - b.start);
    return this;
  }
  build(): ScriptRichTextValue {
    return new ScriptRichTextValue(this.#text, this.#links);
  }
}

class ScriptRichTextValue {
  readonly #text: string;
  readonly #links: LinkRun[];
  constructor(text: string, links: LinkRun[]) {
    this.#text = text;
    this.#links = links.map((l) => ({ ...l }));
  }
  getText(): string {
    return this.#text;
  }
  /** The link of the whole text, or null when it has none or several. */
  getLinkUrl(): string | null {
    const [only] = this.#links;
    return this.#links.length === 1 && only && only.start === 0 && only.end === this.#text.length ? only.url : null;
  }
  /** Runs of text with the same link: linked runs and the unlinked text between them. */
  getRuns(): { getText(): string; getLinkUrl(): string | null; getStartIndex(): number; getEndIndex(): number }[] {
    const runs: { start: number; end: number; url: string | null }[] = [];
    let at = 0;
    for (const link of this.#links) {
      if (link.start > at) runs.push({ start: at, end: link.start, url: null });
      runs.push({ start: link.start, end: link.end, url: link.url });
      at = link.end;
    }
    if (at < this.#text.length) runs.push({ start: at, end: this.#text.length, url: null });
    return runs.map((r) => ({
      getText: () => this.#text.slice(r.start, r.end),
      getLinkUrl: () => r.url,
      getStartIndex: () => r.start,
      getEndIndex: () => r.end,
    }));
  }
  copy(): ScriptRichTextValueBuilder {
    const builder = new ScriptRichTextValueBuilder().setText(this.#text);
    for (const l of this.#links) builder.setLinkUrl(l.start, l.end, l.url);
    return builder;
  }
  data(): { text: string; links: LinkRun[] } {
    return { text: this.#text, links: this.#links.map((l) => ({ ...l })) };
  }
}

/** SpreadsheetApp.newConditionalFormatRule(): https://developers.google.com/apps-script/reference/spreadsheet/conditional-format-rule-builder */
class ScriptConditionalFormatRuleBuilder {
  #rule: { ranges: ScriptRange[]; textEqualTo: string | null; background: string | null; fontColor: string | null } = {
    ranges: [],
    textEqualTo: null,
    background: null,
    fontColor: null,
  };
  whenTextEqualTo(text: unknown): ScriptConditionalFormatRuleBuilder {
    this.#rule.textEqualTo = String(text);
    return this;
  }
  setBackground(color: unknown): ScriptConditionalFormatRuleBuilder {
    this.#rule.background = color === null ? null : String(color);
    return this;
  }
  setFontColor(color: unknown): ScriptConditionalFormatRuleBuilder {
    this.#rule.fontColor = color === null ? null : String(color);
    return this;
  }
  setRanges(ranges: unknown): ScriptConditionalFormatRuleBuilder {
    if (!Array.isArray(ranges) || !ranges.every((r) => r instanceof ScriptRange)) {
      throw new TypeError("The parameters don't match the method signature for SpreadsheetApp.ConditionalFormatRuleBuilder.setRanges.");
    }
    this.#rule.ranges = [...(ranges as ScriptRange[])];
    return this;
  }
  build(): ScriptConditionalFormatRule {
    // Google's text when a rule has no condition.
    if (this.#rule.textEqualTo === null) throw new Error("Conditional format rule must have a condition.");
    return new ScriptConditionalFormatRule({
      ranges: this.#rule.ranges.map((r) => r.gridRange()),
      textEqualTo: this.#rule.textEqualTo,
      background: this.#rule.background,
      fontColor: this.#rule.fontColor,
    });
  }
}

class ScriptConditionalFormatRule {
  readonly rule: ConditionalRule;
  constructor(rule: ConditionalRule) {
    this.rule = rule;
  }
  getRangeA1Notations(): string[] {
    return this.rule.ranges.map(toA1);
  }
  getBooleanCondition(): {
    getCriteriaType(): string;
    getCriteriaValues(): string[];
    getBackground(): string | null;
    getFontColor(): string | null;
  } {
    return {
      getCriteriaType: () => "TEXT_EQUAL_TO",
      getCriteriaValues: () => [this.rule.textEqualTo],
      getBackground: () => this.rule.background,
      getFontColor: () => this.rule.fontColor,
    };
  }
}

/** Developer metadata as a script sees it: https://developers.google.com/apps-script/reference/spreadsheet/developer-metadata */
class ScriptDeveloperMetadata {
  readonly #exec: Execution;
  readonly #spreadsheet: FakeSpreadsheet;
  readonly #sheet: FakeSheet;
  readonly #entry: ColumnMetadata | SheetMetadata;
  constructor(exec: Execution, spreadsheet: FakeSpreadsheet, sheet: FakeSheet, entry: ColumnMetadata | SheetMetadata) {
    this.#exec = exec;
    this.#spreadsheet = spreadsheet;
    this.#sheet = sheet;
    this.#entry = entry;
  }
  getId(): number {
    return this.#entry.id;
  }
  getKey(): string {
    return this.#entry.key;
  }
  getValue(): string | null {
    return this.#entry.value;
  }
  getVisibility(): string {
    return "DOCUMENT";
  }
  setValue(value: unknown): ScriptDeveloperMetadata {
    this.#exec.forbidInCustomFunction("setValue");
    this.#exec.service();
    this.#entry.value = String(value);
    return this;
  }
  remove(): void {
    this.#exec.forbidInCustomFunction("remove");
    this.#exec.service();
    this.#sheet.removeMetadata(this.#entry.id);
  }
  /** Where the metadata is now: the column it moved with, or its sheet. */
  getLocation(): { getLocationType(): string; getColumn(): ScriptRange | null; getRow(): null; getSheet(): ScriptSheet | null } {
    if (!("column" in this.#entry)) {
      return {
        getLocationType: () => "SHEET",
        getColumn: () => null,
        getRow: () => null,
        getSheet: () => new ScriptSheet(this.#exec, this.#spreadsheet, this.#sheet),
      };
    }
    const range = { row: 1, col: this.#entry.column, numRows: this.#sheet.maxRows, numCols: 1, openRows: true };
    return {
      getLocationType: () => "COLUMN",
      getColumn: () => new ScriptRange(this.#exec, this.#spreadsheet, this.#sheet, range),
      getRow: () => null,
      getSheet: () => null,
    };
  }
}

/**
 * https://developers.google.com/apps-script/reference/spreadsheet/developer-metadata-finder. A
 * spreadsheet's or a sheet's finder sees the sheets' own metadata too; a range's finder (`where`)
 * sees only the columns it covers.
 */
class ScriptMetadataFinder {
  readonly #exec: Execution;
  readonly #spreadsheet: FakeSpreadsheet;
  readonly #sheets: FakeSheet[];
  readonly #where: ((m: ColumnMetadata) => boolean) | null;
  #key: string | null = null;
  #value: string | null = null;
  #id: number | null = null;
  constructor(exec: Execution, spreadsheet: FakeSpreadsheet, sheets: FakeSheet[], where: ((m: ColumnMetadata) => boolean) | null) {
    this.#exec = exec;
    this.#spreadsheet = spreadsheet;
    this.#sheets = sheets;
    this.#where = where;
  }
  withKey(key: unknown): ScriptMetadataFinder {
    this.#key = String(key);
    return this;
  }
  withValue(value: unknown): ScriptMetadataFinder {
    this.#value = String(value);
    return this;
  }
  withId(id: unknown): ScriptMetadataFinder {
    this.#id = Number(id);
    return this;
  }
  onIntersectingLocations(): ScriptMetadataFinder {
    return this;
  }
  find(): ScriptDeveloperMetadata[] {
    this.#exec.service("read", "MetadataFinder.find");
    const found: ScriptDeveloperMetadata[] = [];
    for (const sheet of this.#sheets) {
      const where = this.#where;
      const entries = where ? sheet.metadata.filter(where) : [...sheet.sheetMetadata, ...sheet.metadata];
      for (const m of entries) {
        if (this.#key !== null && m.key !== this.#key) continue;
        if (this.#value !== null && m.value !== this.#value) continue;
        if (this.#id !== null && m.id !== this.#id) continue;
        found.push(new ScriptDeveloperMetadata(this.#exec, this.#spreadsheet, sheet, m));
      }
    }
    return this.#exec.toScript(found);
  }
}

/** https://developers.google.com/apps-script/reference/spreadsheet/protection */
class ScriptProtection {
  readonly #exec: Execution;
  readonly #spreadsheet: FakeSpreadsheet;
  readonly #sheet: FakeSheet;
  readonly #protection: ProtectedRange;
  constructor(exec: Execution, spreadsheet: FakeSpreadsheet, sheet: FakeSheet, protection: ProtectedRange) {
    this.#exec = exec;
    this.#spreadsheet = spreadsheet;
    this.#sheet = sheet;
    this.#protection = protection;
  }
  /** A protected sheet's range is the whole sheet. */
  getRange(): ScriptRange {
    const { wholeSheet, range } = this.#protection;
    const whole = { row: 1, col: 1, numRows: this.#sheet.maxRows, numCols: this.#sheet.maxCols };
    return new ScriptRange(this.#exec, this.#spreadsheet, this.#sheet, wholeSheet ? whole : range);
  }
  getDescription(): string {
    return this.#protection.description;
  }
  setDescription(description: unknown): ScriptProtection {
    this.#protection.description = String(description);
    return this;
  }
  getEditors(): { getEmail(): string }[] {
    return this.#exec.toScript([...this.#protection.editors].map((email) => ({ getEmail: () => email })));
  }
  addEditor(email: unknown): ScriptProtection {
    this.#mayChange();
    this.#protection.editors.add(emailOf(email));
    return this;
  }
  addEditors(emails: unknown): ScriptProtection {
    this.#mayChange();
    if (Array.isArray(emails)) for (const e of emails) this.#protection.editors.add(emailOf(e));
    return this;
  }
  removeEditors(emails: unknown): ScriptProtection {
    this.#mayChange();
    if (Array.isArray(emails)) for (const e of emails) this.#protection.editors.delete(emailOf(e));
    return this;
  }
  canEdit(): boolean {
    return this.#sheet.protectionAgainst(this.#protection.range, this.#exec.user) === null;
  }
  remove(): void {
    this.#mayChange();
    this.#sheet.removeProtection(this.#protection.id);
  }
  #mayChange(): void {
    this.#exec.forbidInCustomFunction("Protection");
    this.#exec.service();
    if (!this.canEdit()) this.#exec.fail(PROTECTED_MESSAGE);
  }
}

function emailOf(user: unknown): string {
  if (typeof user === "string") return user;
  if (typeof user === "object" && user !== null && "getEmail" in user && typeof user.getEmail === "function")
    return String(user.getEmail());
  return String(user);
}

/** https://developers.google.com/apps-script/reference/spreadsheet/filter-criteria */
class ScriptFilterCriteria {
  readonly criteria: FilterCriteria;
  constructor(criteria: FilterCriteria) {
    this.criteria = criteria;
  }
  /** The condition's type (SpreadsheetApp.BooleanCriteria), or null for criteria by values. */
  getCriteriaType(): FilterCondition | null {
    return this.criteria.condition?.type ?? null;
  }
  getCriteriaValues(): (string | number)[] {
    return [...(this.criteria.condition?.values ?? [])];
  }
  getHiddenValues(): string[] {
    return [...this.criteria.hiddenValues];
  }
  getVisibleValues(): string[] {
    return [...this.criteria.visibleValues];
  }
  copy(): ScriptFilterCriteriaBuilder {
    return new ScriptFilterCriteriaBuilder(this.criteria);
  }
  toString(): string {
    return "FilterCriteria";
  }
}

/** SpreadsheetApp.newFilterCriteria(): the conditions the model evaluates, values hidden or shown. */
class ScriptFilterCriteriaBuilder {
  #criteria: FilterCriteria;
  constructor(criteria: FilterCriteria = { hiddenValues: [], visibleValues: [], condition: null }) {
    this.#criteria = { ...criteria, hiddenValues: [...criteria.hiddenValues], visibleValues: [...criteria.visibleValues] };
  }
  #when(type: FilterCondition, ...values: unknown[]): ScriptFilterCriteriaBuilder {
    this.#criteria.condition = { type, values: values.map((v) => (typeof v === "number" ? v : String(v))) };
    return this;
  }
  whenCellEmpty = () => this.#when("CELL_EMPTY");
  whenCellNotEmpty = () => this.#when("CELL_NOT_EMPTY");
  whenTextContains = (text: unknown) => this.#when("TEXT_CONTAINS", text);
  whenTextDoesNotContain = (text: unknown) => this.#when("TEXT_DOES_NOT_CONTAIN", text);
  whenTextStartsWith = (text: unknown) => this.#when("TEXT_STARTS_WITH", text);
  whenTextEndsWith = (text: unknown) => this.#when("TEXT_ENDS_WITH", text);
  whenTextEqualTo = (text: unknown) => this.#when("TEXT_EQUAL_TO", text);
  whenNumberGreaterThan = (n: unknown) => this.#when("NUMBER_GREATER_THAN", n);
  whenNumberGreaterThanOrEqualTo = (n: unknown) => this.#when("NUMBER_GREATER_THAN_OR_EQUAL_TO", n);
  whenNumberLessThan = (n: unknown) => this.#when("NUMBER_LESS_THAN", n);
  whenNumberLessThanOrEqualTo = (n: unknown) => this.#when("NUMBER_LESS_THAN_OR_EQUAL_TO", n);
  whenNumberEqualTo = (n: unknown) => this.#when("NUMBER_EQUAL_TO", n);
  whenNumberNotEqualTo = (n: unknown) => this.#when("NUMBER_NOT_EQUAL_TO", n);
  whenNumberBetween = (a: unknown, b: unknown) => this.#when("NUMBER_BETWEEN", a, b);
  whenNumberNotBetween = (a: unknown, b: unknown) => this.#when("NUMBER_NOT_BETWEEN", a, b);
  /** A custom formula is kept, not evaluated: it hides only the rows a test marks (FakeSheet.setFilteredOut). */
  whenFormulaSatisfied = (formula: unknown) => this.#when("CUSTOM_FORMULA", formula);
  setHiddenValues(values: unknown): ScriptFilterCriteriaBuilder {
    this.#criteria.hiddenValues = Array.isArray(values) ? values.map(String) : [];
    return this;
  }
  setVisibleValues(values: unknown): ScriptFilterCriteriaBuilder {
    this.#criteria.visibleValues = Array.isArray(values) ? values.map(String) : [];
    return this;
  }
  copy(): ScriptFilterCriteriaBuilder {
    return new ScriptFilterCriteriaBuilder(this.#criteria);
  }
  build(): ScriptFilterCriteria {
    return new ScriptFilterCriteria({ ...this.#criteria, condition: this.#criteria.condition && { ...this.#criteria.condition } });
  }
}

/** https://developers.google.com/apps-script/reference/spreadsheet/filter */
class ScriptFilter {
  readonly #exec: Execution;
  readonly #spreadsheet: FakeSpreadsheet;
  readonly #sheet: FakeSheet;
  constructor(exec: Execution, spreadsheet: FakeSpreadsheet, sheet: FakeSheet) {
    this.#exec = exec;
    this.#spreadsheet = spreadsheet;
    this.#sheet = sheet;
    return failOnceDeleted(this, exec, sheet);
  }
  /** Google documents no text for a Filter object used after remove(); the model's names what happened. */
  #range(): GridRange {
    const range = this.#sheet.filter;
    return range ?? this.#exec.fail("The filter has been removed.");
  }
  getRange(): ScriptRange {
    return new ScriptRange(this.#exec, this.#spreadsheet, this.#sheet, this.#range());
  }
  /** One call per column, as on Google: reading a filter's criteria costs a call for each column asked. */
  getColumnFilterCriteria(columnPosition: unknown): ScriptFilterCriteria | null {
    this.#exec.service("other", "Filter.getColumnFilterCriteria");
    this.#range();
    const criteria = this.#sheet.filterCriteria.get(
      integer(this.#exec, "SpreadsheetApp.Filter.getColumnFilterCriteria", [columnPosition], 0),
    );
    return criteria ? new ScriptFilterCriteria(criteria) : null;
  }
  setColumnFilterCriteria(columnPosition: unknown, criteria: unknown): ScriptFilter {
    this.#exec.forbidInCustomFunction("setColumnFilterCriteria");
    this.#exec.service();
    const method = "SpreadsheetApp.Filter.setColumnFilterCriteria";
    if (criteria !== null && !(criteria instanceof ScriptFilterCriteria))
      return signatureError(this.#exec, method, [columnPosition, criteria]);
    this.#range();
    this.#sheet.setColumnCriteria(integer(this.#exec, method, [columnPosition], 0), criteria?.criteria ?? null);
    return this;
  }
  removeColumnFilterCriteria(columnPosition: unknown): ScriptFilter {
    return this.setColumnFilterCriteria(columnPosition, null);
  }
  remove(): void {
    this.#exec.forbidInCustomFunction("remove");
    this.#exec.service();
    this.#sheet.setFilter(null);
  }
  toString(): string {
    return "Filter";
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
    return this.#writeAll("setValue", (r) => r.applyValue(value));
  }
  setNumberFormat(format: unknown): ScriptRangeList {
    return this.#writeAll("setNumberFormat", (r) => r.applyNumberFormat(format));
  }
  /** One call for every range of the list, as on Google; a protected range among them fails it whole. */
  #writeAll(method: string, apply: (range: ScriptRange) => void): ScriptRangeList {
    this.#exec.forbidInCustomFunction(method);
    this.#exec.service("write", `RangeList.${method}`);
    this.#ranges.forEach((r) => r.assertWritable());
    this.#ranges.forEach(apply);
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
    return failOnceDeleted(this, exec, sheet);
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
  /**
   * "Copies the sheet to a given spreadsheet, which can be the same spreadsheet as the source. The
   * copied sheet is named 'Copy of [original name]'." (https://developers.google.com/apps-script/reference/spreadsheet/sheet#copyTo(Spreadsheet));
   * the model copies within its own spreadsheet only. Whether developer metadata goes with it is
   * undocumented (FakeSpreadsheet.copiesCarryMetadata).
   */
  copyTo(spreadsheet: unknown): ScriptSheet {
    this.#exec.forbidInCustomFunction("copyTo");
    this.#exec.service();
    if (!(spreadsheet instanceof ScriptSpreadsheet) || spreadsheet.getId() !== this.#spreadsheet.id) {
      return signatureError(this.#exec, "SpreadsheetApp.Sheet.copyTo", [spreadsheet]);
    }
    const copy = this.#exec.guard(() => this.#spreadsheet.copySheet(this.#sheet.name, this.#spreadsheet.copiesCarryMetadata));
    return new ScriptSheet(this.#exec, this.#spreadsheet, copy);
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
    this.#exec.service("other", "Sheet.isRowHiddenByFilter");
    return this.#sheet.isFilteredOut(integer(this.#exec, "SpreadsheetApp.Sheet.isRowHiddenByFilter", [rowPosition], 0));
  }
  isRowHiddenByUser(rowPosition: unknown): boolean {
    this.#exec.service();
    return this.#sheet.isHiddenByUser(integer(this.#exec, "SpreadsheetApp.Sheet.isRowHiddenByUser", [rowPosition], 0));
  }

  getFilter(): ScriptFilter | null {
    this.#exec.service();
    return this.#sheet.filter ? new ScriptFilter(this.#exec, this.#spreadsheet, this.#sheet) : null;
  }

  createDeveloperMetadataFinder(): ScriptMetadataFinder {
    this.#exec.service();
    return new ScriptMetadataFinder(this.#exec, this.#spreadsheet, [this.#sheet], null);
  }
  /** https://developers.google.com/apps-script/reference/spreadsheet/sheet#addDeveloperMetadata(String,String): returns the sheet. */
  addDeveloperMetadata(key: unknown, value?: unknown): ScriptSheet {
    this.#exec.forbidInCustomFunction("addDeveloperMetadata");
    this.#exec.service();
    if (typeof key !== "string" || (value !== undefined && typeof value !== "string")) {
      return signatureError(this.#exec, "SpreadsheetApp.Sheet.addDeveloperMetadata", [key, value]);
    }
    this.#sheet.addSheetMetadata(key, value ?? null);
    return this;
  }
  getDeveloperMetadata(): ScriptDeveloperMetadata[] {
    this.#exec.service("read", "Sheet.getDeveloperMetadata");
    return this.#exec.toScript(
      this.#sheet.sheetMetadata.map((m) => new ScriptDeveloperMetadata(this.#exec, this.#spreadsheet, this.#sheet, m)),
    );
  }
  getProtections(type?: unknown): ScriptProtection[] {
    this.#exec.service();
    const wanted = this.#sheet.protections.filter((p) => p.wholeSheet === (type === "SHEET"));
    return this.#exec.toScript(wanted.map((p) => new ScriptProtection(this.#exec, this.#spreadsheet, this.#sheet, p)));
  }
  /** The running user becomes an editor of the new protection, as on Google. */
  protect(): ScriptProtection {
    this.#exec.forbidInCustomFunction("protect");
    this.#exec.service();
    const protection = this.#sheet.addProtection({ row: 1, col: 1, numRows: 1, numCols: 1 }, [this.#exec.user], "", true);
    return new ScriptProtection(this.#exec, this.#spreadsheet, this.#sheet, protection);
  }
  getConditionalFormatRules(): ScriptConditionalFormatRule[] {
    this.#exec.service("read", "Sheet.getConditionalFormatRules");
    return this.#exec.toScript(this.#sheet.conditionalRules.map((r) => new ScriptConditionalFormatRule(r)));
  }
  /** Replaces every rule of the sheet (Google's semantics: pass the old ones to keep them). */
  setConditionalFormatRules(rules: unknown): void {
    this.#exec.forbidInCustomFunction("setConditionalFormatRules");
    this.#exec.service("write", "Sheet.setConditionalFormatRules");
    if (!Array.isArray(rules) || !rules.every((r) => r instanceof ScriptConditionalFormatRule)) {
      return signatureError(this.#exec, "SpreadsheetApp.Sheet.setConditionalFormatRules", [rules]);
    }
    this.#sheet.conditionalRules = (rules as ScriptConditionalFormatRule[]).map((r) => ({
      ...r.rule,
      ranges: r.rule.ranges.map((g) => ({ ...g })),
    }));
  }
  deleteColumns(columnPosition: unknown, howMany: unknown): void {
    this.#change("deleteColumns");
    this.#sheet.deleteColumns(...positionAndCount(this.#exec, "SpreadsheetApp.Sheet.deleteColumns", [columnPosition, howMany]));
  }
  moveColumns(columnSpec: unknown, destinationIndex: unknown): void {
    this.#change("moveColumns");
    if (!(columnSpec instanceof ScriptRange))
      return signatureError(this.#exec, "SpreadsheetApp.Sheet.moveColumns", [columnSpec, destinationIndex]);
    const destination = integer(this.#exec, "SpreadsheetApp.Sheet.moveColumns", [columnSpec, destinationIndex], 1);
    this.#sheet.moveColumns(columnSpec.getColumn(), columnSpec.getNumColumns(), destination);
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
    const [after, count] = positionAndCount(this.#exec, "SpreadsheetApp.Sheet.insertColumnsAfter", [columnIndex, howMany]);
    this.#exec.guard(() => this.#sheet.insertColumns(after, count));
    return this;
  }
  insertColumnAfter(afterPosition: unknown): ScriptSheet {
    return this.insertColumnsAfter(afterPosition, 1);
  }
  insertRowsAfter(afterPosition: unknown, howMany: unknown): ScriptSheet {
    this.#change("insertRowsAfter");
    const [after, count] = positionAndCount(this.#exec, "SpreadsheetApp.Sheet.insertRowsAfter", [afterPosition, howMany]);
    this.#exec.guard(() => this.#sheet.insertRows(after + 1, count));
    return this;
  }
  insertRowsBefore(beforePosition: unknown, howMany: unknown): ScriptSheet {
    this.#change("insertRowsBefore");
    const [before, count] = positionAndCount(this.#exec, "SpreadsheetApp.Sheet.insertRowsBefore", [beforePosition, howMany]);
    this.#exec.guard(() => this.#sheet.insertRows(before, count));
    return this;
  }
  deleteRows(rowPosition: unknown, howMany: unknown): void {
    this.#change("deleteRows");
    this.#sheet.deleteRows(...positionAndCount(this.#exec, "SpreadsheetApp.Sheet.deleteRows", [rowPosition, howMany]));
  }
  deleteRow(rowPosition: unknown): void {
    this.deleteRows(rowPosition, 1);
  }
  /** Writes after the last row with content, growing the grid when it is full (as Google does). */
  appendRow(rowContents: unknown): ScriptSheet {
    this.#exec.forbidInCustomFunction("appendRow");
    this.#exec.service("write", "Sheet.appendRow");
    if (!Array.isArray(rowContents)) return signatureError(this.#exec, "SpreadsheetApp.Sheet.appendRow", [rowContents]);
    const row = this.#sheet.lastRow() + 1;
    this.#exec.guard(() => {
      if (row > this.#sheet.maxRows) this.#sheet.insertRows(row, 1);
      if (rowContents.length > this.#sheet.maxCols)
        this.#sheet.insertColumns(this.#sheet.maxCols, rowContents.length - this.#sheet.maxCols);
    });
    const range = { row, col: 1, numRows: 1, numCols: Math.max(1, rowContents.length) };
    this.#exec.guard(() => this.#sheet.write(range, [rowContents]));
    return this;
  }

  /** A change of the sheet's structure; a protected sheet refuses it to those who may not edit it. */
  #change(method: string): void {
    this.#exec.forbidInCustomFunction(method);
    this.#exec.service();
    if (this.#sheet.protectionAgainst(null, this.#exec.user)) this.#exec.fail(PROTECTED_MESSAGE);
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
  createDeveloperMetadataFinder(): ScriptMetadataFinder {
    this.#exec.service();
    return new ScriptMetadataFinder(this.#exec, this.#spreadsheet, this.#spreadsheet.sheets(), null);
  }
  deleteSheet(sheet: unknown): void {
    this.#exec.forbidInCustomFunction("deleteSheet");
    this.#exec.service();
    if (!(sheet instanceof ScriptSheet)) return signatureError(this.#exec, "SpreadsheetApp.Spreadsheet.deleteSheet", [sheet]);
    const name = sheet.getName();
    this.#exec.guard(() => this.#spreadsheet.deleteSheet(name));
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
    return new ScriptRangeList(
      this.#exec,
      this.#spreadsheet.selection().map((a1) => this.#rangeOn(sheet, a1)),
    );
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

const BOOLEAN_CRITERIA: readonly FilterCondition[] = [
  "CELL_EMPTY",
  "CELL_NOT_EMPTY",
  "TEXT_CONTAINS",
  "TEXT_DOES_NOT_CONTAIN",
  "TEXT_STARTS_WITH",
  "TEXT_ENDS_WITH",
  "TEXT_EQUAL_TO",
  "NUMBER_GREATER_THAN",
  "NUMBER_GREATER_THAN_OR_EQUAL_TO",
  "NUMBER_LESS_THAN",
  "NUMBER_LESS_THAN_OR_EQUAL_TO",
  "NUMBER_EQUAL_TO",
  "NUMBER_NOT_EQUAL_TO",
  "NUMBER_BETWEEN",
  "NUMBER_NOT_BETWEEN",
  "CUSTOM_FORMULA",
];

/** The builders and enums of SpreadsheetApp that the model supports. */
export function spreadsheetAppBuilders(): Record<string, unknown> {
  return {
    newRichTextValue: () => new ScriptRichTextValueBuilder(),
    newConditionalFormatRule: () => new ScriptConditionalFormatRuleBuilder(),
    newFilterCriteria: () => new ScriptFilterCriteriaBuilder(),
    BooleanCriteria: Object.fromEntries(BOOLEAN_CRITERIA.map((c) => [c, c])),
    ProtectionType: { RANGE: "RANGE", SHEET: "SHEET" },
    DeveloperMetadataLocationType: { SPREADSHEET: "SPREADSHEET", SHEET: "SHEET", ROW: "ROW", COLUMN: "COLUMN" },
    DeveloperMetadataVisibility: { DOCUMENT: "DOCUMENT", PROJECT: "PROJECT" },
  };
}
