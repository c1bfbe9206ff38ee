// Pieces shared by the fake providers: the handler shape, a seeded PRNG, a stable string hash, a
// sliding-window rate limiter and fault injection. Node-only; never bundled into the add-on.
import type { HttpRequest } from "../../core/types";

/** A request as the local runtime hands it to an in-process handler: sentAt is virtual epoch ms. */
export type ProviderRequest = HttpRequest & { sentAt: number };

export interface ProviderReply {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** How long the provider takes to answer, in virtual milliseconds. */
  latencyMs: number;
}

export type ProviderHandler = (request: ProviderRequest) => ProviderReply;

/** FNV-1a, 32 bits: stable across runs and platforms, so "random" company traits are repeatable. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1); same seed, same sequence. */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Case-insensitive header lookup: the add-on may send `authorization` or `Authorization`. */
export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

export function bearerToken(headers: Record<string, string>): string | undefined {
  const value = headerValue(headers, "authorization");
  const match = value === undefined ? null : /^Bearer\s+(.+)$/i.exec(value.trim());
  return match?.[1];
}

/** The key used for per-company counters and traits: case and spacing do not make a new company. */
export function companyId(company: string): string {
  return company.trim().replace(/\s+/g, " ").toLowerCase();
}

export const WINDOW_MS = 60_000;

/**
 * Requests per minute over a sliding 60 s window of send times. Only admitted requests count, as
 * with the real services: a client that keeps being refused is not locked out for longer.
 */
export class SlidingWindowLimiter {
  private readonly times: number[] = [];

  constructor(private readonly perMinute: number) {}

  /** Admits the request, or returns the whole seconds to wait until the window has room. */
  admit(sentAt: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    while (this.times.length > 0 && (this.times[0] ?? 0) <= sentAt - WINDOW_MS) this.times.shift();
    if (this.times.length < this.perMinute) {
      // Requests can arrive out of order (parallel fetches of one fetchAll share a send time, later
      // executions may replay earlier virtual times); keep the list sorted so shift() stays right.
      let i = this.times.length;
      while (i > 0 && (this.times[i - 1] ?? 0) > sentAt) i--;
      this.times.splice(i, 0, sentAt);
      return { ok: true };
    }
    const oldest = this.times[0] ?? sentAt;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - sentAt) / 1000)) };
  }

  reset(): void {
    this.times.length = 0;
  }
}

export type FaultKind = 429 | 500 | 502 | 503 | 504;
export const DEFAULT_FAULT_KINDS: readonly FaultKind[] = [429, 500, 502, 503];

export interface FaultContext {
  request: ProviderRequest;
  /** The company the request is about, or null when the request names none (e.g. GET /models). */
  company: string | null;
  /** 1-based index of this request among all requests the provider received. */
  requestIndex: number;
}

/**
 * What a provider answers instead of doing the work:
 * - a transient status (429 with `retryAfterSeconds`, or a 5xx);
 * - outOfCredit: the account has no credit left (the LLM's 429 `insufficient_quota`, Tavily's 432);
 * - tooLarge: an LLM 429 for a single request larger than the tokens-per-minute limit.
 */
export type Fault = { kind: "status"; status: FaultKind; retryAfterSeconds?: number } | { kind: "outOfCredit" } | { kind: "tooLarge" };

/**
 * Fault injection: either a rate (that share of requests, picked by a seeded PRNG, answered by one of
 * `kinds`) or a function deciding per request (a bare status is a transient fault with a 1 s
 * Retry-After). Deterministic for a given request order.
 */
export type FaultOption =
  | { rate: number; seed?: number; kinds?: readonly FaultKind[]; retryAfterSeconds?: number }
  | ((ctx: FaultContext) => FaultKind | Fault | null);

export type FaultDecision =
  { kind: "status"; status: FaultKind; retryAfterSeconds: number } | { kind: "outOfCredit" } | { kind: "tooLarge" };

export function createFaultInjector(option: FaultOption | undefined): (ctx: FaultContext) => FaultDecision | null {
  if (option === undefined) return () => null;
  if (typeof option === "function") {
    return (ctx) => {
      const fault = option(ctx);
      if (fault === null) return null;
      if (typeof fault === "number") return { kind: "status", status: fault, retryAfterSeconds: 1 };
      return fault.kind === "status" ? { kind: "status", status: fault.status, retryAfterSeconds: fault.retryAfterSeconds ?? 1 } : fault;
    };
  }
  const random = createPrng(option.seed ?? 1);
  const kinds = option.kinds && option.kinds.length > 0 ? option.kinds : DEFAULT_FAULT_KINDS;
  return () => {
    // Draw every time, hit or miss, so one decision does not shift the ones after it.
    const hit = random() < option.rate;
    const pick = random();
    const wait = random();
    if (!hit) return null;
    const status = kinds[Math.min(kinds.length - 1, Math.floor(pick * kinds.length))] ?? 500;
    return { kind: "status", status, retryAfterSeconds: option.retryAfterSeconds ?? 1 + Math.floor(wait * 5) };
  };
}

/** One billed answer: what it cost (credits or tokens) and when it was sent and came back. */
export interface Charge {
  sentAt: number;
  answeredAt: number;
  amount: number;
}

export const JSON_HEADERS: Record<string, string> = { "Content-Type": "application/json" };

export function jsonReply(status: number, body: unknown, latencyMs: number, headers: Record<string, string> = {}): ProviderReply {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body), latencyMs };
}

/** Latency of replies that carry no work (auth failures, rate limits, faults): a short round trip. */
const DEFAULT_ERROR_LATENCY_MS = 150;

/**
 * What both fakes keep alike: the answers per HTTP status, the rate limiter, the fault sequence, and
 * the fake's own counts (`fresh` gives them at zero). `expose` turns the fake into the object tests
 * read, with a read-only getter per count and a reset() that starts everything afresh.
 */
export function createGate<C extends object>(options: { rpm?: number; faults?: FaultOption; errorLatencyMs?: number }, fresh: () => C) {
  const errorLatency = options.errorLatencyMs ?? DEFAULT_ERROR_LATENCY_MS;
  const newLimiter = () => (options.rpm === undefined ? null : new SlidingWindowLimiter(options.rpm));
  const zero = () => ({ ...fresh(), byStatus: {} as Record<number, number> });
  // Changed in place, so the fake may hold on to it across resets.
  const counts = zero();
  let limiter = newLimiter();
  let fault = createFaultInjector(options.faults);
  const answer = (reply: ProviderReply): ProviderReply => {
    counts.byStatus[reply.status] = (counts.byStatus[reply.status] ?? 0) + 1;
    return reply;
  };
  const reset = () => {
    Object.assign(counts, zero());
    limiter = newLimiter();
    fault = createFaultInjector(options.faults);
  };
  return {
    errorLatencyMs: errorLatency,
    answer,
    counts: counts as C,
    /** A gateway in front of the provider failing: an HTML page, not the provider's JSON. */
    badGateway: (): ProviderReply =>
      answer({
        status: 502,
        headers: { "Content-Type": "text/html" },
        body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
        latencyMs: errorLatency,
      }),
    fault: (ctx: FaultContext) => fault(ctx),
    get limiter() {
      return limiter;
    },
    /** `resetOwn`: what else of the fake's state reset() starts afresh. */
    expose<F extends object>(
      fake: F,
      resetOwn: () => void = () => {},
    ): F & Readonly<C & { byStatus: Readonly<Record<number, number>> }> & { reset(): void } {
      const exposed = Object.assign(fake, {
        reset() {
          resetOwn();
          reset();
        },
      });
      for (const key of Object.keys(counts)) {
        Object.defineProperty(exposed, key, { enumerable: true, get: () => counts[key as keyof typeof counts] });
      }
      return exposed as F & Readonly<C & { byStatus: Readonly<Record<number, number>> }> & { reset(): void };
    },
  };
}

/** A deterministic id that looks like the providers' request ids. */
export function fakeId(prefix: string, n: number, salt: string): string {
  const h = hashString(`${salt}:${n}`).toString(16).padStart(8, "0");
  return `${prefix}${h}${n.toString(16).padStart(6, "0")}`;
}

/** Legal suffixes folded when checking that a text mentions a company ("Acme Inc" matches "Acme"). */
const LEGAL_SUFFIX = /[\s,]+(inc\.?|incorporated|ltd\.?|limited|llc|l\.l\.c\.|gmbh|corp\.?|corporation|co\.?|plc|s\.a\.|sa|ag|bv|b\.v\.)$/i;

/** Whether text mentions the company by name, ignoring case and a legal suffix. */
export function mentions(text: string, company: string): boolean {
  const haystack = text.toLowerCase();
  const full = company.trim().toLowerCase();
  if (full === "") return false;
  if (haystack.includes(full)) return true;
  const short = full.replace(LEGAL_SUFFIX, "").trim();
  return short.length > 1 && haystack.includes(short);
}
