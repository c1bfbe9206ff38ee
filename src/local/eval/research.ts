// One labelled list researched by one model through the built add-on (dist/Code.js) in the local
// runtime, as a user's run goes: the companies on a sheet, Research selected rows, the worker
// driven by the sidebar's loop (src/local/drive.ts), the answers read back from the cells.
import * as z from "zod/mini";
import { ADVANCED_SEARCH_CREDITS, addCost, CHARS_PER_TOKEN, ZERO_COST } from "../../core/costs";
import { DEFAULT_MAX_OUTPUT_TOKENS } from "../../core/engine";
import { parseChatCompletion, USE_CASE_CLASSES, type UseCaseClass } from "../../core/reply";
import { parseSearchResponse } from "../../core/search";
import { SETTING_DEFAULTS } from "../../core/settings";
import { pauseText } from "../../core/status";
import { TIERS, type Cost, type Tier } from "../../core/types";
import { commandResultSchema, progressSchema, type ResearchProgress } from "../../core/wire";
import { columnLetters, dataRange, foldHeader } from "../demo/sheet";
import { driveRun } from "../drive";
import type { ProviderHandler } from "../providers";
import { LocalRuntime, loadBuiltAddon } from "../runtime";
import { EvalError, rowKey, type LabelList, type LabelRow } from "./labels";
import { companyKeyOf, type RequestCompany } from "./recordings";
import { observe, type Exchange, type Miss } from "./services";

const SHEET = "Sheet1";
/** A run of a few thousand rows needs a few dozen worker executions; far more means it is stuck. */
const MAX_WORKER_EXECUTIONS = 400;

export type OutcomeKind = "judged" | "noData" | "error" | "notRecorded";

export interface CompanyResult {
  row: LabelRow;
  kind: OutcomeKind;
  /** The Status cell. */
  status: string;
  /** The class the Score note names (judged rows). */
  useCaseClass: UseCaseClass | null;
  /** The Tier cell: UNKNOWN for no data, null for errors and rows not recorded. */
  tier: Tier | null;
  score: number | null;
  useCase: string;
  /** Replay: which request had no recording and what changed. */
  missing: string | null;
  /** Replay: an answer was recorded at that place for another request (the prompt, evidence or query changed). */
  requestChanged: boolean;
  /** What the company's requests cost, counted as the add-on counts it. */
  cost: Cost;
  /** From its first request to its last answer, in the runtime's clock (0 with no request). */
  timeMs: number;
  requests: number;
}

export interface ModelRun {
  model: string;
  companies: CompanyResult[];
  /** The add-on's own totals for the run (getResearchProgress). */
  reported: Pick<ResearchProgress, "costUsd" | "tavilyCredits" | "llmTokens">;
  /** Apps Script time of the whole run in the runtime's clock. */
  runMs: number;
}

export interface RunServices {
  handler: ProviderHandler;
  /** User properties of the run besides model and profile: keys, base URL, prices. */
  settings: Record<string, string>;
  urlFetchWhitelist: (whitelist: readonly string[] | null) => readonly string[] | null;
  /** Requests replay could not answer, filled while the run goes. */
  misses: readonly Miss[];
  /** Virtual start of the run (epoch ms); the runtime's default when absent. */
  startTime?: number;
}

function call<T>(rt: LocalRuntime, fn: string, kind: "menu" | "sidebar", schema: z.ZodMiniType<T>): T {
  const result = rt.run(fn, [], { kind });
  const parsed = result.error === null ? z.safeParse(schema, result.value) : null;
  if (!parsed?.success) {
    throw new EvalError(`the add-on's ${fn} failed${result.error ? `: ${result.error}` : ""}. Run npm run build and try again.`);
  }
  return parsed.data;
}

interface Meter {
  cost: Cost;
  first: number;
  last: number;
  requests: number;
}

function price(settings: Record<string, string>) {
  const get = (key: "TAVILY_PRICE_PER_CREDIT" | "LLM_INPUT_PRICE_PER_MTOK" | "LLM_OUTPUT_PRICE_PER_MTOK") =>
    Number(settings[key] ?? SETTING_DEFAULTS[key]);
  return {
    tavilyPricePerCredit: get("TAVILY_PRICE_PER_CREDIT"),
    llmInputPricePerMTok: get("LLM_INPUT_PRICE_PER_MTOK"),
    llmOutputPricePerMTok: get("LLM_OUTPUT_PRICE_PER_MTOK"),
  };
}

/** What an answer cost, read with the core's own readers so the figures match the add-on's. */
function exchangeCost({ request, parsed, reply }: Exchange): Partial<Omit<Cost, "usd">> {
  if (reply.status < 200 || reply.status >= 300 || !parsed) return {};
  if (parsed.service === "tavily") return { tavilyCredits: parseSearchResponse(reply.body)?.credits ?? ADVANCED_SEARCH_CREDITS };
  const inputTokens = Math.ceil((request.payload ?? "").length / CHARS_PER_TOKEN);
  const completion = parseChatCompletion(reply.body, { inputTokens, maxOutputTokens: DEFAULT_MAX_OUTPUT_TOKENS });
  return completion
    ? { llmInputTokens: completion.inputTokens, llmOutputTokens: completion.outputTokens }
    : { llmInputTokens: inputTokens };
}

/**
 * The row a request is for: its name and domain; a query without the domain (a company's last
 * query) goes to the row of that name, the one without a website first when namesakes share it.
 */
function attribution(rows: readonly LabelRow[]): (company: RequestCompany) => string {
  const keys = new Set(rows.map((r) => rowKey(r.company, r.domain)));
  return (company) => {
    const key = companyKeyOf(company);
    if (keys.has(key) || company.domain !== null) return key;
    const named = rows.filter((r) => rowKey(r.company, null) === key).sort((a, b) => Number(a.domain !== null) - Number(b.domain !== null));
    return named[0] ? rowKey(named[0].company, named[0].domain) : key;
  };
}

const CLASS_IN_NOTE = new RegExp(`^Use case (${USE_CASE_CLASSES.join("|")}) `, "m");

export function researchList(list: LabelList, model: string, services: RunServices): ModelRun {
  let addon: ReturnType<typeof loadBuiltAddon>;
  try {
    addon = loadBuiltAddon();
  } catch {
    throw new EvalError("dist/Code.js is missing. Build the add-on first: npm run build (npm run eval does it for you).");
  }
  const prices = price(services.settings);
  const rowOf = attribution(list.rows);
  const meters = new Map<string, Meter>();
  const handler = observe(services.handler, (exchange) => {
    if (!exchange.parsed) return;
    const key = rowOf(exchange.parsed.company);
    const m = meters.get(key) ?? { cost: ZERO_COST, first: exchange.request.sentAt, last: exchange.request.sentAt, requests: 0 };
    m.cost = addCost(m.cost, exchangeCost(exchange), prices);
    m.first = Math.min(m.first, exchange.request.sentAt);
    m.last = Math.max(m.last, exchange.request.sentAt + exchange.reply.latencyMs);
    m.requests += 1;
    meters.set(key, m);
  });
  const rt = new LocalRuntime({
    ...addon,
    urlFetchWhitelist: services.urlFetchWhitelist(addon.urlFetchWhitelist),
    fetch: { kind: "handler", handler },
    ...(services.startTime === undefined ? {} : { startTime: services.startTime }),
  });
  const rows = [["Company", "Website"], ...list.rows.map((r) => [r.company, r.website])];
  const sheet = rt.spreadsheet.getSheetByName(SHEET) ?? rt.spreadsheet.insertSheet(SHEET);
  sheet.load(rows);
  // The eval is the user's explicit command: no confirmation of the estimate.
  rt.userProperties.setProperties({ ...services.settings, LLM_MODEL: model, PROFILE: list.profile, CONFIRM_ABOVE_USD: "" });
  rt.spreadsheet.setSelection(SHEET, [dataRange(rows.length, 2)]);

  const start = rt.clock.now();
  const queued = call(rt, "researchSelectedRows", "menu", commandResultSchema);
  if (!queued.ok) throw new EvalError(`the add-on did not start on ${list.name}: ${queued.message}`);
  let progress: ResearchProgress = call(rt, "getResearchProgress", "sidebar", progressSchema);
  const drive = driveRun(rt, {
    mode: "open",
    settled: () => progress.pause !== null || !progress.running,
    maxExecutions: MAX_WORKER_EXECUTIONS,
    afterWorker: ({ result }) => {
      if (result.error !== null && !result.killed)
        throw new EvalError(`the add-on's worker failed: ${result.error}. Run npm run build and try again.`);
      progress = call(rt, "getResearchProgress", "sidebar", progressSchema);
    },
  });
  if (!drive.settled)
    throw new EvalError(`the run of ${list.name} with ${model} did not finish after ${drive.workers.length} worker executions.`);
  if (progress.pause !== null) throw new EvalError(`the run of ${list.name} with ${model} paused: ${pauseText(progress.pause)}.`);

  const [header = [], ...cells] = sheet.dump();
  const at = (name: string) => header.findIndex((h) => foldHeader(String(h ?? "")) === foldHeader(name));
  const [tierAt, scoreAt, useCaseAt, statusAt] = ["Tier", "Score", "Use Case", "Status"].map(at);
  const missesBy = new Map<string, Miss[]>();
  for (const miss of services.misses) missesBy.set(rowOf(miss.company), [...(missesBy.get(rowOf(miss.company)) ?? []), miss]);
  const companies = list.rows.map((row, i): CompanyResult => {
    const line = cells[i] ?? [];
    const text = (index: number | undefined) => (index === undefined || index < 0 ? "" : String(line[index] ?? ""));
    const status = text(statusAt);
    const key = rowKey(row.company, row.domain);
    const meter = meters.get(key);
    const misses = missesBy.get(key) ?? [];
    const missing =
      misses.length === 0 ? null : misses.map((m) => `${m.service === "tavily" ? "search" : "judgment"}: ${m.why}`).join("; ");
    const tierText = text(tierAt);
    const tier = (TIERS as readonly string[]).includes(tierText) ? (tierText as Tier) : null;
    const note = scoreAt === undefined || scoreAt < 0 ? "" : sheet.noteAt(`${columnLetters(scoreAt + 1)}${i + 2}`);
    const judgedClass = CLASS_IN_NOTE.exec(note)?.[1] as UseCaseClass | undefined;
    const kind: OutcomeKind = missing
      ? "notRecorded"
      : status.startsWith("Done")
        ? "judged"
        : status.startsWith("No reliable data")
          ? "noData"
          : "error";
    const score = Number(text(scoreAt));
    return {
      row,
      kind,
      status,
      useCaseClass: kind === "judged" ? (judgedClass ?? null) : null,
      tier: kind === "judged" || kind === "noData" ? tier : null,
      score: kind === "judged" && text(scoreAt) !== "" && Number.isFinite(score) ? score : null,
      useCase: text(useCaseAt),
      missing,
      requestChanged: misses.some((m) => m.changed),
      cost: meter?.cost ?? ZERO_COST,
      timeMs: meter ? meter.last - meter.first : 0,
      requests: meter?.requests ?? 0,
    };
  });
  const { costUsd, tavilyCredits, llmTokens } = progress;
  return { model, companies, reported: { costUsd, tavilyCredits, llmTokens }, runMs: rt.clock.now() - start };
}
