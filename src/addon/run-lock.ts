// The lock that keeps one execution at a time on this document's run (a worker, a command that
// rewrites the queue, a cache clear). It is the document lock, which Google returns as null "if the
// script is not bound to a document"
// (https://developers.google.com/apps-script/reference/lock/lock-service#getDocumentLock()).
import { runOwnedByAnother } from "./run-state";
import { isPublishedAddOn } from "./triggers";

/**
 * The document lock, or where Google gives none a lock that keeps this execution apart from the
 * run's worker just as well. A script bound to the spreadsheet takes its script lock: its project is
 * this document's alone. A published add-on's script lock is shared by every document of every
 * user, so it takes the user lock, which keeps apart the executions of one user: the run's owner
 * alone drives the run, so that is enough for them and for anyone when no one else's run is active.
 * Null when nothing would keep this execution apart (another user's run is active): the caller then
 * acts as if the lock were busy.
 */
export function runLock(): GoogleAppsScript.Lock.Lock | null {
  const documentLock = LockService.getDocumentLock();
  if (documentLock) return documentLock;
  if (!isPublishedAddOn()) return LockService.getScriptLock();
  return runOwnedByAnother() ? null : LockService.getUserLock();
}
