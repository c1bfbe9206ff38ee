// A progress object with every field at its empty value, for tests to override. Kept apart from
// the browser harness so tests without a browser do not load it.
import type { ResearchProgress, RunEstimate } from "../../src/core/wire";

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

/** An estimate of a Research of column A, for tests to override. */
export function estimate(overrides: Partial<RunEstimate> = {}): RunEstimate {
  return {
    action: "research",
    rows: 520,
    resumed: 0,
    takenOver: null,
    companies: 470,
    cached: 100,
    cachedNoData: 20,
    judgeOnly: 50,
    research: 300,
    researchAgain: 0,
    costUsd: 6.2,
    maximumUsd: 20.2,
    seconds: 700,
    budgetUsd: 10,
    confirmAboveUsd: 5,
    columns: [
      { sheet: "Prospects", letter: "A", header: "Company", byHeader: true, names: ["Together AI", "Jasper", "Read AI", "Cohere"] },
    ],
    columnChoice: null,
    planId: "plan-520",
    ...overrides,
  };
}
