// Pure wording for the sidebar, kept apart from the DOM so it reads as the product's voice in one place.
import type { ResearchProgress } from "../core/wire";
import { formatCount } from "../core/format";

export { formatCount, formatDuration, formatUsd } from "../core/format";

/** 1234567 tokens -> "1.2M". */
export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  return formatCount(n);
}

/** Rows the run has finished with, whatever the outcome. */
export function finishedRows(p: ResearchProgress): number {
  return p.done + p.cached + p.noData + p.failed + p.cancelled;
}

export type RunPhase = "idle" | "running" | "paused" | "finished";

export function runPhase(p: ResearchProgress): RunPhase {
  if (p.pause !== null) return "paused";
  if (p.running) return "running";
  return p.total > 0 ? "finished" : "idle";
}

/** "today", "yesterday", "12 days ago": how old the oldest cache entry is. */
export function formatAge(epochMs: number, now: number): string {
  const days = Math.floor((now - epochMs) / 86_400_000);
  if (days <= 0) return "today";
  if (days === 1) return "yesterday";
  return `${formatCount(days)} days ago`;
}
