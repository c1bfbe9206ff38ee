// What the demo keeps between runs: the add-on's hidden cache sheet, so a second run on the same
// file is answered from the cache as it would be in the same spreadsheet on Google. Nothing else is
// kept: the run bookkeeping in document properties belongs to one run, and keys are never saved.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { writeFileAtomic } from "./files";

export type Mode = "offline" | "live";

const stateSchema = z.object({
  version: z.literal(1),
  /** Results replayed from recordings must never answer a live run, and the other way round. */
  mode: z.enum(["offline", "live"]),
  savedAt: z.string(),
  cacheSheet: z.array(z.array(z.union([z.string(), z.number(), z.boolean()]))),
});
export type DemoState = z.infer<typeof stateSchema>;

export type LoadedState = { kind: "none" } | { kind: "ok"; state: DemoState } | { kind: "unreadable"; reason: string };

export function loadState(path: string): LoadedState {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { kind: "none" };
  }
  try {
    const parsed = stateSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { kind: "ok", state: parsed.data };
    return { kind: "unreadable", reason: parsed.error.issues[0]?.message ?? "unexpected content" };
  } catch {
    return { kind: "unreadable", reason: "not JSON" };
  }
}

/** Sheet values as JSON can hold them: blanks stay "", anything else becomes its text. */
export function toStateCells(rows: readonly (readonly unknown[])[]): (string | number | boolean)[][] {
  return rows.map((row) =>
    row.map((v) =>
      typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : v === null || v === undefined ? "" : String(v),
    ),
  );
}

export function saveState(path: string, mode: Mode, cacheSheet: readonly (readonly unknown[])[], savedAt: Date): void {
  const state: DemoState = { version: 1, mode, savedAt: savedAt.toISOString(), cacheSheet: toStateCells(cacheSheet) };
  writeFileAtomic(path, JSON.stringify(state) + "\n");
}
