// Every Apps Script API the add-on calls has a runtime test of how Google behaves: from gas-fakes'
// live-recorded assertions (test/runtime/gas-fakes-*.test.ts) where gas-fakes records one, else
// from Google's pages (the other runtime tests cite them). A call added to src/addon without a test
// here fails, and so does a test file that no longer exercises what it is listed for.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const addonSource = readdirSync(join(ROOT, "src", "addon"))
  .filter((f) => f.endsWith(".ts"))
  .map((f) => readFileSync(join(ROOT, "src", "addon", f), "utf8"))
  .join("\n");
const testSource = (file: string) => readFileSync(join(ROOT, "test", "runtime", file), "utf8");

const SHEETS = "gas-fakes-sheets.test.ts";
const SERVICES = "gas-fakes-services.test.ts";
const UTILITIES = "gas-fakes-utilities.test.ts";
// gas-fakes records nothing live for these: tested after Google's pages.
const GOOGLE_SERVICES = "services.test.ts";
const GOOGLE_SHEETS = "spreadsheet.test.ts";
const PLATFORM = "platform.test.ts";

/** The services' members the add-on names, and the test of each. */
const SERVICE_MEMBERS: Record<string, string> = {
  "CacheService.getDocumentCache": SERVICES,
  "HtmlService.createHtmlOutput": SERVICES,
  "HtmlService.createHtmlOutputFromFile": SERVICES,
  "LockService.getDocumentLock": PLATFORM,
  "LockService.getScriptLock": SERVICES,
  "LockService.getUserLock": SERVICES,
  "PropertiesService.getDocumentProperties": SERVICES,
  "PropertiesService.getScriptProperties": SERVICES,
  "PropertiesService.getUserProperties": SERVICES,
  "ScriptApp.InstallationSource": GOOGLE_SERVICES,
  "ScriptApp.deleteTrigger": GOOGLE_SERVICES,
  "ScriptApp.getInstallationSource": GOOGLE_SERVICES,
  "ScriptApp.getProjectTriggers": GOOGLE_SERVICES,
  "ScriptApp.newTrigger": GOOGLE_SERVICES,
  "Session.getEffectiveUser": SERVICES,
  "Session.getTemporaryActiveUserKey": SERVICES,
  "SpreadsheetApp.BooleanCriteria": SHEETS,
  "SpreadsheetApp.flush": GOOGLE_SHEETS,
  "SpreadsheetApp.getActiveSpreadsheet": SHEETS,
  "SpreadsheetApp.getUi": GOOGLE_SERVICES,
  "SpreadsheetApp.newConditionalFormatRule": SHEETS,
  "SpreadsheetApp.newRichTextValue": SHEETS,
  "UrlFetchApp.fetch": SERVICES,
  "UrlFetchApp.fetchAll": SERVICES,
  "Utilities.Charset": UTILITIES,
  "Utilities.DigestAlgorithm": UTILITIES,
  "Utilities.base64Decode": UTILITIES,
  "Utilities.base64Encode": UTILITIES,
  "Utilities.base64EncodeWebSafe": UTILITIES,
  "Utilities.computeDigest": UTILITIES,
  "Utilities.formatDate": UTILITIES,
  "Utilities.getUuid": UTILITIES,
  "Utilities.gzip": UTILITIES,
  "Utilities.newBlob": UTILITIES,
  "Utilities.sleep": GOOGLE_SERVICES,
  "Utilities.ungzip": UTILITIES,
};

/** Methods of the objects those services return (Spreadsheet, Sheet, Range, Lock...), and the test of each. */
const METHODS: Record<string, string> = {
  // Spreadsheet
  getSheetByName: SHEETS,
  getSheets: SHEETS,
  insertSheet: SHEETS,
  getActiveSheet: SHEETS,
  getActiveRange: GOOGLE_SHEETS,
  getActiveRangeList: GOOGLE_SHEETS,
  getSpreadsheetTimeZone: GOOGLE_SHEETS,
  deleteSheet: PLATFORM,
  toast: GOOGLE_SERVICES,
  // Sheet
  getRange: SHEETS,
  getRangeList: SHEETS,
  getLastRow: SHEETS,
  getLastColumn: SHEETS,
  getMaxRows: SHEETS,
  getMaxColumns: SHEETS,
  getName: SHEETS,
  getSheetId: SHEETS,
  insertColumnsAfter: SHEETS,
  insertRowsAfter: SHEETS,
  deleteRows: SHEETS,
  hideSheet: SHEETS,
  activate: GOOGLE_SHEETS,
  getFilter: SHEETS,
  isRowHiddenByFilter: SHEETS,
  createDeveloperMetadataFinder: SHEETS,
  getConditionalFormatRules: SHEETS,
  setConditionalFormatRules: SHEETS,
  // Range and RangeList
  getValues: SHEETS,
  setValues: SHEETS,
  getValue: SHEETS,
  setValue: SHEETS,
  getDisplayValues: SHEETS,
  getFormulas: SHEETS,
  setFormulas: SHEETS,
  setFormula: SHEETS,
  setNumberFormat: SHEETS,
  isBlank: SHEETS,
  getRow: SHEETS,
  getColumn: SHEETS,
  getA1Notation: SHEETS,
  getSheet: GOOGLE_SHEETS,
  addDeveloperMetadata: SHEETS,
  setRichTextValues: SHEETS,
  setNotes: SHEETS,
  getRanges: SHEETS,
  copyTo: PLATFORM,
  // Filter, developer metadata, builders
  getColumnFilterCriteria: SHEETS,
  getCriteriaType: SHEETS,
  getHiddenValues: PLATFORM,
  getVisibleValues: PLATFORM,
  withKey: SHEETS,
  withValue: SHEETS,
  find: SHEETS,
  getLocation: SHEETS,
  setText: SHEETS,
  setLinkUrl: SHEETS,
  whenTextEqualTo: SHEETS,
  setBackground: SHEETS,
  setFontColor: SHEETS,
  setRanges: SHEETS,
  // Ui and HtmlOutput
  createMenu: GOOGLE_SERVICES,
  createAddonMenu: PLATFORM,
  addItem: GOOGLE_SERVICES,
  addSeparator: GOOGLE_SERVICES,
  addToUi: GOOGLE_SERVICES,
  alert: GOOGLE_SERVICES,
  showSidebar: GOOGLE_SERVICES,
  showModalDialog: GOOGLE_SERVICES,
  setTitle: SERVICES,
  setWidth: SERVICES,
  setHeight: SERVICES,
  // HTTPResponse, Properties, Lock, triggers, Blob, User
  getResponseCode: SERVICES,
  getHeaders: SERVICES,
  getContentText: SERVICES,
  getProperty: SERVICES,
  putAll: GOOGLE_SERVICES,
  getAll: GOOGLE_SERVICES,
  remove: SERVICES,
  setProperty: SERVICES,
  deleteProperty: SERVICES,
  tryLock: SERVICES,
  releaseLock: SERVICES,
  timeBased: GOOGLE_SERVICES,
  after: GOOGLE_SERVICES,
  getUniqueId: GOOGLE_SERVICES,
  getHandlerFunction: GOOGLE_SERVICES,
  getBytes: UTILITIES,
  getDataAsString: UTILITIES,
  getEmail: SERVICES,
};

describe("the Apps Script APIs the add-on calls", () => {
  it("each have a runtime test", () => {
    const named = new Set(
      addonSource.match(
        /\b(?:SpreadsheetApp|UrlFetchApp|PropertiesService|CacheService|LockService|ScriptApp|Session|HtmlService|Utilities)\.[A-Za-z_0-9]+/g,
      ),
    );
    expect([...named].filter((member) => !(member in SERVICE_MEMBERS)).sort()).toEqual([]);
  });

  it("are listed only while the add-on calls them, each with a test that calls them", () => {
    for (const [member, file] of Object.entries(SERVICE_MEMBERS)) {
      expect.soft(addonSource.includes(member), `${member} in src/addon`).toBe(true);
      expect.soft(testSource(file).includes(member.split(".").pop() ?? member), `${member} in ${file}`).toBe(true);
    }
    for (const [method, file] of Object.entries(METHODS)) {
      expect.soft(new RegExp(`\\.${method}\\(`).test(addonSource), `${method}( in src/addon`).toBe(true);
      expect.soft(new RegExp(`\\.${method}\\(`).test(testSource(file)), `${method}( in ${file}`).toBe(true);
    }
  });
});
