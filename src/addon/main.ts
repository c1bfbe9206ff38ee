// Entry file: every exported function becomes a top-level Apps Script global (see build.mjs).
// PLACEHOLDER bodies until the add-on layer lands.
import * as settingsUi from "./settings-ui";

export function onOpen(_e?: unknown): void {}
export function onInstall(e?: unknown): void {
  onOpen(e);
}
export function researchSelectedRows(): void {}
export function refreshSelectedRows(): void {}
export function retryFailedRows(): void {}
export function showSidebar(): void {}
export function showSettings(): void {}
export function cancelResearch(): void {}
export function runResearchWorker(): void {}
export function getResearchProgress(): unknown {
  return null;
}

/**
 * Looks up the Territory Planner research of a company.
 *
 * @param {string|Array<Array<string>>} company The company name, or a range of company names.
 * @param {string} [field] Which answer: "tier" (default), "score", "use case", "rationale", "sources" or "status".
 * @return The tier (or the chosen field) of the company; a column of answers for a range.
 * @customfunction
 */
export function TERRITORY_TIER(company: unknown, field?: unknown): unknown {
  void company;
  void field;
  return "";
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
