// The continuation trigger of a run: at most one per document, deleted by the worker it starts.
// A published add-on's getProjectTriggers() lists the user's triggers of every document the add-on
// runs in, and time-driven triggers carry no source id, so this document remembers the unique ids
// of the triggers it made (document properties) and only ever touches those. Beside them it keeps
// why no trigger can carry its runs on, when Google refuses one: the sidebar then drives.
import * as z from "zod/mini";
import { parseStoredJson } from "../core/json";

const WORKER_HANDLER = "runResearchWorker";
const TRIGGER_IDS_KEY = "TP_TRIGGER_IDS";
/** A container-bound script may ask for a minute; an editor add-on's time-driven trigger runs at most hourly. */
const CONTINUE_AFTER_MS = 60_000;
const ADD_ON_CONTINUE_AFTER_MS = 60 * 60_000;
/** Past the longest execution (6 minutes), so it never fires while the worker that set it runs. */
const AFTER_THIS_EXECUTION_MS = 7 * 60_000;

/**
 * Why no trigger carries this document's runs on, so that only an open sidebar drives them: Google
 * refused to create one (a test deployment of an add-on does not support installable triggers,
 * https://developers.google.com/workspace/add-ons/how-tos/testing-editor-addons; a user may decline
 * the trigger scope), with Google's message; or a trigger execution got no document lock.
 */
export type SidebarOnly = { reason: "triggerRefused"; message: string } | { reason: "noLockInTriggers" };

/** The one-shot trigger a deployment check asked for: its id and when it was asked. */
export interface CheckTrigger {
  id: string;
  askedAt: number;
}

interface TriggerState {
  ids: string[];
  sidebarOnly: SidebarOnly | null;
  check: CheckTrigger | null;
}

const sidebarOnlySchema = z.union([
  z.object({ reason: z.literal("triggerRefused"), message: z.string() }),
  z.object({ reason: z.literal("noLockInTriggers") }),
]);
// The ids alone (an array) were stored before the reason was.
const stateSchema = z.union([
  z.array(z.string()),
  z.object({
    ids: z.array(z.string()),
    sidebarOnly: z.nullable(sidebarOnlySchema),
    check: z._default(z.nullable(z.object({ id: z.string(), askedAt: z.number() })), null),
  }),
]);

// A time-driven trigger passes its event (https://developers.google.com/apps-script/guides/triggers/events#time-driven-events);
// the sidebar and the menu pass nothing.
const triggerEventSchema = z.object({ triggerUid: z.union([z.string(), z.number()]) });

/** The id of the trigger whose event a global received, or null when no trigger runs this execution. */
export function triggerUidOf(event: unknown): string | null {
  const parsed = triggerEventSchema.safeParse(event);
  return parsed.success ? String(parsed.data.triggerUid) : null;
}

export function isPublishedAddOn(): boolean {
  try {
    return ScriptApp.getInstallationSource() !== ScriptApp.InstallationSource.NONE;
  } catch {
    return false;
  }
}

function loadState(): TriggerState {
  const stored = parseStoredJson(PropertiesService.getDocumentProperties().getProperty(TRIGGER_IDS_KEY), stateSchema);
  if (stored === null) return { ids: [], sidebarOnly: null, check: null };
  return Array.isArray(stored) ? { ids: stored, sidebarOnly: null, check: null } : stored;
}

function saveState(state: TriggerState): void {
  const props = PropertiesService.getDocumentProperties();
  if (state.ids.length === 0 && state.sidebarOnly === null && state.check === null) props.deleteProperty(TRIGGER_IDS_KEY);
  else props.setProperty(TRIGGER_IDS_KEY, JSON.stringify(state));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why only an open sidebar drives this document's runs, or null when a trigger carries them on. */
export function sidebarOnly(): SidebarOnly | null {
  return loadState().sidebarOnly;
}

/**
 * A trigger execution got no document lock, so it could not work without risking a second worker
 * beside the sidebar's: from now on no trigger is made here (a later check of the deployment may
 * find the lock and forget this).
 */
export function recordNoLockInTriggers(): void {
  saveState({ ...loadState(), sidebarOnly: { reason: "noLockInTriggers" } });
}

/**
 * What a check's background step found: a trigger execution with this spreadsheet and its lock lets
 * triggers carry runs on again; one without leaves runs to the sidebar.
 */
export function recordTriggerLock(hasLock: boolean): void {
  const state = loadState();
  if (hasLock && state.sidebarOnly?.reason === "noLockInTriggers") saveState({ ...state, sidebarOnly: null });
  if (!hasLock) saveState({ ...state, sidebarOnly: { reason: "noLockInTriggers" } });
}

/** The background step a check asked for in this document, if any. */
export function checkTrigger(): CheckTrigger | null {
  return loadState().check;
}

/** Deletes a pending check trigger (an editor add-on may have one time-driven trigger per document). */
function dropCheckTrigger(state: TriggerState): TriggerState {
  if (state.check === null) return state;
  const id = state.check.id;
  for (const trigger of ScriptApp.getProjectTriggers()) if (trigger.getUniqueId() === id) ScriptApp.deleteTrigger(trigger);
  return { ...state, check: null };
}

/**
 * A check of the deployment: creates a trigger and deletes it, then asks for the one-shot
 * background step `handler` (replacing one asked earlier). Returns Google's message when it refuses
 * (remembered: the sidebar then drives runs), null when both were made.
 */
export function checkTriggers(handler: string, now: number): string | null {
  let state = loadState();
  try {
    state = dropCheckTrigger(state);
    ScriptApp.deleteTrigger(ScriptApp.newTrigger(handler).timeBased().after(AFTER_THIS_EXECUTION_MS).create());
    const step = ScriptApp.newTrigger(handler).timeBased().after(CONTINUE_AFTER_MS).create();
    const sidebarOnly = state.sidebarOnly?.reason === "triggerRefused" ? null : state.sidebarOnly;
    saveState({ ...state, sidebarOnly, check: { id: step.getUniqueId(), askedAt: now } });
    return null;
  } catch (error) {
    const message = errorText(error);
    saveState({ ...state, sidebarOnly: { reason: "triggerRefused", message } });
    return message;
  }
}

/** A check's background step deletes its own trigger once it has run (a one-shot stays listed until deleted). */
export function deleteTriggerById(id: string): void {
  try {
    for (const trigger of ScriptApp.getProjectTriggers()) if (trigger.getUniqueId() === id) ScriptApp.deleteTrigger(trigger);
  } catch {
    // Refused: it fired already and never fires again.
  }
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

/** Deletes the triggers; returns the ids still remembered. */
function deleteTriggers(triggers: readonly GoogleAppsScript.Script.Trigger[], ids: readonly string[]): string[] {
  if (triggers.length === 0) return [...ids];
  const gone = new Set(triggers.map((t) => t.getUniqueId()));
  for (const trigger of triggers) ScriptApp.deleteTrigger(trigger);
  return ids.filter((id) => !gone.has(id));
}

/**
 * Deletes this document's continuation triggers (never another document's). Where Google refuses
 * the trigger calls (a declined scope) there is nothing it lets us delete: nothing throws.
 */
export function deleteWorkerTriggers(): void {
  const state = loadState();
  try {
    const left = deleteTriggers(ownWorkerTriggers(state.ids), state.ids);
    if (left.length !== state.ids.length) saveState({ ...state, ids: left });
  } catch {
    // The trigger calls are refused: a worker that finds no work when a stray trigger fires returns at once.
  }
}

/**
 * Leaves exactly one time-driven trigger to continue the run if no sidebar drives it: "soon" for a
 * hand-off, "after-this-execution" as a safety net for a worker that may be killed. With
 * keepExisting, a trigger already waiting will do. Returns the id of the trigger made; null when
 * one waiting was kept, or when none carries the run on (Google refused it, or trigger executions
 * here get no document lock), throwing nothing: only an open sidebar drives the run then, and
 * sidebarOnly() says why.
 */
export function scheduleWorker(when: "soon" | "after-this-execution", keepExisting = false): string | null {
  const state = loadState();
  if (state.sidebarOnly?.reason === "noLockInTriggers") return null;
  let { ids, check } = state;
  try {
    const existing = ownWorkerTriggers(ids);
    if (keepExisting && existing.length > 0) return null;
    ids = deleteTriggers(existing, ids);
    // A research run comes first: an add-on's one time-driven trigger per document is the run's.
    if (isPublishedAddOn()) check = dropCheckTrigger(state).check;
    const soon = isPublishedAddOn() ? ADD_ON_CONTINUE_AFTER_MS : CONTINUE_AFTER_MS;
    const after = when === "soon" ? soon : Math.max(soon, AFTER_THIS_EXECUTION_MS);
    const trigger = ScriptApp.newTrigger(WORKER_HANDLER).timeBased().after(after).create();
    saveState({ ids: [...ids, trigger.getUniqueId()], sidebarOnly: null, check });
    return trigger.getUniqueId();
  } catch (error) {
    saveState({ ids, sidebarOnly: { reason: "triggerRefused", message: errorText(error) }, check });
    return null;
  }
}
