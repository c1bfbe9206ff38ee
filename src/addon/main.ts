// Entry file: every exported function becomes a top-level Apps Script global (see build.mjs).
// Each one is a thin call into the module that does the work.
import {
  parseArgs,
  type CacheStats,
  type ClearCacheResult,
  type CommandResult,
  type EstimateResult,
  type ResearchProgress,
  type SidebarStart,
} from "../core/wire";
import { probeNonce } from "../core/deployment-check";
import { cacheStats, clearCache as clearCacheEntries } from "./cache-panel";
import { answerProbe, backgroundStep, checkDeployment as runDeploymentCheck } from "./check-deployment";
import {
  cancel,
  estimateForSidebar,
  openSettingsSafely,
  queueSelectedRows,
  resume,
  retryFailed,
  selectRow as selectSheetRow,
  showSidebarSafely,
  startFromSidebar,
} from "./commands";
import { researchProgress } from "./progress";
import * as settingsUi from "./settings-ui";
import { territoryTier } from "./custom-function";
import { isPublishedAddOn } from "./triggers";
import { runWorker, type WorkerReport } from "./worker";

/**
 * A published add-on's menu is Google's add-on menu, under Extensions with the add-on's name
 * (https://developers.google.com/workspace/add-ons/concepts/menus); a script bound to the
 * spreadsheet (deployed with clasp) has its own menu in the menu bar.
 */
export function onOpen(_e?: unknown): void {
  const ui = SpreadsheetApp.getUi();
  (isPublishedAddOn() ? ui.createAddonMenu() : ui.createMenu("Territory Planner"))
    .addItem("Research selected rows", "researchSelectedRows")
    .addItem("Re-research selected rows (ignore cache)", "refreshSelectedRows")
    .addItem("Retry failed rows", "retryFailedRows")
    .addSeparator()
    .addItem("Show progress", "showSidebar")
    .addItem("Settings", "showSettings")
    .addSeparator()
    .addItem("Cancel research", "cancelResearch")
    .addItem("Check this deployment", "checkDeployment")
    .addToUi();
}

export function onInstall(e?: unknown): void {
  onOpen(e);
}

export function researchSelectedRows(): CommandResult {
  return queueSelectedRows("research");
}

export function refreshSelectedRows(): CommandResult {
  return queueSelectedRows("refresh");
}

export function retryFailedRows(): CommandResult {
  return retryFailed();
}

export function resumeResearch(): CommandResult {
  return resume();
}

export function cancelResearch(): CommandResult {
  return cancel();
}

/** The sidebar's Research button: what the selection would cost, before anything is queued. */
export function estimateQueue(action: unknown, column: unknown): EstimateResult {
  return estimateForSidebar(...parseArgs("estimateQueue", [action, column]));
}

export function startQueue(action: unknown, planId: unknown, column: unknown): SidebarStart {
  return startFromSidebar(...parseArgs("startQueue", [action, planId, column]));
}

export function selectRow(sheet: unknown, row: unknown, company: unknown): CommandResult {
  return selectSheetRow(...parseArgs("selectRow", [sheet, row, company]));
}

export function getCacheStats(): CacheStats {
  return cacheStats();
}

/** null (or nothing) clears every entry; a whole number of days clears the entries older than that. */
export function clearCache(olderThanDays?: unknown): ClearCacheResult {
  const [days] = parseArgs("clearCache", [olderThanDays]);
  return clearCacheEntries(days ?? null);
}

export function showSidebar(): void {
  showSidebarSafely();
}

export function showSettings(): void {
  openSettingsSafely();
}

/** From the sidebar with no argument; from a time-driven trigger with its event, which names the trigger. */
export function runResearchWorker(e?: unknown): WorkerReport {
  return runWorker(e);
}

/** Check this deployment: a self-test on this spreadsheet whose report settles what Google documents nowhere. */
export function checkDeployment(): string {
  return runDeploymentCheck();
}

/** The one-shot trigger a deployment check asks for: whether a trigger gets the spreadsheet and its lock. */
export function checkDeploymentBackground(e?: unknown): void {
  backgroundStep(e);
}

export function getResearchProgress(): ResearchProgress {
  return researchProgress();
}

export function getSettingsView() {
  return settingsUi.getSettingsView();
}

export function saveSettings(form: unknown) {
  return settingsUi.saveSettings(form);
}

export function testConnection(service: unknown, form?: unknown) {
  return settingsUi.testConnection(service, form);
}

export function listModels(form?: unknown) {
  return settingsUi.listModels(form);
}

export function removeKey(key: unknown) {
  return settingsUi.removeKey(...parseArgs("removeKey", [key]));
}

/**
 * Territory Planner's research of a company: its tier, or another field of the result.
 * Answers from the research cache at no cost; a company not yet researched is looked up live once.
 *
 * @param {string|Array<Array<string>>} company The company name, or a range of company names (answered from the cache only).
 * @param {string} [field] Which answer: "tier" (default), "score", "use case", "rationale", "sources" or "status".
 * @return {string|number|Array<Array<string|number>>} The answer for the company, or a column of answers for a range.
 * @customfunction
 */
export function TERRITORY_TIER(company: unknown, field?: unknown): unknown {
  // A deployment check's probe formula is counted, never looked up.
  const probe = probeNonce(company);
  return probe === null ? territoryTier(company, field) : answerProbe(probe);
}
