// Reading the add-on's output back from a sheet dump: which state each Status text stands for.
import { statusKind, type StatusKind } from "../../core/status";
/** A Status cell's kind as the add-on reads it back ("empty" for a blank cell). */
export type RowState = Exclude<StatusKind, "none"> | "empty";

export function rowState(status: unknown): RowState {
  const kind = statusKind(status);
  return kind === "none" ? "empty" : kind;
}

/** Finished for good: the run will not touch the row again without the user. */
export const TERMINAL: ReadonlySet<RowState> = new Set<RowState>(["done", "cached", "noData", "error", "cancelled"]);
/** Nothing more will happen to the row on its own (terminal, or paused until the user resumes). */
export const SETTLED: ReadonlySet<RowState> = new Set<RowState>([...TERMINAL, "paused"]);

export interface OutputRow {
  /** 1-based sheet row. */
  row: number;
  company: string;
  tier: string;
  useCase: string;
  rationale: string;
  sources: string[];
  status: string;
  state: RowState;
}

const text = (v: unknown) => (v === null || v === undefined ? "" : String(v));

/** Rows 2.. of a dump whose company column (header `companyHeader`) is not empty. */
export function outputRows(dump: readonly (readonly unknown[])[], companyHeader = "Company"): OutputRow[] {
  const header = (dump[0] ?? []).map(text);
  const col = (name: string) => header.indexOf(name);
  const [company, tier, useCase, rationale, sources, status] = [companyHeader, "Tier", "Use Case", "Rationale", "Sources", "Status"].map(
    col,
  );
  const rows: OutputRow[] = [];
  dump.forEach((cells, i) => {
    if (i === 0) return;
    const at = (c: number | undefined) => (c === undefined || c < 0 ? "" : text(cells[c]));
    const name = at(company);
    if (name.trim() === "") return;
    const statusText = at(status);
    rows.push({
      row: i + 1,
      company: name,
      tier: at(tier),
      useCase: at(useCase),
      rationale: at(rationale),
      sources: at(sources)
        .split("\n")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
      status: statusText,
      state: rowState(statusText),
    });
  });
  return rows;
}

export function countStates(rows: readonly OutputRow[]): Record<RowState, number> {
  const counts: Record<RowState, number> = {
    queued: 0,
    researching: 0,
    done: 0,
    cached: 0,
    noData: 0,
    error: 0,
    cancelled: 0,
    paused: 0,
    empty: 0,
    other: 0,
  };
  for (const r of rows) counts[r.state] += 1;
  return counts;
}
