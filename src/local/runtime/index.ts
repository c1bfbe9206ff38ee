// The local Apps Script runtime of SPEC §13: runs the built dist/Code.js (or any script) in a fresh
// node:vm context per execution, against in-memory services and a virtual clock, with the platform
// limits of SPEC §12. Node-only: nothing here is bundled into the add-on.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { LIMITS } from "../../core/limits";
import { FakeCache } from "./cache";
import { VirtualClock } from "./clock";
import { Execution, KILL_MESSAGE, type ExecutionKind, type Realm } from "./execution";
import { createGlobals, type Services } from "./globals";
import type { UiRecord } from "./html";
import { LockTable, type LockScope } from "./locks";
import { FakeProperties } from "./properties";
import { FakeSpreadsheet } from "./spreadsheet";
import { RuntimeStats, statsDelta, type StatsSnapshot } from "./stats";
import { TriggerTable, type InstallationSource } from "./triggers";
import type { FetchMode } from "./urlfetch";

export type { ExecutionKind } from "./execution";
export type { FetchHandler, FetchHandlerResult, FetchMode } from "./urlfetch";
export type { UiRecord, MenuEntry } from "./html";
export type { LockScope } from "./locks";
export type { StatsSnapshot } from "./stats";
export type { InstallationSource } from "./triggers";
export { FakeSheet, FakeSpreadsheet, type ToastRecord } from "./spreadsheet";
export { FakeProperties } from "./properties";
export { FakeCache } from "./cache";
export { RuntimeStats, statsDelta } from "./stats";
export { KILL_MESSAGE } from "./execution";

export interface ExecutionResult {
  value: unknown;
  /** The message of the uncaught error (prefixed by its name when not a plain Error/Exception); null on success. */
  error: string | null;
  killed: boolean;
  startedAt: number;
  endedAt: number;
  elapsedMs: number;
  logs: string[];
  /** What this execution asked of the services. */
  stats: StatsSnapshot;
}

export interface LocalRuntimeOptions {
  /** Contents of dist/Code.js. */
  code: string;
  /** "Sidebar" -> html (file name without .html). */
  htmlFiles?: Record<string, string>;
  /** Default: a handler answering 404 to everything. */
  fetch?: FetchMode;
  /** Virtual epoch ms; default Date.UTC(2026, 0, 5, 9). */
  startTime?: number;
  /** Virtual ms each SpreadsheetApp/Properties/Cache/Lock call costs; default 5. */
  serviceCallMs?: number;
  /** ScriptApp.getInstallationSource(); default "NONE" (a bound script, as deployed with clasp). */
  installationSource?: InstallationSource;
  /** Session.getActiveUser() when run() names no user. */
  defaultUser?: string;
  /**
   * Real ms of CPU an execution may spend between service calls before it is stopped as killed;
   * virtual time only moves on service calls, so this catches scripts that spin. Default 60 000.
   */
  cpuGuardMs?: number;
}

export interface RunOptions {
  kind?: ExecutionKind;
  /** Virtual epoch ms at which to kill the execution, as Google may at any instant. */
  killAt?: number;
  user?: string;
}

const NOT_FOUND: FetchMode = {
  kind: "handler",
  handler: () => ({ status: 404, headers: { "Content-Type": "text/plain" }, body: "Not Found", latencyMs: 50 }),
};

// Evaluated inside each fresh context: a Date that reads the virtual clock, and a cloner that
// copies host data into the context's realm so `instanceof Array/Date/Object` hold in the script.
const REALM_SETUP = `(function (now) {
  "use strict";
  const RealDate = Date;
  const VirtualDate = new Proxy(RealDate, {
    construct(target, args, newTarget) { return Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget); },
    apply() { return new RealDate(now()).toString(); },
    get(target, key, receiver) { return key === "now" ? function now_() { return now(); } : Reflect.get(target, key, receiver); },
  });
  Object.defineProperty(globalThis, "Date", { value: VirtualDate, writable: true, configurable: true, enumerable: false });
  const isPlain = (v) => { const p = Object.getPrototypeOf(v); return p === null || Object.getPrototypeOf(p) === null; };
  const clone = (v) => {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) { const out = []; for (let i = 0; i < v.length; i++) out.push(clone(v[i])); return out; }
    if (Object.prototype.toString.call(v) === "[object Date]") return new RealDate(v.getTime());
    if (!isPlain(v)) return v;
    const out = {};
    for (const k of Object.keys(v)) out[k] = clone(v[k]);
    return out;
  };
  return { Error, clone };
})`;

const CALL = "__localRuntimeCall";
/** Custom functions and simple triggers (onOpen, onEdit) both get 30 seconds on Google. */
const SHORT_LIMIT_MS = LIMITS.customFunctionMs;

function containsDate(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value !== "object" || seen.has(value)) return false;
  if (Object.prototype.toString.call(value) === "[object Date]") return true;
  seen.add(value);
  return Object.values(value).some((v) => containsDate(v, seen));
}

function describeError(error: unknown): string {
  if (typeof error === "object" && error !== null && "message" in error) {
    const name = "name" in error ? String(error.name) : "Error";
    const message = String(error.message);
    return name === "Error" || name === "Exception" ? message : `${name}: ${message}`;
  }
  return String(error);
}

function isCpuTimeout(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "ERR_SCRIPT_EXECUTION_TIMEOUT";
}

export class LocalRuntime {
  readonly clock: VirtualClock;
  readonly spreadsheet = new FakeSpreadsheet();
  readonly userProperties = new FakeProperties();
  readonly scriptProperties = new FakeProperties();
  readonly documentProperties = new FakeProperties();
  readonly userCache: FakeCache;
  readonly scriptCache: FakeCache;
  readonly documentCache: FakeCache;
  readonly stats = new RuntimeStats();
  readonly ui: UiRecord;
  readonly #script: vm.Script;
  readonly #htmlFiles: Record<string, string>;
  readonly #serviceCallMs: number;
  readonly #defaultUser: string;
  readonly #cpuGuardMs: number;
  readonly #installationSource: InstallationSource;
  readonly #locks = new LockTable();
  readonly #triggers = new TriggerTable();
  #fetchMode: FetchMode;
  #executionCount = 0;

  constructor(options: LocalRuntimeOptions) {
    this.#script = new vm.Script(options.code, { filename: "Code.js" });
    this.#htmlFiles = { ...(options.htmlFiles ?? {}) };
    this.#fetchMode = options.fetch ?? NOT_FOUND;
    this.#serviceCallMs = options.serviceCallMs ?? 5;
    this.#defaultUser = options.defaultUser ?? "user@example.com";
    this.#cpuGuardMs = options.cpuGuardMs ?? 60_000;
    this.#installationSource = options.installationSource ?? "NONE";
    this.clock = new VirtualClock(options.startTime ?? Date.UTC(2026, 0, 5, 9));
    this.userCache = new FakeCache(this.clock);
    this.scriptCache = new FakeCache(this.clock);
    this.documentCache = new FakeCache(this.clock);
    this.ui = { menus: [], sidebars: [], dialogs: [], alerts: [], toasts: this.spreadsheet.toasts };
  }

  setFetchMode(mode: FetchMode): void {
    this.#fetchMode = mode;
  }

  triggers(): { id: string; handler: string; dueAt: number; fired: boolean }[] {
    return this.#triggers.records.map(({ id, handler, dueAt, fired }) => ({ id, handler, dueAt, fired }));
  }

  /** Takes a lock as another execution would, so the script's tryLock/waitLock find it held. */
  holdLock(scope: LockScope): void {
    this.#locks.hold(scope);
  }

  releaseHeldLock(scope: LockScope): void {
    this.#locks.releaseHeld(scope);
  }

  /** Who holds a lock: null, "external" (holdLock) or an execution id. */
  lockHolder(scope: LockScope): string | null {
    return this.#locks.holder(scope);
  }

  runNextTrigger(): ExecutionResult | null {
    const next = this.#triggers.nextDue();
    if (!next) return null;
    this.clock.advanceTo(next.dueAt);
    this.#triggers.markFired(next);
    const event = { authMode: "FULL", triggerUid: next.id, timezone: "UTC" };
    return this.run(next.handler, [event], { kind: "trigger", user: next.user });
  }

  run(fn: string, args: unknown[] = [], opts: RunOptions = {}): ExecutionResult {
    const kind = opts.kind ?? "menu";
    const startedAt = this.clock.now();
    const limit = kind === "customFunction" || kind === "simpleTrigger" ? SHORT_LIMIT_MS : LIMITS.executionMs;
    const exec = new Execution({
      id: `execution-${++this.#executionCount}`,
      kind,
      user: opts.user ?? this.#defaultUser,
      clock: this.clock,
      stats: this.stats,
      deadline: Math.min(startedAt + limit, opts.killAt ?? Infinity),
      serviceCallMs: this.#serviceCallMs,
    });
    const before = this.stats.snapshot();
    this.stats.executions += 1;
    let value: unknown;
    let error: string | null = null;
    try {
      value = this.#execute(exec, fn, args);
    } catch (thrown) {
      if (isCpuTimeout(thrown)) {
        exec.killed = true;
        this.clock.advanceTo(exec.deadline);
      }
      error = describeError(thrown);
    } finally {
      this.#locks.releaseAllOf(exec.id);
    }
    if (exec.killed) {
      value = undefined;
      error = KILL_MESSAGE;
    } else if (error === null) {
      ({ value, error } = this.#returned(kind, value));
    }
    const endedAt = this.clock.now();
    if (kind === "trigger") this.stats.triggerRuntimeMs += endedAt - startedAt;
    const stats = statsDelta(this.stats.snapshot(), before);
    this.stats.perExecution.push(stats);
    return { value, error, killed: exec.killed, startedAt, endedAt, elapsedMs: endedAt - startedAt, logs: [...exec.logs], stats };
  }

  #execute(exec: Execution, fn: string, args: unknown[]): unknown {
    const services: Services = {
      spreadsheet: this.spreadsheet,
      properties: { user: this.userProperties, script: this.scriptProperties, document: this.documentProperties },
      caches: { user: this.userCache, script: this.scriptCache, document: this.documentCache },
      locks: this.#locks,
      triggers: this.#triggers,
      installationSource: this.#installationSource,
      ui: this.ui,
      htmlFiles: this.#htmlFiles,
      fetchMode: () => this.#fetchMode,
    };
    const sandbox = createGlobals(exec, services);
    const context = vm.createContext(sandbox, { name: exec.id });
    const setup = vm.runInContext(REALM_SETUP, context) as (now: () => number) => Realm;
    exec.attachRealm(setup(() => this.clock.now()));
    if (exec.kind === "sidebar" && containsDate(args)) {
      exec.fail("Illegal argument: google.script.run does not accept Date objects.");
    }
    const timeout = { timeout: this.#cpuGuardMs };
    this.#script.runInContext(context, timeout);
    if (typeof sandbox[fn] !== "function") exec.fail(`Script function not found: ${fn}`);
    Object.defineProperty(sandbox, CALL, { value: { fn, args: exec.toScript(args) }, configurable: true });
    return vm.runInContext(
      `(function (c) { delete globalThis.${CALL}; return globalThis[c.fn].apply(globalThis, c.args); })(globalThis.${CALL})`,
      context,
      timeout,
    );
  }

  /** The value as the caller receives it: JSON data, and google.script.run refuses dates. */
  #returned(kind: ExecutionKind, value: unknown): { value: unknown; error: string | null } {
    if (value === undefined) return { value, error: null };
    if (kind === "sidebar" && containsDate(value)) {
      return { value: undefined, error: "Illegal return value: google.script.run does not accept Date objects." };
    }
    try {
      const json = JSON.stringify(value);
      return { value: json === undefined ? undefined : (JSON.parse(json) as unknown), error: null };
    } catch (thrown) {
      return { value: undefined, error: describeError(thrown) };
    }
  }
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("no package.json above the runtime");
    dir = parent;
  }
  return dir;
}

/** Reads dist/Code.js and dist/*.html of a built repo (default: the repo root found from this file). */
export function loadBuiltAddon(distDir: string = join(repoRoot(), "dist")): {
  code: string;
  htmlFiles: Record<string, string>;
} {
  const code = readFileSync(join(distDir, "Code.js"), "utf8");
  const htmlFiles: Record<string, string> = {};
  for (const name of readdirSync(distDir)) {
    if (name.endsWith(".html")) htmlFiles[name.slice(0, -".html".length)] = readFileSync(join(distDir, name), "utf8");
  }
  return { code, htmlFiles };
}
