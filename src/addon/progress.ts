// getResearchProgress: waiting rows are counted in the sheet, finished ones from the run's
// counters, so the numbers add up by construction. The sidebar calls this every few seconds, so
// it reads two properties (a third while a run is active: whether a trigger carries it on) and, per
// queue sheet, the Status column alone: never the companies, rationales or sources. Plain JSON only
// (no Date objects).
import { drivenByOwner, isSkipped } from "../core/run/run-state";
import { pauseText, statusKind } from "../core/status";
import type { ResearchProgress } from "../core/wire";
import { ownedColumns } from "./columns";
import { currentUser, loadQueueSheets, loadRunState, type RunState } from "./run-state";
import { isPublishedAddOn, sidebarOnly } from "./triggers";

type Waiting = { queued: number; researching: number; paused: number };

/** The Status cells below the header, or none when the sheet has no Status column of ours. */
function statusCells(sheet: GoogleAppsScript.Spreadsheet.Sheet): unknown[] {
  const lastRow = sheet.getLastRow();
  const columns = lastRow >= 2 ? ownedColumns(sheet) : null;
  if (!columns) return [];
  return sheet
    .getRange(2, columns.Status, lastRow - 1, 1)
    .getValues()
    .map((row) => row[0]);
}

/** Rows the run could not write are counted once, with the failed ones, not as still waiting. */
function countWaitingRows(run: RunState | null): Waiting {
  const counts: Waiting = { queued: 0, researching: 0, paused: 0 };
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  for (const queueSheet of loadQueueSheets()) {
    const sheet = spreadsheet.getSheetByName(queueSheet.name);
    if (!sheet) continue;
    const skipped = new Set((run?.skipped ?? []).filter((s) => s.sheet === queueSheet.name).map((s) => s.row));
    statusCells(sheet).forEach((cell, i) => {
      const kind = statusKind(cell);
      if (skipped.has(i + 2)) return;
      if (kind === "queued" || kind === "researching" || kind === "paused") counts[kind] += 1;
    });
  }
  return counts;
}

export function researchProgress(): ResearchProgress {
  const run = loadRunState();
  const waiting = countWaitingRows(run);
  const counts = run?.counts ?? { done: 0, cached: 0, noData: 0, failed: 0, cancelled: 0 };
  const finished = counts.done + counts.cached + counts.noData + counts.failed;
  const total = finished + counts.cancelled + waiting.queued + waiting.researching + waiting.paused;
  const pause = run?.paused ?? null;
  // A finished run may leave rows it could not write (a protected range) showing Queued: not running.
  const running = pause === null && run?.active === true && waiting.queued + waiting.researching > 0;
  const now = Date.now();
  let etaSeconds = 0;
  if (running && run && finished > 0) {
    const perRowMs = (now - run.startedAt) / finished;
    etaSeconds = Math.round((perRowMs * (waiting.queued + waiting.researching)) / 1000);
  }
  const errors = run
    ? run.errors.map(({ sheet, row, company, status }) => ({
        sheet,
        row,
        company,
        status,
        skipped: isSkipped(run, { sheet, row, company }),
      }))
    : [];
  return {
    total,
    queued: waiting.queued,
    researching: waiting.researching,
    paused: waiting.paused,
    done: counts.done,
    cached: counts.cached,
    noData: counts.noData,
    failed: counts.failed,
    skipped: Math.min(run?.skipped.length ?? 0, counts.failed),
    cancelled: counts.cancelled,
    tiers: run ? { ...run.tiers } : { HOT: 0, WARM: 0, WATCH: 0, COLD: 0, UNKNOWN: 0 },
    costUsd: Math.round((run?.cost.usd ?? 0) * 10_000) / 10_000,
    tavilyCredits: run?.cost.tavilyCredits ?? 0,
    llmTokens: (run?.cost.llmInputTokens ?? 0) + (run?.cost.llmOutputTokens ?? 0),
    startedAt: run?.startedAt ?? 0,
    finishedAt: run && !running && pause === null ? (run.finishedAt ?? 0) : 0,
    etaSeconds,
    running,
    message: pause ? `Paused: ${pauseText(pause)}` : "",
    pause,
    isPaused: pause !== null,
    whenClosed: run?.active && sidebarOnly() !== null ? "stops" : isPublishedAddOn() ? "hourly" : "continues",
    ownedBy: run?.active && run.owner && !drivenByOwner(run, currentUser(), null) ? run.owner.label : "",
    // Failed rows are listed once, with the errors.
    recent: run ? [...run.recent].reverse().filter((row) => statusKind(row.status) !== "error") : [],
    errors,
  };
}
