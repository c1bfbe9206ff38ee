// The part of the local Apps Script runtime (src/local/runtime) that the bench and the soak drive,
// written as a structural type so the harness can be unit-tested with a stand-in.
import type { StatsSnapshot } from "../runtime/stats";

export type ExecutionKind = "menu" | "sidebar" | "trigger" | "customFunction";

export interface RunResult {
  value: unknown;
  error: unknown;
  killed: boolean;
  startedAt: number;
  endedAt: number;
  elapsedMs: number;
}

export interface SheetPort {
  load(rows: unknown[][]): void;
  dump(): unknown[][];
}

export interface TriggerPort {
  id: string;
  handler: string;
  dueAt: number;
  fired: boolean;
  /** When the script asked for it, if the runtime records it. */
  createdAt?: number;
}

export interface RuntimePort {
  clock: { now(): number; advanceTo(at: number): void };
  spreadsheet: {
    insertSheet(name: string): SheetPort;
    getSheetByName(name: string): SheetPort | null;
    setSelection(sheetName: string, a1Ranges: string[]): void;
  };
  userProperties: { setProperty(key: string, value: string): void };
  run(fnName: string, args?: unknown[], options?: { kind: ExecutionKind; killAt?: number }): RunResult;
  runNextTrigger(options?: { killAt?: number }): RunResult | null;
  triggers(): readonly TriggerPort[];
  stats: { snapshot(): StatsSnapshot };
}
