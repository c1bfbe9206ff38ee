// One run of a sheet of companies in a bench world, as the soak and the hostile-provider scenarios
// drive it: the menu command, the sidebar driving the worker, executions killed at random instants
// and, when the run pauses, the user pressing Resume at a given time.
import * as z from "zod/mini";
import { progressSchema, type ResearchProgress } from "../../core/wire";
import { driveRun, runRecorded, type DriveResult, type ExecutionRecord, type Mode } from "../drive";
import { KillPlanner } from "./kills";
import { loadCompanies, readRows, type World } from "./setup";
import { SETTLED } from "./sheet";

export interface RunSpec {
  sheet: string;
  companies: readonly string[];
  /** A1 ranges to select; default every company row. */
  selection?: readonly string[];
  mode?: Mode;
  /** Kill this many worker executions at random instants (seeded). */
  kills?: { count: number; seed: number };
  /** When the run pauses, the user resumes it this long after the start (once). */
  resumeAfterMs?: number;
  maxVirtualMs?: number;
  /**
   * Worker executions in a row that change no Status before the drive counts the run as stuck;
   * default 30. A run waiting out a long Retry-After legitimately changes nothing for a while.
   */
  maxIdleExecutions?: number;
}

/** The add-on's progress object, as the sidebar reads it; null if it answered something else. */
export function readProgress(world: World): ResearchProgress | null {
  const parsed = z.safeParse(progressSchema, world.rt.run("getResearchProgress", [], { kind: "sidebar" }).value);
  return parsed.success ? parsed.data : null;
}

export interface RunOutcome {
  startedAt: number;
  endedAt: number;
  /** The menu command, the resume command if any, then every worker execution. */
  executions: ExecutionRecord[];
  drives: DriveResult[];
  kills: number;
  /** How the run first stopped: paused (with the add-on's message) or not, and when. */
  firstStop: { paused: boolean; message: string; atMs: number };
  resumed: boolean;
  /** The progress after the last drive. */
  progress: ResearchProgress | null;
  errors: string[];
}

export function runSheet(world: World, spec: RunSpec): RunOutcome {
  const { rt } = world;
  loadCompanies(rt, spec.sheet, spec.companies, spec.selection);
  const planner = spec.kills ? new KillPlanner({ kills: spec.kills.count, seed: spec.kills.seed }) : null;
  // Rows left out of the selection keep an empty Status: nothing is to happen to them.
  const unsettled = () => readRows(rt, spec.sheet).filter((r) => r.state !== "empty" && !SETTLED.has(r.state)).length;
  const startedAt = rt.clock.now();
  const commands: ExecutionRecord[] = [runRecorded(rt, "researchSelectedRows", "menu")];
  let before = unsettled();
  const drive = () =>
    driveRun(rt, {
      mode: spec.mode ?? "open",
      settled: () => unsettled() === 0,
      progress: () =>
        readRows(rt, spec.sheet)
          .map((r) => r.status)
          .join("\n"),
      ...(planner
        ? {
            killAt: (startAt: number) => planner.plan(startAt, before),
            afterWorker: (record: ExecutionRecord) => {
              const now = unsettled();
              planner.observe({ killed: record.result.killed, elapsedMs: record.result.elapsedMs, rowsFinished: before - now });
              before = now;
            },
          }
        : {}),
      maxVirtualMs: spec.maxVirtualMs ?? 12 * 3_600_000,
      maxIdleExecutions: spec.maxIdleExecutions ?? 30,
    });
  const drives = [drive()];
  let progress = readProgress(world);
  const firstStop = {
    paused: progress !== null && progress.pause !== null,
    message: progress?.message ?? "",
    atMs: (drives[0]?.endedAt ?? startedAt) - startedAt,
  };
  let resumed = false;
  if (firstStop.paused && spec.resumeAfterMs !== undefined) {
    rt.clock.advanceTo(Math.max(rt.clock.now(), startedAt + spec.resumeAfterMs));
    commands.push(runRecorded(rt, "resumeResearch", "sidebar"));
    resumed = true;
    before = unsettled();
    drives.push(drive());
    progress = readProgress(world);
  }
  const commandErrors = commands.flatMap((c) => (typeof c.result.error === "string" && c.result.error !== "" ? [c.result.error] : []));
  return {
    startedAt,
    endedAt: drives[drives.length - 1]?.endedAt ?? startedAt,
    executions: [...commands, ...drives.flatMap((d) => d.workers)],
    drives,
    kills: planner?.killed ?? 0,
    firstStop,
    resumed,
    progress,
    errors: [...new Set([...commandErrors, ...drives.flatMap((d) => d.errors)])],
  };
}
