// The regression guard's expectation: what the recorded answers judge under the current prompt,
// evidence selection, reply reading and scoring. `npm test` replays the recordings and compares
// every company with this file; a difference is printed as before and after.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { USE_CASE_CLASSES } from "../../core/reply";
import { PROFILES, TIERS } from "../../core/types";
import { writeFileAtomic } from "../demo/files";
import { rowDomain, rowKey } from "./labels";
import type { CompanyResult } from "./research";
import type { ListResult } from "./report";

export const judgmentSchema = z.object({
  list: z.string(),
  profile: z.enum(PROFILES),
  model: z.string(),
  company: z.string(),
  website: z.string(),
  class: z.enum(USE_CASE_CLASSES).nullable(),
  tier: z.enum(TIERS).nullable(),
  score: z.number().nullable(),
  status: z.string(),
});
export type Judgment = z.infer<typeof judgmentSchema>;

const fileSchema = z.object({ _note: z.string(), judgments: z.array(judgmentSchema) });

const NOTE =
  "What the recorded answers in examples/eval/recordings judge with the current prompt, evidence selection, reply reading and scoring. " +
  "test/eval/regression.test.ts replays them and fails on any difference. The recorded answers are the demo's hand-written samples and answers hand-built on real Tavily payloads, not live model output (see each recording's _note).";

function judgmentOf(list: ListResult["list"], model: string, r: CompanyResult): Judgment {
  return {
    list: list.name,
    profile: list.profile,
    model,
    company: r.row.company,
    website: r.row.website,
    class: r.useCaseClass,
    tier: r.tier,
    score: r.score,
    status: r.status,
  };
}

/** The judgments of a run, without the companies replay had no answer for. */
export function judgmentsOf(results: readonly ListResult[]): Judgment[] {
  return results.flatMap(({ list, runs }) =>
    runs.flatMap((run) => run.companies.filter((r) => r.kind !== "notRecorded").map((r) => judgmentOf(list, run.model, r))),
  );
}

export function loadJudgments(path: string): Judgment[] {
  return fileSchema.parse(JSON.parse(readFileSync(path, "utf8"))).judgments;
}

export function saveJudgments(path: string, judgments: readonly Judgment[]): void {
  writeFileAtomic(path, JSON.stringify({ _note: NOTE, judgments }, null, 2) + "\n");
}

const identity = (j: Pick<Judgment, "list" | "model" | "company" | "website">) =>
  `${j.list}|${j.model}|${rowKey(j.company, rowDomain(j.company, j.website))}`;

/** What to do when the guard fails, printed with the differences. */
export const GUARD_ADVICE =
  "The recorded answers no longer judge as examples/eval/judgments.json says (before: that file; after: this run). " +
  "If the change is meant: with keys, re-record the answers (npm run eval -- --record); without keys, npm run eval -- --rekey keeps each recorded answer " +
  "for the request sent now (a claim that the model would answer alike). Then npm run eval -- --save-judgments examples/eval/judgments.json, and review both diffs.";

export function judgmentText(j: Judgment): string {
  if (j.status.startsWith("Done")) return `${j.class ?? "?"} · ${j.tier ?? "?"} ${j.score ?? ""} · ${j.status}`;
  return j.tier ? `${j.tier} · ${j.status}` : j.status;
}

/** Each company whose judgment differs from the expected one, as a block naming it with before and after. */
export function compareJudgments(expected: readonly Judgment[], results: readonly ListResult[]): string[] {
  const actual = new Map<string, { judgment: Judgment; result: CompanyResult }>();
  for (const { list, runs } of results) {
    for (const run of runs) {
      for (const r of run.companies) {
        const judgment = judgmentOf(list, run.model, r);
        actual.set(identity(judgment), { judgment, result: r });
      }
    }
  }
  const title = (j: Judgment) => `${j.company}${j.website ? ` (${j.website})` : ""}, ${j.list}, ${j.model}`;
  const changes: string[] = [];
  const seen = new Set<string>();
  for (const before of expected) {
    const id = identity(before);
    seen.add(id);
    const now = actual.get(id);
    let after: string | null;
    if (!now) after = "not in this run (the company or the model is no longer evaluated)";
    else if (now.result.kind === "notRecorded") after = `no recorded answer: ${now.result.missing ?? "unknown"}`;
    else after = judgmentText(now.judgment) === judgmentText(before) ? null : judgmentText(now.judgment);
    if (after !== null) changes.push(`${title(before)}\n  before: ${judgmentText(before)}\n  after:  ${after}`);
  }
  for (const [id, now] of actual) {
    if (seen.has(id) || now.result.kind === "notRecorded") continue;
    changes.push(`${title(now.judgment)}\n  before: not in the judgments file\n  after:  ${judgmentText(now.judgment)}`);
  }
  return changes;
}
