// The eval's markdown report (figures side by side per model, a confusion table per model, every
// company, the disagreements with the label's reason) and its one-line summary.
import { USE_CASE_CLASSES } from "../../core/reply";
import { formatUsd } from "../demo/report";
import { profileClasses, type LabelList } from "./labels";
import { answeredClass, confusion, figures, type ConfusionColumn, type Figures, type Ratio } from "./metrics";
import type { CompanyResult, ModelRun } from "./research";

export interface ListResult {
  list: LabelList;
  runs: ModelRun[];
}

export function ratioText(r: Ratio): string {
  return r.of === 0 ? "n/a" : `${r.hits}/${r.of} (${Math.round((100 * r.hits) / r.of)}%)`;
}

function seconds(ms: number | null): string {
  if (ms === null) return "n/a";
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** Markdown table cells hold one line and no pipe. */
function cell(text: string): string {
  return text.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
}

function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly ("l" | "r")[] = []): string {
  const rule = header.map((_, i) => (align[i] === "r" ? "---:" : "---"));
  return [header, rule, ...rows].map((r) => `| ${r.map(cell).join(" | ")} |`).join("\n");
}

const FIGURE_ROWS: readonly [string, (f: Figures, run: ModelRun) => string][] = [
  ["Class agreement", (f) => ratioText(f.classAgreement)],
  ["Tier agreement", (f) => ratioText(f.tierAgreement)],
  ["Within one tier", (f) => ratioText(f.withinOneTier)],
  ["No reliable data", (f) => ratioText(f.noData)],
  ["Errors", (f) => String(f.errors)],
  ["Not recorded", (f) => String(f.notRecorded)],
  ["Cost per company", (f) => (f.costPerCompanyUsd === null ? "n/a" : formatUsd(f.costPerCompanyUsd))],
  ["LLM tokens per company", (f) => (f.tokensPerCompany === null ? "n/a" : Math.round(f.tokensPerCompany).toLocaleString("en-US"))],
  ["Time per company", (f) => seconds(f.timePerCompanyMs)],
  ["Run time (Apps Script clock)", (_, run) => seconds(run.runMs)],
];

function answerText(r: CompanyResult): string {
  switch (r.kind) {
    case "judged":
      return `${answeredClass(r) === r.row.expectedClass ? "✓" : "✗"} ${r.useCaseClass ?? "?"} · ${r.tier ?? ""} ${r.score ?? ""}`;
    case "noData":
      return `${r.row.expectedClass === "UNKNOWN" ? "✓" : "✗"} no data`;
    case "error":
      return `error: ${r.status.replace(/^Error: /, "")}`;
    case "notRecorded":
      return r.requestChanged ? "request changed" : "not recorded";
  }
}

function confusionTable(list: LabelList, run: ModelRun): string {
  const counts = confusion(run.companies);
  const classes = profileClasses(list.profile);
  const columns: ConfusionColumn[] = [...classes, "no data"];
  const rows = classes
    .filter((c) => counts.has(c))
    .map((expected) => {
      const row = counts.get(expected);
      const total = [...(row?.values() ?? [])].reduce((s, n) => s + n, 0);
      return [`${expected} (${total})`, ...columns.map((col) => String(row?.get(col) ?? "") || "·")];
    });
  if (rows.length === 0) return "No company was answered.";
  return table(["expected \\ answered", ...columns], rows, ["l", ...columns.map(() => "r" as const)]);
}

function disagreements(runs: readonly ModelRun[]): string[] {
  const lines: string[] = [];
  for (const run of runs) {
    for (const r of run.companies) {
      if (r.kind !== "judged" && r.kind !== "noData") continue;
      if (answeredClass(r) === r.row.expectedClass) continue;
      const answer = r.kind === "noData" ? "no reliable data" : `${r.useCaseClass ?? "?"} (${r.useCase})`;
      const reason = r.row.reason ? `: ${r.row.reason}` : "";
      lines.push(
        `- **${r.row.company}**${r.row.domain ? ` (${r.row.domain})` : ""}, \`${run.model}\` answered ${answer}; expected ${r.row.expectedClass}${reason}`,
      );
    }
  }
  return lines;
}

function missing(runs: readonly ModelRun[]): string[] {
  const lines: string[] = [];
  for (const run of runs) {
    for (const r of run.companies) {
      if (r.kind === "notRecorded" && r.requestChanged) {
        lines.push(`- **${r.row.company}**, \`${run.model}\`: ${r.missing}`);
      }
    }
  }
  return lines;
}

export const FIGURES_LEGEND = `## What the figures mean

- **Class agreement**: answered companies whose use-case class is the label's. A company with no reliable data counts as the answer UNKNOWN: right for a company labelled UNKNOWN, wrong otherwise.
- **Tier agreement** and **within one tier**: over the answered companies whose label gives an expected tier; within one tier counts HOT for WARM, WARM for WATCH and so on (UNKNOWN is next to no tier).
- **No reliable data**: answered companies that ended \`No reliable data\`.
- **Errors**: rows that ended \`Error: \`; **not recorded**: (replay only) companies whose request the recordings hold no answer for. Neither is in any rate.
- **Cost per company**: what its searches and LLM calls cost at the run's prices, counted as the add-on counts it, averaged over the companies that made requests. **Time per company**: from its first request to its last answer (live: real latencies; replay: the recorded ones). **Run time**: the whole run in the add-on's clock, waves in parallel.`;

export function renderReport(results: readonly ListResult[], heading: string): string {
  const parts = [`# Judgment eval`, "", heading, ""];
  for (const { list, runs } of results) {
    parts.push(`## ${list.profile}: ${list.path} (${list.rows.length} companies)`, "");
    const figs = runs.map((run) => figures(run.companies));
    parts.push(
      table(
        ["", ...runs.map((r) => `\`${r.model}\``)],
        FIGURE_ROWS.map(([name, get]) => [name, ...runs.map((run, i) => get(figs[i] as Figures, run))]),
        ["l", ...runs.map(() => "r" as const)],
      ),
      "",
    );
    const uncovered = uncoveredClasses(list);
    if (uncovered.length > 0)
      parts.push(`No company of this list is labelled ${uncovered.join(", ")}: the figures say nothing about those classes.`, "");
    for (const run of runs)
      parts.push(`### Confusion: \`${run.model}\``, "", "Rows: the label's class; columns: the answer.", "", confusionTable(list, run), "");
    parts.push(
      "### Companies",
      "",
      table(
        ["Company", "Website", "Expected", ...runs.map((r) => `\`${r.model}\``)],
        list.rows.map((row, i) => [
          row.company,
          row.website,
          `${row.expectedClass}${row.expectedTier ? ` · ${row.expectedTier}` : ""}`,
          ...runs.map((run) => {
            const r = run.companies[i];
            return r ? answerText(r) : "";
          }),
        ]),
      ),
      "",
    );
    const wrong = disagreements(runs);
    if (wrong.length > 0) parts.push("### Disagreements", "", ...wrong, "");
    const changed = missing(runs);
    if (changed.length > 0) parts.push("### Recorded, but not for the request sent now", "", ...changed, "");
  }
  parts.push(FIGURES_LEGEND, "");
  return parts.join("\n");
}

/** One line: per list and model the three agreements, the no-data rate, cost and time per company. */
export function summaryLine(results: readonly ListResult[], mode: string): string {
  const lists = results.map(({ list, runs }) => {
    const models = runs.map((run) => {
      const f = figures(run.companies);
      const money =
        f.costPerCompanyUsd === null ? "" : `, ${formatUsd(f.costPerCompanyUsd)} and ${seconds(f.timePerCompanyMs)} per company`;
      const apart = [f.errors > 0 ? `${f.errors} errors` : "", f.notRecorded > 0 ? `${f.notRecorded} not recorded` : ""].filter(
        (s) => s !== "",
      );
      return `${run.model} class ${ratioText(f.classAgreement)}, tier ${ratioText(f.tierAgreement)}, within one tier ${ratioText(f.withinOneTier)}, no data ${ratioText(f.noData)}${money}${apart.length > 0 ? ` (${apart.join(", ")})` : ""}`;
    });
    return `${list.name}: ${models.join("; ")}`;
  });
  return `Eval (${mode}): ${lists.join(" | ")}`;
}

/** Classes of a profile that no label of a list uses (a list should cover every class). */
export function uncoveredClasses(list: LabelList): string[] {
  const used = new Set(list.rows.map((r) => r.expectedClass));
  return USE_CASE_CLASSES.filter((c) => profileClasses(list.profile).includes(c) && !used.has(c));
}
