// Pure wording and number formatting for the sidebar, kept apart from the DOM so it reads as the
// product's voice in one place.
import type { ResearchProgress } from "../core/types";

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
  if (p.isPaused) return "paused";
  if (p.running) return "running";
  return p.total > 0 ? "finished" : "idle";
}

export interface PauseAdvice {
  kind: "key" | "budget" | "quota" | "other";
  title: string;
  /** What to do, in plain words. */
  advice: string;
  offerSettings: boolean;
}

/** Reads the pause reason (SPEC §7, §11) and says what the user can do about it. */
export function pauseAdvice(message: string): PauseAdvice {
  const m = message.toLowerCase();
  const service = m.includes("tavily") ? "Tavily" : m.includes("llm") ? "LLM" : "provider";
  if (/\bkey\b/.test(m) || /\b(401|403)\b/.test(m) || m.includes("unauthori")) {
    return {
      kind: "key",
      title: `The ${service} API key was rejected`,
      advice: `Open Settings, paste a working ${service === "provider" ? "" : `${service} `}key and use Test connection, then press Resume.`,
      offerSettings: true,
    };
  }
  if (m.includes("budget")) {
    return {
      kind: "budget",
      title: "The run reached its budget",
      advice: "Raise the run budget in Settings (or clear it for no budget) and press Resume. Resume alone continues until the budget is reached again.",
      offerSettings: true,
    };
  }
  if (/\b(432|433)\b/.test(m) || /plan|quota|credits|limit/.test(m)) {
    return {
      kind: "quota",
      title: `The ${service} plan limit was reached`,
      advice:
        service === "Tavily"
          ? "Tavily plan credits renew at the start of each billing month (see app.tavily.com). Upgrade the plan or wait for the renewal, then press Resume."
          : "The provider's usage limit renews on its own schedule; check its dashboard for the date. Raise the limit or wait, then press Resume.",
      offerSettings: false,
    };
  }
  return { kind: "other", title: "The run is paused", advice: "Press Resume to continue.", offerSettings: false };
}
