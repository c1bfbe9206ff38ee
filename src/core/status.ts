// Typed run states: why a run pauses, and what a row's Status cell says. Every other module
// switches on these values; the English text users see is made here and nowhere else.
import { formatUsd } from "./format";
import { SERVICE_NAMES, type Service } from "./types";

/** The providers as a sales rep knows them. */
export const SERVICE_WORDS: Record<Service, string> = { tavily: "the web search service", llm: "the AI service" };

/**
 * A row's place in a run, as its Status cell shows it. `refresh`: the user asked to research again
 * whatever the cache holds (Re-research); the row remembers it in its Status until it is researched.
 */
export type RowStatus =
  | { kind: "queued"; refresh: boolean }
  | { kind: "researching"; refresh: boolean }
  | { kind: "done" }
  | { kind: "cached" }
  /** cached: answered from a remembered no-data outcome, with no request. */
  | { kind: "noData"; cached: boolean }
  | { kind: "error"; message: string }
  | { kind: "cancelled" }
  | { kind: "paused"; reason: PauseReason };

/** A Status cell read back: a row status kind, empty, or something the add-on did not write. */
export type StatusKind = RowStatus["kind"] | "none" | "other";

const REFRESH_SUFFIX = " (ignore cache)";
const ERROR_PREFIX = "Error: ";
const PAUSED_PREFIX = "Paused: ";

/** The text of a Status cell. */
export function statusText(status: RowStatus): string {
  switch (status.kind) {
    case "queued":
      return "Queued" + (status.refresh ? REFRESH_SUFFIX : "");
    case "researching":
      return "Researching" + (status.refresh ? REFRESH_SUFFIX : "");
    case "done":
      return "Done";
    case "cached":
      return "Done (cached)";
    case "noData":
      return status.cached ? "No reliable data (cached)" : "No reliable data";
    case "error":
      return ERROR_PREFIX + status.message;
    case "cancelled":
      return "Cancelled";
    case "paused":
      return PAUSED_PREFIX + pauseText(status.reason);
  }
}

// Longest prefix first: "Done (cached)" before "Done".
const KIND_PREFIXES: readonly [string, StatusKind][] = [
  ["Queued", "queued"],
  ["Researching", "researching"],
  ["Done (cached)", "cached"],
  ["Done", "done"],
  ["No reliable data", "noData"],
  ["Error", "error"],
  ["Cancelled", "cancelled"],
  ["Paused", "paused"],
];

/**
 * The kind of a Status cell. The sheet is the queue, so the worker reads its state back from these
 * cells; a pause's reason is not parsed back (the run state keeps it typed).
 */
export function statusKind(cell: unknown): StatusKind {
  const text = String(cell ?? "").trim();
  if (text === "") return "none";
  for (const [prefix, kind] of KIND_PREFIXES) if (text.startsWith(prefix)) return kind;
  return "other";
}

/** A queued or researching row asked for a refresh (Re-research). */
export function isRefresh(cell: unknown): boolean {
  return String(cell ?? "")
    .trim()
    .endsWith(REFRESH_SUFFIX);
}

export type PauseReason =
  /** 401/403: the key was refused. */
  | { kind: "keyRejected"; service: Service }
  /** Tavily 432 (plan limit) or 433 (pay-as-you-go limit). */
  | { kind: "planLimit"; limit: "plan" | "payAsYouGo" }
  /** 402, or a 429 whose body says the account has no credit left (`insufficient_quota`). */
  | { kind: "outOfCredit"; service: Service }
  /** LLM 404: the model or the base URL does not exist. */
  | { kind: "modelNotFound" }
  /** JOB_BUDGET_USD reached. */
  | { kind: "budget" }
  /** Google's daily URL-fetch quota is spent; nothing can be fetched until the next day. */
  | { kind: "dailyQuota" }
  /** A provider refused every request (429) for 15 minutes. */
  | { kind: "rateLimited"; service: Service }
  /** Keys or settings went missing after the rows were queued. */
  | { kind: "settings" }
  /** A provider asked (Retry-After) to wait longer than a run waits: resume after `until` (epoch ms). */
  | { kind: "askedToWait"; service: Service; until: number }
  /** JOB_BUDGET_USD is below the estimated cost of one company: no request could stay within it. */
  | { kind: "budgetBelowCompany"; budgetUsd: number; companyUsd: number }
  /** Two columns of a sheet carry the tag of the same output: the add-on writes neither rather than guess. */
  | { kind: "columnClash"; sheet: string; clashes: ColumnClash[] };

/** One output whose tag several columns of a sheet carry, each by letter and header. */
export interface ColumnClash {
  output: string;
  columns: { letter: string; header: string }[];
}

/** "2024-05-01 14:05 UTC": a time the run may go on, the same for every reader. */
function utcMinute(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** `columns E ("Tier") and H ("My notes") both carry the Tier tag`, for each clashing output. */
function clashList(clashes: readonly ColumnClash[]): string {
  return clashes
    .map(({ output, columns }) => {
      const named = columns.map(({ letter, header }) => `${letter} ("${header}")`);
      const list = named.length > 1 ? `${named.slice(0, -1).join(", ")} and ${named[named.length - 1] ?? ""}` : (named[0] ?? "");
      return `columns ${list} ${named.length === 2 ? "both" : "all"} carry the ${output} tag`;
    })
    .join("; ");
}

/**
 * Why the add-on writes nothing into a sheet: which of its columns claim the same output, and what
 * to do. The queue-time refusal and the pause's advice say the same.
 */
export function columnClashText(sheet: string, clashes: readonly ColumnClash[]): string {
  return (
    `In "${sheet}", ${clashList(clashes)} (a copied column carries Territory Planner's hidden tag), so it writes into neither rather than guess. ` +
    "Keep Territory Planner's column and delete the copy; to keep your notes, first move them to a new column with Paste special > Values only, which leaves the tag behind."
  );
}

/** What follows "Paused: " in a Status cell and in the progress message. */
export function pauseText(reason: PauseReason): string {
  switch (reason.kind) {
    case "keyRejected":
      return `${SERVICE_NAMES[reason.service]} API key rejected`;
    case "planLimit":
      return reason.limit === "plan" ? "Tavily plan limit reached" : "Tavily pay-as-you-go limit reached";
    case "outOfCredit":
      return `${SERVICE_NAMES[reason.service]} account out of credit`;
    case "modelNotFound":
      return "LLM model or base URL not found, check Settings";
    case "budget":
      return "budget reached";
    case "dailyQuota":
      return "Google's daily URL-fetch quota is spent, resume tomorrow";
    case "rateLimited":
      return `${SERVICE_NAMES[reason.service]} refused every request for 15 minutes (rate limit)`;
    case "settings":
      return "settings incomplete, open Settings";
    case "askedToWait":
      return `${SERVICE_WORDS[reason.service]} asked to wait until ${utcMinute(reason.until)} (rate limit), resume then`;
    case "budgetBelowCompany":
      return `the run budget (${formatUsd(reason.budgetUsd)}) is below one company's cost (about ${formatUsd(reason.companyUsd)})`;
    case "columnClash":
      return `columns ${reason.clashes.map((c) => `${c.columns.map((l) => l.letter).join(", ")} (${c.output})`).join("; ")} of "${reason.sheet}" carry the same tag, delete the copy, then Resume`;
  }
}

export interface PauseAdvice {
  title: string;
  advice: string;
  /** The fix is in Settings: offer a button that opens them. */
  offerSettings: boolean;
}

/** What the user should do about a pause; the sidebar and the demo show it. Words of a sales rep, not of the providers. */
export function pauseAdvice(reason: PauseReason): PauseAdvice {
  switch (reason.kind) {
    case "keyRejected":
      return {
        title: reason.service === "tavily" ? "The web search service refused its key" : "The AI service refused its key",
        advice:
          "Paste the key again in Settings (copied whole from the provider's website), then press Resume. Nothing is spent until then.",
        offerSettings: true,
      };
    case "planLimit":
      return {
        title: "The web search plan is used up",
        advice:
          reason.limit === "plan"
            ? "Upgrade the Tavily plan, or wait until it renews, then press Resume."
            : "Raise the spending limit of the Tavily account, then press Resume.",
        offerSettings: false,
      };
    case "outOfCredit":
      return {
        title: reason.service === "tavily" ? "The web search account is out of credit" : "The AI account is out of credit",
        advice: "Add credit or a payment method on the provider's website, then press Resume.",
        offerSettings: false,
      };
    case "modelNotFound":
      return {
        title: "The AI model was not found",
        advice: "Choose a model from the provider's list in Settings, then press Resume.",
        offerSettings: true,
      };
    case "budget":
      return {
        title: "Spending limit reached",
        advice:
          "The run spent what it was allowed. To go on, raise or clear the run budget in Settings (under Advanced), then press Resume.",
        offerSettings: true,
      };
    case "dailyQuota":
      return {
        title: "Google's daily limit is used up",
        advice: "Google allows only so many web requests a day. Press Resume tomorrow; no row was marked failed.",
        offerSettings: false,
      };
    case "rateLimited":
      return {
        title: reason.service === "tavily" ? "The web search service is turning requests away" : "The AI service is turning requests away",
        advice:
          "It said “too many requests” for 15 minutes. Press Resume later, or send fewer requests at once (Settings, under Advanced).",
        offerSettings: true,
      };
    case "settings":
      return { title: "Settings are incomplete", advice: "Add the missing keys in Settings, then press Resume.", offerSettings: true };
    case "askedToWait":
      return {
        title: reason.service === "tavily" ? "The web search service asked us to wait" : "The AI service asked us to wait",
        advice: `It is turning requests away until ${utcMinute(reason.until)}. Press Resume after that; no row was marked failed and nothing paid for is lost.`,
        offerSettings: false,
      };
    case "budgetBelowCompany":
      return {
        title: "The run budget is too small for one company",
        advice: `Researching one company costs about ${formatUsd(reason.companyUsd)}, more than the run budget of ${formatUsd(reason.budgetUsd)}, so nothing was spent. Raise or clear the run budget in Settings (under Advanced), then press Resume.`,
        offerSettings: true,
      };
    case "columnClash":
      return {
        title: "Two columns claim the same output",
        advice: `${columnClashText(reason.sheet, reason.clashes)} Then press Resume; nothing paid for is lost.`,
        offerSettings: false,
      };
  }
}
