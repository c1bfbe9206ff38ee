import { LIMITS } from "../../core/limits";
import type { Execution } from "./execution";

export interface TriggerRecord {
  id: string;
  handler: string;
  /** Epoch ms (virtual) of the next firing. */
  dueAt: number;
  /** A one-shot trigger that already fired; it stays listed until deleted, as on Google. */
  fired: boolean;
  /** Period of a recurring trigger, null for a one-shot. */
  everyMs: number | null;
  /** Who created it: it runs as this user (https://developers.google.com/apps-script/guides/triggers/installable#restrictions). */
  user: string;
  /** The document it was created in. */
  document: string;
  createdAt: number;
}

// 20 triggers per user per script (https://developers.google.com/apps-script/guides/services/quotas).
const TOO_MANY = "This script has too many triggers. Triggers must be deleted from the script before more can be added.";
// Editor add-ons: "Each add-on can only have one trigger of each type, per user, per document" and
// "Time-driven triggers cannot run more frequently than once per hour"
// (https://developers.google.com/workspace/add-ons/concepts/editor-triggers#restrictions). The
// texts are Google's as users report them: https://github.com/ljay79/jira-tools/issues/53 and
// https://github.com/ttsukagoshi/mail-merge-for-gmail/issues/165 (where a one-shot after() of a few
// seconds is accepted: only a recurrence under an hour is refused).
const ADD_ON_TOO_MANY = "This add-on has created too many time-based triggers in this document for this Google user account.";
const ADD_ON_RECURRENCE = "The recurrence interval for an Add-on trigger must be at least one hour.";
const HOUR_MS = 3_600_000;

const TRIGGER_SOURCE = {
  SPREADSHEETS: "SPREADSHEETS",
  CLOCK: "CLOCK",
  FORMS: "FORMS",
  DOCUMENTS: "DOCUMENTS",
  CALENDAR: "CALENDAR",
} as const;
const EVENT_TYPE = {
  CLOCK: "CLOCK",
  ON_OPEN: "ON_OPEN",
  ON_EDIT: "ON_EDIT",
  ON_CHANGE: "ON_CHANGE",
  ON_FORM_SUBMIT: "ON_FORM_SUBMIT",
} as const;
const AUTH_MODE = { NONE: "NONE", CUSTOM_FUNCTION: "CUSTOM_FUNCTION", LIMITED: "LIMITED", FULL: "FULL" } as const;
export const INSTALLATION_SOURCE = {
  NONE: "NONE",
  APPS_MARKETPLACE_DOMAIN_ADD_ON: "APPS_MARKETPLACE_DOMAIN_ADD_ON",
  WEB_STORE_ADD_ON: "WEB_STORE_ADD_ON",
} as const;
/** NONE: a script bound to the spreadsheet (clasp push); the others: a published add-on. */
export type InstallationSource = keyof typeof INSTALLATION_SOURCE;

/** Why a deployment refuses trigger calls (see PlatformBehaviour.triggers). */
export type TriggerRefusal = "testDeployment" | "scopeDeclined";

/**
 * What a test deployment answers when a script creates an installable trigger: Google's page says
 * only that test deployments do not support them
 * (https://developers.google.com/workspace/add-ons/how-tos/testing-editor-addons); this is the text
 * users quote from the old "Test as add-on" mode, not found in a page we could cite.
 */
export const TEST_DEPLOYMENT_MESSAGE =
  "The add-on attempted an action that is not permitted in Test as add-on mode. To use this action, you must deploy the add-on.";

/** Time-driven triggers of the script project (other trigger kinds are not modelled). */
export class TriggerTable {
  readonly records: TriggerRecord[] = [];
  #nextId = 1;

  /** The earliest unfired trigger, if any. */
  nextDue(): TriggerRecord | null {
    let next: TriggerRecord | null = null;
    for (const t of this.records) if (!t.fired && (!next || t.dueAt < next.dueAt)) next = t;
    return next;
  }

  /** Marks a trigger as fired: one-shots stay listed, recurring ones move to their next time. */
  markFired(trigger: TriggerRecord): void {
    if (trigger.everyMs === null) trigger.fired = true;
    else trigger.dueAt += trigger.everyMs;
  }

  create(exec: Execution, where: TriggerScope, handler: string, dueAt: number, everyMs: number | null): TriggerRecord {
    const mine = this.records.filter((t) => t.user === exec.user);
    if (mine.length >= LIMITS.triggersPerUser) exec.fail(TOO_MANY);
    if (where.addOn) {
      if (everyMs !== null && everyMs < HOUR_MS) exec.fail(ADD_ON_RECURRENCE);
      if (mine.some((t) => t.document === where.document)) exec.fail(ADD_ON_TOO_MANY);
    }
    const record = {
      id: String(this.#nextId++),
      handler,
      dueAt,
      fired: false,
      everyMs,
      user: exec.user,
      document: where.document,
      createdAt: exec.clock.now(),
    };
    this.records.push(record);
    return record;
  }

  delete(id: string): void {
    const index = this.records.findIndex((t) => t.id === id);
    if (index >= 0) this.records.splice(index, 1);
  }
}

/** Where a script creates and lists triggers. */
export interface TriggerScope {
  /** The document the execution runs in. */
  document: string;
  /**
   * A published add-on: one project for every document, so a user's project triggers are theirs in
   * every document. A bound script is a project of its own document.
   */
  addOn: boolean;
}

function triggerObject(record: TriggerRecord): Record<string, unknown> {
  return {
    getUniqueId: () => record.id,
    getHandlerFunction: () => record.handler,
    getTriggerSource: () => TRIGGER_SOURCE.CLOCK,
    getEventType: () => EVENT_TYPE.CLOCK,
    // A time-driven trigger has no source document, so nothing here tells one document's trigger
    // from another's: an add-on has to remember the unique ids of its own.
    getTriggerSourceId: () => null,
  };
}

export function scriptApp(
  exec: Execution,
  table: TriggerTable,
  deployment: { installation: InstallationSource; document: string; refusal: TriggerRefusal | null },
): Record<string, unknown> {
  const { installation, document, refusal } = deployment;
  const where: TriggerScope = { document, addOn: installation !== "NONE" };
  const call = (method: string): void => {
    exec.forbidInCustomFunction(`ScriptApp.${method}`);
    exec.requireAuthorization(`ScriptApp.${method}`, "script.scriptapp");
    exec.service();
    if (refusal === "scopeDeclined") exec.refuseScope(`ScriptApp.${method}`, "script.scriptapp");
  };
  const clockBuilder = (handler: string) => {
    let dueAt: number | null = null;
    let everyMs: number | null = null;
    const builder: Record<string, unknown> = {
      after(ms: unknown) {
        dueAt = exec.clock.now() + Number(ms);
        return builder;
      },
      at(date: unknown) {
        const isDate = Object.prototype.toString.call(date) === "[object Date]";
        dueAt = isDate || typeof date === "number" ? Number(date) : NaN;
        if (Number.isNaN(dueAt)) exec.fail("Invalid argument: date");
        return builder;
      },
      everyMinutes(n: unknown) {
        everyMs = Number(n) * 60_000;
        return builder;
      },
      everyHours(n: unknown) {
        everyMs = Number(n) * 3_600_000;
        return builder;
      },
      create() {
        call("newTrigger");
        if (refusal === "testDeployment") exec.fail(TEST_DEPLOYMENT_MESSAGE);
        if (dueAt === null && everyMs === null) exec.fail("A time-based trigger needs after(), at() or every...().");
        const record = table.create(exec, where, handler, dueAt ?? exec.clock.now() + (everyMs ?? 0), everyMs);
        return triggerObject(record);
      },
    };
    return builder;
  };
  return {
    AuthMode: AUTH_MODE,
    TriggerSource: TRIGGER_SOURCE,
    EventType: EVENT_TYPE,
    InstallationSource: INSTALLATION_SOURCE,
    getScriptId: () => "local-script",
    getInstallationSource: () => installation,
    newTrigger(handler: unknown) {
      call("newTrigger");
      return { timeBased: () => clockBuilder(String(handler)) };
    },
    /**
     * "Gets all installable triggers associated with the current project and current user"
     * (https://developers.google.com/apps-script/reference/script/script-app#getProjectTriggers()):
     * in a published add-on, the user's triggers of every document the add-on is used in.
     */
    getProjectTriggers() {
      call("getProjectTriggers");
      const mine = table.records.filter((t) => t.user === exec.user && (where.addOn || t.document === document));
      return exec.toScript(mine.map(triggerObject));
    },
    /** "Gets all installable triggers owned by this user in the given document, for this script or add-on only." */
    getUserTriggers(container: unknown) {
      call("getUserTriggers");
      const getId = typeof container === "object" && container !== null ? Reflect.get(container, "getId") : undefined;
      if (typeof getId !== "function") return exec.fail("Invalid argument: document");
      const id = String(getId.call(container));
      return exec.toScript(table.records.filter((t) => t.user === exec.user && t.document === id).map(triggerObject));
    },
    /** A user can delete only their own triggers: another user's are not theirs to see. */
    deleteTrigger(trigger: unknown) {
      call("deleteTrigger");
      const getId = typeof trigger === "object" && trigger !== null ? Reflect.get(trigger, "getUniqueId") : undefined;
      if (typeof getId !== "function") exec.fail("Invalid argument: trigger");
      const id = String(getId.call(trigger));
      if (table.records.some((t) => t.id === id && t.user === exec.user)) table.delete(id);
    },
  };
}
