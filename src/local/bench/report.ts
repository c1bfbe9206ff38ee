// The bench's human-readable table and its targets.
import type { ScenarioFigures } from "./scenario";

export interface Target {
  name: string;
  /** null when the scenario it needs was not run. */
  value: number | null;
  limit: number;
  pass: boolean;
}

const firstRuns = (figs: readonly ScenarioFigures[]) => figs.filter((f) => f.run === "first");
const maxOf = (values: number[]) => (values.length === 0 ? null : Math.max(...values));
export const atMost = (name: string, value: number | null, limit: number): Target => ({
  name,
  value,
  limit,
  pass: value !== null && value <= limit,
});

export function benchTargets(figs: readonly ScenarioFigures[]): Target[] {
  const find = (size: number) => figs.find((f) => f.size === size && f.mode === "open" && f.run === "first");
  const big = find(1000);
  const hundred = find(100);
  const reruns = figs.filter((f) => f.run === "rerun");
  const hundredSeconds = hundred ? hundred.wallMs / 1000 : null;
  return [
    atMost("1,000 companies, sidebar open: wall time / lower bound", big?.ratio ?? null, 1.15),
    {
      name: "100 companies, sidebar open: wall time in seconds (under 60)",
      value: hundredSeconds,
      limit: 60,
      pass: hundredSeconds !== null && hundredSeconds < 60,
    },
    atMost("LLM input tokens per company (worst scenario's average)", maxOf(firstRuns(figs).map((f) => f.llmInputTokensPerCompany)), 6000),
    atMost("Tavily credits per new company (worst scenario)", maxOf(firstRuns(figs).map((f) => f.tavilyCreditsPerCompany)), 2.2),
    atMost(
      "cached rerun: Tavily + LLM requests",
      reruns.length === 0 ? null : reruns.reduce((t, f) => t + f.tavilyRequests + f.llmRequests, 0),
      0,
    ),
  ];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const fixed = (x: number | null, digits: number) => (x === null ? "n/a" : x.toFixed(digits));

interface Column {
  title: string;
  cell(f: ScenarioFigures): string;
}

const COLUMNS: Column[] = [
  { title: "N", cell: (f) => String(f.size) },
  { title: "sidebar", cell: (f) => f.mode },
  { title: "run", cell: (f) => (f.run === "first" ? "first" : `rerun(${f.n})`) },
  { title: "wall", cell: (f) => seconds(f.wallMs) + (f.settled ? "" : " (unsettled)") },
  { title: "bound", cell: (f) => (f.boundMs > 0 ? seconds(f.boundMs) : "-") },
  { title: "ratio", cell: (f) => fixed(f.ratio, 2) },
  { title: "exec", cell: (f) => String(f.executions) },
  { title: "trigger rt", cell: (f) => seconds(f.triggerRuntimeMs) },
  { title: "fetches", cell: (f) => String(f.urlFetches) },
  { title: "waves", cell: (f) => String(f.waves) },
  { title: "ranges/wave", cell: (f) => fixed(f.rangeCallsPerWave, 2) },
  { title: "LLM in tok/co", cell: (f) => f.llmInputTokensPerCompany.toFixed(0) },
  { title: "credits/co", cell: (f) => f.tavilyCreditsPerCompany.toFixed(2) },
  { title: "$/co", cell: (f) => f.usdPerCompany.toFixed(5) },
  { title: "Tavily req", cell: (f) => String(f.tavilyRequests) },
  { title: "LLM req", cell: (f) => String(f.llmRequests) },
  {
    title: "rows done/cached/noData/err/other",
    cell: (f) => {
      const r = f.rows;
      const other = r.queued + r.researching + r.cancelled + r.paused + r.empty + r.other;
      return `${r.done}/${r.cached}/${r.noData}/${r.error}/${other}`;
    },
  },
];

/**
 * A plain-text table: a header, a rule, then the rows, each column as wide as its widest cell;
 * numbers align right, and the columns `leftAligned` names (text) align left.
 */
export function formatColumns(
  header: readonly string[],
  rows: readonly string[][],
  leftAligned: (column: number) => boolean = () => false,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (leftAligned(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function formatTable(figs: readonly ScenarioFigures[]): string {
  return formatColumns(
    COLUMNS.map((c) => c.title),
    figs.map((f) => COLUMNS.map((c) => c.cell(f))),
  );
}

export function formatTargets(targets: readonly Target[]): string {
  return targets
    .map(
      (t) => `${t.pass ? "PASS" : "FAIL"}  ${t.name}: ${t.value === null ? "not measured" : Number(t.value.toFixed(3))} (limit ${t.limit})`,
    )
    .join("\n");
}
