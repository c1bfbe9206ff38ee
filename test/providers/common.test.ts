import { describe, expect, it } from "vitest";
import { SlidingWindowLimiter, createFaultInjector, createPrng, hashString, mentions } from "../../src/local/providers";

describe("provider helpers", () => {
  it("seeded PRNG repeats its sequence", () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const seqA = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(hashString("Acme")).toBe(hashString("Acme"));
    expect(hashString("Acme")).not.toBe(hashString("Acmf"));
  });

  it("limits requests per sliding minute and says when to retry", () => {
    const limiter = new SlidingWindowLimiter(2);
    expect(limiter.admit(0).ok).toBe(true);
    expect(limiter.admit(10_000).ok).toBe(true);
    expect(limiter.admit(20_000)).toEqual({ ok: false, retryAfterSeconds: 40 });
    expect(limiter.admit(60_000).ok).toBe(true);
    expect(limiter.admit(60_500)).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  it("injects faults at the given rate, deterministically", () => {
    const run = () => {
      const inject = createFaultInjector({ rate: 0.1, seed: 7 });
      const req = { url: "u", method: "post" as const, headers: {}, sentAt: 0 };
      return Array.from({ length: 2000 }, (_, i) => inject({ request: req, company: null, requestIndex: i + 1 }));
    };
    const first = run();
    expect(run()).toEqual(first);
    const hits = first.filter((d) => d !== null);
    expect(hits.length).toBeGreaterThan(150);
    expect(hits.length).toBeLessThan(250);
    expect(new Set(hits.map((d) => (d?.kind === "status" ? d.status : d?.kind)))).toEqual(new Set([429, 500, 502, 503]));
  });

  it("matches mentions ignoring case and legal suffixes", () => {
    expect(mentions("We met ACME yesterday", "Acme Inc.")).toBe(true);
    expect(mentions("Nothing here", "Acme")).toBe(false);
  });
});
