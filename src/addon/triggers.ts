// The continuation trigger of a run: at most one, deleted by the worker it starts.
const WORKER_HANDLER = "runResearchWorker";
/** A container-bound script may ask for a minute; an editor add-on gets at most one run an hour. */
const CONTINUE_AFTER_MS = 60_000;
const ADD_ON_CONTINUE_AFTER_MS = 60 * 60_000;

export function isPublishedAddOn(): boolean {
  try {
    return ScriptApp.getInstallationSource() !== ScriptApp.InstallationSource.NONE;
  } catch {
    return false;
  }
}

function workerTriggers(): GoogleAppsScript.Script.Trigger[] {
  return ScriptApp.getProjectTriggers().filter((t) => t.getHandlerFunction() === WORKER_HANDLER);
}

export function deleteWorkerTriggers(): void {
  for (const trigger of workerTriggers()) ScriptApp.deleteTrigger(trigger);
}

/** Makes sure one time-driven trigger will continue the run if no sidebar drives it. */
export function scheduleWorker(): void {
  if (workerTriggers().length > 0) return;
  const after = isPublishedAddOn() ? ADD_ON_CONTINUE_AFTER_MS : CONTINUE_AFTER_MS;
  ScriptApp.newTrigger(WORKER_HANDLER).timeBased().after(after).create();
}
