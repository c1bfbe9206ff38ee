// Shared set-up for the add-on's end-to-end tests: the built bundle in the local runtime, with the
// fake providers behind UrlFetchApp.
import { driveRun } from "../../src/local/drive";
import { LocalRuntime, loadBuiltAddon, type ExecutionResult, type LocalRuntimeOptions } from "../../src/local/runtime";
import {
  createFakeLlm,
  createFakeTavily,
  createProviderRouter,
  type FakeLlmOptions,
  type FakeTavilyOptions,
} from "../../src/local/providers";
import type { ResearchProgress } from "../../src/core/wire";

export const TAVILY_KEY = "tvly-test-0000-abcd";
export const LLM_KEY = "llm-test-0000-wxyz";
const built = loadBuiltAddon();

export interface Harness {
  rt: LocalRuntime;
  tavily: ReturnType<typeof createFakeTavily>;
  llm: ReturnType<typeof createFakeLlm>;
}

export function setup(options: {
  rows: unknown[][];
  sheetName?: string;
  tavily?: Partial<FakeTavilyOptions>;
  llm?: Partial<FakeLlmOptions>;
  settings?: Record<string, string>;
  /** Runtime options beyond the bundle and the fake providers (quotas, default user). */
  runtime?: Partial<LocalRuntimeOptions>;
}): Harness {
  const tavily = createFakeTavily({ apiKey: TAVILY_KEY, ...options.tavily });
  const llm = createFakeLlm({ apiKey: LLM_KEY, ...options.llm });
  const rt = new LocalRuntime({ ...built, ...options.runtime, fetch: { kind: "handler", handler: createProviderRouter({ tavily, llm }) } });
  rt.userProperties.setProperty("TAVILY_API_KEY", TAVILY_KEY);
  rt.userProperties.setProperty("LLM_API_KEY", LLM_KEY);
  for (const [key, value] of Object.entries(options.settings ?? {})) rt.userProperties.setProperty(key, value);
  const name = options.sheetName ?? "Sheet1";
  const sheet = rt.spreadsheet.getSheetByName(name) ?? rt.spreadsheet.insertSheet(name);
  sheet.load(options.rows);
  return { rt, tavily, llm };
}

export function companyRows(names: string[], header = "Company"): unknown[][] {
  return [[header], ...names.map((n) => [n])];
}

export function ok(result: ExecutionResult): unknown {
  if (result.error) throw new Error(`execution failed: ${result.error}`);
  return result.value;
}

export function progress(rt: LocalRuntime): ResearchProgress {
  return ok(rt.run("getResearchProgress", [], { kind: "sidebar" })) as ResearchProgress;
}

/** Drives a run the way an open sidebar does: worker executions back to back until it stops. */
export function driveWithSidebar(rt: LocalRuntime, maxExecutions = 200): ExecutionResult[] {
  const drive = driveRun(rt, { mode: "open", settled: () => !progress(rt).running, maxExecutions });
  if (!drive.settled) throw new Error("run did not finish");
  return drive.workers.map((w) => w.result);
}

/** Drives a run with the sidebar closed: only the continuation triggers run the worker. */
export function driveWithTriggers(rt: LocalRuntime, maxExecutions = 200): ExecutionResult[] {
  const drive = driveRun(rt, { mode: "closed", whenStalled: "stop", settled: () => false, maxExecutions });
  if (drive.workers.length >= maxExecutions) throw new Error("triggers kept firing");
  return drive.workers.map((w) => w.result);
}

/** The sheet as objects keyed by the header row. */
export function table(rt: LocalRuntime, sheetName = "Sheet1"): Record<string, unknown>[] {
  const sheet = rt.spreadsheet.getSheetByName(sheetName);
  if (!sheet) throw new Error(`no sheet ${sheetName}`);
  const [header = [], ...rows] = sheet.dump();
  return rows.map((row) => Object.fromEntries(header.map((h, i) => [String(h), row[i] ?? ""])));
}

export function statuses(rt: LocalRuntime, sheetName = "Sheet1"): string[] {
  return table(rt, sheetName).map((r) => String(r["Status"] ?? ""));
}
