// `Check this deployment`: a self-test on the real spreadsheet, well under a minute, that settles
// on this deployment what Google documents nowhere. It touches only scratch sheets it creates and
// deletes (and the user's place in the spreadsheet, put back), and shows a report to copy; the
// words are the core's (src/core/deployment-check.ts).
import * as z from "zod/mini";
import {
  deploymentReport,
  FIRST_CALCULATION_WAIT_MS,
  probeArgument,
  RECALCULATION_WAIT_MS,
  type BackgroundStep,
  type DeploymentFindings,
  type Probe,
  type ProviderTest,
} from "../core/deployment-check";
import { parseStoredJson } from "../core/json";
import { maskSecrets } from "../core/secrets";
import { SECRET_KEYS } from "../core/setting-keys";
import type { Service } from "../core/types";
import { loadRunState } from "./run-state";
import { testConnection } from "./settings-ui";
import { loadSettings, readSettingLayers } from "./settings-store";
import { keepingUserPlace } from "./sheet-io";
import { checkTrigger, checkTriggers, deleteTriggerById, isPublishedAddOn, recordTriggerLock, triggerUidOf } from "./triggers";

/** The global a check's one-shot trigger runs (main.ts exports it). */
export const BACKGROUND_HANDLER = "checkDeploymentBackground";
const SCRATCH_SHEET = "_territory_check";
const TAG = "territory-planner-check";
const PROBE_KEY = "TP_CHECK_PROBE";
/** User properties: what background steps found, by trigger id (a trigger may run without the document). */
const STEPS_KEY = "TP_CHECK_STEPS";
const STEPS_KEPT = 10;
const PROBE_CACHE_SECONDS = 600;
const POLL_MS = 500;

type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

const stepsSchema = z.record(z.string(), z.object({ ranAt: z.number(), hasDocument: z.boolean(), hasLock: z.boolean() }));

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function attempt<T>(probe: () => T): Probe<T> {
  try {
    return { ok: true, value: probe() };
  } catch (error) {
    return { ok: false, message: errorText(error) };
  }
}

/** A store Google may give as null (no document): the probe says so rather than failing on null. */
function given<T>(store: T | null, what: string): T {
  if (store === null) throw new Error(`Google gave no ${what} (null)`);
  return store;
}

function propertiesRoundTrip(): null {
  const nonce = Utilities.getUuid();
  const stores = [
    given(PropertiesService.getDocumentProperties(), "document properties"),
    given(PropertiesService.getUserProperties(), "user properties"),
  ];
  for (const store of stores) {
    store.setProperty(PROBE_KEY, nonce);
    const read = store.getProperty(PROBE_KEY);
    store.deleteProperty(PROBE_KEY);
    if (read !== nonce) throw new Error("a property read back differently from how it was written");
  }
  return null;
}

function cacheRoundTrip(): null {
  const cache = given(CacheService.getDocumentCache(), "document cache");
  const nonce = Utilities.getUuid();
  cache.put(PROBE_KEY, nonce, 60);
  const read = cache.get(PROBE_KEY);
  cache.remove(PROBE_KEY);
  if (read !== nonce) throw new Error("a cached value read back differently from how it was written");
  return null;
}

function documentLock(): "free" | "busy" | "absent" {
  const lock = LockService.getDocumentLock();
  if (!lock) return "absent";
  if (!lock.tryLock(0)) return "busy";
  lock.releaseLock();
  return "free";
}

function taggedColumns(sheet: Sheet): number[] {
  return sheet
    .createDeveloperMetadataFinder()
    .withKey(TAG)
    .find()
    .map((m) => m.getLocation().getColumn()?.getColumn() ?? 0);
}

/** A tag on column B found again; then whether it goes with a copy of column B (to D) and of the sheet. */
function metadataProbe(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet, scratch: Sheet) {
  scratch.getRange("B:B").addDeveloperMetadata(TAG, "probe");
  if (!taggedColumns(scratch).includes(2)) throw new Error("the tag added to column B was not found again");
  scratch.getRange("B:B").copyTo(scratch.getRange("D:D"));
  const copiedColumn = taggedColumns(scratch).includes(4);
  const copy = scratch.copyTo(spreadsheet);
  try {
    return { copiedColumn, duplicatedSheet: taggedColumns(copy).length > 0 };
  } finally {
    spreadsheet.deleteSheet(copy);
  }
}

function probeCount(nonce: string): number {
  return Number(CacheService.getDocumentCache()?.get(`${PROBE_KEY}_${nonce}`) ?? "0") || 0;
}

/** Waits (flushing first, so Sheets recalculates) until the probe formula has been calculated `times` times. */
function calculated(nonce: string, times: number, waitMs: number): boolean {
  SpreadsheetApp.flush();
  for (let waited = 0; ; waited += POLL_MS) {
    if (probeCount(nonce) >= times) return true;
    if (waited >= waitMs) return false;
    Utilities.sleep(POLL_MS);
  }
}

/**
 * A =TERRITORY_TIER probe formula in A2: calculated when entered, again when the same text is
 * entered again, and when it is cleared and entered again (how a run's end refreshes formulas).
 */
function recalculationProbe(scratch: Sheet) {
  const nonce = Utilities.getUuid();
  const cell = scratch.getRange("A2");
  const formula = `=TERRITORY_TIER("${probeArgument(nonce)}")`;
  cell.setFormula(formula);
  if (!calculated(nonce, 1, FIRST_CALCULATION_WAIT_MS)) return { calculated: false, sameText: false, clearAndEnter: false };
  cell.setFormula(formula);
  const sameText = calculated(nonce, 2, RECALCULATION_WAIT_MS);
  const seen = probeCount(nonce);
  cell.setFormulas([[""]]);
  SpreadsheetApp.flush();
  cell.setFormula(formula);
  return { calculated: true, sameText, clearAndEnter: calculated(nonce, seen + 1, RECALCULATION_WAIT_MS) };
}

/** The sheet probes, in a scratch sheet deleted afterwards; the user's sheet and selection are put back. */
function sheetProbes(): Pick<DeploymentFindings, "scratch" | "metadata" | "recalculation"> {
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  let scratch: Sheet | null = null;
  try {
    const made = attempt(() =>
      keepingUserPlace(spreadsheet, () => {
        let name = SCRATCH_SHEET;
        for (let n = 2; spreadsheet.getSheetByName(name); n++) name = `${SCRATCH_SHEET}_${n}`;
        return spreadsheet.insertSheet(name);
      }),
    );
    if (!made.ok) return { scratch: made, metadata: null, recalculation: null };
    const sheet = (scratch = made.value);
    return {
      scratch: { ok: true, value: null },
      metadata: attempt(() => metadataProbe(spreadsheet, sheet)),
      recalculation: attempt(() => recalculationProbe(sheet)),
    };
  } finally {
    if (scratch) spreadsheet.deleteSheet(scratch);
  }
}

function loadSteps(): z.infer<typeof stepsSchema> {
  return parseStoredJson(PropertiesService.getUserProperties().getProperty(STEPS_KEY), stepsSchema) ?? {};
}

/** The background step an earlier check asked for here, with what it found if it has run. */
function earlierBackground(): BackgroundStep | null {
  const asked = checkTrigger();
  if (!asked) return null;
  const found = loadSteps()[asked.id];
  if (!found) return { askedAt: asked.askedAt, ranAt: null, hasDocument: null, hasLock: null };
  // The add-on acts on it: triggers carry runs on only where their executions have the document and its lock.
  recordTriggerLock(found.hasDocument && found.hasLock);
  return { askedAt: asked.askedAt, ...found };
}

function triggerProbes(): Pick<DeploymentFindings, "triggers" | "earlierBackground" | "backgroundAsked"> {
  const earlier = earlierBackground();
  if (loadRunState()?.active) return { triggers: { kind: "runActive" }, earlierBackground: earlier, backgroundAsked: false };
  const refused = checkTriggers(BACKGROUND_HANDLER, Date.now());
  return {
    triggers: refused === null ? { kind: "ok" } : { kind: "refused", message: refused },
    earlierBackground: earlier,
    backgroundAsked: refused === null,
  };
}

function providerTests(): ProviderTest[] {
  const { settings } = loadSettings();
  const host = settings ? /^https:\/\/([^/]+)/.exec(settings.llmBaseUrl)?.[1] : undefined;
  const names: Record<Service, string> = { tavily: "Web search (Tavily)", llm: `AI (${host ?? "provider"})` };
  return (["tavily", "llm"] as const).map((service) => {
    const configured = settings !== null && (service === "tavily" ? settings.tavilyApiKey : settings.llmApiKey) !== "";
    const result = configured ? testConnection(service) : null;
    return { name: names[service], configured, ok: result?.ok ?? false, message: result?.message ?? "", detail: result?.detail ?? "" };
  });
}

/** Every API key this deployment knows of, the user's and the deployer's, to be kept out of the report. */
function knownKeys(): string[] {
  const { user, script } = readSettingLayers();
  return [user, script].flatMap((layer) => SECRET_KEYS.map((key) => layer[key] ?? "")).filter((key) => key !== "");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function showReport(report: string): void {
  const html = `<!doctype html><html lang="en"><head><link rel="stylesheet" href="https://ssl.gstatic.com/docs/script/css/add-ons1.css"></head><body>
<label for="report">Copy this report for whoever set up Territory Planner:</label>
<textarea id="report" readonly rows="18" style="width:100%;font-family:monospace">${escapeHtml(report)}</textarea>
</body></html>`;
  try {
    SpreadsheetApp.getUi().showModalDialog(HtmlService.createHtmlOutput(html).setWidth(680).setHeight(460), "Check this deployment");
  } catch {
    // No UI (run from the script editor): the report is returned, and logged there.
  }
}

/** Runs every probe and shows the report; returns it (plain text, never a key). */
export function checkDeployment(): string {
  const findings: DeploymentFindings = {
    at: Date.now(),
    published: isPublishedAddOn(),
    properties: attempt(propertiesRoundTrip),
    cache: attempt(cacheRoundTrip),
    documentLock: attempt(documentLock),
    ...sheetProbes(),
    ...triggerProbes(),
    providers: providerTests(),
  };
  const report = maskSecrets(deploymentReport(findings), knownKeys());
  showReport(report);
  return report;
}

/**
 * The check's one-shot trigger: records, in the user's properties (it may have no document),
 * whether it got this spreadsheet and a document lock, then deletes itself.
 */
export function backgroundStep(event: unknown): void {
  const id = triggerUidOf(event);
  if (id === null) return;
  const step = {
    ranAt: Date.now(),
    hasDocument: SpreadsheetApp.getActiveSpreadsheet() !== null,
    hasLock: LockService.getDocumentLock() !== null,
  };
  const kept = Object.entries({ ...loadSteps(), [id]: step })
    .sort(([, a], [, b]) => b.ranAt - a.ranAt)
    .slice(0, STEPS_KEPT);
  PropertiesService.getUserProperties().setProperty(STEPS_KEY, JSON.stringify(Object.fromEntries(kept)));
  deleteTriggerById(id);
}

/** TERRITORY_TIER of a check's probe argument: counts the calculation (the check waits for it), no lookup. */
export function answerProbe(nonce: string): string {
  const cache = CacheService.getDocumentCache();
  const key = `${PROBE_KEY}_${nonce}`;
  const count = Number(cache?.get(key) ?? "0") + 1;
  cache?.put(key, String(count), PROBE_CACHE_SECONDS);
  return `Territory Planner check (${count})`;
}
