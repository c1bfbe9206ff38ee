import type { Execution } from "./execution";

export type LockScope = "document" | "script" | "user";

/** An owner that is not an execution of this runtime: a test's stand-in for a concurrent execution. */
const EXTERNAL = "external";
const WAIT_MESSAGE = "Lock timeout: another process was holding the lock for too long.";

/**
 * Who holds each lock. Executions run one after another here, so another holder can only be a lock a
 * test took with `hold()`, or one a previous execution kept; an execution's locks go when it ends.
 */
export class LockTable {
  readonly #holders = new Map<LockScope, string>();

  hold(scope: LockScope): void {
    this.#holders.set(scope, EXTERNAL);
  }

  releaseHeld(scope: LockScope): void {
    if (this.#holders.get(scope) === EXTERNAL) this.#holders.delete(scope);
  }

  holder(scope: LockScope): string | null {
    return this.#holders.get(scope) ?? null;
  }

  releaseAllOf(owner: string): void {
    for (const [scope, holder] of this.#holders) if (holder === owner) this.#holders.delete(scope);
  }

  /** The `Lock` object a script gets from LockService. */
  scriptLock(exec: Execution, scope: LockScope): Record<string, unknown> {
    const acquire = (timeoutMs: unknown): boolean => {
      exec.service();
      const holder = this.#holders.get(scope);
      if (holder === undefined || holder === exec.id) {
        this.#holders.set(scope, exec.id);
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
        if (this.#holders.get(scope) === exec.id) this.#holders.delete(scope);
      },
      hasLock: () => {
        exec.service();
        return this.#holders.get(scope) === exec.id;
      },
    };
  }
}

export function lockService(exec: Execution, locks: LockTable): Record<string, unknown> {
  const get = (scope: LockScope, method: string) => () => {
    exec.forbidInCustomFunction(`LockService.${method}`);
    return locks.scriptLock(exec, scope);
  };
  return {
    getDocumentLock: get("document", "getDocumentLock"),
    getScriptLock: get("script", "getScriptLock"),
    getUserLock: get("user", "getUserLock"),
  };
}
