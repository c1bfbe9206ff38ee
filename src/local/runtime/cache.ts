import { LIMITS } from "../../core/limits";
import type { VirtualClock } from "./clock";
import { ServiceError, type Execution } from "./execution";

const DEFAULT_TTL_SECONDS = 600;

/**
 * One cache (user, script or document): Google's size limits, expiry on the virtual clock
 * (https://developers.google.com/apps-script/reference/cache/cache).
 */
export class FakeCache {
  readonly #clock: VirtualClock;
  readonly #entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(clock: VirtualClock) {
    this.#clock = clock;
  }

  get(key: string): string | null {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.#clock.now()) {
      this.#entries.delete(key);
      return null;
    }
    return entry.value;
  }

  /** Every live entry (test-facing: Google offers no way to list a cache). */
  entries(): Record<string, string> {
    return this.getAll([...this.#entries.keys()]);
  }

  getAll(keys: string[]): Record<string, string> {
    const found: Record<string, string> = {};
    for (const key of keys) {
      const value = this.get(key);
      if (value !== null) found[key] = value;
    }
    return found;
  }

  /** Expirations beyond 6 hours are cut to 6 hours. Google may also evict earlier; this cache never does. */
  put(key: string, value: unknown, expirationInSeconds = DEFAULT_TTL_SECONDS): void {
    this.putAll({ [key]: value }, expirationInSeconds);
  }

  putAll(values: Record<string, unknown>, expirationInSeconds = DEFAULT_TTL_SECONDS): void {
    const entries = Object.entries(values).map(([key, raw]) => {
      const value = String(raw);
      if (key.length > LIMITS.cacheKeyChars) throw new ServiceError("Argument too large: key");
      if (Buffer.byteLength(value, "utf8") > LIMITS.cacheValueBytes) throw new ServiceError("Argument too large: value");
      return [key, value] as const;
    });
    const ttl = Math.min(Math.max(1, Math.floor(expirationInSeconds)), LIMITS.cacheMaxExpirationSeconds);
    const expiresAt = this.#clock.now() + ttl * 1000;
    for (const [key, value] of entries) this.#entries.set(key, { value, expiresAt });
  }

  remove(key: string): void {
    this.#entries.delete(key);
  }

  removeAll(keys: string[]): void {
    for (const key of keys) this.#entries.delete(key);
  }
}

/** The `Cache` object a script sees; it works in custom functions too. */
export function scriptCache(exec: Execution, cache: FakeCache): Record<string, unknown> {
  const call = <T>(action: () => T): T => {
    exec.service();
    exec.stats.cacheCalls += 1;
    return exec.guard(action);
  };
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map((k: unknown) => String(k)) : []);
  const ttl = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);
  const record = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null ? { ...value } : {});
  return {
    get: (key: unknown) => call(() => cache.get(String(key))),
    getAll: (keys: unknown) => call(() => exec.toScript(cache.getAll(strings(keys)))),
    put: (key: unknown, value: unknown, seconds?: unknown) => call(() => cache.put(String(key), value, ttl(seconds))),
    putAll: (values: unknown, seconds?: unknown) => call(() => cache.putAll(record(values), ttl(seconds))),
    remove: (key: unknown) => call(() => cache.remove(String(key))),
    removeAll: (keys: unknown) => call(() => cache.removeAll(strings(keys))),
  };
}
