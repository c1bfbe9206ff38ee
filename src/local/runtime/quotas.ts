// Google's daily quotas, per user, as the local runtime enforces them.
// https://developers.google.com/apps-script/guides/services/quotas : "Quotas are per user and reset
// 24 hours after the first request", with different levels for consumer and Workspace accounts.
import { LIMITS } from "../../core/limits";
import type { VirtualClock } from "./clock";

export type AccountKind = "consumer" | "workspace";

export interface DailyQuotas {
  /** URL Fetch calls: every request counts, including each request of a fetchAll. */
  urlFetches: number;
  /** Property reads and writes (every call of a Properties object). */
  propertyCalls: number;
  /** Total runtime of trigger executions. */
  triggerRuntimeMs: number;
}

export type QuotaName = keyof DailyQuotas;

export const DAILY_QUOTAS: Record<AccountKind, DailyQuotas> = {
  consumer: {
    urlFetches: LIMITS.urlFetchesPerDayConsumer,
    propertyCalls: 50_000,
    triggerRuntimeMs: LIMITS.triggerRuntimePerDayConsumerMs,
  },
  workspace: {
    urlFetches: LIMITS.urlFetchesPerDayWorkspace,
    propertyCalls: 500_000,
    triggerRuntimeMs: 6 * 60 * 60_000,
  },
};

/**
 * What a script gets when a quota is spent. The URL Fetch text is the one users report verbatim
 * (for example https://github.com/evepraisal/evepraisal-google-sheets/issues/2); the property one
 * follows the same form, with the service name Google gives properties in its short-time variant
 * ("Service invoked too many times in a short time: properties.",
 * https://github.com/andrewroberts/TrelloSync/issues/17); the trigger-runtime text is listed on the
 * quotas page and reported in https://github.com/webdigi/GmailScheduler/issues/31.
 */
export const QUOTA_MESSAGES: Record<QuotaName, string> = {
  urlFetches: "Service invoked too many times for one day: urlfetch.",
  propertyCalls: "Service invoked too many times for one day: properties.",
  triggerRuntimeMs: "Service using too much computer time for one day.",
};

const DAY_MS = 24 * 60 * 60_000;

export interface QuotaUsage {
  used: number;
  limit: number;
  /** Virtual epoch ms when this quota's 24-hour window ends; null before its first use. */
  resetsAt: number | null;
}

/** Each user's use of each quota, in windows of 24 hours that start at the first use. */
export class QuotaLedger {
  readonly limits: DailyQuotas;
  readonly #clock: VirtualClock;
  readonly #windows = new Map<string, { start: number; used: number }>();

  constructor(clock: VirtualClock, limits: DailyQuotas) {
    this.#clock = clock;
    this.limits = limits;
  }

  #window(user: string, quota: QuotaName): { start: number; used: number } | null {
    const window = this.#windows.get(`${quota}\n${user}`);
    if (!window || this.#clock.now() >= window.start + DAY_MS) return null;
    return window;
  }

  usage(user: string, quota: QuotaName): QuotaUsage {
    const window = this.#window(user, quota);
    return { used: window?.used ?? 0, limit: this.limits[quota], resetsAt: window ? window.start + DAY_MS : null };
  }

  remaining(user: string, quota: QuotaName): number {
    return Math.max(0, this.limits[quota] - (this.#window(user, quota)?.used ?? 0));
  }

  /** Takes `amount` from the quota, or returns false (and takes nothing) when it would not fit. */
  take(user: string, quota: QuotaName, amount = 1): boolean {
    if (amount > this.remaining(user, quota)) return false;
    const window = this.#window(user, quota) ?? { start: this.#clock.now(), used: 0 };
    window.used += amount;
    this.#windows.set(`${quota}\n${user}`, window);
    return true;
  }

  /** Records use that already happened (trigger runtime since `startedAt`), even past the limit. */
  spend(user: string, quota: QuotaName, amount: number, startedAt: number): void {
    if (amount <= 0) return;
    const window = this.#window(user, quota) ?? { start: startedAt, used: 0 };
    window.used += amount;
    this.#windows.set(`${quota}\n${user}`, window);
  }
}
