import type { VirtualClock } from "./clock";
import type { RuntimeStats } from "./stats";

export type ExecutionKind = "menu" | "trigger" | "sidebar" | "customFunction" | "simpleTrigger";

/**
 * Thrown by the in-memory models where a script would get an Apps Script exception; `Execution.guard`
 * rethrows it in the script's realm. Tests that call the models directly see it as a plain Error.
 */
export class ServiceError extends Error {}

export const KILL_MESSAGE = "Exceeded maximum execution time";

function typeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "number[]";
  if (typeof value === "string") return "String";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "Boolean";
  return "Object";
}

/** Google's refusal of arguments that fit no overload of a method. */
export function signatureError(exec: Execution, method: string, args: unknown[]): never {
  return exec.fail(`The parameters (${args.map(typeName).join(",")}) don't match the method signature for ${method}.`);
}

/** Constructors and helpers that live inside the script's vm context, so `instanceof` works there. */
export interface Realm {
  Error: ErrorConstructor;
  /** Deep-copies arrays, plain objects and dates into the script's realm; other objects pass through. */
  clone(value: unknown): unknown;
}

export interface ExecutionInit {
  id: string;
  kind: ExecutionKind;
  user: string;
  clock: VirtualClock;
  stats: RuntimeStats;
  deadline: number;
  /** What the script gets when it reaches the deadline; default the 6-minute kill. */
  deadlineMessage?: string;
  serviceCallMs: number;
  /** Virtual ms per cell of a call that carries one value per cell in or out (see CellCosts). */
  cellMs: CellCosts;
  /** A test's stop: the execution is killed at its service call of this number (1 = the first). */
  stopAtCall?: number;
  /** Told as each service call is over (at the next call, or at the end), with the call's number. */
  afterCall?: (call: number) => void;
}

/**
 * What a cell costs a call that moves a value per cell (getValues, setValues and their kin), on top
 * of the flat cost of every call: a range call costs in proportion to its cells.
 */
export interface CellCosts {
  read: number;
  write: number;
}

/**
 * One run of a script function: owns its deadline, its logs and its permission level. Every service
 * the script calls goes through `service()`/`advance()`, which is where Google's kill is modelled:
 * the execution stops at the first call that would cross the deadline, and every later call throws
 * again, so a script that catches the error still cannot go on.
 */
export class Execution {
  readonly id: string;
  readonly kind: ExecutionKind;
  readonly user: string;
  readonly clock: VirtualClock;
  readonly stats: RuntimeStats;
  readonly deadline: number;
  readonly deadlineMessage: string;
  readonly logs: string[] = [];
  killed = false;
  /** Service calls made so far (a fetch or fetchAll counts as one). */
  calls = 0;
  /** The calls that were fetches, and when their requests went out: a stop there or just after loses their answers. */
  readonly fetches: { call: number; at: number }[] = [];
  readonly #stopAtCall: number | null;
  readonly #afterCall: ((call: number) => void) | null;
  readonly #serviceCallMs: number;
  readonly #cellMs: CellCosts;
  /** Cell costs below a whole millisecond, carried to the next call so the clock stays in whole ms. */
  #pendingMs = 0;
  #realm: Realm | null = null;

  constructor(init: ExecutionInit) {
    this.id = init.id;
    this.kind = init.kind;
    this.user = init.user;
    this.clock = init.clock;
    this.stats = init.stats;
    this.deadline = init.deadline;
    this.deadlineMessage = init.deadlineMessage ?? KILL_MESSAGE;
    this.#serviceCallMs = init.serviceCallMs;
    this.#cellMs = init.cellMs;
    this.#stopAtCall = init.stopAtCall ?? null;
    this.#afterCall = init.afterCall ?? null;
  }

  attachRealm(realm: Realm): void {
    this.#realm = realm;
  }

  get realm(): Realm {
    if (!this.#realm) throw new Error("execution has no script context yet");
    return this.#realm;
  }

  /** An error as Apps Script throws it: an `Error` of the script's realm named "Exception". */
  exception(message: string): Error {
    const error = new this.realm.Error(message);
    error.name = "Exception";
    return error;
  }

  fail(message: string): never {
    throw this.exception(message);
  }

  /** Marks the execution killed at the deadline (or now, if later) and throws the kill. */
  kill(): never {
    this.clock.advanceTo(this.deadline);
    this.killed = true;
    throw this.exception(this.deadlineMessage);
  }

  ensureAlive(): void {
    if (this.killed) throw this.exception(this.deadlineMessage);
  }

  /**
   * Counts a service call; true when it is the call a test stops the execution at. Google's kill
   * can land at any instant; stopping at each call in turn reaches every point between two calls.
   */
  countCall(kind: "fetch" | "other"): boolean {
    this.ensureAlive();
    if (this.calls > 0) this.#afterCall?.(this.calls);
    this.calls += 1;
    if (kind === "fetch") this.fetches.push({ call: this.calls, at: this.clock.now() });
    return this.calls === this.#stopAtCall;
  }

  /** The last call is over: the execution ended (not when it was killed, as that call never finished). */
  ended(): void {
    if (!this.killed && this.calls > 0) this.#afterCall?.(this.calls);
  }

  /** The kill at a test's stop: now, with Google's message, and every later call throws again. */
  stop(): never {
    this.killed = true;
    throw this.exception(this.deadlineMessage);
  }

  /** Spends `ms` of virtual time, or dies at the deadline if that would cross it. */
  advance(ms: number): void {
    this.ensureAlive();
    if (this.clock.now() + ms > this.deadline) this.kill();
    this.clock.advance(ms);
  }

  /**
   * One call to a Google service: costs the configured virtual time, plus `cells` times the cost of
   * a cell read or written, and counts range reads/writes, and calls by method name when the caller
   * gives one.
   */
  service(kind: "read" | "write" | "other" = "other", method?: string, cells = 0): void {
    if (this.countCall("other")) this.stop();
    this.#pendingMs += cells * (kind === "write" ? this.#cellMs.write : kind === "read" ? this.#cellMs.read : 0);
    const whole = Math.floor(this.#pendingMs);
    this.#pendingMs -= whole;
    this.advance(this.#serviceCallMs + whole);
    if (kind === "read") {
      this.stats.rangeReads += 1;
      this.stats.cellsRead += cells;
    }
    if (kind === "write") {
      this.stats.rangeWrites += 1;
      this.stats.cellsWritten += cells;
    }
    if (method !== undefined) this.stats.countMethod(method);
  }

  /**
   * Custom functions run read-only; Google refuses every call that would change something
   * (https://developers.google.com/apps-script/guides/sheets/functions#using_apps_script_services).
   */
  forbidInCustomFunction(method: string): void {
    if (this.kind === "customFunction") this.fail(`You do not have permission to call ${method}`);
  }

  /** Runs a model operation, turning its ServiceError into the script's exception. */
  guard<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      if (error instanceof ServiceError) this.fail(error.message);
      throw error;
    }
  }

  /**
   * Simple triggers (onOpen, onEdit) run without authorization, so Google refuses services that
   * need a scope, with this message (https://developers.google.com/apps-script/guides/triggers#restrictions).
   */
  requireAuthorization(method: string, scope: string): void {
    if (this.kind === "simpleTrigger") this.refuseScope(method, scope);
  }

  /** Google's refusal of a call whose scope the user has not granted (or has declined). */
  refuseScope(method: string, scope: string): never {
    return this.fail(`You do not have permission to call ${method}. Required permissions: https://www.googleapis.com/auth/${scope}`);
  }

  toScript<T>(value: T): T {
    return this.realm.clone(value) as T;
  }
}
