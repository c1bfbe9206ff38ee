// The Apps Script globals of one execution, built fresh for every run.
import { format } from "node:util";
import { scriptCache, type FakeCache } from "./cache";
import type { Execution } from "./execution";
import { htmlService, spreadsheetUi, type UiRecord } from "./html";
import { lockService, type LockKeys, type LockTable } from "./locks";
import { scriptProperties, type FakeProperties } from "./properties";
import { ScriptSpreadsheet, spreadsheetAppBuilders } from "./spreadsheet-app";
import type { FakeSpreadsheet } from "./spreadsheet";
import { scriptApp, type InstallationSource, type TriggerRefusal, type TriggerTable } from "./triggers";
import { urlFetchApp, type FetchPolicy } from "./urlfetch";
import { utilities } from "./utilities";

/** The services of one execution, already resolved for its user and its document. */
export interface Services {
  documentId: string;
  spreadsheet: FakeSpreadsheet;
  properties: { user: FakeProperties; script: FakeProperties; document: FakeProperties };
  caches: { user: FakeCache; script: FakeCache; document: FakeCache };
  /** Takes one call from the daily property quota of the user the execution counts against. */
  takePropertyQuota: () => boolean;
  /** An editor's custom function may read, not set, the owner's user properties. */
  userPropertiesReadOnly: boolean;
  locks: LockTable;
  lockKeys: LockKeys;
  /** A trigger execution with no document: the active spreadsheet and the document's stores are null. */
  noDocument: boolean;
  /** LockService.getDocumentLock() returns null (no containing document, or an add-on trigger). */
  noDocumentLock: boolean;
  /** Sheets recalculates the formulas entered so far (SpreadsheetApp.flush()). */
  recalculate: () => void;
  triggers: TriggerTable;
  /** Why ScriptApp refuses trigger calls in this deployment, or null. */
  triggerRefusal: TriggerRefusal | null;
  installationSource: InstallationSource;
  /** The name Google shows for the add-on's menu under Extensions. */
  addOnName: string;
  ui: UiRecord;
  htmlFiles: Record<string, string>;
  fetch: FetchPolicy;
  /** What Session answers: emails are "" where Google hides them. */
  session: { activeUser: string; effectiveUser: string; temporaryKey: string };
}

const TIME_ZONE = "Etc/UTC";

export function createGlobals(exec: Execution, services: Services): Record<string, unknown> {
  const active = () => (services.noDocument ? null : new ScriptSpreadsheet(exec, services.spreadsheet));
  const log = (...args: unknown[]): void => {
    exec.logs.push(format(...args));
  };
  const logger = {
    log(...args: unknown[]) {
      log(...args);
      return logger;
    },
    getLog: () => exec.logs.join("\n"),
    clear() {
      exec.logs.length = 0;
    },
  };
  // A User prints as its email (gas-fakes test/testsession.js, "session properties", recorded on Google).
  const user = (email: string) => ({ getEmail: () => email, toString: () => email });
  const activeUser = user(services.session.activeUser);
  const effectiveUser = user(services.session.effectiveUser);
  const properties = (store: FakeProperties, readOnly = false) =>
    scriptProperties(exec, store, { takeQuota: services.takePropertyQuota, readOnly });
  return {
    SpreadsheetApp: {
      ...spreadsheetAppBuilders(),
      getActive: active,
      getActiveSpreadsheet: active,
      getActiveSheet: () => active()?.getActiveSheet() ?? null,
      getActiveRange: () => active()?.getActiveRange() ?? null,
      getActiveRangeList: () => active()?.getActiveRangeList() ?? null,
      getUi: () => spreadsheetUi(exec, services.ui, services.addOnName),
      // Writes are applied at once here; a flush is still a call to Google (which applies the
      // pending changes then) that takes time and where a kill may land, and it lets Sheets
      // recalculate the formulas entered.
      flush: () => {
        exec.service("other", "SpreadsheetApp.flush");
        services.recalculate();
      },
    },
    PropertiesService: {
      getUserProperties: () => properties(services.properties.user, services.userPropertiesReadOnly),
      getScriptProperties: () => properties(services.properties.script),
      getDocumentProperties: () => (services.noDocument ? null : properties(services.properties.document)),
    },
    CacheService: {
      getUserCache: () => scriptCache(exec, services.caches.user),
      getScriptCache: () => scriptCache(exec, services.caches.script),
      getDocumentCache: () => (services.noDocument ? null : scriptCache(exec, services.caches.document)),
    },
    LockService: lockService(exec, services.locks, services.lockKeys, services.noDocumentLock),
    ScriptApp: scriptApp(exec, services.triggers, {
      installation: services.installationSource,
      document: services.documentId,
      refusal: services.triggerRefusal,
    }),
    UrlFetchApp: urlFetchApp(exec, services.fetch),
    HtmlService: htmlService(exec, services.htmlFiles),
    Utilities: utilities(exec),
    Session: {
      getActiveUser: () => activeUser,
      getEffectiveUser: () => effectiveUser,
      getScriptTimeZone: () => TIME_ZONE,
      getActiveUserLocale: () => "en",
      getTemporaryActiveUserKey: () => services.session.temporaryKey,
    },
    Logger: logger,
    console: { log, info: log, warn: log, error: log, debug: log },
  };
}
