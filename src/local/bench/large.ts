// The worker on a 50,000-row sheet under the runtime's cost per cell: the queue command, then a few
// worker executions driven by an open sidebar, each with its wall time and its margin to Apps
// Script's 6-minute limit; once with every row selected, once with a filter by condition hiding
// half of them. The time budget holds when no execution is killed.
import { LIMITS } from "../../core/limits";
import type { ProviderHandler } from "../providers";
import type { ExecutionRecord } from "../drive";
import { runRecorded } from "../drive";
import type { LocalRuntime } from "../runtime";
import { companyNames } from "./companies";
import { formatColumns } from "./report";
import { createWorld, PRODUCTION_LIMITS } from "./setup";

export interface LargeSheetFigures {
  label: string;
  rows: number;
  /** Rows the queue command queued (a filter leaves the hidden ones out). */
  queued: number;
  queueMs: number;
  /** Each worker execution's wall time, waves and whether the 6-minute limit killed it. */
  workers: { elapsedMs: number; waves: number; killed: boolean }[];
  /** Rows finished by the end of the last execution. */
  finished: number;
}

const SHEET = "Accounts";

function statusesOf(rt: LocalRuntime): string[] {
  const [header = [], ...rows] = rt.spreadsheet.getSheetByName(SHEET)?.dump() ?? [];
  const column = header.indexOf("Status");
  return column < 0 ? [] : rows.map((row) => String(row[column] ?? ""));
}

export function measureLargeSheet(
  make: (handler: ProviderHandler) => LocalRuntime,
  options: { rows: number; filtered: boolean; executions: number },
): LargeSheetFigures {
  let runtime: LocalRuntime | null = null;
  createWorld(
    (handler) => {
      runtime = make(handler);
      return runtime;
    },
    { limits: PRODUCTION_LIMITS },
  );
  const rt = runtime as LocalRuntime | null;
  if (!rt) throw new Error("no runtime");
  const sheet = rt.spreadsheet.insertSheet(SHEET);
  sheet.load([["Company", "Region"], ...companyNames(options.rows).map((name, i) => [name, i % 2 === 0 ? "EMEA" : "APAC"])]);
  if (options.filtered) sheet.filterByCondition(2, "TEXT_EQUAL_TO", ["EMEA"]);
  rt.spreadsheet.setSelection(SHEET, [`A2:A${options.rows + 1}`]);
  const queue = runRecorded(rt, "researchSelectedRows", "menu");
  const queued = statusesOf(rt).filter((s) => s.startsWith("Queued")).length;
  const workers: ExecutionRecord[] = [];
  for (let i = 0; i < options.executions; i++) workers.push(runRecorded(rt, "runResearchWorker", "sidebar"));
  const waves = (value: unknown) => (typeof value === "object" && value !== null && "waves" in value ? Number(value.waves) : 0);
  return {
    label: options.filtered ? "filtered (half hidden)" : "every row selected",
    rows: options.rows,
    queued,
    queueMs: queue.result.elapsedMs,
    workers: workers.map((w) => ({ elapsedMs: w.result.elapsedMs, waves: waves(w.result.value), killed: w.result.killed })),
    finished: statusesOf(rt).filter((s) => s !== "" && !s.startsWith("Queued") && !s.startsWith("Researching")).length,
  };
}

/** The longest worker execution's margin to the 6-minute limit (negative: over it). */
export function smallestMarginMs(figures: readonly LargeSheetFigures[]): number | null {
  const elapsed = figures.flatMap((f) => f.workers.map((w) => w.elapsedMs));
  return elapsed.length === 0 ? null : LIMITS.executionMs - Math.max(...elapsed);
}

export function formatLargeSheet(figures: readonly LargeSheetFigures[]): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const rows = figures.flatMap((f) =>
    f.workers.map((w, i) => [
      f.label,
      String(f.rows),
      String(f.queued),
      i === 0 ? seconds(f.queueMs) : "",
      String(i + 1),
      seconds(w.elapsedMs),
      seconds(LIMITS.executionMs - w.elapsedMs),
      String(w.waves),
      w.killed ? "yes" : "no",
      i === f.workers.length - 1 ? String(f.finished) : "",
    ]),
  );
  return formatColumns(
    ["selection", "rows", "queued", "queue", "execution", "wall", "margin to 6 min", "waves", "killed", "finished"],
    rows,
    (i) => i === 0,
  );
}
