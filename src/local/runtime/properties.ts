import { LIMITS } from "../../core/limits";
import { ServiceError, type Execution } from "./execution";
import { QUOTA_MESSAGES } from "./quotas";

const bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/** One property store (user, script or document), with Google's size limits. */
export class FakeProperties {
  #data = new Map<string, string>();

  getProperty(key: string): string | null {
    return this.#data.get(key) ?? null;
  }

  getProperties(): Record<string, string> {
    return Object.fromEntries(this.#data);
  }

  getKeys(): string[] {
    return [...this.#data.keys()];
  }

  setProperty(key: string, value: unknown): this {
    return this.setProperties({ [key]: value });
  }

  /**
   * All-or-nothing: a value over 9 KB or a store over 500 KB leaves the store unchanged
   * (https://developers.google.com/apps-script/guides/services/quotas).
   */
  setProperties(properties: Record<string, unknown>, deleteAllOthers = false): this {
    const next = new Map(deleteAllOthers ? [] : this.#data);
    for (const [key, raw] of Object.entries(properties)) {
      const value = String(raw);
      if (bytes(value) > LIMITS.propertyValueBytes) throw new ServiceError("Argument too large: value");
      next.set(key, value);
    }
    let total = 0;
    for (const [key, value] of next) total += bytes(key) + bytes(value);
    if (total > LIMITS.propertyStoreBytes) {
      throw new ServiceError("You have exceeded the property storage quota. Please remove some properties and try again.");
    }
    this.#data = next;
    return this;
  }

  deleteProperty(key: string): this {
    this.#data.delete(key);
    return this;
  }

  deleteAllProperties(): this {
    this.#data.clear();
    return this;
  }
}

/**
 * The `Properties` object a script sees. In a custom function "getUserProperties() only gets the
 * properties of the spreadsheet owner. Spreadsheet editors can't set user properties in a custom
 * function" (https://developers.google.com/apps-script/guides/sheets/functions#using_apps_script_services):
 * `readOnly` is that case.
 */
export function scriptProperties(
  exec: Execution,
  store: FakeProperties,
  options: { takeQuota: () => boolean; readOnly: boolean },
): Record<string, unknown> {
  // Every read and every write counts towards the user's daily property quota.
  const call = (): void => {
    exec.service();
    if (!options.takeQuota()) exec.fail(QUOTA_MESSAGES.propertyCalls);
  };
  const read = <T>(action: () => T): T => {
    call();
    exec.stats.propertyReads += 1;
    return action();
  };
  const write = (method: string, action: () => void): void => {
    if (options.readOnly) exec.fail(`You do not have permission to call ${method}`);
    call();
    exec.stats.propertyWrites += 1;
    exec.guard(action);
  };
  const self: Record<string, unknown> = {
    getProperty: (key: unknown) => read(() => store.getProperty(String(key))),
    getProperties: () => read(() => exec.toScript(store.getProperties())),
    getKeys: () => read(() => exec.toScript(store.getKeys())),
    setProperty(key: unknown, value: unknown) {
      write("setProperty", () => store.setProperty(String(key), value));
      return self;
    },
    setProperties(properties: unknown, deleteAllOthers?: unknown) {
      write("setProperties", () => {
        if (typeof properties !== "object" || properties === null) {
          throw new ServiceError("Invalid argument: properties");
        }
        store.setProperties({ ...properties }, deleteAllOthers === true);
      });
      return self;
    },
    deleteProperty(key: unknown) {
      write("deleteProperty", () => store.deleteProperty(String(key)));
      return self;
    },
    deleteAllProperties() {
      write("deleteAllProperties", () => store.deleteAllProperties());
      return self;
    },
  };
  return self;
}
