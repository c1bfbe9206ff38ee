// What Google's refusal to write a sheet means for a run: its own words, read for the cause a user
// can fix, and kept short enough for the run state's property and a Status cell.
import { clip } from "./format";
import type { CacheWriteCause, PauseReason } from "./status";

/** Google's texts for a protected cell and for a spreadsheet past its cell limit. */
const CAUSES: readonly [RegExp, CacheWriteCause][] = [
  [/protected cell or object/i, "protected"],
  [/above the limit of [\d,.]+ cells/i, "full"],
];
const GOOGLE_CHARS = 300;
const SHEET_CHARS = 100;

/** The pause of a run whose cache sheet (named `sheet`) Google refused to write, with Google's `message`. */
export function cacheWritePause(sheet: string, message: string): PauseReason {
  const google = clip(message.replace(/\s+/g, " ").trim() || "no reason given", GOOGLE_CHARS);
  const cause = CAUSES.find(([pattern]) => pattern.test(google))?.[1] ?? "other";
  return { kind: "cacheUnwritable", cause, sheet: clip(sheet, SHEET_CHARS), google };
}
