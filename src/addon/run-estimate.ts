// The estimate of a Research of the selected rows, read from the sheet and the cache before
// anything is queued or paid; the menu asks with an alert above CONFIRM_ABOVE_USD, the sidebar
// shows the same figures before its Start button.
import { estimateCompanyCostUsd, isFresh } from "../core/engine";
import { companyKey } from "../core/company-key";
import { normaliseDomain } from "../core/names";
import { cacheAnswer, describeEstimate, estimateRun, needsConfirmation, type CacheSummary } from "../core/run/estimate";
import { ADVANCED_SEARCH_CREDITS } from "../core/costs";
import type { Settings } from "../core/settings";
import type { RunEstimate } from "../core/wire";
import { PROFILES } from "../core/types";
import { cacheRows, type CacheRow } from "./cache-panel";
import { cellAt, cellText, type SheetSnapshot } from "./sheet-io";

export type QueueMode = "research" | "refresh";

/** Rows of the snapshot a Research or Re-research would queue, as row number to company and domain. */
export interface PlannedRows {
  rows: number;
  companies: Map<string, { company: string; domain: string | null }>;
}

export function planCompanies(snapshot: SheetSnapshot, rows: Iterable<number>, settings: Settings): PlannedRows {
  const companies = new Map<string, { company: string; domain: string | null }>();
  let count = 0;
  for (const row of rows) {
    const company = cellText(cellAt(snapshot, row, snapshot.companyColumn));
    if (company === "") continue;
    count += 1;
    const domain = snapshot.websiteColumn ? normaliseDomain(cellText(cellAt(snapshot, row, snapshot.websiteColumn))) : null;
    companies.set(companyKey(settings.profile, company, domain), { company, domain });
  }
  return { rows: count, companies };
}

export function estimatePlanned(planned: PlannedRows, settings: Settings, mode: QueueMode, now = Date.now()): RunEstimate {
  // Re-research ignores the cache, so it is not read; a Research reads it without the evidence.
  const cached = mode === "research" ? cacheRows([...planned.companies.keys()]) : new Map<string, CacheRow>();
  const answers = [...planned.companies.keys()].map((key) => {
    const row = cached.get(key);
    const profile = PROFILES.find((p) => p === row?.profile) ?? null;
    const summary: CacheSummary | null =
      row && isFresh(row, settings, now)
        ? { status: row.status, hasEvidence: row.hasEvidence, resultProfile: row.model ? profile : null, resultModel: row.model || null }
        : null;
    return cacheAnswer(summary, settings.profile, settings.llmModel);
  });
  const researchUsd = estimateCompanyCostUsd(settings);
  const prices = { researchUsd, judgeUsd: Math.max(0, researchUsd - ADVANCED_SEARCH_CREDITS * settings.tavilyPricePerCredit) };
  return estimateRun(planned.rows, answers, prices, settings, {
    budgetUsd: settings.jobBudgetUsd,
    confirmAboveUsd: settings.confirmAboveUsd,
  });
}

/** Asks with a YES/NO alert when the estimate is above the threshold; false queues nothing. */
export function confirmWithAlert(estimate: RunEstimate): boolean {
  if (!needsConfirmation(estimate)) return true;
  try {
    const ui = SpreadsheetApp.getUi();
    const { title, lines } = describeEstimate(estimate);
    return ui.alert(title, lines.join("\n"), ui.ButtonSet.YES_NO) === ui.Button.YES;
  } catch {
    // No one to ask (no UI in this context): spend nothing.
    return false;
  }
}
