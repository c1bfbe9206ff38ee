// The run's bookkeeping in document properties (one JSON value each, parsed at the boundary). The
// queue itself is the sheet; this holds what the sheet cannot: counters, costs, pacing, the pause
// reason and the run's owner. The transitions are the core's (src/core/run/run-state.ts).
import * as z from "zod/mini";
import { parseStoredJson } from "../core/json";
import { bounded, finiteNumbers, newestFitting, ownedByAnother, type RunOwner, type RunState } from "../core/run/run-state";
import { pauseReasonSchema, tierSchema } from "../core/wire";
import { TIERS, type Tier } from "../core/types";

export type { RunState } from "../core/run/run-state";

const RUN_KEY = "TP_RUN";
const SHEETS_KEY = "TP_SHEETS";
const CANCEL_KEY = "TP_CANCEL";

const num = z.number().check(z.refine(Number.isFinite));
const tierCounts = z.object(Object.fromEntries(TIERS.map((t) => [t, num])) as Record<Tier, typeof num>);
const perService = <T extends z.ZodMiniType>(schema: T) => z.object({ tavily: schema, llm: schema });

// Built on first use (z.lazy): a custom-function cell, for one, never reads the run state.
const runStateSchema = z.lazy(
  () =>
    z.object({
      runId: z.string(),
      startedAt: num,
      owner: z.nullable(
        z.union([
          z.object({ email: z.string(), userKey: z.string(), label: z.string() }),
          // Stored before both identities were kept: one key, an email when it has an @.
          z.pipe(
            z.object({ key: z.string(), label: z.string() }),
            z.transform(({ key, label }) => (key.includes("@") ? { email: key, userKey: "", label } : { email: "", userKey: key, label })),
          ),
        ]),
      ),
      // A run stored before these fields: driven when it started, no trigger known as the owner's.
      drivenAt: z.optional(num),
      ownerTriggers: z._default(z.array(z.string()), []),
      active: z.boolean(),
      finishedAt: z.optional(num),
      paused: z.nullable(pauseReasonSchema),
      jsonMode: z.boolean(),
      // A run stored before this field existed has not learnt it yet.
      noReasoningEffort: z._default(z.boolean(), false),
      counts: z.object({ done: num, cached: num, noData: num, failed: num, cancelled: num }),
      tiers: tierCounts,
      cost: z.object({ tavilyCredits: num, llmInputTokens: num, llmOutputTokens: num, usd: num }),
      pacing: z.object({
        waveSize: perService(num),
        blockedUntil: perService(num),
        sent: perService(z.array(z.tuple([num, num]))),
      }),
      refusingSince: perService(z.nullable(num)),
      recent: z.array(
        z.object({ company: z.string(), tier: z.union([tierSchema, z.literal("")]), score: z.nullable(num), status: z.string() }),
      ),
      errors: z.array(z.object({ sheet: z.string(), row: num, company: z.string(), status: z.string() })),
      skipped: z._default(z.array(z.object({ sheet: z.string(), row: num, company: z.string() })), []),
    }) satisfies z.ZodMiniType<Omit<RunState, "drivenAt"> & { drivenAt?: number }>,
);

const column = z.number().check(z.int(), z.positive());
/**
 * The queue sheets by sheet id (a name identifies two things after a rename, or a sheet deleted and
 * made again), with the column that holds companies when no header names one. Lists stored before
 * ids were kept name their sheets; they are read by name until the list is next written.
 */
const storedSheetsSchema = z.lazy(() =>
  z.array(z.union([z.object({ id: z.number().check(z.int()), column }), z.object({ name: z.string(), fallbackCompanyColumn: column })])),
);
type StoredSheet = z.infer<typeof storedSheetsSchema>[number];

/** A queue sheet as this execution finds it: by its name now. */
export interface QueueSheet {
  name: string;
  fallbackCompanyColumn: number;
}
/** Under the 9 KB a property value may hold: a long list drops the sheets queued longest ago. */
const MAX_QUEUE_SHEETS_BYTES = 8_000;

function props(): GoogleAppsScript.Properties.Properties {
  return PropertiesService.getDocumentProperties();
}

export function loadRunState(): RunState | null {
  const run = parseStoredJson(props().getProperty(RUN_KEY), runStateSchema);
  return run && { ...run, drivenAt: run.drivenAt ?? run.startedAt };
}

/** Stored finite and within a property's size, whatever the names and figures in it. */
export function saveRunState(state: RunState): void {
  props().setProperty(RUN_KEY, JSON.stringify(bounded(finiteNumbers(state))));
}

/** The stored list, each entry with the sheet it names now (null: the sheet is gone), read with one call. */
function storedSheets(): { stored: StoredSheet; sheet: GoogleAppsScript.Spreadsheet.Sheet | null }[] {
  const stored = parseStoredJson(props().getProperty(SHEETS_KEY), storedSheetsSchema) ?? [];
  if (stored.length === 0) return [];
  const sheets = SpreadsheetApp.getActiveSpreadsheet().getSheets();
  return stored.map((entry) => ({
    stored: entry,
    sheet: sheets.find((sheet) => ("id" in entry ? sheet.getSheetId() === entry.id : sheet.getName() === entry.name)) ?? null,
  }));
}

/** The queue sheets that exist now, by their current names. */
export function loadQueueSheets(): QueueSheet[] {
  return storedSheets().flatMap(({ stored, sheet }) =>
    sheet ? [{ name: sheet.getName(), fallbackCompanyColumn: "id" in stored ? stored.column : stored.fallbackCompanyColumn }] : [],
  );
}

/**
 * Puts the sheet (named as this execution found it) last on the list, kept by id. Sheets that are
 * gone leave the list, and it stays within a property's size however many sheets are queued.
 */
export function addQueueSheet(queueSheet: QueueSheet): void {
  const added = SpreadsheetApp.getActiveSpreadsheet().getSheetByName(queueSheet.name);
  if (!added) return;
  const entry = (sheet: GoogleAppsScript.Spreadsheet.Sheet, column: number) => ({ id: sheet.getSheetId(), column });
  const kept = storedSheets().flatMap(({ stored, sheet }) =>
    sheet && sheet.getSheetId() !== added.getSheetId() ? [entry(sheet, "id" in stored ? stored.column : stored.fallbackCompanyColumn)] : [],
  );
  const list = newestFitting([...kept, entry(added, queueSheet.fallbackCompanyColumn)], MAX_QUEUE_SHEETS_BYTES);
  props().setProperty(SHEETS_KEY, JSON.stringify(list));
}

/** A cancel asked for while a worker held the lock; the worker acts on it after its wave. */
export function requestCancel(): void {
  props().setProperty(CANCEL_KEY, "1");
}

export function takeCancelRequest(): boolean {
  const asked = props().getProperty(CANCEL_KEY) === "1";
  if (asked) props().deleteProperty(CANCEL_KEY);
  return asked;
}

/** What Google shows of the user, or "" where it shows nothing in this context. */
function shown(read: () => string): string {
  try {
    return read() || "";
  } catch {
    // No userinfo.email authorisation here, or no active user (some trigger contexts).
    return "";
  }
}

/**
 * Who is running this execution, both ways Google tells. The effective user is the person at the
 * keyboard for a menu item or sidebar call, and the trigger's creator for a time-driven trigger
 * (https://developers.google.com/apps-script/reference/base/session#geteffectiveuser); the email may
 * be blank, and the temporary key "rotates every 30 days", so the run keeps both.
 */
export function currentUser(): RunOwner {
  const email = shown(() => Session.getEffectiveUser().getEmail());
  return { email, userKey: shown(() => Session.getTemporaryActiveUserKey()), label: email || "another user" };
}

/** The active run belongs to someone else who drove it within the day: they pay for it and only they drive it. */
export function runOwnedByAnother(): { ownerLabel: string } | null {
  const run = loadRunState();
  if (!run?.owner || !ownedByAnother(run, currentUser(), Date.now())) return null;
  return { ownerLabel: run.owner.label };
}
