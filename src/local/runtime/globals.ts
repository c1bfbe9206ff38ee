// The Apps Script globals of one execution, built fresh for every run.
import { format } from "node:util";
import { scriptCache, type FakeCache } from "./cache";
import type { Execution } from "./execution";
import { htmlService, spreadsheetUi, type UiRecord } from "./html";
import { lockService, type LockTable } from "./locks";
import { scriptProperties, type FakeProperties } from "./properties";
import { ScriptSpreadsheet, spreadsheetAppBuilders } from "./spreadsheet-app";
import type { FakeSpreadsheet } from "./spreadsheet";
import { scriptApp, type InstallationSource, type TriggerTable } from "./triggers";
import { urlFetchApp, type FetchMode } from "./urlfetch";
import { utilities } from "./utilities";

export interface Services {
  spreadsheet: FakeSpreadsheet;
  properties: { user: FakeProperties; script: FakeProperties; document: FakeProperties };
  caches: { user: FakeCache; script: FakeCache; document: FakeCache };
  locks: LockTable;
  triggers: TriggerTable;
  installationSource: InstallationSource;
  ui: UiRecord;
  htmlFiles: Record<string, string>;
  fetchMode: () => FetchMode;
}

const TIME_ZONE = "Etc/UTC";

export function createGlobals(exec: Execution, services: Services): Record<string, unknown> {
  const active = () => new ScriptSpreadsheet(exec, services.spreadsheet);
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
  const user = { getEmail: () => exec.user };
  return {
    SpreadsheetApp: {
      ...spreadsheetAppBuilders(),
      getActive: active,
      getActiveSpreadsheet: active,
      getActiveSheet: () => active().getActiveSheet(),
      getActiveRange: () => active().getActiveRange(),
      getActiveRangeList: () => active().getActiveRangeList(),
      getUi: () => spreadsheetUi(exec, services.ui),
      // Writes are applied at once here, so there is nothing to flush.
      flush: () => undefined,
    },
    PropertiesService: {
      getUserProperties: () => scriptProperties(exec, services.properties.user),
      getScriptProperties: () => scriptProperties(exec, services.properties.script),
      getDocumentProperties: () => scriptProperties(exec, services.properties.document),
    },
    CacheService: {
      getUserCache: () => scriptCache(exec, services.caches.user),
      getScriptCache: () => scriptCache(exec, services.caches.script),
      getDocumentCache: () => scriptCache(exec, services.caches.document),
    },
    LockService: lockService(exec, services.locks),
    ScriptApp: scriptApp(exec, services.triggers, services.installationSource),
    UrlFetchApp: urlFetchApp(exec, services.fetchMode),
    HtmlService: htmlService(exec, services.htmlFiles),
    Utilities: utilities(exec),
    Session: {
      getActiveUser: () => user,
      getEffectiveUser: () => user,
      getScriptTimeZone: () => TIME_ZONE,
      getActiveUserLocale: () => "en",
      getTemporaryActiveUserKey: () => `local-${exec.user}`,
    },
    Logger: logger,
    console: { log, info: log, warn: log, error: log, debug: log },
  };
}
