// The local Apps Script runtime: runs the built dist/Code.js (or any script) in a fresh node:vm
// context per execution, against in-memory services and a virtual clock, with the platform's limits.
// Node-only: nothing here is bundled into the add-on.
//
// How a test chooses what Google would decide:
// - The user: `rt.run(fn, args, { user: "bob@example.com" })` (default: `defaultUser`). Each user has
//   their own user properties and cache (`rt.user(email).properties`; `rt.userProperties` is the
//   default user's). Custom functions read the document owner's; triggers run as their creator.
// - The document: `rt.addDocument({ id, owner })`, then `run(..., { document: id })` (default: the
//   first document, `rt.spreadsheet` / `rt.documentProperties`). Each document has its own sheets,
//   document properties, cache, lock and triggers. `installationSource` other than "NONE" is a
//   published add-on: one project across documents, with Google's add-on trigger rules.
// - What a deployment allows: `platform: { triggers, documentLock, email }` (also `rt.platform`,
//   changeable between executions): a test deployment that refuses installable triggers, a user who
//   declined the trigger scope, an add-on trigger that gets no document lock, a blank email (everywhere
//   or in triggers). Default: everything allowed, emails shown. Temporary user keys rotate every 30 days.
// - What a formula shows: `rt.spreadsheet.formulaValues = (formula, cell) => value` (the runtime
//   evaluates no formula; without a value a formula cell reads "#ERROR!").
// - What time sheet work takes: `serviceCallMs` per call and `cellMs` per cell moved (CELL_MS).
// - The quotas: `account: "consumer" | "workspace"` and `quotas: { urlFetches, propertyCalls,
//   triggerRuntimeMs }` to override single limits; `rt.quotaUsage(email)` tells what is spent.
// - The whitelist: `urlFetchWhitelist` (loadBuiltAddon() gives dist/appsscript.json's; null or
//   absent allows every URL, as for a test that talks to a fake server on 127.0.0.1).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import * as z from "zod/mini";
import { LIMITS } from "../../core/limits";
import { FakeCache } from "./cache";
import { VirtualClock } from "./clock";
import { Execution, type CellCosts, type ExecutionKind, type Realm } from "./execution";
import { createGlobals, type Services } from "./globals";
import type { UiRecord } from "./html";
import { LockTable, lockKey, type LockScope } from "./locks";
import { FakeProperties } from "./properties";
import { FakeSpreadsheet, FORMULA_VALUE, type FormulaEntry } from "./spreadsheet";
import { DAILY_QUOTAS, QUOTA_MESSAGES, QuotaLedger, type AccountKind, type DailyQuotas, type QuotaName, type QuotaUsage } from "./quotas";
import { RuntimeStats, statsDelta, type StatsSnapshot } from "./stats";
import { TriggerTable, type InstallationSource } from "./triggers";
import type { FetchMode } from "./urlfetch";

export type { CellCosts, ExecutionKind } from "./execution";
export type { FetchHandler, FetchHandlerResult, FetchMode } from "./urlfetch";
export type { UiRecord, MenuEntry } from "./html";
export type { LockScope } from "./locks";
export type { StatsSnapshot } from "./stats";
export type { InstallationSource } from "./triggers";
export {
  FakeSheet,
  FakeSpreadsheet,
  FORMULA_VALUE,
  type FilterCondition,
  type FormulaCell,
  type FormulaValues,
  type ToastRecord,
} from "./spreadsheet";
export { FakeProperties } from "./properties";
export { FakeCache } from "./cache";
export { RuntimeStats, statsDelta } from "./stats";
export { KILL_MESSAGE } from "./execution";
export { DAILY_QUOTAS, QUOTA_MESSAGES, type AccountKind, type DailyQuotas, type QuotaName, type QuotaUsage } from "./quotas";

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
  /** Service calls it made, the call it was stopped at included. */
  calls: number;
  /** Which of those calls were fetches (fetch or fetchAll), and when their requests went out. */
  fetches: { call: number; at: number }[];
}

export interface LocalRuntimeOptions {
  /** Contents of dist/Code.js. */
  code: string;
  /** "Sidebar" -> html (file name without .html). */
  htmlFiles?: Record<string, string>;
  /** Default: a handler answering 404 to everything. */
  fetch?: FetchMode;
  /**
   * The manifest's urlFetchWhitelist: a URL that matches none of these prefixes is refused with
   * Google's error. loadBuiltAddon() gives the one of dist/appsscript.json; null or absent: no
   * whitelist (every URL allowed, as for a manifest without the field).
   */
  urlFetchWhitelist?: readonly string[] | null;
  /** Virtual epoch ms; default Date.UTC(2026, 0, 5, 9). */
  startTime?: number;
  /** Virtual ms each SpreadsheetApp/Properties/Cache/Lock call costs; default SERVICE_CALL_MS. */
  serviceCallMs?: number;
  /** Virtual ms per cell of a call that moves a value per cell, on top of serviceCallMs; default CELL_MS. */
  cellMs?: Partial<CellCosts>;
  /** What Google allows this deployment (see PlatformBehaviour); default: everything. */
  platform?: Partial<PlatformBehaviour>;
  /** The name Google shows for createAddonMenu() under Extensions (the project's or the listing's); default "Untitled project". */
  addOnName?: string;
  /** ScriptApp.getInstallationSource(); default "NONE" (a bound script, as deployed with clasp). */
  installationSource?: InstallationSource;
  /** Who runs an execution that names no user, and owns the first document; default user@example.com. */
  defaultUser?: string;
  /** Daily quota levels: "consumer" (default, gmail.com) or "workspace". */
  account?: AccountKind;
  /** Overrides of single daily quotas (small ones make tests fast). */
  quotas?: Partial<DailyQuotas>;
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
  /**
   * Kill the execution at its service call of this number (1 = the first), as Google's time limit
   * would landing there; a fetch's requests go out first. Tests stop at every call in turn.
   */
  stopAtCall?: number;
  /** Told as each service call of the execution is over, with its number: a test can look at the world between calls. */
  afterCall?: (call: number) => void;
  /** Who runs it (default: the runtime's default user). */
  user?: string;
  /** Which document it runs in (default: the first document). */
  document?: string;
}

/** One spreadsheet with what Google keeps per document. */
export interface LocalDocument {
  readonly id: string;
  readonly spreadsheet: FakeSpreadsheet;
  readonly properties: FakeProperties;
  readonly cache: FakeCache;
  /** What scripts showed in this document. */
  readonly ui: UiRecord;
}

/** What Google keeps per user of the script: user properties and the user cache. */
export interface LocalUser {
  readonly email: string;
  readonly properties: FakeProperties;
  readonly cache: FakeCache;
}

/**
 * What a cell costs a range call, from published measurements. One setValues of 4,000 cells
 * (400 rows x 10 columns) took 610 ms once flushed, where 400 flushed row-by-row writes took almost
 * 12 s: about 30 ms a call and 0.15 ms a cell written (Stack Overflow, "What is faster: ScriptDb or
 * SpreadsheetApp?", answer by Mogsdad; copy at
 * https://ruby-bash.developreference.com/article/29263774/What+is+faster+ScriptDb+or+SpreadsheetApp).
 * A later measurement read 1,000 cells and wrote them back in two calls in about 125 ms beyond its
 * 1,000 log lines (905 ms against 780 ms for the logging alone), some 0.03 ms a cell
 * (https://www.bugbugnow.net/2019/03/GoogleAppsScript-speed-up.html). Writes take the first figure,
 * the slowest published; reads the second, which includes a write and so bounds a read from above.
 */
export const CELL_MS: CellCosts = { read: 0.03, write: 0.15 };

/** Virtual ms each SpreadsheetApp, Properties, Cache or Lock call costs by default. */
export const SERVICE_CALL_MS = 5;

/** What Google allows a deployment, switched per test. */
export interface PlatformBehaviour {
  /**
   * "testDeployment": ScriptApp refuses to create installable triggers ("Test deployments ... don't
   * support installable triggers", https://developers.google.com/workspace/add-ons/how-tos/testing-editor-addons);
   * "scopeDeclined": the user declined the script.scriptapp scope (per-scope consent), so every
   * trigger call is refused.
   */
  triggers: "allowed" | "testDeployment" | "scopeDeclined";
  /**
   * "absentInTriggers": LockService.getDocumentLock() returns null in time-driven trigger executions;
   * "absent": everywhere. It returns null "if the script is not bound to a document"
   * (https://developers.google.com/apps-script/reference/lock/lock-service#getDocumentLock()).
   */
  documentLock: "available" | "absentInTriggers" | "absent";
  /**
   * "absent": a time-driven trigger's execution has no document, so SpreadsheetApp.getActiveSpreadsheet()
   * "returns null if there is none" (https://developers.google.com/apps-script/reference/spreadsheet/spreadsheet-app#getActiveSpreadsheet())
   * and the document's properties, cache and lock are null. Whether an add-on's trigger has its
   * document is documented nowhere.
   */
  triggerDocument: "present" | "absent";
  /**
   * When Sheets recalculates a custom function a script enters into a cell (at SpreadsheetApp.flush()
   * and when the execution ends): "never" (the runtime evaluates no formula; a test gives values with
   * formulaValues), "onChange" (only a formula whose text changed: users report that re-entering the
   * same text does not recalculate), "onEveryEntry". Documented nowhere.
   */
  recalculation: "never" | "onChange" | "onEveryEntry";
  /** Whether developer metadata travels with a copied column or a duplicated sheet; documented nowhere. */
  metadataCopies: boolean;
  /**
   * "hidden": Session's users show a blank email everywhere; "hiddenInTriggers": in time-driven
   * trigger executions only. "If security policies do not allow access to the user's identity,
   * User.getEmail() returns a blank string"
   * (https://developers.google.com/apps-script/reference/base/session#getActiveUser()).
   */
  email: "shown" | "hidden" | "hiddenInTriggers";
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
const DEFAULT_DOCUMENT_ID = "local-spreadsheet";

/**
 * Session.getTemporaryActiveUserKey(): reveals nothing of the email, and "rotates every 30 days"
 * (https://developers.google.com/apps-script/reference/base/session#getTemporaryActiveUserKey()).
 * Here every user's key changes at the same instants, multiples of 30 days since the epoch.
 */
export const TEMPORARY_KEY_ROTATION_MS = 30 * 86_400_000;
function temporaryKey(email: string, now: number): string {
  const period = Math.floor(now / TEMPORARY_KEY_ROTATION_MS);
  return `temp-${createHash("sha256").update(`${email}|${period}`).digest("hex").slice(0, 24)}`;
}

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

/**
 * `=NAME("text", 12)`: a call of one function with literal arguments, the only formulas the runtime
 * evaluates (as Sheets would run a script's custom function); null for any other formula.
 */
export function customFunctionCall(formula: string): { name: string; args: (string | number)[] } | null {
  const match = /^=\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$/s.exec(formula);
  if (!match) return null;
  const [, name = "", list = ""] = match;
  const args: (string | number)[] = [];
  if (list.trim() === "") return { name, args };
  // One literal at a time, each followed by a comma or the end of the list.
  const literal = /\s*(?:"((?:[^"]|"")*)"|(-?\d+(?:\.\d+)?))\s*(,|$)/y;
  for (;;) {
    const arg = literal.exec(list);
    if (!arg) return null;
    args.push(arg[1] !== undefined ? arg[1].replace(/""/g, '"') : Number(arg[2]));
    if (arg[3] === "") return { name, args };
  }
}

/** What a cell shows of a custom function's answer: a range answer shows its first cell. */
function firstValue(value: unknown): string | number | boolean {
  const first = Array.isArray(value) ? (Array.isArray(value[0]) ? value[0][0] : value[0]) : value;
  return typeof first === "string" || typeof first === "number" || typeof first === "boolean" ? first : "";
}

export class LocalRuntime {
  readonly clock: VirtualClock;
  readonly scriptProperties = new FakeProperties();
  readonly scriptCache: FakeCache;
  readonly stats = new RuntimeStats();
  readonly quotas: QuotaLedger;
  /** What this deployment allows; tests may switch it between executions. */
  readonly platform: PlatformBehaviour;
  readonly #script: vm.Script;
  readonly #htmlFiles: Record<string, string>;
  readonly #serviceCallMs: number;
  readonly #cellMs: CellCosts;
  readonly #addOnName: string;
  readonly #defaultUser: string;
  readonly #cpuGuardMs: number;
  readonly #installationSource: InstallationSource;
  readonly #whitelist: readonly string[] | null;
  readonly #locks = new LockTable();
  readonly #triggers = new TriggerTable();
  readonly #documents = new Map<string, LocalDocument>();
  readonly #users = new Map<string, LocalUser>();
  readonly #defaultDocument: LocalDocument;
  /** Formula cells Sheets has yet to recalculate, by document. */
  readonly #recalculations = new Map<string, FormulaEntry[]>();
  #fetchMode: FetchMode;
  #executionCount = 0;

  constructor(options: LocalRuntimeOptions) {
    this.#script = new vm.Script(options.code, { filename: "Code.js" });
    this.#htmlFiles = { ...(options.htmlFiles ?? {}) };
    this.#fetchMode = options.fetch ?? NOT_FOUND;
    this.#whitelist = options.urlFetchWhitelist ?? null;
    this.#serviceCallMs = options.serviceCallMs ?? SERVICE_CALL_MS;
    this.#cellMs = { ...CELL_MS, ...options.cellMs };
    this.#addOnName = options.addOnName ?? "Untitled project";
    this.platform = {
      triggers: "allowed",
      documentLock: "available",
      triggerDocument: "present",
      recalculation: "never",
      metadataCopies: false,
      email: "shown",
      ...options.platform,
    };
    this.#defaultUser = options.defaultUser ?? "user@example.com";
    this.#cpuGuardMs = options.cpuGuardMs ?? 60_000;
    this.#installationSource = options.installationSource ?? "NONE";
    this.clock = new VirtualClock(options.startTime ?? Date.UTC(2026, 0, 5, 9));
    this.quotas = new QuotaLedger(this.clock, { ...DAILY_QUOTAS[options.account ?? "consumer"], ...options.quotas });
    this.scriptCache = new FakeCache(this.clock);
    this.#defaultDocument = this.addDocument({ id: DEFAULT_DOCUMENT_ID });
  }

  /**
   * Adds a spreadsheet with its own sheets, document properties, document cache, document lock and
   * triggers; `owner` (default: the default user) is whose user properties its custom functions read.
   */
  addDocument(options: { id?: string; owner?: string; name?: string } = {}): LocalDocument {
    const id = options.id ?? `local-spreadsheet-${this.#documents.size + 1}`;
    if (this.#documents.has(id)) throw new Error(`document ${id} already exists`);
    const spreadsheet = new FakeSpreadsheet(id);
    spreadsheet.owner = options.owner ?? this.#defaultUser;
    if (options.name !== undefined) spreadsheet.name = options.name;
    const doc: LocalDocument = {
      id,
      spreadsheet,
      properties: new FakeProperties(),
      cache: new FakeCache(this.clock),
      ui: { menus: [], sidebars: [], dialogs: [], alerts: [], toasts: spreadsheet.toasts },
    };
    spreadsheet.formulaEntered = (entry) => this.#formulaEntered(doc, entry);
    this.#documents.set(id, doc);
    return doc;
  }

  /** A formula a script entered: pending recalculation when Sheets would recalculate it. */
  #formulaEntered(doc: LocalDocument, entry: FormulaEntry): void {
    const { recalculation } = this.platform;
    if (recalculation === "never" || (recalculation === "onChange" && entry.formula === entry.previous)) return;
    const pending = this.#recalculations.get(doc.id) ?? [];
    pending.push(entry);
    this.#recalculations.set(doc.id, pending);
  }

  /**
   * Sheets recalculates the custom functions entered since: each runs as its own custom-function
   * execution (the owner's properties, 30 seconds), and its cell shows what it returned.
   */
  #recalculate(doc: LocalDocument): void {
    const pending = this.#recalculations.get(doc.id) ?? [];
    this.#recalculations.delete(doc.id);
    for (const entry of pending) {
      const call = customFunctionCall(entry.formula);
      if (!call) continue;
      const result = this.run(call.name, call.args, { kind: "customFunction", document: doc.id });
      const value = result.error === null ? firstValue(result.value) : FORMULA_VALUE;
      entry.sheet.setCalculated(entry.row, entry.column, entry.formula, value);
    }
  }

  /** A document by id; the first document when no id is given. */
  document(id?: string): LocalDocument {
    if (id === undefined) return this.#defaultDocument;
    const doc = this.#documents.get(id);
    if (!doc) throw new Error(`no document ${id}; add it with addDocument()`);
    return doc;
  }

  documents(): LocalDocument[] {
    return [...this.#documents.values()];
  }

  /** A user's stores, created on first use (default: the default user). */
  user(email: string = this.#defaultUser): LocalUser {
    let user = this.#users.get(email);
    if (!user) {
      user = { email, properties: new FakeProperties(), cache: new FakeCache(this.clock) };
      this.#users.set(email, user);
    }
    return user;
  }

  /** The first document's spreadsheet. */
  get spreadsheet(): FakeSpreadsheet {
    return this.#defaultDocument.spreadsheet;
  }

  get documentProperties(): FakeProperties {
    return this.#defaultDocument.properties;
  }

  get documentCache(): FakeCache {
    return this.#defaultDocument.cache;
  }

  get ui(): UiRecord {
    return this.#defaultDocument.ui;
  }

  /** The default user's user properties. */
  get userProperties(): FakeProperties {
    return this.user().properties;
  }

  get userCache(): FakeCache {
    return this.user().cache;
  }

  /** A user's use of each daily quota (default: the default user). */
  quotaUsage(email: string = this.#defaultUser): Record<QuotaName, QuotaUsage> {
    return {
      urlFetches: this.quotas.usage(email, "urlFetches"),
      propertyCalls: this.quotas.usage(email, "propertyCalls"),
      triggerRuntimeMs: this.quotas.usage(email, "triggerRuntimeMs"),
    };
  }

  setFetchMode(mode: FetchMode): void {
    this.#fetchMode = mode;
  }

  triggers(): { id: string; handler: string; dueAt: number; fired: boolean; user: string; document: string; createdAt: number }[] {
    return this.#triggers.records.map(({ id, handler, dueAt, fired, user, document, createdAt }) => ({
      id,
      handler,
      dueAt,
      fired,
      user,
      document,
      createdAt,
    }));
  }

  #lockKey(scope: LockScope, where: { document?: string; user?: string }): string {
    return lockKey(scope, { document: this.document(where.document).id, user: where.user ?? this.#defaultUser });
  }

  /** Takes a lock as another execution would, so the script's tryLock/waitLock find it held. */
  holdLock(scope: LockScope, where: { document?: string; user?: string } = {}): void {
    this.#locks.hold(this.#lockKey(scope, where));
  }

  releaseHeldLock(scope: LockScope, where: { document?: string; user?: string } = {}): void {
    this.#locks.releaseHeld(this.#lockKey(scope, where));
  }

  /** Who holds a lock: null, "external" (holdLock) or an execution id. */
  lockHolder(scope: LockScope, where: { document?: string; user?: string } = {}): string | null {
    return this.#locks.holder(this.#lockKey(scope, where));
  }

  /**
   * Fires the earliest due trigger, as the user who created it, in the document it was created in;
   * `killAt` or `stopAtCall` stop it as they stop any execution.
   */
  runNextTrigger(opts: Pick<RunOptions, "killAt" | "stopAtCall" | "afterCall"> = {}): ExecutionResult | null {
    const next = this.#triggers.nextDue();
    if (!next) return null;
    this.clock.advanceTo(next.dueAt);
    this.#triggers.markFired(next);
    const event = { authMode: "FULL", triggerUid: next.id, timezone: "UTC" };
    return this.run(next.handler, [event], { ...opts, kind: "trigger", user: next.user, document: next.document });
  }

  run(fn: string, args: unknown[] = [], opts: RunOptions = {}): ExecutionResult {
    const kind = opts.kind ?? "menu";
    const user = opts.user ?? this.#defaultUser;
    const doc = this.document(opts.document);
    const startedAt = this.clock.now();
    const limit = kind === "customFunction" || kind === "simpleTrigger" ? SHORT_LIMIT_MS : LIMITS.executionMs;
    let deadline = Math.min(startedAt + limit, opts.killAt ?? Infinity);
    let deadlineMessage: string | undefined;
    // Trigger executions stop when the creator's daily trigger runtime is spent.
    if (kind === "trigger") {
      const quotaEnd = startedAt + this.quotas.remaining(user, "triggerRuntimeMs");
      if (quotaEnd < deadline) {
        deadline = quotaEnd;
        deadlineMessage = QUOTA_MESSAGES.triggerRuntimeMs;
      }
    }
    const exec = new Execution({
      id: `execution-${++this.#executionCount}`,
      kind,
      user,
      clock: this.clock,
      stats: this.stats,
      deadline,
      ...(deadlineMessage === undefined ? {} : { deadlineMessage }),
      serviceCallMs: this.#serviceCallMs,
      cellMs: this.#cellMs,
      ...(opts.stopAtCall === undefined ? {} : { stopAtCall: opts.stopAtCall }),
      ...(opts.afterCall === undefined ? {} : { afterCall: opts.afterCall }),
    });
    const before = this.stats.snapshot();
    this.stats.executions += 1;
    doc.spreadsheet.copiesCarryMetadata = this.platform.metadataCopies;
    let value: unknown;
    let error: string | null = null;
    try {
      // A trigger whose creator has no runtime left today fails before the script starts.
      if (deadline <= startedAt) exec.killed = true;
      else value = this.#execute(exec, fn, args, doc);
    } catch (thrown) {
      if (isCpuTimeout(thrown)) {
        exec.killed = true;
        this.clock.advanceTo(exec.deadline);
      }
      error = describeError(thrown);
    } finally {
      this.#locks.releaseAllOf(exec.id);
    }
    exec.ended();
    if (exec.killed) {
      value = undefined;
      error = exec.deadlineMessage;
    } else if (error === null) {
      ({ value, error } = this.#returned(kind, value));
    }
    const endedAt = this.clock.now();
    // The execution's changes are applied: Sheets recalculates what it entered.
    if (kind !== "customFunction") this.#recalculate(doc);
    if (kind === "trigger") {
      this.stats.triggerRuntimeMs += endedAt - startedAt;
      this.quotas.spend(user, "triggerRuntimeMs", endedAt - startedAt, startedAt);
    }
    const stats = statsDelta(this.stats.snapshot(), before);
    this.stats.perExecution.push(stats);
    return {
      value,
      error,
      killed: exec.killed,
      startedAt,
      endedAt,
      elapsedMs: endedAt - startedAt,
      logs: [...exec.logs],
      stats,
      calls: exec.calls,
      fetches: exec.fetches.map((f) => ({ ...f })),
    };
  }

  /**
   * Whose stores and identity an execution gets. Custom functions run with the document owner's
   * user properties and show no email (https://developers.google.com/apps-script/reference/base/session#getActiveUser():
   * the email "is not available in any context that allows a script to run without that user's
   * authorization, like a simple onOpen(e) or onEdit(e) trigger, a custom function in Google Sheets").
   */
  #services(exec: Execution, doc: LocalDocument): Services {
    const anonymous = exec.kind === "customFunction" || exec.kind === "simpleTrigger";
    const emailHidden = this.platform.email === "hidden" || (this.platform.email === "hiddenInTriggers" && exec.kind === "trigger");
    const storesOf = exec.kind === "customFunction" ? this.user(doc.spreadsheet.owner) : this.user(exec.user);
    const noDocument = exec.kind === "trigger" && this.platform.triggerDocument === "absent";
    return {
      documentId: doc.id,
      spreadsheet: doc.spreadsheet,
      properties: { user: storesOf.properties, script: this.scriptProperties, document: doc.properties },
      caches: { user: storesOf.cache, script: this.scriptCache, document: doc.cache },
      takePropertyQuota: () => this.quotas.take(storesOf.email, "propertyCalls"),
      userPropertiesReadOnly: exec.kind === "customFunction" && exec.user !== doc.spreadsheet.owner,
      locks: this.#locks,
      lockKeys: { document: doc.id, user: exec.user },
      noDocument,
      noDocumentLock:
        noDocument ||
        this.platform.documentLock === "absent" ||
        (this.platform.documentLock === "absentInTriggers" && exec.kind === "trigger"),
      recalculate: () => this.#recalculate(doc),
      triggers: this.#triggers,
      triggerRefusal: this.platform.triggers === "allowed" ? null : this.platform.triggers,
      installationSource: this.#installationSource,
      addOnName: this.#addOnName,
      ui: doc.ui,
      htmlFiles: this.#htmlFiles,
      fetch: {
        mode: () => this.#fetchMode,
        whitelist: this.#whitelist,
        takeQuota: (count) => this.quotas.take(storesOf.email, "urlFetches", count),
      },
      session: {
        activeUser: anonymous || emailHidden ? "" : exec.user,
        effectiveUser: anonymous || emailHidden ? "" : exec.user,
        temporaryKey: temporaryKey(exec.user, this.clock.now()),
      },
    };
  }

  #execute(exec: Execution, fn: string, args: unknown[], doc: LocalDocument): unknown {
    const sandbox = createGlobals(exec, this.#services(exec, doc));
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

const manifestSchema = z.object({ urlFetchWhitelist: z.optional(z.array(z.string())) });

/**
 * Reads dist/Code.js, dist/*.html and the urlFetchWhitelist of dist/appsscript.json of a built repo
 * (default: the repo root found from this file), ready to spread into LocalRuntimeOptions.
 */
export function loadBuiltAddon(distDir: string = join(repoRoot(), "dist")): {
  code: string;
  htmlFiles: Record<string, string>;
  urlFetchWhitelist: readonly string[] | null;
} {
  const code = readFileSync(join(distDir, "Code.js"), "utf8");
  const manifestPath = join(distDir, "appsscript.json");
  const manifest = existsSync(manifestPath) ? manifestSchema.parse(JSON.parse(readFileSync(manifestPath, "utf8"))) : {};
  const htmlFiles: Record<string, string> = {};
  for (const name of readdirSync(distDir)) {
    if (name.endsWith(".html")) htmlFiles[name.slice(0, -".html".length)] = readFileSync(join(distDir, name), "utf8");
  }
  return { code, htmlFiles, urlFetchWhitelist: manifest.urlFetchWhitelist ?? null };
}
