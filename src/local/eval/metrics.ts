// The eval's figures from one model's results on one list. Rows not recorded (replay) and rows that
// ended in an error say nothing about the judgment, so they are counted apart and left out of every
// rate; a company with no reliable data is an answer, "UNKNOWN", which agrees only with an UNKNOWN label.
import type { UseCaseClass } from "../../core/reply";
import type { Tier } from "../../core/types";
import type { CompanyResult } from "./research";

/** Tiers in order, so "within one tier" can be measured; UNKNOWN is next to none. */
const TIER_ORDER: readonly Tier[] = ["COLD", "WATCH", "WARM", "HOT"];

export interface Ratio {
  hits: number;
  of: number;
}

export interface Figures {
  companies: number;
  /** Judged or no reliable data: the rows every rate is over. */
  answered: number;
  classAgreement: Ratio;
  /** Over answered rows whose label gives a tier. */
  tierAgreement: Ratio;
  withinOneTier: Ratio;
  noData: Ratio;
  errors: number;
  notRecorded: number;
  /** Mean over the companies that made requests (answered or failed). */
  costPerCompanyUsd: number | null;
  timePerCompanyMs: number | null;
  tokensPerCompany: number | null;
}

/** The class an answered row stands for: its judged class, or UNKNOWN for no reliable data. */
export function answeredClass(r: CompanyResult): UseCaseClass | null {
  if (r.kind === "noData") return "UNKNOWN";
  return r.kind === "judged" ? r.useCaseClass : null;
}

export function tiersWithinOne(a: Tier, b: Tier): boolean {
  if (a === b) return true;
  const i = TIER_ORDER.indexOf(a);
  const j = TIER_ORDER.indexOf(b);
  return i >= 0 && j >= 0 && Math.abs(i - j) <= 1;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}

export function figures(results: readonly CompanyResult[]): Figures {
  const answered = results.filter((r) => r.kind === "judged" || r.kind === "noData");
  const tiered = answered.filter((r) => r.row.expectedTier !== null && r.tier !== null);
  const researched = results.filter((r) => r.kind !== "notRecorded" && r.requests > 0);
  return {
    companies: results.length,
    answered: answered.length,
    classAgreement: { hits: answered.filter((r) => answeredClass(r) === r.row.expectedClass).length, of: answered.length },
    tierAgreement: { hits: tiered.filter((r) => r.tier === r.row.expectedTier).length, of: tiered.length },
    withinOneTier: {
      hits: tiered.filter((r) => r.tier !== null && r.row.expectedTier !== null && tiersWithinOne(r.tier, r.row.expectedTier)).length,
      of: tiered.length,
    },
    noData: { hits: answered.filter((r) => r.kind === "noData").length, of: answered.length },
    errors: results.filter((r) => r.kind === "error").length,
    notRecorded: results.filter((r) => r.kind === "notRecorded").length,
    costPerCompanyUsd: mean(researched.map((r) => r.cost.usd)),
    timePerCompanyMs: mean(researched.map((r) => r.timeMs)),
    tokensPerCompany: mean(researched.map((r) => r.cost.llmInputTokens + r.cost.llmOutputTokens)),
  };
}

/** The share as a fraction, or null when nothing was measured. */
export function rate(r: Ratio): number | null {
  return r.of === 0 ? null : r.hits / r.of;
}

export type ConfusionColumn = UseCaseClass | "no data";

/** Counts of expected class (rows) by answer (columns) over the answered rows. */
export function confusion(results: readonly CompanyResult[]): Map<UseCaseClass, Map<ConfusionColumn, number>> {
  const table = new Map<UseCaseClass, Map<ConfusionColumn, number>>();
  for (const r of results) {
    if (r.kind !== "judged" && r.kind !== "noData") continue;
    const column: ConfusionColumn = r.kind === "noData" ? "no data" : (r.useCaseClass ?? "UNKNOWN");
    const row = table.get(r.row.expectedClass) ?? new Map<ConfusionColumn, number>();
    row.set(column, (row.get(column) ?? 0) + 1);
    table.set(r.row.expectedClass, row);
  }
  return table;
}
