// getResearchProgress (SPEC §7): waiting rows are counted in the sheet, finished ones from the
// run's counters, so the numbers add up by construction. Plain JSON only (no Date objects).
import { statusKind } from "../core/run/sheet-layout";
import type { ResearchProgress } from "../core/types";
import { loadQueueSheets, loadRunState } from "./run-state";
import { cellAt, readSnapshot } from "./sheet-io";
import { isPublishedAddOn } from "./triggers";

function countWaitingRows(): { queued: number; researching: number; paused: number } {
  const counts = { queued: 0, researching: 0, paused: 0 };
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  for (const queueSheet of loadQueueSheets()) {
    const sheet = spreadsheet.getSheetByName(queueSheet.name);
    if (!sheet) continue;
    const snapshot = readSnapshot(sheet, queueSheet.fallbackCompanyColumn);
    if (!snapshot.outputs) continue;
    for (let row = 2; row <= snapshot.lastRow; row++) {
      const kind = statusKind(cellAt(snapshot, row, snapshot.outputs.Status));
      if (kind === "queued" || kind === "researching" || kind === "paused") counts[kind] += 1;
    }
  }
  return counts;
}

export function researchProgress(): ResearchProgress {
  const run = loadRunState();
  const waiting = countWaitingRows();
  const counts = run?.counts ?? { done: 0, cached: 0, noData: 0, failed: 0, cancelled: 0 };
  const finished = counts.done + counts.cached + counts.noData + counts.failed;
  const total = finished + counts.cancelled + waiting.queued + waiting.researching + waiting.paused;
  const isPaused = run?.paused != null;
  const running = !isPaused && waiting.queued + waiting.researching > 0;
  const now = Date.now();
  let etaSeconds = 0;
  if (running && run && finished > 0) {
    const perRowMs = (now - run.startedAt) / finished;
    etaSeconds = Math.round((perRowMs * (waiting.queued + waiting.researching)) / 1000);
  }
  return {
    total,
    queued: waiting.queued,
    researching: waiting.researching,
    paused: waiting.paused,
    done: counts.done,
    cached: counts.cached,
    noData: counts.noData,
    failed: counts.failed,
    cancelled: counts.cancelled,
    tiers: run ? { ...run.tiers } : { HOT: 0, WARM: 0, WATCH: 0, COLD: 0, UNKNOWN: 0 },
    costUsd: Math.round((run?.cost.usd ?? 0) * 10_000) / 10_000,
    tavilyCredits: run?.cost.tavilyCredits ?? 0,
    llmTokens: (run?.cost.llmInputTokens ?? 0) + (run?.cost.llmOutputTokens ?? 0),
    startedAt: run?.startedAt ?? 0,
    etaSeconds,
    running,
    message: run?.paused != null ? `Paused: ${run.paused}` : "",
    isPaused,
    slowWhenClosed: isPublishedAddOn(),
    recent: run ? [...run.recent].reverse() : [],
    errors: run ? [...run.errors] : [],
  };
}
