import { spawnSync } from "node:child_process";
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
 * A URL matches a prefix of the manifest's urlFetchWhitelist when it starts with it; a `*.` host
 * matches any subdomain (https://developers.google.com/apps-script/manifest/allowlist-url).
 */
export function whitelisted(url: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => {
    const wildcard = /^(https?:\/\/)\*\.([^/]+)(\/.*)?$/i.exec(prefix);
    if (!wildcard) return url.startsWith(prefix);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    const [, scheme = "", domain = "", path = "/"] = wildcard;
    return (
      `${parsed.protocol}//`.toLowerCase() === scheme.toLowerCase() &&
      parsed.host.toLowerCase().endsWith(`.${domain.toLowerCase()}`) &&
      `${parsed.pathname}${parsed.search}`.startsWith(path)
    );
  });
}

/**
 * Google's refusal of a URL outside the whitelist, as users report it (for example
 * https://github.com/grahamearley/FirestoreGoogleAppsScript/issues/135 and
 * https://github.com/diegomanuel/binance-to-google-sheets/issues/82, where the query string is cut
 * after its "?"); cutting it also keeps keys passed in a query out of the error.
 */
export function notWhitelistedMessage(url: string): string {
  const query = url.indexOf("?");
  const shown = query < 0 ? url : url.slice(0, query + 1);
  return `Request to ${shown} failed because the URL has not been whitelisted in the script manifest.`;
}

interface Prepared extends HttpRequest {
  muteHttpExceptions: boolean;
}

type Outcome = { status: number; headers: Record<string, string>; body: string } | { error: string };

/** Google's own request timeout; the script cannot change it. */
const HTTP_TIMEOUT_MS = 60_000;
const TRUNCATE_AT = 1000;

// Runs in a child Node process: does the requests in parallel and prints one JSON line, so the
// parent can stay synchronous (as UrlFetchApp is for the script) while fetchAll stays parallel.
const CHILD_SCRIPT = `
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", async () => {
  const { requests, timeoutMs } = JSON.parse(input);
  const results = await Promise.all(requests.map(async (r) => {
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
  process.stdout.write(JSON.stringify(results));
});
`;

interface ChildResult {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  error?: string;
  ms: number;
}

function networkMessage(code: string, url: string): string {
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `DNS error: ${url}`;
  if (code === "TimeoutError" || code === "AbortError") return `Timeout: ${url}`;
  return `Address unavailable: ${url}`;
}

function sendOverHttp(requests: Prepared[]): { outcomes: Outcome[]; elapsedMs: number } {
  const child = spawnSync(process.execPath, ["-e", CHILD_SCRIPT], {
    input: JSON.stringify({ requests, timeoutMs: HTTP_TIMEOUT_MS }),
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`http child failed: ${child.stderr || String(child.error)}`);
  const results = JSON.parse(child.stdout) as ChildResult[];
  const outcomes = results.map((r, i): Outcome => {
    if (r.error !== undefined) return { error: networkMessage(r.error, requests[i]?.url ?? "") };
    return { status: r.status ?? 0, headers: r.headers ?? {}, body: r.body ?? "" };
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
  const headers: Record<string, string> = {};
  if (typeof options.headers === "object" && options.headers !== null) {
    for (const [k, v] of Object.entries(options.headers)) headers[k] = String(v);
  }
  let payload: string | undefined;
  if (typeof options.payload === "string") payload = options.payload;
  else if (typeof options.payload === "object" && options.payload !== null) payload = formEncode(options.payload);
  if (payload !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) {
    headers["Content-Type"] = typeof options.contentType === "string" ? options.contentType : "application/x-www-form-urlencoded";
  }
  return {
    url,
    method,
    headers,
    ...(payload === undefined ? {} : { payload }),
    muteHttpExceptions: options.muteHttpExceptions === true,
  };
}

function responseObject(exec: Execution, outcome: { status: number; headers: Record<string, string>; body: string }) {
  return {
    getResponseCode: () => outcome.status,
    getContentText: (_charset?: unknown) => outcome.body,
    getHeaders: () => exec.toScript({ ...outcome.headers }),
    getAllHeaders: () => exec.toScript({ ...outcome.headers }),
    getContent: () => exec.toScript(signedBytes(Buffer.from(outcome.body, "utf8"))),
    getBlob: () => new ScriptBlob(exec, Buffer.from(outcome.body, "utf8"), outcome.headers["content-type"] ?? null),
  };
}

export function urlFetchApp(exec: Execution, policy: FetchPolicy) {
  /**
   * Sends everything at once: the requests reach the providers even when the wait for the answers
   * crosses the deadline, in which case the script never sees them (as on Google). A URL outside the
   * whitelist, or a day's quota too small for every request, refuses the whole call before anything
   * is sent.
   */
  const send = (requests: Prepared[]) => {
    exec.ensureAlive();
    const { whitelist } = policy;
    const refused = whitelist === null ? undefined : requests.find((r) => !whitelisted(r.url, whitelist));
    if (refused) return exec.fail(notWhitelistedMessage(refused.url));
    if (!policy.takeQuota(requests.length)) return exec.fail(QUOTA_MESSAGES.urlFetches);
    for (const r of requests) exec.stats.countRequest(r.url);
    const current = policy.mode();
    const { outcomes, elapsedMs } =
      current.kind === "handler" ? sendToHandler(current.handler, requests, exec.clock.now()) : sendOverHttp(requests);
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
      return responseObject(exec, outcome);
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
    getRequest(url: unknown, params?: unknown) {
      const { url: href, method, headers, payload } = prepare(exec, url, params);
      return exec.toScript({ url: href, method, headers, payload });
    },
  };
}
