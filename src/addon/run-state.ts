// The run's bookkeeping in document properties (one JSON value each, parsed with zod). The queue
// itself is the sheet; this holds what the sheet cannot: counters, costs, pacing, the pause reason.
import { z } from "zod";
import { parseStoredJson } from "../core/json";
import { TIERS, type Tier } from "../core/types";
import { initialPacing, type PacingLimits, type PacingState } from "../core/run/pacing";

const RUN_KEY = "TP_RUN";
const SHEETS_KEY = "TP_SHEETS";
const CANCEL_KEY = "TP_CANCEL";

const tierCounts = z.object(Object.fromEntries(TIERS.map((t) => [t, z.number()])) as Record<Tier, z.ZodNumber>);
const perService = <T extends z.ZodType>(schema: T) => z.object({ tavily: schema, llm: schema });

const runStateSchema = z.object({
  runId: z.string(),
  startedAt: z.number(),
  active: z.boolean(),
  paused: z.string().nullable(),
  jsonMode: z.boolean(),
  counts: z.object({ done: z.number(), cached: z.number(), noData: z.number(), failed: z.number(), cancelled: z.number() }),
  tiers: tierCounts,
  cost: z.object({ tavilyCredits: z.number(), llmInputTokens: z.number(), llmOutputTokens: z.number(), usd: z.number() }),
  pacing: z.object({
    waveSize: perService(z.number()),
    blockedUntil: perService(z.number()),
    sent: perService(z.array(z.tuple([z.number(), z.number()]))),
  }),
  recent: z.array(z.object({ company: z.string(), tier: z.enum([...TIERS, ""]), score: z.number().nullable(), status: z.string() })),
  errors: z.array(z.object({ row: z.number(), company: z.string(), status: z.string() })),
});
export type RunState = z.infer<typeof runStateSchema>;

const queueSheetsSchema = z.array(z.object({ name: z.string(), fallbackCompanyColumn: z.number().int().positive() }));
export type QueueSheet = z.infer<typeof queueSheetsSchema>[number];

export const RECENT_ROWS = 6;
export const ERROR_ROWS = 20;

function props(): GoogleAppsScript.Properties.Properties {
  return PropertiesService.getDocumentProperties();
}

function readJson<T>(key: string, schema: z.ZodType<T>): T | null {
  return parseStoredJson(props().getProperty(key), schema);
}

export function newRunState(limits: PacingLimits, now: number): RunState {
  const pacing: PacingState = initialPacing(limits);
  return {
    runId: String(now),
    startedAt: now,
    active: true,
    paused: null,
    jsonMode: false,
    counts: { done: 0, cached: 0, noData: 0, failed: 0, cancelled: 0 },
    tiers: { HOT: 0, WARM: 0, WATCH: 0, COLD: 0, UNKNOWN: 0 },
    cost: { tavilyCredits: 0, llmInputTokens: 0, llmOutputTokens: 0, usd: 0 },
    pacing,
    recent: [],
    errors: [],
  };
}

export function loadRunState(): RunState | null {
  return readJson(RUN_KEY, runStateSchema);
}

export function saveRunState(state: RunState): void {
  props().setProperty(RUN_KEY, JSON.stringify(state));
}

export function loadQueueSheets(): QueueSheet[] {
  return readJson(SHEETS_KEY, queueSheetsSchema) ?? [];
}

export function addQueueSheet(sheet: QueueSheet): void {
  const sheets = loadQueueSheets().filter((s) => s.name !== sheet.name);
  sheets.push(sheet);
  props().setProperty(SHEETS_KEY, JSON.stringify(sheets));
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
