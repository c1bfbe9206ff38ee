// Sheet calls of a run per wave: how many range calls the worker makes for each wave it writes, for
// a contiguous selection and for one scattered at random over a sheet twice its size, split into
// reads, value writes, the plain-text format that guards them, and presentation (notes, links, rules).
import * as z from "zod/mini";
import type { ExecutionRecord } from "../drive";
import { createPrng } from "../providers";
import { companyNames } from "./companies";
import { formatColumns } from "./report";
import { runSheet } from "./runs";
import { BENCH_NO_DATA_SHARE, createWorld, PRODUCTION_LIMITS, type MakeRuntime } from "./setup";

export type CallGroup = "reads" | "values" | "textFormat" | "presentation" | "other";

const VALUE_WRITES = new Set(["Range.setValues", "Range.setValue", "RangeList.setValue", "Sheet.appendRow"]);
const TEXT_FORMAT = new Set(["Range.setNumberFormat", "Range.setNumberFormats", "RangeList.setNumberFormat"]);
const PRESENTATION =
  /^(Range\.(setNotes?|setRichTextValues?|setBackgrounds?|setFontColors?|setFontWeights?)|Sheet\.setConditionalFormatRules)$/;

/** Which kind of call a runtime method name is (the names the runtime counts, "Range.getValues"...). */
export function callGroup(method: string): CallGroup {
  if (VALUE_WRITES.has(method)) return "values";
  if (TEXT_FORMAT.has(method)) return "textFormat";
  if (PRESENTATION.test(method)) return "presentation";
  if (/^(Range|Sheet|MetadataFinder)\.(get|find|is)/.test(method)) return "reads";
  return "other";
}

export interface SheetCallFigures {
  layout: "contiguous" | "scattered";
  companies: number;
  /** Selected ranges (1 for a contiguous selection). */
  ranges: number;
  waves: number;
  /** Range calls of the worker executions per wave, all and by group; null when no wave ran. */
  perWave: (Record<CallGroup, number> & { all: number }) | null;
  /** Calls by method over the whole run's worker executions. */
  byMethod: Record<string, number>;
}

const WorkerReport = z.object({ waves: z.number() });

/** Waves the worker reported (a killed execution counts its fetchAll calls instead). */
export function wavesOf(workers: readonly ExecutionRecord[]): number {
  return workers.reduce((t, w) => {
    const report = z.safeParse(WorkerReport, w.result.value);
    return t + (report.success ? report.data.waves : w.stats.urlFetch.fetchAll);
  }, 0);
}

/** Every other row on average, picked by a seeded PRNG, as the A1 ranges of its runs of rows. */
export function scatteredSelection(rows: number, seed: number): string[] {
  const random = createPrng(seed);
  const ranges: string[] = [];
  let start: number | null = null;
  for (let row = 2; row <= rows + 2; row++) {
    const picked = row <= rows + 1 && random() < 0.5;
    if (picked && start === null) start = row;
    if (!picked && start !== null) {
      ranges.push(`A${start}:A${row - 1}`);
      start = null;
    }
  }
  return ranges;
}

export function measureSheetCalls(makeRuntime: MakeRuntime, layout: SheetCallFigures["layout"], companies: number): SheetCallFigures {
  const world = createWorld(makeRuntime, { limits: PRODUCTION_LIMITS, noDataShare: BENCH_NO_DATA_SHARE });
  const names = companyNames(layout === "contiguous" ? companies : 2 * companies);
  const selection = layout === "contiguous" ? [`A2:A${companies + 1}`] : scatteredSelection(names.length, 5);
  const run = runSheet(world, { sheet: "Calls", companies: names, selection });
  const workers = run.executions.filter((e) => e.fn === "runResearchWorker");
  const byMethod: Record<string, number> = {};
  for (const w of workers)
    for (const [method, n] of Object.entries(w.stats.rangeCallsByMethod)) byMethod[method] = (byMethod[method] ?? 0) + n;
  const waves = wavesOf(workers);
  const groups: Record<CallGroup, number> = { reads: 0, values: 0, textFormat: 0, presentation: 0, other: 0 };
  for (const [method, n] of Object.entries(byMethod)) groups[callGroup(method)] += n;
  const all = Object.values(groups).reduce((t, n) => t + n, 0);
  const per = (n: number) => n / waves;
  return {
    layout,
    companies: layout === "contiguous" ? companies : selection.reduce((t, r) => t + rangeRows(r), 0),
    ranges: selection.length,
    waves,
    perWave:
      waves > 0
        ? {
            all: per(all),
            reads: per(groups.reads),
            values: per(groups.values),
            textFormat: per(groups.textFormat),
            presentation: per(groups.presentation),
            other: per(groups.other),
          }
        : null,
    byMethod,
  };
}

function rangeRows(a1: string): number {
  const [, from = "0", to = from] = /^A(\d+)(?::A(\d+))?$/.exec(a1) ?? [];
  return Number(to) - Number(from) + 1;
}

export function formatSheetCalls(figs: readonly SheetCallFigures[]): string {
  const header = ["selection", "companies", "ranges", "waves", "calls/wave", "reads", "values", "text format", "presentation", "other"];
  const fixed = (x: number | undefined) => (x === undefined ? "n/a" : x.toFixed(2));
  const cells = figs.map((f) => [
    f.layout,
    String(f.companies),
    String(f.ranges),
    String(f.waves),
    fixed(f.perWave?.all),
    fixed(f.perWave?.reads),
    fixed(f.perWave?.values),
    fixed(f.perWave?.textFormat),
    fixed(f.perWave?.presentation),
    fixed(f.perWave?.other),
  ]);
  const methods = figs.map(
    (f) =>
      `${f.layout}: ${Object.entries(f.byMethod)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([m, n]) => `${m} ${n}`)
        .join(", ")}`,
  );
  return [formatColumns(header, cells, (i) => i === 0), "", ...methods].join("\n");
}
