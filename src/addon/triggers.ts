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

/** Past the longest execution (6 minutes), so it never fires while the worker that set it runs. */
const AFTER_THIS_EXECUTION_MS = 7 * 60_000;

/**
 * Leaves exactly one time-driven trigger to continue the run if no sidebar drives it: "soon" for a
 * hand-off, "after-this-execution" as a safety net for a worker that may be killed.
 */
export function scheduleWorker(when: "soon" | "after-this-execution", keepExisting = false): void {
  const existing = workerTriggers();
  if (keepExisting && existing.length > 0) return;
  for (const trigger of existing) ScriptApp.deleteTrigger(trigger);
  const soon = isPublishedAddOn() ? ADD_ON_CONTINUE_AFTER_MS : CONTINUE_AFTER_MS;
  const after = when === "soon" ? soon : Math.max(soon, AFTER_THIS_EXECUTION_MS);
  ScriptApp.newTrigger(WORKER_HANDLER).timeBased().after(after).create();
}
