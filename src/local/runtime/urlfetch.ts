import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { urlAllowed } from "../../core/allowlist";
import type { HttpRequest } from "../../core/types";
import { ScriptBlob, signedBytes } from "./blob";
import type { Execution } from "./execution";
import { QUOTA_MESSAGES } from "./quotas";

export interface FetchHandlerResult {
  status: number;
  headers?: Record<string, string>;
  body: string;
  latencyMs: number;
}
/**
 * In-process provider; `sentAt` is the virtual epoch ms at which the request was sent. A handler that
 * throws stands for a network failure: the script gets an exception with the thrown message.
 */
export type FetchHandler = (request: HttpRequest & { sentAt: number }) => FetchHandlerResult;
export type FetchMode = { kind: "handler"; handler: FetchHandler } | { kind: "http" };

/** What UrlFetchApp of one execution may use besides the fetch mode. */
export interface FetchPolicy {
  mode: () => FetchMode;
  /** The manifest's urlFetchWhitelist; null when the manifest has none (every URL allowed). */
  whitelist: readonly string[] | null;
  /** Takes `count` requests from the user's daily URL Fetch quota; false when they do not fit. */
  takeQuota: (count: number) => boolean;
}

/**
 * Google's refusal of a URL outside the whitelist, as users report it (for example
 * https://github.com/grahamearley/FirestoreGoogleAppsScript/issues/135 and
 * https://github.com/diegomanuel/binance-to-google-sheets/issues/82, where the query string is cut
 * after its "?"); cutting it also keeps keys passed in a query out of the error.
 */
function notWhitelistedMessage(url: string): string {
  const query = url.indexOf("?");
  const shown = query < 0 ? url : url.slice(0, query + 1);
  return `Request to ${shown} failed because the URL has not been whitelisted in the script manifest.`;
}

interface Prepared extends HttpRequest {
  muteHttpExceptions: boolean;
  /** The Content-Type sent with a payload ("application/x-www-form-urlencoded" unless set). */
  contentType: string;
  /** The headers the script set, without the Content-Type UrlFetchApp adds. */
  scriptHeaders: Record<string, string>;
}

type Outcome = { status: number; headers: Record<string, string>; body: string } | { error: string };

/** Google's own request timeout; the script cannot change it. */
const HTTP_TIMEOUT_MS = 60_000;
const TRUNCATE_AT = 1000;

// Runs in a worker thread kept for the life of the process: does the requests in parallel and posts
// the results, so the calling thread can stay synchronous (as UrlFetchApp is for the script, waiting
// on a shared flag) while fetchAll stays parallel. A thread instead of a process per call saves the
// start of a Node process and of its fetch stack on every request.
const THREAD_SCRIPT = `
const { workerData } = require("node:worker_threads");
const { port, flag } = workerData;
port.on("message", async ({ requests, timeoutMs }) => {
  let results;
  try {
    results = await Promise.all(requests.map(async (r) => {
      const started = Date.now();
      try {
        const res = await fetch(r.url, { method: r.method.toUpperCase(), headers: r.headers, body: r.payload, redirect: "follow", signal: AbortSignal.timeout(timeoutMs) });
        const body = await res.text();
        const headers = {};
        res.headers.forEach((v, k) => { headers[k] = v; });
        return { status: res.status, headers, body, ms: Date.now() - started };
      } catch (e) {
        const code = (e && e.cause && e.cause.code) || (e && e.name) || "ERROR";
        return { error: String(code), ms: Date.now() - started };
      }
    }));
  } catch (e) {
    results = { failed: String(e && e.stack || e) };
  }
  port.postMessage(results);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

interface HttpThread {
  port: MessagePort;
  flag: Int32Array;
}

let httpThread: HttpThread | null = null;

function startHttpThread(): HttpThread {
  if (httpThread) return httpThread;
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(THREAD_SCRIPT, { eval: true, workerData: { port: port2, flag }, transferList: [port2] });
  // Neither keeps the process alive: answers are read synchronously, never through an event.
  worker.unref();
  port1.unref();
  const thread = { port: port1, flag };
  worker.on("exit", () => {
    if (httpThread === thread) httpThread = null;
  });
  httpThread = thread;
  return thread;
}

function networkMessage(code: string, url: string): string {
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `DNS error: ${url}`;
  if (code === "TimeoutError" || code === "AbortError") return `Timeout: ${url}`;
  return `Address unavailable: ${url}`;
}

/** What one real request gave: an answer, or the code of a network failure; with its real time. */
export type HttpResult = ({ status: number; headers: Record<string, string>; body: string } | { error: string }) & { ms: number };

/**
 * Sends the requests over real HTTP in parallel and waits for all their answers, blocking this
 * thread (UrlFetchApp is synchronous for the script). Used by the runtime's http mode and the demo.
 */
export function httpFetchAllSync(
  requests: readonly { url: string; method: string; headers: Record<string, string>; payload?: string }[],
): HttpResult[] {
  const { port, flag } = startHttpThread();
  // Drops an answer left by a call that gave up waiting, so this call reads its own.
  while (receiveMessageOnPort(port)) {
    /* stale */
  }
  Atomics.store(flag, 0, 0);
  const sent = requests.map(({ url, method, headers, payload }) => ({ url, method, headers, payload }));
  port.postMessage({ requests: sent, timeoutMs: HTTP_TIMEOUT_MS });
  // Every request ends by the timeout, so the thread answers by then; the margin covers its start.
  if (Atomics.wait(flag, 0, 0, HTTP_TIMEOUT_MS + 30_000) === "timed-out") throw new Error("http thread did not answer");
  const answer = receiveMessageOnPort(port)?.message as HttpResult[] | { failed: string } | undefined;
  if (!answer) throw new Error("http thread answered nothing");
  if (!Array.isArray(answer)) throw new Error(`http thread failed: ${answer.failed}`);
  return answer;
}

function sendOverHttp(requests: Prepared[]): { outcomes: Outcome[]; elapsedMs: number } {
  const results = httpFetchAllSync(requests);
  const outcomes = results.map((r, i): Outcome => {
    if ("error" in r) return { error: networkMessage(r.error, requests[i]?.url ?? "") };
    return { status: r.status, headers: r.headers, body: r.body };
  });
  return { outcomes, elapsedMs: Math.max(0, ...results.map((r) => r.ms)) };
}

function sendToHandler(handler: FetchHandler, requests: Prepared[], sentAt: number): { outcomes: Outcome[]; elapsedMs: number } {
  let elapsedMs = 0;
  const outcomes = requests.map((r): Outcome => {
    try {
      const { url, method, headers, payload } = r;
      const result = handler({ url, method, headers: { ...headers }, ...(payload === undefined ? {} : { payload }), sentAt });
      elapsedMs = Math.max(elapsedMs, result.latencyMs);
      return { status: result.status, headers: { ...(result.headers ?? {}) }, body: result.body };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  });
  return { outcomes, elapsedMs };
}

function formEncode(payload: object): string {
  return Object.entries(payload)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
}

function prepare(exec: Execution, url: unknown, params: unknown): Prepared {
  const options = typeof params === "object" && params !== null ? (params as Record<string, unknown>) : {};
  if (typeof url !== "string" || !/^https?:\/\//i.test(url)) return exec.fail(`Invalid argument: ${String(url)}`);
  const method = typeof options.method === "string" ? options.method.toLowerCase() : "get";
  // The add-on only needs these two; HttpRequest (core/types) has no other methods.
  if (method !== "get" && method !== "post") return exec.fail(`Local runtime: HTTP method ${method} is not modelled`);
  const scriptHeaders: Record<string, string> = {};
  if (typeof options.headers === "object" && options.headers !== null) {
    for (const [k, v] of Object.entries(options.headers)) scriptHeaders[k] = String(v);
  }
  let payload: string | undefined;
  if (typeof options.payload === "string") payload = options.payload;
  else if (typeof options.payload === "object" && options.payload !== null) payload = formEncode(options.payload);
  const contentType = typeof options.contentType === "string" ? options.contentType : "application/x-www-form-urlencoded";
  const headers = { ...scriptHeaders };
  if (payload !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) headers["Content-Type"] = contentType;
  return {
    url,
    method,
    headers,
    ...(payload === undefined ? {} : { payload }),
    muteHttpExceptions: options.muteHttpExceptions === true,
    contentType,
    scriptHeaders,
  };
}

function headerValue(headers: Record<string, string>, name: string): string | null {
  const found = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return found === undefined ? null : (headers[found] ?? null);
}

/**
 * The name of a response's blob: the Content-Disposition filename, else the last segment of the
 * URL's path, else its host. gas-fakes test/testfetch.js ("urlfetchapp external and blobs") records
 * a non-empty name on Google for URLs without a Content-Disposition.
 */
function blobName(url: string, headers: Record<string, string>): string {
  const disposition = /filename="?([^";]+)"?/i.exec(headerValue(headers, "content-disposition") ?? "");
  if (disposition?.[1]) return disposition[1];
  const { pathname, host } = new URL(url);
  return decodeURIComponent(pathname.split("/").filter(Boolean).at(-1) ?? host);
}

/**
 * Header names come as the server sent them: Apps Script does not lowercase them (gas-fakes
 * src/services/urlfetchapp/app.js reads the raw headers "so we match the case of Apps Script"), so
 * a reader must look them up without regard to case. In http mode Node's fetch gives them
 * lowercased, as an HTTP/2 server sends them. The blob's type is the Content-Type without its
 * parameters (gas-fakes test/testfetch.js: "text/javascript" for "text/javascript; charset=UTF-8").
 */
function responseObject(exec: Execution, url: string, outcome: { status: number; headers: Record<string, string>; body: string }) {
  const type = headerValue(outcome.headers, "content-type")?.split(";")[0]?.trim() || null;
  return {
    getResponseCode: () => outcome.status,
    getContentText: (_charset?: unknown) => outcome.body,
    getHeaders: () => exec.toScript({ ...outcome.headers }),
    getAllHeaders: () => exec.toScript({ ...outcome.headers }),
    getContent: () => exec.toScript(signedBytes(Buffer.from(outcome.body, "utf8"))),
    getBlob: () => new ScriptBlob(exec, Buffer.from(outcome.body, "utf8"), type, blobName(url, outcome.headers)),
  };
}

export function urlFetchApp(exec: Execution, policy: FetchPolicy) {
  /**
   * Sends everything at once: the requests reach the providers even when the wait for the answers
   * crosses the deadline (or a test stops the execution at this call), in which case the script never
   * sees them (as on Google). A URL outside the
   * whitelist (matched by the add-on's own reading of Google's rules,
   * https://developers.google.com/apps-script/manifest/allowlist-url), or a day's quota too small for every request, refuses the whole call before anything
   * is sent.
   */
  const send = (requests: Prepared[]) => {
    const stopHere = exec.countCall("fetch");
    const { whitelist } = policy;
    const refused = whitelist === null ? undefined : requests.find((r) => !urlAllowed(r.url, whitelist));
    if (refused) return exec.fail(notWhitelistedMessage(refused.url));
    if (!policy.takeQuota(requests.length)) return exec.fail(QUOTA_MESSAGES.urlFetches);
    for (const r of requests) exec.stats.countRequest(r.url);
    const current = policy.mode();
    const { outcomes, elapsedMs } =
      current.kind === "handler" ? sendToHandler(current.handler, requests, exec.clock.now()) : sendOverHttp(requests);
    // A test's stop at this call: the requests went out (and were billed), the answers never return.
    if (stopHere) exec.stop();
    exec.advance(elapsedMs);
    return outcomes.map((outcome, i) => {
      if ("error" in outcome) return exec.fail(outcome.error);
      const request = requests[i];
      if (request && !request.muteHttpExceptions && outcome.status >= 400) {
        const body = outcome.body.length > TRUNCATE_AT ? `${outcome.body.slice(0, TRUNCATE_AT)}...` : outcome.body;
        exec.fail(
          `Request failed for ${new URL(request.url).origin} returned code ${outcome.status}. Truncated server response: ${body} (use muteHttpExceptions option to examine full response)`,
        );
      }
      return responseObject(exec, request?.url ?? "", outcome);
    });
  };
  return {
    fetch(url: unknown, params?: unknown) {
      exec.requireAuthorization("UrlFetchApp.fetch", "script.external_request");
      exec.stats.urlFetch.fetch += 1;
      return send([prepare(exec, url, params)])[0];
    },
    fetchAll(requests: unknown) {
      exec.requireAuthorization("UrlFetchApp.fetchAll", "script.external_request");
      exec.stats.urlFetch.fetchAll += 1;
      if (!Array.isArray(requests)) return exec.fail("Invalid argument: requests");
      const prepared = requests.map((r: unknown) =>
        typeof r === "string" ? prepare(exec, r, {}) : prepare(exec, typeof r === "object" && r !== null ? Reflect.get(r, "url") : r, r),
      );
      return exec.toScript(send(prepared));
    },
    /** The request as Google describes it (gas-fakes test/testfetch.js, "urlfetchapp getRequest"). */
    getRequest(url: unknown, params?: unknown) {
      const { url: href, method, scriptHeaders, payload, contentType } = prepare(exec, url, params);
      return exec.toScript({ url: href, method, headers: scriptHeaders, payload, contentType });
    },
  };
}
