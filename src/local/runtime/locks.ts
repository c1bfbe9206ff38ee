import type { Execution } from "./execution";

export type LockScope = "document" | "script" | "user";

/** An owner that is not an execution of this runtime: a test's stand-in for a concurrent execution. */
const EXTERNAL = "external";
const WAIT_MESSAGE = "Lock timeout: another process was holding the lock for too long.";

/** The lock a scope names: the document lock is per document, the user lock per user, one script lock. */
export interface LockKeys {
  document: string;
  user: string;
}

export function lockKey(scope: LockScope, keys: LockKeys): string {
  return scope === "script" ? "script" : `${scope}:${scope === "document" ? keys.document : keys.user}`;
}

/**
 * Who holds each lock. Executions run one after another here, so another holder can only be a lock a
 * test took with `hold()`, or one a previous execution kept; an execution's locks go when it ends.
 */
export class LockTable {
  readonly #holders = new Map<string, string>();

  hold(key: string): void {
    this.#holders.set(key, EXTERNAL);
  }

  releaseHeld(key: string): void {
    if (this.#holders.get(key) === EXTERNAL) this.#holders.delete(key);
  }

  holder(key: string): string | null {
    return this.#holders.get(key) ?? null;
  }

  releaseAllOf(owner: string): void {
    for (const [key, holder] of this.#holders) if (holder === owner) this.#holders.delete(key);
  }

  /** The `Lock` object a script gets from LockService. */
  scriptLock(exec: Execution, key: string): Record<string, unknown> {
    const acquire = (timeoutMs: unknown): boolean => {
      exec.service();
      const holder = this.#holders.get(key);
      if (holder === exec.id) return true;
      // A negative timeout fails even on a free lock (gas-fakes test/testlock.js, "Lock timeout
      // failures", recorded on Google: tryLock(-100) is false, waitLock(-100) throws "Lock timeout").
      if (typeof timeoutMs === "number" && timeoutMs < 0) return false;
      if (holder === undefined) {
        this.#holders.set(key, exec.id);
        return true;
      }
      // Nothing can release the lock while this execution waits, so it waits the full timeout.
      exec.advance(typeof timeoutMs === "number" && timeoutMs > 0 ? timeoutMs : 0);
      return false;
    };
    return {
      tryLock: (timeoutMs: unknown) => acquire(timeoutMs),
      waitLock: (timeoutMs: unknown) => {
        if (!acquire(timeoutMs)) exec.fail(WAIT_MESSAGE);
      },
      releaseLock: () => {
        exec.service();
        if (this.#holders.get(key) === exec.id) this.#holders.delete(key);
      },
      hasLock: () => {
        exec.service();
        return this.#holders.get(key) === exec.id;
      },
    };
  }
}

/**
 * Locks work in custom functions too ("Works, but not particularly useful in custom functions",
 * https://developers.google.com/apps-script/guides/sheets/functions#using_apps_script_services).
 * `noDocumentLock`: getDocumentLock() returns null, as it does without a containing document.
 */
export function lockService(exec: Execution, locks: LockTable, keys: LockKeys, noDocumentLock: boolean): Record<string, unknown> {
  const get = (scope: LockScope) => () => locks.scriptLock(exec, lockKey(scope, keys));
  return {
    getDocumentLock: noDocumentLock ? () => null : get("document"),
    getScriptLock: get("script"),
    getUserLock: get("user"),
  };
}
