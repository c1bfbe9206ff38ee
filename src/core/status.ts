// Typed run states: why a run pauses, and what a row's Status cell says. Every other module
// switches on these values; the English text users see is made here and nowhere else.
import type { Service } from "./errors";

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
  | { kind: "settings" };

export type PauseKind = PauseReason["kind"];

const SERVICE_NAMES: Record<Service, string> = { tavily: "Tavily", llm: "LLM" };

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
  }
}

export interface PauseAdvice {
  title: string;
  advice: string;
  /** The fix is in Settings: offer a button that opens them. */
  offerSettings: boolean;
}

/** What the user should do about a pause; the sidebar and the demo show it. */
export function pauseAdvice(reason: PauseReason): PauseAdvice {
  switch (reason.kind) {
    case "keyRejected":
      return {
        title: `${SERVICE_NAMES[reason.service]} API key rejected`,
        advice: "Check the key in Settings, then press Resume.",
        offerSettings: true,
      };
    case "planLimit":
      return {
        title: "Tavily plan limit reached",
        advice: "Upgrade the Tavily plan or wait for it to renew, then press Resume.",
        offerSettings: false,
      };
    case "outOfCredit":
      return {
        title: `${SERVICE_NAMES[reason.service]} account out of credit`,
        advice: "Add credit or a payment method at the provider, then press Resume.",
        offerSettings: false,
      };
    case "modelNotFound":
      return {
        title: "Model or base URL not found",
        advice: "Choose a model from the list in Settings, then press Resume.",
        offerSettings: true,
      };
    case "budget":
      return {
        title: "Budget reached",
        advice: "Raise or clear JOB_BUDGET_USD in Settings, then press Resume.",
        offerSettings: true,
      };
    case "dailyQuota":
      return {
        title: "Google's daily quota is spent",
        advice: "Google resets it within a day. Press Resume tomorrow; no row was marked failed.",
        offerSettings: false,
      };
    case "rateLimited":
      return {
        title: `${SERVICE_NAMES[reason.service]} keeps refusing requests`,
        advice: "The provider rate-limited every request for 15 minutes. Press Resume later, or lower the concurrency in Settings.",
        offerSettings: true,
      };
    case "settings":
      return { title: "Settings incomplete", advice: "Add the missing keys in Settings, then press Resume.", offerSettings: true };
  }
}
