// Terminal output of the demo: the progress line and the result table. Cell text came from the web
// (rationales, titles) or from the user's file, so control characters are removed before printing:
// an escape sequence in a page must not repaint the terminal.
import { ROW_ADVICE, type RowAdvice } from "../../core/errors";
import type { ResearchProgress } from "../../core/wire";

export function terminalText(value: unknown): string {
  return (
    String(value ?? "")
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ")
      .replace(/\s+/g, " ")
      .trim()
  );
}

export function shorten(text: string, width: number): string {
  if (width <= 0) return "";
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + "…";
}

export function formatUsd(usd: number): string {
  return `$${usd.toFixed(usd > 0 && usd < 10 ? 4 : 2)}`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.round(seconds - m * 60)).padStart(2, "0")}s`;
}

/** The part of getResearchProgress() the progress line shows. */
export type ProgressView = Pick<
  ResearchProgress,
  "total" | "done" | "cached" | "noData" | "failed" | "cancelled" | "costUsd" | "running" | "etaSeconds"
>;

/** Rows that need no more work: finished one way or another. */
export function finishedRows(p: ProgressView): number {
  return p.done + p.cached + p.noData + p.failed + p.cancelled;
}

export function progressLine(p: ProgressView, barWidth = 24): string {
  const done = finishedRows(p);
  const filled = p.total > 0 ? Math.round((done / p.total) * barWidth) : 0;
  const bar = "#".repeat(filled) + "-".repeat(barWidth - filled);
  const eta = p.running && p.etaSeconds > 0 ? `  ETA ${formatSeconds(p.etaSeconds)}` : "";
  return `[${bar}] ${done}/${p.total}  cost ${formatUsd(p.costUsd)}${eta}`;
}

/**
 * Writes progress lines: on a terminal one line rewritten in place, elsewhere (a pipe, a CI log) one
 * line per change, so logs stay readable.
 */
export class ProgressPrinter {
  private last = "";

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
  ) {}

  update(p: ProgressView): void {
    const line = progressLine(p);
    if (line === this.last) return;
    this.write(this.tty ? `\r${line.padEnd(this.last.length)}` : `${line}\n`);
    this.last = line;
  }

  /** Ends the rewritten line so what follows starts on a fresh one. */
  end(): void {
    if (this.tty && this.last !== "") this.write("\n");
    this.last = "";
  }
}

export interface TableColumns {
  company: number;
  tier: number;
  score: number;
  useCase: number;
  status: number;
  rationale: number;
  sources: number;
}

/** "https://a.example/x\nhttps://b.example/y" -> "a.example +1". */
export function shortSources(cell: unknown): string {
  const urls = String(cell ?? "")
    .split(/\s+/)
    .filter((u) => u !== "");
  if (urls.length === 0) return "";
  let host: string;
  try {
    host = new URL(urls[0] ?? "").host.replace(/^www\./, "");
  } catch {
    host = urls[0] ?? "";
  }
  return urls.length > 1 ? `${host} +${urls.length - 1}` : host;
}

/**
 * The result table: Company, Tier, Score, Use Case, Status in full width where the terminal allows,
 * then Rationale and Sources shortened to what is left.
 */
export function renderTable(rows: readonly Record<keyof TableColumns, string>[], width: number): string {
  const headers: Record<keyof TableColumns, string> = {
    company: "Company",
    tier: "Tier",
    score: "Score",
    useCase: "Use Case",
    status: "Status",
    rationale: "Rationale",
    sources: "Sources",
  };
  const widest = (key: keyof TableColumns, cap: number) => Math.min(cap, Math.max(headers[key].length, ...rows.map((r) => r[key].length)));
  const cols: TableColumns = {
    company: widest("company", 24),
    tier: widest("tier", 7),
    score: widest("score", 5),
    useCase: widest("useCase", 36),
    status: widest("status", 22),
    sources: widest("sources", 22),
    rationale: 0,
  };
  const gaps = 2 * 6;
  const used = cols.company + cols.tier + cols.score + cols.useCase + cols.status + cols.sources + gaps;
  cols.rationale = Math.max(16, Math.min(widest("rationale", 200), width - used));
  const order: (keyof TableColumns)[] = ["company", "tier", "score", "useCase", "status", "rationale", "sources"];
  const line = (r: Record<keyof TableColumns, string>) =>
    order
      .map((key) => {
        const text = shorten(r[key], cols[key]);
        return key === "score" ? text.padStart(cols[key]) : text.padEnd(cols[key]);
      })
      .join("  ")
      .trimEnd();
  const rule = order.map((key) => "-".repeat(cols[key])).join("  ");
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/**
 * The add-on's advice names its menu ("Retry failed rows") and its Settings, which the terminal does
 * not have. null: the demo's closing line says what to do (run the same command again).
 */
const TERMINAL_ADVICE: Record<RowAdvice, string | null> = {
  [ROW_ADVICE.retryLater]: null,
  [ROW_ADVICE.retryOrModel]: "run again, or set LLM_MODEL to another model",
  [ROW_ADVICE.otherModel]: "set LLM_MODEL to another model",
  [ROW_ADVICE.checkModel]: "check LLM_MODEL",
  [ROW_ADVICE.lowerEvidence]: "set LLM_MODEL to a model that takes longer prompts",
  [ROW_ADVICE.raiseEvidence]: null,
  [ROW_ADVICE.checkName]: "correct the company name in the file",
};

/** A row's error message as the terminal should say it, in the terminal's terms. */
export function terminalMessage(status: string): string {
  let text = terminalText(status).replace(/^Error:\s*/, "");
  for (const [advice, said] of Object.entries(TERMINAL_ADVICE)) text = text.replace(`; ${advice}`, said === null ? "" : `; ${said}`);
  return text;
}

/** Text wrapped at word boundaries to `width` columns, each line after `indent` (the first after `first`). */
export function wrap(text: string, width: number, first: string, indent: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(" ").filter((w) => w !== "")) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = empty ? line + word : `${line} ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

export interface FailedRow {
  row: number;
  company: string;
  status: string;
}

/** Failed rows with their whole messages, which the table cuts to its Status column. */
export function failureLines(failed: readonly FailedRow[], width: number): string[] {
  const head = `${failed.length} ${failed.length === 1 ? "row" : "rows"} failed:`;
  return [head, ...failed.flatMap((f) => wrap(`row ${f.row}, ${f.company}: ${terminalMessage(f.status)}`, width, "  ", "      "))];
}
