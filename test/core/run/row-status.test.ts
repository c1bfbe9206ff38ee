import { describe, expect, it } from "vitest";
import type { Outcome } from "../../../src/core/engine";
import { ZERO_COST } from "../../../src/core/costs";
import {
  nextStatusText,
  readStatus,
  ROW_STATUS_TABLE,
  transition,
  type RowEvent,
  type RowEventKind,
} from "../../../src/core/run/row-status";
import { statusKind, statusText, type StatusKind } from "../../../src/core/status";

const result = {
  tier: "HOT" as const,
  score: 90,
  useCase: "Frontier model training",
  rationale: "Trains models.",
  sources: [],
  model: "m",
  profile: "gpu-infrastructure" as const,
  classifiedAt: 0,
};
const done: Outcome = { kind: "done", result, fromCache: false, cacheEntry: null, cost: ZERO_COST };
const cached: Outcome = { ...done, fromCache: true };
const noData: Outcome = { kind: "noData", rationale: "Nothing found.", fromCache: false, cacheEntry: null, cost: ZERO_COST };
const failed: Outcome = { kind: "error", message: "LLM unavailable (HTTP 503) after 3 tries", cost: ZERO_COST };
const budget = { kind: "budget" } as const;

type Change = [before: string, event: RowEvent, after: string | null];

/** The rows a command leaves as they are. */
const leaves = (event: RowEvent, cells: string[]): Change[] => cells.map((before) => [before, event, null]);

/**
 * Every Status change the product makes, as the user sees it: the cell before, what happened, and
 * the cell after (null: the row is left as it was). Menu items and buttons sweep every row of the
 * sheets; the worker only moves the rows it read as Queued or Researching.
 */
const PRODUCT: Change[] = [
  // Research selected rows
  ["", { kind: "queue" }, "Queued"],
  ["my own note", { kind: "queue" }, "Queued"],
  ["Error: LLM unavailable", { kind: "queue" }, "Queued"],
  ["No reliable data", { kind: "queue" }, "Queued"],
  ["Cancelled", { kind: "queue" }, "Queued"],
  ["Paused: budget reached", { kind: "queue" }, "Queued"],
  ...leaves({ kind: "queue" }, ["Done", "Done (cached)", "Queued (ignore cache)", "Researching"]),
  // Re-research selected rows (ignore cache)
  ...[
    "",
    "my own note",
    "Done",
    "Done (cached)",
    "No reliable data (cached)",
    "Error: x",
    "Cancelled",
    "Paused: budget reached",
    "Queued",
  ].map((before): Change => [before, { kind: "queueIgnoringCache" }, "Queued (ignore cache)"]),
  ...leaves({ kind: "queueIgnoringCache" }, ["Researching"]),
  // The worker claims a company's waiting rows
  ["Queued", { kind: "claim", refresh: false }, "Researching"],
  ["Queued (ignore cache)", { kind: "claim", refresh: true }, "Researching (ignore cache)"],
  // ... writes its outcome, or the cache's answer at once
  ["Researching", { kind: "settle", outcome: done }, "Done"],
  ["Researching (ignore cache)", { kind: "settle", outcome: noData }, "No reliable data"],
  ["Researching", { kind: "settle", outcome: failed }, "Error: LLM unavailable (HTTP 503) after 3 tries"],
  ["Queued", { kind: "settle", outcome: cached }, "Done (cached)"],
  ["Queued", { kind: "settle", outcome: { ...noData, fromCache: true } }, "No reliable data (cached)"],
  // ... hands a claim back (killed execution, hand-off)
  ["Researching", { kind: "release" }, "Queued"],
  ["Researching (ignore cache)", { kind: "release" }, "Queued (ignore cache)"],
  // A pause (the worker, or settings broken before it starts): waiting rows say why
  ["Queued", { kind: "pause", reason: budget }, "Paused: budget reached"],
  ["Queued (ignore cache)", { kind: "pause", reason: { kind: "settings" } }, "Paused: settings incomplete, open Settings"],
  ...leaves({ kind: "pause", reason: budget }, [
    "Researching",
    "",
    "my own note",
    "Done",
    "Done (cached)",
    "No reliable data",
    "Error: x",
    "Cancelled",
    "Paused: budget reached",
  ]),
  // Resume
  ["Paused: Tavily API key rejected", { kind: "resume" }, "Queued"],
  ...leaves({ kind: "resume" }, [
    "",
    "my own note",
    "Queued",
    "Researching",
    "Done",
    "Done (cached)",
    "No reliable data",
    "Error: x",
    "Cancelled",
  ]),
  // Retry failed rows: a remembered "No reliable data" would answer again, so it ignores the cache
  ["Error: LLM unavailable", { kind: "retry" }, "Queued"],
  ["Paused: budget reached", { kind: "retry" }, "Queued"],
  ["No reliable data", { kind: "retry" }, "Queued (ignore cache)"],
  ...leaves({ kind: "retry" }, ["", "my own note", "Queued", "Researching", "Done", "Done (cached)", "Cancelled"]),
  // Another user takes over a run its owner left for a day: its waiting rows go on, a stale claim waits again
  ["Queued", { kind: "takeOver" }, "Queued"],
  ["Queued (ignore cache)", { kind: "takeOver" }, "Queued (ignore cache)"],
  ["Researching (ignore cache)", { kind: "takeOver" }, "Queued (ignore cache)"],
  ...leaves({ kind: "takeOver" }, [
    "",
    "my own note",
    "Done",
    "Done (cached)",
    "No reliable data",
    "Error: x",
    "Cancelled",
    "Paused: budget reached",
  ]),
  // Cancel research (the worker, or the menu holding the lock: a Researching row is then stale)
  ["Queued", { kind: "cancel" }, "Cancelled"],
  ["Researching (ignore cache)", { kind: "cancel" }, "Cancelled"],
  ["Paused: budget reached", { kind: "cancel" }, "Cancelled"],
  ...leaves({ kind: "cancel" }, ["", "my own note", "Done", "Done (cached)", "No reliable data", "Error: x", "Cancelled"]),
];

const KINDS: StatusKind[] = ["none", "other", "queued", "researching", "done", "cached", "noData", "error", "cancelled", "paused"];
const EVENTS: Record<RowEventKind, RowEvent> = {
  queue: { kind: "queue" },
  queueIgnoringCache: { kind: "queueIgnoringCache" },
  claim: { kind: "claim", refresh: false },
  settle: { kind: "settle", outcome: done },
  release: { kind: "release" },
  pause: { kind: "pause", reason: budget },
  resume: { kind: "resume" },
  retry: { kind: "retry" },
  takeOver: { kind: "takeOver" },
  cancel: { kind: "cancel" },
};

describe("the row-status table", () => {
  for (const [before, event, after] of PRODUCT) {
    it(`${event.kind}: "${before}" -> ${after === null ? "left as it is" : `"${after}"`}`, () => {
      expect(nextStatusText(before, event)).toBe(after);
    });
  }

  it("holds exactly the transitions the product makes, and refuses every other", () => {
    const made = new Set(PRODUCT.map(([before, event]) => `${event.kind} from ${statusKind(before)}`));
    const held: string[] = [];
    for (const [event, rules] of Object.entries(ROW_STATUS_TABLE)) {
      for (const kind of Object.keys(rules)) held.push(`${event} from ${kind}`);
    }
    expect(held.filter((cell) => !made.has(cell))).toEqual([]);
    expect([...made].filter((cell) => !held.includes(cell))).toEqual([]);
    for (const [event, sample] of Object.entries(EVENTS)) {
      for (const kind of KINDS) {
        if (held.includes(`${event} from ${kind}`)) continue;
        expect(() => transition({ kind, refresh: false }, sample), `${event} from ${kind}`).toThrow(/cannot take the event/);
      }
    }
  });

  it("lets the worker move only the rows it reads: a claim, a settle or a release of any other row throws", () => {
    expect(() => transition(readStatus("Done"), EVENTS.claim)).toThrow();
    expect(() => transition(readStatus("Cancelled"), EVENTS.settle)).toThrow();
    expect(() => transition(readStatus("Queued"), EVENTS.release)).toThrow();
  });

  it("claims with the company's choice of cache, and words every Status as status.ts does", () => {
    expect(transition(readStatus("Queued (ignore cache)"), { kind: "claim", refresh: true })).toEqual({
      kind: "researching",
      refresh: true,
    });
    expect(nextStatusText("Queued", { kind: "settle", outcome: failed })).toBe(statusText({ kind: "error", message: failed.message }));
  });
});
