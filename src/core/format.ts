// Numbers and cut text as the product says them, the same in the sidebar, in alerts, in toasts and in cells.

/** "12 s", "4 min 05 s", "1 h 07 min": precise while short, calm when long. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** Cents hide most of a per-company cost (about $0.02), so small amounts get a third decimal. */
export function formatUsd(usd: number): string {
  const value = Math.max(0, usd);
  return `$${value.toFixed(value > 0 && value < 1 ? 3 : 2)}`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** The text cut to at most `chars` characters, an ellipsis marking the cut. */
export function clip(text: string, chars: number): string {
  return text.length <= chars ? text : text.slice(0, chars - 1) + "…";
}

/**
 * Characters that show nothing yet change what is shown: bidi embeddings, overrides, isolates and
 * marks (which can display a text backwards) and zero-width spaces. The zero-width joiners that
 * Persian, Indic scripts and emoji need are kept.
 */
const INVISIBLE = /[\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** Text for one line of a cell: line breaks and other control characters become spaces, invisible formatting goes, every script's letters stay. */
export function plainLine(text: string): string {
  return text
    .replace(INVISIBLE, "")
    .replace(/[\s\p{Cc}]+/gu, " ")
    .trim();
}
