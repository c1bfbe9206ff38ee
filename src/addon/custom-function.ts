// =TERRITORY_TIER(company, [field]). Runs as a custom function: read-only sheet, no authorisation,
// 30 seconds, and Google gives it the spreadsheet owner's properties whoever calls it, so every
// editor's live lookups spend the owner's keys: they are capped per document per day. Every
// outcome the code can see is answered as text, never a throw.
import * as z from "zod/mini";
import { parseStoredJson } from "../core/json";
import {
  applyResponse,
  isFresh,
  nextStep,
  startCompany,
  unjudgedEntry,
  type CompanyState,
  type Outcome,
  type ResearchOptions,
} from "../core/engine";
import { companyKey } from "../core/company-key";
import { ZERO_COST } from "../core/costs";
import { cutToBudget } from "../core/evidence";
import { outcomeCells, type RowCells } from "../core/run/planner";
import { capCellText, type OutputHeader } from "../core/run/sheet-layout";
import { clip } from "../core/format";
import { apiKeys, missingKeys, type Settings } from "../core/settings";
import type { CacheEntry } from "../core/types";
import { LIMITS } from "../core/limits";
import { CacheSheet } from "./cache-sheet";
import { fetchOne } from "./http";
import { loadSettings } from "./settings-store";

const FIELDS = ["tier", "score", "use case", "rationale", "sources", "status"] as const;
type Field = (typeof FIELDS)[number];
const FIELD_HEADER: Record<Field, OutputHeader> = {
  tier: "Tier",
  score: "Score",
  "use case": "Use Case",
  rationale: "Rationale",
  sources: "Sources",
  status: "Status",
};

/** Our own budget inside Google's 30 seconds, leaving room to answer. */
const BUDGET_MS = LIMITS.customFunctionMs - 5_000;
/** Expected step times before any has been measured. */
const DEFAULT_SEARCH_MS = 5_000;
const DEFAULT_LLM_MS = 10_000;
const LIVE_EVIDENCE_CHARS = 6_000;
const LIVE_MAX_OUTPUT_TOKENS = 350;
/** CacheService keeps a value at most 6 hours. */
const MEMO_SECONDS = 6 * 60 * 60;
/** Long enough for a parallel recalculation to queue behind the counter, short for Google's 30 s. */
const COUNTER_LOCK_MS = 3_000;
const USE_RESEARCH = "use Territory Planner > Research selected rows";

// Built on first use (z.lazy): the bundle is loaded by every execution, not only custom functions.
const answerSchema = z.lazy(() => z.record(z.string(), z.union([z.string(), z.number()])));
const latencySchema = z.lazy(() => z.object({ searchMs: z.number(), llmMs: z.number(), llmStartedAt: z.number() }));
type Latency = z.infer<typeof latencySchema>;
const evidenceMemoSchema = z.lazy(() =>
  z.object({
    company: z.string(),
    query: z.string(),
    fetchedAt: z.number(),
    credits: z.number(),
    evidence: z.array(z.object({ url: z.string(), title: z.string(), content: z.string() })),
  }),
);

function parseField(field: unknown): Field | null {
  if (field === undefined || field === null || field === "") return "tier";
  const normalised = String(field)
    .toLowerCase()
    .replace(/[\s_-]+/g, " ")
    .trim();
  if (normalised === "usecase") return "use case";
  return (FIELDS as readonly string[]).includes(normalised) ? (normalised as Field) : null;
}

function pick(cells: RowCells, field: Field): string | number {
  return cells[FIELD_HEADER[field]] ?? "";
}

function looksLikeName(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

function documentCache(): GoogleAppsScript.Cache.Cache | null {
  try {
    return CacheService.getDocumentCache();
  } catch {
    return null;
  }
}

/**
 * Hashed as UTF-8: Google's digest of a string defaults to US_ASCII, which turns every non-Latin
 * letter into "?", so "Сбербанк" and "Тинькофф" would share one memoised answer.
 */
function digestKey(prefix: string, text: string): string {
  return prefix + Utilities.base64EncodeWebSafe(Utilities.computeDigest(Utilities.DigestAlgorithm.SHA_256, text, Utilities.Charset.UTF_8));
}

/** The answer of a live lookup: it depends on the model that judged. */
function answerMemoKey(settings: Settings, nameKey: string): string {
  return digestKey("tt:a:", `${settings.llmModel}|${nameKey}`);
}

/** Evidence a live lookup paid for and could not get judged: any model may judge it. */
function evidenceMemoKey(nameKey: string): string {
  return digestKey("tt:e:", nameKey);
}

function readJson<T>(cache: GoogleAppsScript.Cache.Cache | null, key: string, schema: z.ZodMiniType<T>): T | null {
  return parseStoredJson(cache?.get(key), schema);
}

/** The key of a name with no domain: the lookup finds the entries of every domain under it. */
function nameKeyOf(settings: Settings, name: string): string {
  return companyKey(settings.profile, name, null);
}

/**
 * What a cache entry answers, with no request: a result of this profile, or no reliable data. Its
 * status is the research's (as in the researched row), not "(cached)".
 */
function cachedOutcome(entry: CacheEntry, settings: Settings, now: number): Outcome | null {
  if (!isFresh(entry, settings, now) || !entry.result) return null;
  if (entry.status === "noData")
    return { kind: "noData", rationale: entry.result.rationale, fromCache: false, cacheEntry: null, cost: ZERO_COST };
  if (entry.status === "validated" && entry.result.profile === settings.profile) {
    return { kind: "done", result: entry.result, fromCache: false, cacheEntry: null, cost: ZERO_COST };
  }
  return null;
}

/** Newest first: the most recent research of a name answers, whichever domain it was made with. */
function answeredAt(entry: CacheEntry): number {
  return entry.result?.classifiedAt ?? entry.fetchedAt;
}

/** For each name key, the cells of its most recent usable cache entry. */
function cachedAnswers(nameKeys: readonly string[], settings: Settings): Map<string, RowCells> {
  const answers = new Map<string, RowCells>();
  const cache = CacheSheet.open(false);
  if (!cache || nameKeys.length === 0) return answers;
  const now = Date.now();
  for (const [nameKey, entries] of cache.lookupByName(nameKeys)) {
    const usable = entries
      .map((entry) => ({ entry, outcome: cachedOutcome(entry, settings, now) }))
      .filter((e): e is { entry: CacheEntry; outcome: Outcome } => e.outcome !== null)
      .sort((a, b) => answeredAt(b.entry) - answeredAt(a.entry))[0];
    if (usable) answers.set(nameKey, outcomeCells(usable.outcome));
  }
  return answers;
}

/** Settings for reading the cache: a custom function may not see the user's keys, but profile and TTL have defaults. */
function settingsOrMessage(): Settings | string {
  const { settings, errors } = loadSettings();
  return settings ?? `Territory Planner settings need fixing (${Object.keys(errors).join(", ")}): open Settings.`;
}

function answerRange(values: unknown[][], field: Field, settings: Settings): (string | number)[][] {
  const names = values.map((row) => String(row[0] ?? "").trim());
  const keys = names.map((name) => (name && looksLikeName(name) ? nameKeyOf(settings, name) : ""));
  const found = cachedAnswers([...new Set(keys.filter(Boolean))], settings);
  const memo = documentCache();
  return names.map((name, i) => {
    const key = keys[i] ?? "";
    if (!name) return [""];
    if (!key) return [`"${name.slice(0, 40)}" is not a company name.`];
    const cells = found.get(key) ?? readJson(memo, answerMemoKey(settings, key), answerSchema);
    return [cells ? pick(cells, field) : `Not researched yet: ${USE_RESEARCH}.`];
  });
}

/** The day as the spreadsheet's users count it. */
function today(): string {
  let zone = "Etc/UTC";
  try {
    zone = SpreadsheetApp.getActiveSpreadsheet().getSpreadsheetTimeZone() || zone;
  } catch {
    // No spreadsheet time zone readable: UTC days.
  }
  return Utilities.formatDate(new Date(), zone, "yyyy-MM-dd");
}

const LIVE_COUNT_KEY = "TP_LIVE_LOOKUPS";
const liveCountSchema = z.lazy(() => z.object({ day: z.string(), count: z.number() }));

/**
 * Takes one of today's live lookups for this document; returns why not when it cannot. The count
 * is a document property: Google lets a custom function set document properties (only an editor's
 * user properties are refused), see
 * https://developers.google.com/apps-script/guides/sheets/functions#using_apps_script_services.
 * Sheets recalculates many cells at once, hence the lock around the read and the write: the
 * document's own, since a published add-on's script lock is shared by every document using it.
 * Where Google gives no document lock (null), the script lock still keeps the count right.
 */
function reserveLiveLookup(perDay: number): string | null {
  const lock = LockService.getDocumentLock() ?? LockService.getScriptLock();
  if (!lock.tryLock(COUNTER_LOCK_MS)) return `Too many live lookups at once; recalculate later or ${USE_RESEARCH}.`;
  try {
    const props = PropertiesService.getDocumentProperties();
    const day = today();
    const stored = parseStoredJson(props.getProperty(LIVE_COUNT_KEY), liveCountSchema);
    const count = stored && stored.day === day ? stored.count : 0;
    if (count >= perDay) return `Not researched yet, and this spreadsheet's ${perDay} live lookups for today are used up: ${USE_RESEARCH}.`;
    props.setProperty(LIVE_COUNT_KEY, JSON.stringify({ day, count: count + 1 }));
    return null;
  } finally {
    lock.releaseLock();
  }
}

interface LiveResult {
  /** The answer, or a text saying why there is none. */
  answer: RowCells | string;
  outcome: Outcome | null;
  /** Evidence paid for in this lookup and not judged. */
  unjudged: CacheEntry | null;
}

/** One search and one LLM call, each started only when the time left fits it; `reserve` before the first request. */
function liveLookup(state0: CompanyState, options: ResearchOptions, startedAt: number, reserve: () => string | null): LiveResult {
  const cache = documentCache();
  const latency: Latency = readJson(cache, "tt:latency", latencySchema) ?? {
    searchMs: DEFAULT_SEARCH_MS,
    llmMs: DEFAULT_LLM_MS,
    llmStartedAt: 0,
  };
  if (latency.llmStartedAt > 0) {
    // The previous lookup started an LLM call and never recorded its end: it ran out of time.
    latency.llmMs = Math.max(latency.llmMs, BUDGET_MS);
    latency.llmStartedAt = 0;
  }
  const remember = () => cache?.put("tt:latency", JSON.stringify(latency), MEMO_SECONDS);
  const keys = apiKeys(options.settings);
  let state = state0;
  let unjudged = unjudgedEntry(state0);
  let reserved = false;
  for (;;) {
    const step = nextStep(state);
    if (step.kind === "finished") {
      remember();
      return { answer: outcomeCells(step.outcome), outcome: step.outcome, unjudged };
    }
    const elapsed = Date.now() - startedAt;
    const needed = step.service === "tavily" ? latency.searchMs + latency.llmMs : latency.llmMs;
    if (step.notBefore > Date.now() || elapsed + needed > BUDGET_MS) {
      remember();
      return { answer: `Not enough time for a live lookup: ${USE_RESEARCH}.`, outcome: null, unjudged };
    }
    if (!reserved) {
      const refused = reserve();
      if (refused) return { answer: refused, outcome: null, unjudged };
      reserved = true;
    }
    const sentAt = Date.now();
    if (step.service === "llm") {
      latency.llmStartedAt = sentAt;
      remember();
    }
    const response = fetchOne(step.request, keys);
    const took = Date.now() - sentAt;
    if (step.service === "tavily") latency.searchMs = took;
    else {
      latency.llmMs = took;
      latency.llmStartedAt = 0;
    }
    state = applyResponse(state, response, options, Date.now()).state;
    // Kept past a failed LLM call (the state has finished by then), so the search is not paid twice.
    unjudged = unjudgedEntry(state) ?? unjudged;
    if (Date.now() - startedAt > BUDGET_MS) {
      remember();
      return { answer: `The live lookup ran out of time: ${USE_RESEARCH}.`, outcome: null, unjudged };
    }
  }
}

function rememberEvidence(memo: GoogleAppsScript.Cache.Cache | null, nameKey: string, entry: CacheEntry): void {
  const value = {
    company: entry.company,
    query: entry.query,
    fetchedAt: entry.fetchedAt,
    credits: entry.credits,
    evidence: cutToBudget(entry.evidence, LIVE_EVIDENCE_CHARS),
  };
  try {
    memo?.put(evidenceMemoKey(nameKey), JSON.stringify(value), MEMO_SECONDS);
  } catch {
    // Too large for the cache: the next recalculation searches again.
  }
}

function rememberedEvidence(memo: GoogleAppsScript.Cache.Cache | null, nameKey: string, settings: Settings): CacheEntry | null {
  const found = readJson(memo, evidenceMemoKey(nameKey), evidenceMemoSchema);
  if (!found) return null;
  return { ...found, key: nameKey, status: "unjudged", profile: settings.profile, domain: null, relevance: 0, result: null };
}

function answerSingle(name: string, field: Field, settings: Settings, startedAt: number): string | number {
  const nameKey = nameKeyOf(settings, name);
  const cached = cachedAnswers([nameKey], settings).get(nameKey);
  if (cached) return pick(cached, field);
  const memo = documentCache();
  const memoised = readJson(memo, answerMemoKey(settings, nameKey), answerSchema);
  if (memoised) return pick(memoised, field);
  if (settings.liveLookupsPerDay === 0) return `Not researched yet (live lookups are off in Settings): ${USE_RESEARCH}.`;
  if (missingKeys(settings).length > 0)
    return `Not researched yet, and no API keys for a live lookup: add them in Settings or ${USE_RESEARCH}.`;

  const options: ResearchOptions = {
    settings,
    jsonMode: false,
    maxSearches: 1,
    evidenceBudgetChars: LIVE_EVIDENCE_CHARS,
    maxOutputTokens: LIVE_MAX_OUTPUT_TOKENS,
  };
  // Evidence an earlier recalculation paid for is judged, not searched again.
  const state = startCompany({ company: name, domain: null }, rememberedEvidence(memo, nameKey, settings), options, Date.now());
  const live = liveLookup(state, options, startedAt, () => reserveLiveLookup(settings.liveLookupsPerDay));
  if (live.unjudged && live.outcome?.kind !== "done" && live.outcome?.kind !== "noData") rememberEvidence(memo, nameKey, live.unjudged);
  if (typeof live.answer === "string") return live.answer;
  if (live.outcome?.kind === "error" || live.outcome?.kind === "paused") return pick(live.answer, "status");
  memo?.put(answerMemoKey(settings, nameKey), JSON.stringify(live.answer), MEMO_SECONDS);
  memo?.remove(evidenceMemoKey(nameKey));
  return pick(live.answer, field);
}

/** Every answer fits its cell, whatever came in: text is capped below Google's 50,000 characters. */
function fitCell(answer: string | number): string | number {
  return typeof answer === "string" ? capCellText(answer) : answer;
}

export function territoryTier(company: unknown, fieldArg?: unknown): unknown {
  const answer = answerOf(company, fieldArg);
  return Array.isArray(answer) ? answer.map((row) => row.map(fitCell)) : fitCell(answer);
}

function answerOf(company: unknown, fieldArg: unknown): string | number | (string | number)[][] {
  const startedAt = Date.now();
  try {
    const field = parseField(fieldArg);
    // The argument is echoed short: it may be a whole cell's worth of text.
    if (!field) return `Unknown field "${clip(String(fieldArg), 30)}": use ${FIELDS.map((f) => `"${f}"`).join(", ")}.`;
    const settings = settingsOrMessage();
    if (typeof settings === "string") return settings;
    if (Array.isArray(company)) {
      const rows = company.map((row: unknown) => (Array.isArray(row) ? (row as unknown[]) : [row]));
      return answerRange(rows, field, settings);
    }
    const name = String(company ?? "").trim();
    if (!name) return "Enter a company name.";
    if (!looksLikeName(name)) return `"${name.slice(0, 40)}" is not a company name.`;
    return answerSingle(name, field, settings, startedAt);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `Territory Planner could not answer: ${message.slice(0, 200)}`;
  }
}
