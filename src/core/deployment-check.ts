// `Check this deployment`: what each probe of the real spreadsheet found, and the report a user can
// copy. Some of Google's behaviour is documented nowhere (whether a trigger has the document and its
// lock, whether re-entered formulas recalculate, how developer metadata travels with copies); each
// report line says what was found, with Google's own message where something failed, and what
// Territory Planner does about it. Pure: the adapter probes, this words.

/** A probe that worked, with what it found, or Google's message when it failed. */
export type Probe<T> = { ok: true; value: T } | { ok: false; message: string };

/** What the one-shot trigger asked by a check found when it ran (null fields: it has not run yet). */
export interface BackgroundStep {
  askedAt: number;
  ranAt: number | null;
  /** SpreadsheetApp.getActiveSpreadsheet() gave this spreadsheet. */
  hasDocument: boolean | null;
  /** LockService.getDocumentLock() gave a lock it could take. */
  hasLock: boolean | null;
}

/** A provider's cheap test request (the Settings page's Test connection), already free of keys. */
export interface ProviderTest {
  /** "Web search (Tavily)", "AI (api.crusoe.ai)". */
  name: string;
  configured: boolean;
  ok: boolean;
  message: string;
  detail: string;
}

export interface DeploymentFindings {
  at: number;
  /** A published add-on (installed from the Marketplace) rather than a script bound to the spreadsheet. */
  published: boolean;
  /** Document and user properties written, read back and deleted. */
  properties: Probe<null>;
  /** The document cache written, read back and removed. */
  cache: Probe<null>;
  /** "absent": Google gave no document lock; "busy": a research step holds it now. */
  documentLock: Probe<"free" | "busy" | "absent">;
  /** The scratch sheet the sheet probes work in; without it they are not run (null). */
  scratch: Probe<null>;
  /** A column tag added and found again, then whether it went with a copy of its column and of its sheet. */
  metadata: Probe<{ copiedColumn: boolean; duplicatedSheet: boolean }> | null;
  /**
   * A =TERRITORY_TIER probe formula: whether Sheets calculated it when entered (within the wait),
   * again when the same text was entered again, and when it was cleared and entered (what the add-on
   * does when a run ends).
   */
  recalculation: Probe<{ calculated: boolean; sameText: boolean; clearAndEnter: boolean }> | null;
  /** Creating and deleting a trigger; not tried while a run is active (its own trigger waits). */
  triggers: { kind: "ok" } | { kind: "refused"; message: string } | { kind: "runActive" };
  /** The background step an earlier check asked for, if it has run since. */
  earlierBackground: BackgroundStep | null;
  /** Whether this check asked a new background step (it reports pending). */
  backgroundAsked: boolean;
  providers: ProviderTest[];
}

/** How long the probe formula is waited for after it is entered, and after each re-entry. */
export const FIRST_CALCULATION_WAIT_MS = 10_000;
export const RECALCULATION_WAIT_MS = 5_000;

/** A probe formula's argument: TERRITORY_TIER answers it by counting it, never by a lookup. */
const PROBE_PREFIX = "territory-planner-check:";

export function probeArgument(nonce: string): string {
  return `${PROBE_PREFIX}${nonce}`;
}

/** The nonce of a probe argument, or null for any other argument. */
export function probeNonce(value: unknown): string | null {
  if (typeof value !== "string" || !value.startsWith(PROBE_PREFIX)) return null;
  const nonce = value.slice(PROBE_PREFIX.length);
  return /^[A-Za-z0-9-]{1,64}$/.test(nonce) ? nonce : null;
}

/** Google's own message (or what the probe saw instead), in quotes. */
function quoted(message: string): string {
  return ` ("${message.replace(/\s+/g, " ").trim()}")`;
}

function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

const SIDEBAR_ONLY =
  "Research goes on only while the Territory Planner sidebar is open: closing it stops the research, your rows stay queued, and it goes on when you open the sidebar again.";

function lockLine(lock: DeploymentFindings["documentLock"], published: boolean): string {
  if (!lock.ok)
    return `Document lock: failed${quoted(lock.message)}. Research may run two steps at once here; keep one sidebar open at a time.`;
  if (lock.value === "free") return "Document lock: ok";
  if (lock.value === "busy") return "Document lock: ok (a research step holds it right now)";
  return published
    ? "Document lock: none here (Google gives none). Territory Planner keeps your own steps apart with your user lock instead; a colleague's Cancel waits for your sidebar's next step."
    : "Document lock: none here (Google gives none). Territory Planner uses its script lock instead, which this spreadsheet's script has to itself: ok.";
}

function metadataLines(metadata: DeploymentFindings["metadata"]): string[] {
  if (metadata === null) return ["Column tags: not checked (no scratch sheet)."];
  if (!metadata.ok) {
    return [
      `Column tags: failed${quoted(metadata.message)}. Territory Planner finds its output columns by these tags, so it cannot write results here.`,
    ];
  }
  const { copiedColumn, duplicatedSheet } = metadata.value;
  return [
    "Column tags: ok",
    copiedColumn
      ? "Copied columns: a copy of one of Territory Planner's columns takes its tag along. If you copy one, Territory Planner writes into neither copy and names both columns until you delete one."
      : "Copied columns: ok (a copy of one of Territory Planner's columns takes no tag: it is yours)",
    duplicatedSheet
      ? "Duplicated sheets: ok (a copy of a researched sheet keeps Territory Planner's columns)"
      : "Duplicated sheets: a copy of a researched sheet loses the column tags; researching the copy finds its output columns again by their headers.",
  ];
}

function recalculationLine(recalculation: DeploymentFindings["recalculation"]): string {
  if (recalculation === null) return "Formula refresh: not checked (no scratch sheet).";
  if (!recalculation.ok) return `Formula refresh: failed${quoted(recalculation.message)}. =TERRITORY_TIER cells may not show results.`;
  const { calculated, sameText, clearAndEnter } = recalculation.value;
  const waited = FIRST_CALCULATION_WAIT_MS / 1000;
  if (!calculated) {
    return `Formula refresh: a =TERRITORY_TIER formula was not calculated within ${waited} s of being entered (Sheets may be slow right now). Check again; if this stays, =TERRITORY_TIER cells will not show answers here, while Research selected rows still writes them.`;
  }
  if (clearAndEnter && sameText) return "Formula refresh: ok (a formula entered again is calculated again)";
  if (clearAndEnter) {
    return "Formula refresh: ok (entering the same formula again does not recalculate it here, but clearing it and entering it again does, which is how Territory Planner refreshes =TERRITORY_TIER cells when a run ends)";
  }
  return "Formula refresh: =TERRITORY_TIER cells were not calculated again when cleared and entered again. After a run they may keep old answers until you edit them (change the cell and change it back).";
}

function triggerLine(triggers: DeploymentFindings["triggers"]): string {
  switch (triggers.kind) {
    case "ok":
      return "Triggers: ok (one created and deleted)";
    case "runActive":
      return "Triggers: not checked while a research run is in progress (its own trigger is waiting); check again when it has ended.";
    case "refused":
      return `Triggers: Google refused to create one${quoted(triggers.message)}. ${SIDEBAR_ONLY}`;
  }
}

function backgroundLines(findings: DeploymentFindings): string[] {
  const lines: string[] = [];
  const earlier = findings.earlierBackground;
  if (earlier && earlier.ranAt !== null) {
    const when = `asked ${time(earlier.askedAt)} UTC, ran ${time(earlier.ranAt)} UTC`;
    if (earlier.hasDocument && earlier.hasLock) {
      lines.push(`Background step (${when}): ok (it had this spreadsheet and its lock, so research goes on with the sidebar closed)`);
    } else {
      const missing = earlier.hasDocument ? "a lock on this spreadsheet" : "this spreadsheet";
      lines.push(`Background step (${when}): it ran without ${missing}. ${SIDEBAR_ONLY}`);
    }
  }
  if (findings.backgroundAsked) {
    const soon = findings.published ? "Google decides when (up to an hour for an installed add-on)" : "Google runs it in a minute or so";
    lines.push(
      `Background step: pending. ${soon}; run Check this deployment again after that, and this line says whether it had this spreadsheet and its lock.`,
    );
  } else if (!earlier || earlier.ranAt === null) {
    lines.push("Background step: not checked (no trigger could be made for it).");
  }
  return lines;
}

function providerLine(test: ProviderTest): string {
  if (!test.configured) return `${test.name}: no key yet. Add it in Settings before researching.`;
  if (test.ok) return `${test.name}: ok`;
  const detail = test.detail ? ` (${test.detail})` : "";
  return `${test.name}: ${test.message}${detail} Research pauses before its first request to it until this works.`;
}

/** The report, one line per finding: `ok`, or what failed with Google's message and what the add-on does. */
export function deploymentReport(findings: DeploymentFindings): string {
  const where = findings.published ? "an installed add-on" : "a script bound to this spreadsheet";
  const stamp = new Date(findings.at).toISOString().slice(0, 16).replace("T", " ");
  const probeLine = (label: string, probe: Probe<null>, consequence: string) =>
    probe.ok ? `${label}: ok` : `${label}: failed${quoted(probe.message)}. ${consequence}`;
  return [
    `Territory Planner: check of this deployment (${where}), ${stamp} UTC`,
    probeLine("Properties", findings.properties, "Research cannot keep its progress here, so it cannot run."),
    probeLine(
      "Cache",
      findings.cache,
      "=TERRITORY_TIER cannot remember its live answers: set Live lookups per day to 0 in Settings so that a recalculation never pays twice.",
    ),
    lockLine(findings.documentLock, findings.published),
    probeLine("Scratch sheet", findings.scratch, "The column and formula checks need one; they were not run."),
    ...metadataLines(findings.metadata),
    recalculationLine(findings.recalculation),
    triggerLine(findings.triggers),
    ...backgroundLines(findings),
    ...findings.providers.map(providerLine),
  ].join("\n");
}
