// The end-of-run refresh of the spreadsheet's =TERRITORY_TIER formulas: Sheets recalculates a
// custom function only when its arguments change, so cells answered before a run are entered again.
// No instant may cost the user a formula, so each small block is journaled (a document property)
// before it is touched, swapped through the formula's own text (never emptied), and restored in the
// same step; a block an execution was stopped in is restored from the journal by the next one.
import * as z from "zod/mini";
import { formulaBlocks, type FormulaBlock } from "../core/formula-blocks";
import { parseStoredJson } from "../core/json";
import { findCacheSheet } from "./cache-sheet";

const JOURNAL_KEY = "TP_FORMULA_REFRESH";
/** A block's formulas as JSON, with room for the rest of the journal under Google's 9 KB per property. */
const BLOCK_BYTES = 8_000;

const journalSchema = z.lazy(() =>
  z.object({
    /** Blocks of the refresh already re-entered, in the order `formulaBlocks` gives. */
    next: z.number().check(z.int(), z.nonnegative()),
    /** The block being re-entered, with the sheet it is on. */
    block: z.nullable(z.object({ sheetId: z.number(), row: z.number(), column: z.number(), formulas: z.array(z.array(z.string())) })),
  }),
);
type Journal = z.infer<typeof journalSchema>;

function props(): GoogleAppsScript.Properties.Properties {
  return PropertiesService.getDocumentProperties();
}

function readJournal(): Journal | null {
  return parseStoredJson(props().getProperty(JOURNAL_KEY), journalSchema);
}

function writeJournal(journal: Journal): void {
  props().setProperty(JOURNAL_KEY, JSON.stringify(journal));
}

/** The text a formula shows while it is swapped out: a leading apostrophe keeps it text. */
function swapText(formula: string): string {
  return `'${formula}`;
}

/** A cell that still shows the formula's text: what a stopped refresh left. */
function showsText(value: unknown, formula: string, cellFormula: string): boolean {
  return cellFormula === "" && (value === formula || value === swapText(formula));
}

function blockRange(sheet: GoogleAppsScript.Spreadsheet.Sheet, block: FormulaBlock): GoogleAppsScript.Spreadsheet.Range {
  return sheet.getRange(block.row, block.column, block.formulas.length, block.formulas[0]?.length ?? 1);
}

/**
 * Puts back the formulas of a block a stopped execution left as text. A cell the user changed
 * since is left as it is.
 */
export function restoreInterruptedRefresh(): void {
  const journal = readJournal();
  if (!journal?.block) return;
  const { sheetId, ...block } = journal.block;
  const sheet = SpreadsheetApp.getActiveSpreadsheet()
    .getSheets()
    .find((s) => s.getSheetId() === sheetId);
  if (sheet) {
    const range = blockRange(sheet, block);
    const values = range.getValues();
    const formulas = range.getFormulas();
    const stopped = block.formulas.map((line, r) => line.map((f, c) => showsText(values[r]?.[c], f, formulas[r]?.[c] ?? "")));
    if (stopped.every((line) => line.every(Boolean))) range.setFormulas(block.formulas);
    else
      stopped.forEach((line, r) =>
        line.forEach((was, c) => {
          const formula = block.formulas[r]?.[c];
          if (was && formula) sheet.getRange(block.row + r, block.column + c).setFormula(formula);
        }),
      );
  }
  writeJournal({ next: journal.next, block: null });
}

/**
 * Re-enters every formula of the document that calls TERRITORY_TIER, block by block, while `mayGoOn`
 * says the execution has time for another block. "done", or "unfinished" when time ran out: the next
 * execution goes on from the block after the last one done. A block this user may not edit (a
 * protected range) keeps its formulas as they are: refreshing is a courtesy.
 */
export function refreshTierFormulas(mayGoOn: () => boolean): "done" | "unfinished" {
  restoreInterruptedRefresh();
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  const cacheId = findCacheSheet()?.getSheetId();
  const blocks: { sheet: GoogleAppsScript.Spreadsheet.Sheet; block: FormulaBlock }[] = [];
  for (const sheet of spreadsheet.getSheets()) {
    if (sheet.getSheetId() === cacheId) continue;
    const lastRow = sheet.getLastRow();
    const lastColumn = sheet.getLastColumn();
    if (lastRow === 0 || lastColumn === 0) continue;
    const formulas = sheet.getRange(1, 1, lastRow, lastColumn).getFormulas();
    for (const block of formulaBlocks(formulas, BLOCK_BYTES)) blocks.push({ sheet, block });
  }
  const start = readJournal()?.next ?? 0;
  for (let i = start; i < blocks.length; i++) {
    const item = blocks[i];
    if (!item) continue;
    if (!mayGoOn()) {
      writeJournal({ next: i, block: null });
      return "unfinished";
    }
    const { sheet, block } = item;
    // Journaled before it is touched: a stop anywhere from here on is undone by the next execution.
    writeJournal({ next: i, block: { sheetId: sheet.getSheetId(), ...block } });
    const range = blockRange(sheet, block);
    try {
      range.setValues(block.formulas.map((line) => line.map(swapText)));
    } catch {
      continue;
    }
    SpreadsheetApp.flush();
    range.setFormulas(block.formulas);
  }
  props().deleteProperty(JOURNAL_KEY);
  return "done";
}
