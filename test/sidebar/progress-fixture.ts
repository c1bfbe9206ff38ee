// A progress object with every field at its empty value, for tests to override. Kept apart from
// the browser harness so tests without a browser do not load it.
import type { ResearchProgress } from "../../src/core/wire";

export function progress(overrides: Partial<ResearchProgress> = {}): ResearchProgress {
  return {
    total: 0,
    queued: 0,
    researching: 0,
    done: 0,
    cached: 0,
    noData: 0,
    failed: 0,
    skipped: 0,
    cancelled: 0,
    paused: 0,
    tiers: { HOT: 0, WARM: 0, WATCH: 0, COLD: 0, UNKNOWN: 0 },
    costUsd: 0,
    tavilyCredits: 0,
    llmTokens: 0,
    startedAt: 0,
    finishedAt: 0,
    etaSeconds: 0,
    running: false,
    message: "",
    pause: null,
    isPaused: false,
    whenClosed: "continues",
    ownedBy: "",
    recent: [],
    errors: [],
    ...overrides,
  };
}
