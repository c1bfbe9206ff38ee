// What an open sidebar costs the document's quotas: property reads and range calls of its
// getResearchProgress polls, for an idle hour (no run active) and per poll during a run on a
// 5,000-row sheet, for this checkout's bundle and schedule and for an earlier bundle polled every 3 s.
import * as z from "zod/mini";
import { progressSchema } from "../../core/wire";
import { pollDelay } from "../../sidebar/driver";
import { runRecorded, type RuntimePort } from "../drive";
import { companyNames } from "./companies";
import { formatColumns } from "./report";
import { runSheet } from "./runs";
import { createWorld, loadCompanies, PRODUCTION_LIMITS, type MakeRuntime, type World } from "./setup";

/** The sidebar's poll interval before it learnt to poll rarely when idle. */
export const OLD_POLL_MS = 3000;
const HOUR_MS = 3_600_000;

export interface PollFigures {
  bundle: string;
  /** "idle hour": totals over an hour with no run active; "during a run": the mean of one poll. */
  what: "idle hour" | "per poll during a run";
  polls: number;
  propertyReads: number;
  rangeCalls: number;
}

/** The next poll's delay: the sidebar's own schedule for this checkout, a fixed one for an old bundle. */
export type Schedule = "sidebar" | { everyMs: number };

function nextDelay(schedule: Schedule, value: unknown): number {
  if (schedule !== "sidebar") return schedule.everyMs;
  const parsed = z.safeParse(progressSchema, value);
  return pollDelay(parsed.success ? parsed.data : null);
}

/** `count` polls, each followed by the wait `after` gives for its answer; their summed counters. */
function poll(rt: RuntimePort, count: number, after: (value: unknown) => number): { propertyReads: number; rangeCalls: number } {
  let propertyReads = 0;
  let rangeCalls = 0;
  for (let i = 0; i < count; i++) {
    const record = runRecorded(rt, "getResearchProgress", "sidebar");
    propertyReads += record.stats.propertyReads;
    rangeCalls += record.stats.rangeCalls;
    rt.clock.advanceTo(Math.max(rt.clock.now(), record.result.endedAt) + after(record.result.value));
  }
  return { propertyReads, rangeCalls };
}

/**
 * A 5,000-row sheet whose first `finished` rows were researched, then polls on the schedule: idle
 * polls all cost the same, so `sample` of them are run and the hour is their mean times the number
 * of polls the schedule makes in an hour.
 */
export function idleHour(world: World, schedule: Schedule, bundle: string, rows = 5000, finished = 50, sample = 12): PollFigures {
  runSheet(world, { sheet: "Idle", companies: companyNames(rows), selection: [`A2:A${finished + 1}`] });
  const { rt } = world;
  const start = rt.clock.now();
  const { propertyReads, rangeCalls } = poll(rt, sample, (value) => nextDelay(schedule, value));
  const polls = Math.round((HOUR_MS * sample) / (rt.clock.now() - start));
  return { bundle, what: "idle hour", polls, propertyReads: (propertyReads / sample) * polls, rangeCalls: (rangeCalls / sample) * polls };
}

/** All 5,000 rows queued, a worker part-way through its wave, then a few polls. */
export function duringRun(world: World, bundle: string, rows = 5000, polls = 5): PollFigures {
  const { rt } = world;
  loadCompanies(rt, "Busy", companyNames(rows));
  runRecorded(rt, "researchSelectedRows", "menu");
  // Killed 20 s in, so the sheet holds queued, researching and finished rows, as during a run.
  runRecorded(rt, "runResearchWorker", "sidebar", rt.clock.now() + 20_000);
  const { propertyReads, rangeCalls } = poll(rt, polls, () => 0);
  return { bundle, what: "per poll during a run", polls, propertyReads: propertyReads / polls, rangeCalls: rangeCalls / polls };
}

export function measurePolling(current: MakeRuntime, baseline: { label: string; make: MakeRuntime } | null): PollFigures[] {
  const world = (make: MakeRuntime) => createWorld(make, { limits: PRODUCTION_LIMITS });
  const figures = [idleHour(world(current), "sidebar", "this checkout"), duringRun(world(current), "this checkout")];
  if (baseline)
    figures.push(idleHour(world(baseline.make), { everyMs: OLD_POLL_MS }, baseline.label), duringRun(world(baseline.make), baseline.label));
  return figures;
}

export function formatPolling(figs: readonly PollFigures[]): string {
  const header = ["bundle and schedule", "measured", "polls", "property reads", "range calls"];
  const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  const cells = figs.map((f) => [f.bundle, f.what, String(f.polls), num(f.propertyReads), num(f.rangeCalls)]);
  return formatColumns(header, cells, (i) => i < 2);
}
