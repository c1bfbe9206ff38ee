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
  user: string;
}

const TOO_MANY = "This script has too many triggers. Triggers must be deleted from the script before more can be added.";

export const TRIGGER_SOURCE = { SPREADSHEETS: "SPREADSHEETS", CLOCK: "CLOCK", FORMS: "FORMS", DOCUMENTS: "DOCUMENTS", CALENDAR: "CALENDAR" } as const;
export const EVENT_TYPE = { CLOCK: "CLOCK", ON_OPEN: "ON_OPEN", ON_EDIT: "ON_EDIT", ON_CHANGE: "ON_CHANGE", ON_FORM_SUBMIT: "ON_FORM_SUBMIT" } as const;
const AUTH_MODE = { NONE: "NONE", CUSTOM_FUNCTION: "CUSTOM_FUNCTION", LIMITED: "LIMITED", FULL: "FULL" } as const;
export const INSTALLATION_SOURCE = {
  NONE: "NONE",
  APPS_MARKETPLACE_DOMAIN_ADD_ON: "APPS_MARKETPLACE_DOMAIN_ADD_ON",
  WEB_STORE_ADD_ON: "WEB_STORE_ADD_ON",
} as const;
/** NONE: a script bound to the spreadsheet (clasp push); the others: a published add-on. */
export type InstallationSource = keyof typeof INSTALLATION_SOURCE;

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

  create(exec: Execution, handler: string, dueAt: number, everyMs: number | null): TriggerRecord {
    if (this.records.filter((t) => t.user === exec.user).length >= LIMITS.triggersPerUser) exec.fail(TOO_MANY);
    const record = { id: String(this.#nextId++), handler, dueAt, fired: false, everyMs, user: exec.user };
    this.records.push(record);
    return record;
  }

  delete(id: string): void {
    const index = this.records.findIndex((t) => t.id === id);
    if (index >= 0) this.records.splice(index, 1);
  }
}

function triggerObject(record: TriggerRecord): Record<string, unknown> {
  return {
    getUniqueId: () => record.id,
    getHandlerFunction: () => record.handler,
    getTriggerSource: () => TRIGGER_SOURCE.CLOCK,
    getEventType: () => EVENT_TYPE.CLOCK,
    getTriggerSourceId: () => null,
  };
}

export function scriptApp(exec: Execution, table: TriggerTable, installation: InstallationSource): Record<string, unknown> {
  const call = (method: string): void => {
    exec.forbidInCustomFunction(`ScriptApp.${method}`);
    exec.requireAuthorization(`ScriptApp.${method}`, "script.scriptapp");
    exec.service();
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
        if (dueAt === null && everyMs === null) exec.fail("A time-based trigger needs after(), at() or every...().");
        const record = table.create(exec, handler, dueAt ?? exec.clock.now() + (everyMs ?? 0), everyMs);
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
    getProjectTriggers() {
      call("getProjectTriggers");
      return exec.toScript(table.records.filter((t) => t.user === exec.user).map(triggerObject));
    },
    deleteTrigger(trigger: unknown) {
      call("deleteTrigger");
      const getId = typeof trigger === "object" && trigger !== null ? Reflect.get(trigger, "getUniqueId") : undefined;
      if (typeof getId !== "function") exec.fail("Invalid argument: trigger");
      table.delete(String(getId.call(trigger)));
    },
  };
}
