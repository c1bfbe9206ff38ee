// =TERRITORY_TIER(company, [field]) (SPEC §10). Runs as a custom function: read-only sheet, no
// authorisation, 30 seconds. Every outcome the code can see is answered as text, never a throw.
import { z } from "zod";
import { parseStoredJson } from "../core/json";
import { applyResponse, companyKey, nextStep, startCompany, type Outcome, type ResearchOptions } from "../core/engine";
import { missingKeys, type Settings } from "../core/settings";
import type { CacheEntry, ResearchResult } from "../core/types";
import { LIMITS } from "../core/limits";
import { CacheSheet } from "./cache-sheet";
import { fetchOne } from "./http";
import { loadSettings } from "./settings-store";

const FIELDS = ["tier", "score", "use case", "rationale", "sources", "status"] as const;
type Field = (typeof FIELDS)[number];

/** Our own budget inside Google's 30 seconds, leaving room to answer. */
const BUDGET_MS = LIMITS.customFunctionMs - 5_000;
/** Expected step times before any has been measured. */
const DEFAULT_SEARCH_MS = 5_000;
const DEFAULT_LLM_MS = 10_000;
const LIVE_EVIDENCE_CHARS = 6_000;
const LIVE_MAX_OUTPUT_TOKENS = 350;
const MEMO_SECONDS = 6 * 60 * 60;
const USE_RESEARCH = "use Territory Planner > Research selected rows";

interface Answer {
  tier: string;
  score: number | "";
  useCase: string;
  rationale: string;
  sources: string;
  status: string;
}
const answerSchema = z.object({
  tier: z.string(),
  score: z.union([z.number(), z.literal("")]),
  useCase: z.string(),
  rationale: z.string(),
  sources: z.string(),
  status: z.string(),
});
const latencySchema = z.object({ searchMs: z.number(), llmMs: z.number(), llmStartedAt: z.number() });
type Latency = z.infer<typeof latencySchema>;

function parseField(field: unknown): Field | null {
  if (field === undefined || field === null || field === "") return "tier";
  const normalised = String(field).toLowerCase().replace(/[\s_-]+/g, " ").trim();
  if (normalised === "usecase") return "use case";
  return (FIELDS as readonly string[]).includes(normalised) ? (normalised as Field) : null;
}

function pick(answer: Answer, field: Field): string | number {
  switch (field) {
    case "tier":
      return answer.tier;
    case "score":
      return answer.score;
    case "use case":
      return answer.useCase;
    case "rationale":
      return answer.rationale;
    case "sources":
      return answer.sources;
    case "status":
      return answer.status;
  }
}

function fromResult(result: ResearchResult, status: string): Answer {
  return { tier: result.tier, score: result.score ?? "", useCase: result.useCase, rationale: result.rationale, sources: result.sources.join("\n"), status };
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

function memoKey(settings: Settings, key: string): string {
  const digest = Utilities.computeDigest(Utilities.DigestAlgorithm.SHA_256, `${settings.profile}|${settings.llmModel}|${key}`);
  return "tt:" + Utilities.base64EncodeWebSafe(digest);
}

function readJson<T>(cache: GoogleAppsScript.Cache.Cache | null, key: string, schema: z.ZodType<T>): T | null {
  return parseStoredJson(cache?.get(key), schema);
}

function freshResult(entry: CacheEntry | undefined, settings: Settings, now: number): ResearchResult | null {
  if (!entry?.result) return null;
  if (now - entry.fetchedAt >= settings.cacheTtlDays * 86_400_000) return null;
  return entry.result.profile === settings.profile ? entry.result : null;
}

/** Settings for reading the cache: a custom function may not see the user's keys, but profile and TTL have defaults. */
function settingsOrMessage(): Settings | string {
  const { settings, errors } = loadSettings();
  return settings ?? `Territory Planner settings need fixing (${Object.keys(errors).join(", ")}): open Settings.`;
}

function answerRange(values: unknown[][], field: Field, settings: Settings): (string | number)[][] {
  const names = values.map((row) => String(row[0] ?? "").trim());
  const keys = names.map((name) => (name ? companyKey(settings.profile, name, null) : ""));
  const cache = CacheSheet.open(false);
  const found = cache ? cache.lookup([...new Set(keys.filter(Boolean))]) : new Map<string, CacheEntry>();
  const memo = documentCache();
  const now = Date.now();
  return names.map((name, i) => {
    if (!name) return [""];
    const key = keys[i] ?? "";
    const result = freshResult(found.get(key), settings, now);
    if (result) return [pick(fromResult(result, "Done"), field)];
    const memoised = readJson(memo, memoKey(settings, key), answerSchema);
    return [memoised ? pick(memoised, field) : `Not researched yet: ${USE_RESEARCH}`];
  });
}

function outcomeAnswer(outcome: Outcome): Answer {
  const blank = { tier: "", score: "" as const, useCase: "", rationale: "", sources: "" };
  switch (outcome.kind) {
    case "done":
      return fromResult(outcome.result, "Done (live)");
    case "noData":
      return { ...blank, tier: "UNKNOWN", rationale: outcome.rationale, status: "No reliable data" };
    case "error":
      return { ...blank, status: `Error: ${outcome.message}` };
    case "paused":
      return { ...blank, status: `Paused: ${outcome.reason}` };
  }
}

/** One search and one LLM call, each started only when the time left fits it. */
function liveLookup(name: string, settings: Settings, startedAt: number): Answer | string {
  const cache = documentCache();
  const latency: Latency = readJson(cache, "tt:latency", latencySchema) ?? { searchMs: DEFAULT_SEARCH_MS, llmMs: DEFAULT_LLM_MS, llmStartedAt: 0 };
  if (latency.llmStartedAt > 0) {
    // The previous lookup started an LLM call and never recorded its end: it ran out of time.
    latency.llmMs = Math.max(latency.llmMs, BUDGET_MS);
    latency.llmStartedAt = 0;
  }
  const options: ResearchOptions = { settings, jsonMode: false, maxSearches: 1, evidenceBudgetChars: LIVE_EVIDENCE_CHARS, maxOutputTokens: LIVE_MAX_OUTPUT_TOKENS };
  let state = startCompany({ company: name, domain: null }, null, options, Date.now());
  const remember = () => cache?.put("tt:latency", JSON.stringify(latency), MEMO_SECONDS);
  for (;;) {
    const step = nextStep(state);
    if (step.kind === "finished") {
      remember();
      return outcomeAnswer(step.outcome);
    }
    const elapsed = Date.now() - startedAt;
    const needed = step.service === "tavily" ? latency.searchMs + latency.llmMs : latency.llmMs;
    if (step.notBefore > Date.now() || elapsed + needed > BUDGET_MS) {
      remember();
      return `Not enough time for a live lookup: ${USE_RESEARCH}`;
    }
    const sentAt = Date.now();
    if (step.service === "llm") {
      latency.llmStartedAt = sentAt;
      remember();
    }
    const response = fetchOne(step.request);
    const took = Date.now() - sentAt;
    if (step.service === "tavily") latency.searchMs = took;
    else {
      latency.llmMs = took;
      latency.llmStartedAt = 0;
    }
    state = applyResponse(state, response, options, Date.now()).state;
    if (Date.now() - startedAt > BUDGET_MS) {
      remember();
      return `The live lookup ran out of time: ${USE_RESEARCH}`;
    }
  }
}

export function territoryTier(company: unknown, fieldArg?: unknown): unknown {
  const startedAt = Date.now();
  try {
    const field = parseField(fieldArg);
    if (!field) return `Unknown field "${String(fieldArg)}": use ${FIELDS.join(", ")}.`;
    const settings = settingsOrMessage();
    if (typeof settings === "string") return settings;
    if (Array.isArray(company)) {
      const rows = company.map((row: unknown) => (Array.isArray(row) ? (row as unknown[]) : [row]));
      return answerRange(rows, field, settings);
    }
    const name = String(company ?? "").trim();
    if (!name) return "Enter a company name.";
    if (!looksLikeName(name)) return `"${name.slice(0, 40)}" is not a company name.`;
    const key = companyKey(settings.profile, name, null);
    const cached = CacheSheet.open(false)?.lookup([key]).get(key);
    const result = freshResult(cached, settings, Date.now());
    if (result) return pick(fromResult(result, "Done"), field);
    const memo = documentCache();
    const memoised = readJson(memo, memoKey(settings, key), answerSchema);
    if (memoised) return pick(memoised, field);
    if (missingKeys(settings).length > 0) return `Not researched yet, and no API keys for a live lookup: add them in Settings or ${USE_RESEARCH}.`;
    const live = liveLookup(name, settings, startedAt);
    if (typeof live === "string") return live;
    // Errors are not memoised, so a recalculation can try again.
    if (!live.status.startsWith("Error") && !live.status.startsWith("Paused")) memo?.put(memoKey(settings, key), JSON.stringify(live), MEMO_SECONDS);
    return live.status.startsWith("Error") || live.status.startsWith("Paused") ? live.status : pick(live, field);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `Territory Planner could not answer: ${message.slice(0, 200)}`;
  }
}
