// One runtime with fake providers and a sheet of companies, as the bench and the soak use it.
import { SETTING_DEFAULTS } from "../../core/settings";
import {
  createFakeLlm,
  createFakeTavily,
  createProviderRouter,
  hashString,
  type FakeLlm,
  type FakeTavily,
  type FaultOption,
  type ProviderHandler,
} from "../providers";
import type { RuntimePort } from "../drive";
import { outputRows, type OutputRow } from "./sheet";

export const KEYS = { tavily: "tvly-bench-0123456789", llm: "llm-bench-0123456789" } as const;

export interface RateLimits {
  tavilyRpm: number;
  llmRpm: number;
}
/** Providers' requests per minute on production keys (the default settings). */
export const PRODUCTION_LIMITS: RateLimits = { tavilyRpm: Number(SETTING_DEFAULTS.TAVILY_RPM), llmRpm: Number(SETTING_DEFAULTS.LLM_RPM) };
/** Requests per minute on a Tavily development key (100) and Crusoe without a payment method (30). */
export const DEV_LIMITS: RateLimits = { tavilyRpm: 100, llmRpm: 30 };

/** Share of bench companies that only namesakes and unrelated pages exist for (retry searches). */
export const BENCH_NO_DATA_SHARE = 0.02;

export type MakeRuntime = (handler: ProviderHandler) => RuntimePort;

export interface World {
  rt: RuntimePort;
  tavily: FakeTavily;
  llm: FakeLlm;
}

export interface WorldOptions {
  limits: RateLimits;
  /** Share of companies for which search finds only unrelated pages (no reliable data). */
  noDataShare?: number;
  faults?: { tavily?: FaultOption; llm?: FaultOption };
}

/** Whether a company is one of the `share` for which nothing reliable exists (deterministic). */
export function hasNoData(company: string, share: number): boolean {
  return share > 0 && (hashString(`nodata:${company}`) % 10_000) / 10_000 < share;
}

export function createWorld(makeRuntime: MakeRuntime, options: WorldOptions): World {
  const share = options.noDataShare ?? 0;
  const tavily = createFakeTavily({
    apiKey: KEYS.tavily,
    rpm: options.limits.tavilyRpm,
    coverage: (company) => (hasNoData(company, share) ? "unrelated" : "generate"),
    ...(options.faults?.tavily ? { faults: options.faults.tavily } : {}),
  });
  const llm = createFakeLlm({
    apiKey: KEYS.llm,
    rpm: options.limits.llmRpm,
    ...(options.faults?.llm ? { faults: options.faults.llm } : {}),
  });
  const rt = makeRuntime(createProviderRouter({ tavily, llm }));
  rt.userProperties.setProperty("TAVILY_API_KEY", KEYS.tavily);
  rt.userProperties.setProperty("LLM_API_KEY", KEYS.llm);
  // The add-on paces itself by these; they must match what the providers enforce.
  rt.userProperties.setProperty("TAVILY_RPM", String(options.limits.tavilyRpm));
  rt.userProperties.setProperty("LLM_RPM", String(options.limits.llmRpm));
  return { rt, tavily, llm };
}

/**
 * A new sheet with a `Company` header and one company per row, selected as one contiguous range
 * unless `selection` gives the A1 ranges to select.
 */
export function loadCompanies(rt: RuntimePort, sheetName: string, companies: readonly string[], selection?: readonly string[]): void {
  const sheet = rt.spreadsheet.insertSheet(sheetName);
  sheet.load([["Company"], ...companies.map((c) => [c])]);
  rt.spreadsheet.setSelection(sheetName, selection ? [...selection] : [`A2:A${companies.length + 1}`]);
}

export function readRows(rt: RuntimePort, sheetName: string): OutputRow[] {
  const sheet = rt.spreadsheet.getSheetByName(sheetName);
  if (!sheet) throw new Error(`no sheet ${sheetName}`);
  return outputRows(sheet.dump());
}
