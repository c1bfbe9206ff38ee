// The continuation trigger of a run: at most one per document, deleted by the worker it starts.
// A published add-on's getProjectTriggers() lists the user's triggers of every document the add-on
// runs in, and time-driven triggers carry no source id, so this document remembers the unique ids
// of the triggers it made (document properties) and only ever touches those.
import * as z from "zod/mini";
import { parseStoredJson } from "../core/json";

const WORKER_HANDLER = "runResearchWorker";
const TRIGGER_IDS_KEY = "TP_TRIGGER_IDS";
/** A container-bound script may ask for a minute; an editor add-on's time-driven trigger runs at most hourly. */
const CONTINUE_AFTER_MS = 60_000;
const ADD_ON_CONTINUE_AFTER_MS = 60 * 60_000;
/** Past the longest execution (6 minutes), so it never fires while the worker that set it runs. */
const AFTER_THIS_EXECUTION_MS = 7 * 60_000;

const idsSchema = z.array(z.string());

export function isPublishedAddOn(): boolean {
  try {
    return ScriptApp.getInstallationSource() !== ScriptApp.InstallationSource.NONE;
  } catch {
    return false;
  }
}

function rememberedIds(): string[] {
  return parseStoredJson(PropertiesService.getDocumentProperties().getProperty(TRIGGER_IDS_KEY), idsSchema) ?? [];
}

function rememberIds(ids: readonly string[]): void {
  const props = PropertiesService.getDocumentProperties();
  if (ids.length === 0) props.deleteProperty(TRIGGER_IDS_KEY);
  else props.setProperty(TRIGGER_IDS_KEY, JSON.stringify(ids));
}

/**
 * This document's continuation triggers that the running user owns (Google lists only the user's
 * own), given the remembered ids. A script bound to the spreadsheet sees only this document's
 * triggers, so there every worker trigger is ours, including any made before ids were remembered.
 */
function ownWorkerTriggers(ids: readonly string[]): GoogleAppsScript.Script.Trigger[] {
  const remembered = new Set(ids);
  const everyDocument = isPublishedAddOn();
  return ScriptApp.getProjectTriggers().filter(
    (t) => t.getHandlerFunction() === WORKER_HANDLER && (!everyDocument || remembered.has(t.getUniqueId())),
  );
}

/** Deletes the triggers and forgets their ids; returns the ids still remembered. */
function deleteTriggers(triggers: readonly GoogleAppsScript.Script.Trigger[], ids: readonly string[]): string[] {
  if (triggers.length === 0) return [...ids];
  const gone = new Set(triggers.map((t) => t.getUniqueId()));
  for (const trigger of triggers) ScriptApp.deleteTrigger(trigger);
  const left = ids.filter((id) => !gone.has(id));
  rememberIds(left);
  return left;
}

/** Deletes this document's continuation triggers (never another document's). */
export function deleteWorkerTriggers(): void {
  const ids = rememberedIds();
  deleteTriggers(ownWorkerTriggers(ids), ids);
}

/**
 * Leaves exactly one time-driven trigger to continue the run if no sidebar drives it: "soon" for a
 * hand-off, "after-this-execution" as a safety net for a worker that may be killed. With
 * keepExisting, a trigger already waiting will do. The remembered ids are read once. Returns the id
 * of the trigger made, or null when one waiting was kept.
 */
export function scheduleWorker(when: "soon" | "after-this-execution", keepExisting = false): string | null {
  const ids = rememberedIds();
  const existing = ownWorkerTriggers(ids);
  if (keepExisting && existing.length > 0) return null;
  const left = deleteTriggers(existing, ids);
  const soon = isPublishedAddOn() ? ADD_ON_CONTINUE_AFTER_MS : CONTINUE_AFTER_MS;
  const after = when === "soon" ? soon : Math.max(soon, AFTER_THIS_EXECUTION_MS);
  const trigger = ScriptApp.newTrigger(WORKER_HANDLER).timeBased().after(after).create();
  rememberIds([...left, trigger.getUniqueId()]);
  return trigger.getUniqueId();
}
