// Live mode pieces the runtime's own real-HTTP mode cannot do: send requests to other servers than
// the add-on names (TAVILY_BASE_URL, LLM_SERVER_URL: tests against local fake servers, which the
// add-on's own https-only base URL rule would refuse) and record the exchanges (--record).
// UrlFetchApp is synchronous for the script, so each request is sent by the runtime's HTTP thread
// while the handler waits for it.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { coreNameTokens } from "../../core/names";
import { z } from "zod";
import { maskSecrets } from "../../core/secrets";
import type { ProviderHandler, ProviderReply, ProviderRequest } from "../providers";
import { TAVILY_ORIGIN } from "../providers";
import { httpFetchAllSync } from "../runtime/urlfetch";
import { serviceOf } from "./fetch";
import { writeFileAtomic } from "./files";
import {
  chatCompletionSchema,
  recordingFileName,
  tavilyResponseSchema,
  type ChatCompletion,
  type Recording,
  type TavilyResponse,
} from "./recordings";

/** One real HTTP request, synchronously; a network failure throws, which the script sees as an exception. */
export function httpRequestSync(request: {
  url: string;
  method: string;
  headers: Record<string, string>;
  payload?: string;
}): Omit<ProviderReply, "latencyMs"> {
  const [reply] = httpFetchAllSync([request]);
  if (!reply) throw new Error(`Address unavailable: ${request.url}`);
  if ("error" in reply) {
    throw new Error(reply.error === "TimeoutError" ? `Timeout: ${request.url}` : `Address unavailable: ${request.url}`);
  }
  return { status: reply.status, headers: reply.headers, body: reply.body };
}

/** A request to a URL under `from` goes to the same path under `to`. */
export interface Redirect {
  from: string;
  to: string;
}

export function tavilyRedirect(to: string): Redirect {
  return { from: TAVILY_ORIGIN, to };
}

/** The URL after the first redirect whose `from` it starts with (a whole path segment). */
export function redirectUrl(url: string, redirects: readonly Redirect[]): string {
  for (const { from, to } of redirects) {
    const base = from.replace(/\/+$/, "");
    if (url === base || url.startsWith(base + "/") || url.startsWith(base + "?")) return to.replace(/\/+$/, "") + url.slice(base.length);
  }
  return url;
}

export function createLiveHandler(options: { redirects: readonly Redirect[]; recorder?: Recorder }): ProviderHandler {
  return (request: ProviderRequest): ProviderReply => {
    const started = Date.now();
    const { url, method, headers, payload } = request;
    const reply = httpRequestSync({
      url: redirectUrl(url, options.redirects),
      method,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    options.recorder?.add(request, reply);
    return { ...reply, latencyMs: Date.now() - started };
  };
}

const searchQuerySchema = z.looseObject({ query: z.string() });
const chatMessagesSchema = z.looseObject({ messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })) });

function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? "");
  } catch {
    return null;
  }
}

/** The company a live exchange is about: the quoted name of a search, the `Company:` line of a prompt. */
function companyOf(request: ProviderRequest): string | null {
  const service = serviceOf(request.url);
  if (service === "tavily") {
    const payload = searchQuerySchema.safeParse(parseJson(request.payload));
    return payload.success ? (/"([^"]+)"/.exec(payload.data.query)?.[1] ?? null) : null;
  }
  if (service === "llm") {
    const payload = chatMessagesSchema.safeParse(parseJson(request.payload));
    if (!payload.success) return null;
    for (const m of payload.data.messages) {
      if (m.role !== "user" || typeof m.content !== "string") continue;
      const line = /^[ \t]*Company:[ \t]*(.+?)[ \t]*$/m.exec(m.content);
      if (line) return line[1] ?? null;
    }
  }
  return null;
}

/**
 * Collects successful live exchanges per company, in the recordings format. Only response bodies are
 * kept (never request headers), and any secret that a provider echoed back is blanked out.
 */
export class Recorder {
  private readonly companies = new Map<string, { company: string; searches: TavilyResponse[]; completions: ChatCompletion[] }>();

  constructor(private readonly secrets: readonly string[]) {}

  add(request: ProviderRequest, reply: Omit<ProviderReply, "latencyMs">): void {
    if (reply.status !== 200) return;
    const company = companyOf(request);
    if (company === null) return;
    const key = coreNameTokens(company).join("");
    const entry = this.companies.get(key) ?? { company, searches: [], completions: [] };
    const body = parseJson(this.redact(reply.body));
    if (serviceOf(request.url) === "tavily") {
      const parsed = tavilyResponseSchema.safeParse(body);
      if (parsed.success) entry.searches.push(parsed.data);
    } else {
      const parsed = chatCompletionSchema.safeParse(body);
      if (parsed.success) entry.completions.push(parsed.data);
    }
    this.companies.set(key, entry);
  }

  private redact(text: string): string {
    return maskSecrets(text, this.secrets);
  }

  /** Writes one file per company into dir; returns the file names. */
  save(dir: string, recordedAt: Date): string[] {
    mkdirSync(dir, { recursive: true });
    const names: string[] = [];
    for (const { company, searches, completions } of this.companies.values()) {
      const recording: Recording = {
        _note: `recorded from the live services by npm run demo --record on ${recordedAt.toISOString().slice(0, 10)}`,
        company,
        searches,
        completions,
      };
      const name = recordingFileName(company);
      writeFileAtomic(join(dir, name), JSON.stringify(recording, null, 2) + "\n");
      names.push(name);
    }
    return names.sort();
  }
}
