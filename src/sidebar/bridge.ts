// The one way the pages talk to the server: a promise over google.script.run whose function names,
// arguments and results come from the wire contract (src/core/wire.ts), which the add-on's entry
// file implements. Every result is parsed here, so a server from another deployment fails with one
// clear message instead of a half-drawn page. No server code reaches the page.
import type * as z from "zod/mini";
import { LIMITS } from "../core/limits";
import { SERVER_RESULTS, type ServerApi, type ServerFunction } from "../core/wire";

export type Result<K extends ServerFunction> = z.output<(typeof SERVER_RESULTS)[K]>;

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
  const parsed = SERVER_RESULTS[name].safeParse(value);
  if (parsed.success) return parsed.data as Result<K>;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  throw new ServerCallError(
    name,
    `The add-on answered ${name} with data this page cannot read${where}: ${issue?.message ?? "unexpected shape"}. Reload the spreadsheet.`,
  );
}

// google.script.run allows 10 calls in flight per page; further calls wait their turn.
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
export async function call<K extends ServerFunction>(name: K, ...args: Parameters<ServerApi[K]>): Promise<Result<K>> {
  await acquire();
  try {
    return await send(name, args);
  } finally {
    release();
  }
}
