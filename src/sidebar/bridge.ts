// The one way the pages talk to the server: a promise over google.script.run whose function names,
// argument types and result types come from the add-on's entry file. The import is type-only, so
// esbuild erases it and no server code reaches the page; renaming or retyping a server function
// breaks the typecheck instead of a user's sidebar.
import type * as Server from "../addon/main";
import type * as z from "zod/mini";
import { LIMITS } from "../core/limits";
import { commandResultSchema, connectionResultSchema, modelsResultSchema, progressSchema, saveResultSchema, settingsViewSchema } from "./schemas";

type Api = typeof Server;
export type ServerFunction = keyof Api;
type RawResult<K extends ServerFunction> = Awaited<ReturnType<Api[K]>>;

/**
 * Results the pages rely on are parsed at this boundary. `satisfies` ties each schema to the
 * server's declared return type (a server returning `unknown` accepts any schema).
 */
const parsers = {
  getResearchProgress: progressSchema,
  getSettingsView: settingsViewSchema,
  saveSettings: saveResultSchema,
  testConnection: connectionResultSchema,
  listModels: modelsResultSchema,
  cancelResearch: commandResultSchema,
  retryFailedRows: commandResultSchema,
  resumeResearch: commandResultSchema,
} satisfies { [K in ServerFunction]?: z.ZodMiniType<RawResult<K>> };
type Parsers = typeof parsers;

export type Result<K extends ServerFunction> = K extends keyof Parsers ? z.output<Parsers[K]> : RawResult<K>;

/** google.script.run as the page sees it; the host provides it, so its shape is checked at runtime. */
interface ScriptRunner {
  withSuccessHandler(handler: (value: unknown) => void): ScriptRunner;
  withFailureHandler(handler: (error: unknown) => void): ScriptRunner;
  [name: string]: unknown;
}

function scriptRunner(): ScriptRunner | null {
  const host = globalThis as { google?: { script?: { run?: ScriptRunner } } };
  return host.google?.script?.run ?? null;
}

/** Why a server call failed, in words a user can act on. */
export class ServerCallError extends Error {
  constructor(
    readonly functionName: ServerFunction,
    message: string,
  ) {
    super(message);
    this.name = "ServerCallError";
  }
}

function failureText(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === "string" && error) return error;
  return "the server did not answer";
}

function parseResult<K extends ServerFunction>(name: K, value: unknown): Result<K> {
  if (!(name in parsers)) return value as Result<K>;
  const parsed = parsers[name as keyof Parsers].safeParse(value);
  if (parsed.success) return parsed.data as Result<K>;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  throw new ServerCallError(name, `The add-on answered ${name} with data this page cannot read${where}: ${issue?.message ?? "unexpected shape"}. Reload the spreadsheet.`);
}

// google.script.run allows 10 calls in flight per page (SPEC §12); further calls wait their turn.
let inFlight = 0;
const waiting: Array<() => void> = [];

function release(): void {
  inFlight -= 1;
  const next = waiting.shift();
  if (next) next();
}

function acquire(): Promise<void> {
  if (inFlight < LIMITS.scriptRunConcurrentCalls) {
    inFlight += 1;
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    waiting.push(() => {
      inFlight += 1;
      resolve();
    });
  });
}

function send<K extends ServerFunction>(name: K, args: unknown[]): Promise<Result<K>> {
  return new Promise<Result<K>>((resolve, reject) => {
    const runner = scriptRunner();
    if (!runner) {
      reject(new ServerCallError(name, "This page only works inside Google Sheets (google.script.run is missing)."));
      return;
    }
    const bound = runner
      .withSuccessHandler((value) => {
        try {
          resolve(parseResult(name, value));
        } catch (error) {
          reject(error);
        }
      })
      .withFailureHandler((error) => reject(new ServerCallError(name, failureText(error))));
    const fn = bound[name];
    if (typeof fn !== "function") {
      reject(new ServerCallError(name, `The add-on has no function ${name}; reload the spreadsheet to get its latest version.`));
      return;
    }
    fn.apply(bound, args);
  });
}

/** Calls a server function; resolves with its (parsed) result, rejects with a ServerCallError. */
export async function call<K extends ServerFunction>(name: K, ...args: Parameters<Api[K]>): Promise<Result<K>> {
  await acquire();
  try {
    return await send(name, args);
  } finally {
    release();
  }
}
