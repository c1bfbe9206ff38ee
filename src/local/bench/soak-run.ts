// The fault soak: many companies, a share of all provider requests answered by a random
// 429 or 5xx, executions killed at random instants; then every row must end terminal, Done, on its
// own company, and nothing the model answered may be lost.
import { fakePages, type FakeLlm } from "../providers";
import { companyNames } from "./companies";
import type { Mode } from "../drive";
import type { Target } from "./report";
import { billing, type Billing } from "./hostile";
import { runSheet } from "./runs";
import { createWorld, PRODUCTION_LIMITS, readRows, type MakeRuntime } from "./setup";
import { TERMINAL, type OutputRow } from "./sheet";

export interface SoakOptions {
  companies: number;
  kills: number;
  /** Share of all provider requests answered by a random 429 or 5xx. */
  faultRate: number;
  seed: number;
  /** Virtual-time ceiling; default 12 hours. */
  maxVirtualMs?: number;
  /**
   * How the run is driven; default "open" (the sidebar calls the worker back to back), because the
   * local runtime can kill only executions started with run(), not ones started by a trigger. In
   * "closed" mode a run left without a continuation trigger is resumed by a sidebar call (a stall).
   */
  mode?: Mode;
}

export interface RowProblem {
  row: number;
  company: string;
  status: string;
  why: string;
}

export interface SoakAssessment {
  rows: number;
  terminal: number;
  done: number;
  misplaced: number;
  lost: number;
  problems: RowProblem[];
}

export interface SoakFigures extends SoakAssessment {
  kills: number;
  workerExecutions: number;
  /** Times the run had work left but no trigger to continue it (the soak then opened the sidebar). */
  stalls: number;
  virtualMs: number;
  /** Distinct execution errors (kills excluded). */
  errors: string[];
  faults: { tavily: Record<number, number>; llm: Record<number, number> };
  billing: Billing;
  targets: Target[];
}

/** What the fake world says a company's row must hold when it is Done. */
export interface Expectation {
  useCaseLabel(company: string): string;
  /** URLs the search could have returned for the company. */
  pageUrls(company: string): ReadonlySet<string>;
  /** Well-formed verdicts the fake model answered for the company. */
  answered(company: string): number;
}

export function fakeWorldExpectation(llm: FakeLlm): Expectation {
  return {
    useCaseLabel: (company) => llm.verdictFor(company).use_case_label,
    pageUrls: (company) => new Set(fakePages(company).map((p) => p.url)),
    answered: (company) => llm.answeredByCompany[company] ?? 0,
  };
}

/**
 * Misplaced: a Done row whose rationale, use case or sources belong to another company. Lost: a
 * row not terminal, or a company the model answered for whose row shows no result.
 */
export function assessSoak(rows: readonly OutputRow[], expect: Expectation): SoakAssessment {
  const problems: RowProblem[] = [];
  let terminal = 0;
  let done = 0;
  let misplaced = 0;
  let lost = 0;
  for (const r of rows) {
    const problem = (why: string) => problems.push({ row: r.row, company: r.company, status: r.status, why });
    if (TERMINAL.has(r.state)) terminal += 1;
    if (r.state === "done" || r.state === "cached") {
      done += 1;
      const own = expect.pageUrls(r.company);
      const wrong = [
        r.rationale.includes(r.company) ? null : "rationale does not name the company",
        r.useCase === expect.useCaseLabel(r.company) ? null : `use case "${r.useCase}" is not the company's`,
        r.sources.every((s) => own.has(s)) ? null : "a source is not one of the company's pages",
      ].filter((w): w is string => w !== null);
      if (wrong.length > 0) {
        misplaced += 1;
        problem(`misplaced: ${wrong.join("; ")}`);
      }
    } else if (!TERMINAL.has(r.state)) {
      lost += 1;
      problem("lost: row left non-terminal");
    } else if (r.state !== "noData" && expect.answered(r.company) > 0) {
      lost += 1;
      problem("lost: the model answered for the company but the row shows no result");
    }
  }
  return { rows: rows.length, terminal, done, misplaced, lost, problems };
}

export function soakTargets(a: SoakAssessment): Target[] {
  const share = (x: number) => (a.rows > 0 ? x / a.rows : 0);
  return [
    { name: "rows terminal (share)", value: share(a.terminal), limit: 1, pass: a.rows > 0 && a.terminal === a.rows },
    { name: "rows Done (share, at least)", value: share(a.done), limit: 0.99, pass: share(a.done) >= 0.99 },
    { name: "misplaced rows", value: a.misplaced, limit: 0, pass: a.misplaced === 0 },
    { name: "lost rows", value: a.lost, limit: 0, pass: a.lost === 0 },
  ];
}

export function runSoak(makeRuntime: MakeRuntime, options: SoakOptions): SoakFigures {
  const kinds = [429, 500, 502, 503] as const;
  const world = createWorld(makeRuntime, {
    limits: PRODUCTION_LIMITS,
    faults: {
      tavily: { rate: options.faultRate, seed: options.seed, kinds },
      llm: { rate: options.faultRate, seed: options.seed + 1, kinds },
    },
  });
  const run = runSheet(world, {
    sheet: "Soak",
    companies: companyNames(options.companies, "Soak "),
    mode: options.mode ?? "open",
    kills: { count: options.kills, seed: options.seed + 2 },
    maxVirtualMs: options.maxVirtualMs ?? 12 * 3_600_000,
  });
  const assessment = assessSoak(readRows(world.rt, "Soak"), fakeWorldExpectation(world.llm));
  return {
    ...assessment,
    kills: run.kills,
    workerExecutions: run.executions.length - 1,
    stalls: run.drives.reduce((t, d) => t + d.stalls, 0),
    errors: run.errors,
    virtualMs: run.endedAt - run.startedAt,
    faults: { tavily: { ...world.tavily.byStatus }, llm: { ...world.llm.byStatus } },
    billing: billing(world, run),
    targets: soakTargets(assessment),
  };
}
