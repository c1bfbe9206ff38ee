// The eval's recordings: the demo's format (one JSON file per company, the providers' own response
// bodies) plus `sent`, which keys each answer by what was asked. A search is keyed by its query; a
// judgment by digests of the request body, its system message (the profile's rules) and its user
// message (the company and its evidence as selected and formatted). Replay answers only a request
// sent exactly as recorded, so a change to the prompt, the evidence selection or the query finds
// no answer and the eval names the company and what changed instead of replaying a stale judgment.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { coreNameTokens, normaliseDomain } from "../../core/names";
import { PROFILES, type Profile } from "../../core/types";
import { writeFileAtomic } from "../demo/files";
import { rowKey } from "./labels";
import { readRecordingFiles, recordingSchema, type ChatCompletion, type TavilyResponse } from "../demo/recordings";
import { parsePayload } from "../demo/replay";
import { parsePrompt } from "../providers";

/** First 16 hex digits of SHA-256: a collision among a few thousand recorded requests is not a concern. */
export function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

export const searchKeySchema = z.object({ profile: z.enum(PROFILES), query: z.string() });
export type SearchKey = z.infer<typeof searchKeySchema>;

export const completionKeySchema = z.object({
  profile: z.enum(PROFILES),
  model: z.string(),
  /** Digest of the whole request body as sent: the only thing replay matches on. */
  request: z.string(),
  /** Digests of the system message (the profile's rules) and the user message (company, domain, evidence). */
  system: z.string(),
  user: z.string(),
  /** The evidence URLs of the user message, in order, to say how a changed evidence selection differs. */
  evidence_urls: z.array(z.string()),
  /** How long the provider took to answer, when measured (live recordings). */
  latency_ms: z.number().nonnegative().optional(),
});
export type CompletionKey = z.infer<typeof completionKeySchema>;

export const evalRecordingSchema = recordingSchema
  .extend({
    /** The profile of entries not keyed yet (a demo recording copied in); the demo's profile when absent. */
    profile: z.enum(PROFILES).optional(),
    /** One key per search and per completion, in the same order; null for an entry not keyed yet. */
    sent: z.object({ searches: z.array(searchKeySchema.nullable()), completions: z.array(completionKeySchema.nullable()) }).optional(),
  })
  .refine((r) => !r.sent || (r.sent.searches.length === r.searches.length && r.sent.completions.length === r.completions.length), {
    message: "sent must hold one key per search and one per completion",
    path: ["sent"],
  });
export type EvalRecording = z.infer<typeof evalRecordingSchema>;

/** The company a request is about, as the add-on names it: the quoted name and domain of a query, the Company and Domain lines of a prompt. */
export interface RequestCompany {
  name: string;
  domain: string | null;
}

export function companyKeyOf(company: RequestCompany): string {
  return rowKey(company.name, company.domain);
}

const searchBodySchema = z.looseObject({ query: z.string() });
const chatBodySchema = z.looseObject({
  model: z.string(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.string() })),
});

export type ParsedRequest =
  | { service: "tavily"; company: RequestCompany; query: string }
  | { service: "llm"; company: RequestCompany; model: string; system: string; user: string };

/**
 * Reads a request of the add-on. The query names the company in quotes and its domain as a bare
 * word; the prompt has `Company: ` and `Domain: ` lines (the formats src/core/search.ts and
 * src/core/prompt.ts promise). Null for anything else.
 */
export function parseRequest(url: string, payload: string | undefined): ParsedRequest | null {
  if (url.endsWith("/search")) {
    const body = parsePayload(searchBodySchema, payload);
    const name = body ? /"([^"]+)"/.exec(body.query)?.[1] : undefined;
    if (!body || name === undefined) return null;
    const bare = body.query.replace(/"[^"]*"/g, " ").split(/\s+/);
    const domain = bare.map((word) => (word.includes(".") ? normaliseDomain(word) : null)).find((d) => d !== null) ?? null;
    return { service: "tavily", company: { name, domain }, query: body.query };
  }
  if (/\/chat\/completions$/.test(url)) {
    const body = parsePayload(chatBodySchema, payload);
    if (!body) return null;
    const text = (role: string) =>
      body.messages
        .filter((m) => m.role === role)
        .map((m) => m.content)
        .join("\n");
    const user = text("user");
    const name = /^Company: (.+)$/m.exec(user)?.[1];
    if (name === undefined) return null;
    const domain = /^Domain: (.+)$/m.exec(user)?.[1] ?? null;
    return { service: "llm", company: { name, domain }, model: body.model, system: text("system"), user };
  }
  return null;
}

export function completionKey(
  profile: Profile,
  request: Extract<ParsedRequest, { service: "llm" }>,
  payload: string,
  latencyMs?: number,
): CompletionKey {
  return {
    profile,
    model: request.model,
    request: digest(payload),
    system: digest(request.system),
    user: digest(request.user),
    evidence_urls: parsePrompt(request.user).evidence.map((e) => e.url),
    ...(latencyMs === undefined ? {} : { latency_ms: latencyMs }),
  };
}

export interface RecordingFile {
  path: string;
  recording: EvalRecording;
  /** Changed since it was read (keyed or recorded into): to be written back. */
  changed: boolean;
}

/** Where one recorded answer lives. */
interface Entry {
  file: RecordingFile;
  index: number;
}

/** A recorded answer of a company for a profile: keyed for it, or not keyed yet and in a file of that profile. */
export interface Candidate<K> extends Entry {
  key: K | null;
}

function entriesFor<K extends { profile: Profile }>(
  files: readonly RecordingFile[],
  keysOf: (r: EvalRecording) => { keys: readonly (K | null)[] | undefined; count: number },
  profile: Profile,
): Candidate<K>[] {
  const out: Candidate<K>[] = [];
  for (const file of files) {
    const fileProfile = file.recording.profile ?? "gpu-infrastructure";
    const { keys, count } = keysOf(file.recording);
    for (let index = 0; index < count; index++) {
      const key = keys?.[index] ?? null;
      if (key ? key.profile === profile : fileProfile === profile) out.push({ file, index, key });
    }
  }
  return out;
}

/** Puts an answer and its key where the same request was recorded, else at the end; returns the place. */
function put<T, K>(values: T[], keys: (K | null)[], same: (key: K | null) => boolean, value: T, key: K): number {
  const at = keys.findIndex(same);
  const index = at >= 0 ? at : values.length;
  values[index] = value;
  keys[index] = key;
  return index;
}

/** All recordings of a folder, indexed by what they answer. */
export class RecordingPool {
  private readonly searches = new Map<string, Entry>();
  private readonly completions = new Map<string, Entry>();

  private constructor(
    readonly dir: string,
    readonly files: RecordingFile[],
  ) {
    for (const file of files) this.index(file);
  }

  /** A folder that does not exist is an empty pool (a first --record creates it). */
  static load(dir: string): RecordingPool {
    if (!existsSync(dir)) return new RecordingPool(dir, []);
    const files = readRecordingFiles(dir, evalRecordingSchema).map(({ name, recording }) => ({
      path: join(dir, name),
      recording,
      changed: false,
    }));
    return new RecordingPool(dir, files);
  }

  private index(file: RecordingFile): void {
    // The first file (in name order) that recorded a request answers it.
    file.recording.sent?.searches.forEach((key, index) => {
      if (key && !this.searches.has(key.query)) this.searches.set(key.query, { file, index });
    });
    file.recording.sent?.completions.forEach((key, index) => {
      if (key && !this.completions.has(key.request)) this.completions.set(key.request, { file, index });
    });
  }

  search(query: string): TavilyResponse | null {
    const entry = this.searches.get(query);
    return entry ? (entry.file.recording.searches[entry.index] ?? null) : null;
  }

  completion(requestDigest: string): { completion: ChatCompletion; key: CompletionKey } | null {
    const entry = this.completions.get(requestDigest);
    const completion = entry?.file.recording.completions[entry.index];
    const key = entry?.file.recording.sent?.completions[entry.index];
    return completion && key ? { completion, key } : null;
  }

  /**
   * The recordings of a company: its name (or an alias) and the domain it was searched with. A
   * request that names no domain (the last query of a company with a website) takes the company's
   * recordings under any domain.
   */
  filesOf(company: RequestCompany): RecordingFile[] {
    const names = (f: RecordingFile) => [f.recording.company, ...(f.recording.aliases ?? [])];
    const exact = this.files.filter((f) =>
      names(f).some((name) => companyKeyOf({ name, domain: f.recording.domain ?? null }) === companyKeyOf(company)),
    );
    if (exact.length > 0 || company.domain !== null) return exact;
    const name = companyKeyOf({ name: company.name, domain: null });
    return this.files.filter((f) => names(f).some((n) => companyKeyOf({ name: n, domain: null }) === name));
  }

  /** The company's searches for a profile, in recorded order. */
  searchesFor(company: RequestCompany, profile: Profile): Candidate<SearchKey>[] {
    return entriesFor(this.filesOf(company), (r) => ({ keys: r.sent?.searches, count: r.searches.length }), profile);
  }

  /** The company's judgments for a profile, in recorded order. */
  completionsFor(company: RequestCompany, profile: Profile): Candidate<CompletionKey>[] {
    return entriesFor(this.filesOf(company), (r) => ({ keys: r.sent?.completions, count: r.completions.length }), profile);
  }

  private sentOf(file: RecordingFile): NonNullable<EvalRecording["sent"]> {
    const r = file.recording;
    r.sent ??= { searches: r.searches.map(() => null), completions: r.completions.map(() => null) };
    return r.sent;
  }

  /** Keys a recorded search with the query now sent (--rekey). */
  keySearch(file: RecordingFile, index: number, key: SearchKey): void {
    this.sentOf(file).searches[index] = key;
    file.changed = true;
    this.index(file);
  }

  keyCompletion(file: RecordingFile, index: number, key: CompletionKey): void {
    this.sentOf(file).completions[index] = key;
    file.changed = true;
    this.index(file);
  }

  private fileFor(company: RequestCompany, note: string): RecordingFile {
    const existing = this.filesOf(company)[0];
    if (existing) {
      if (!existing.recording._note.includes(note)) existing.recording._note = `${existing.recording._note}; ${note}`;
      return existing;
    }
    const slug = coreNameTokens(company.name).join("-") || "company";
    const file: RecordingFile = {
      path: join(this.dir, `${slug}${company.domain ? `@${company.domain}` : ""}.json`),
      recording: {
        _note: note,
        company: company.name,
        domain: company.domain,
        searches: [],
        completions: [],
        sent: { searches: [], completions: [] },
      },
      changed: true,
    };
    this.files.push(file);
    return file;
  }

  /** Records a live search: replaces the answer to the same query, else adds it (--record). */
  addSearch(company: RequestCompany, key: SearchKey, response: TavilyResponse, note: string): void {
    const file = this.fileFor(company, note);
    const index = put(file.recording.searches, this.sentOf(file).searches, (k) => k?.query === key.query, response, key);
    file.changed = true;
    this.searches.set(key.query, { file, index });
  }

  addCompletion(company: RequestCompany, key: CompletionKey, completion: ChatCompletion, note: string): void {
    const file = this.fileFor(company, note);
    const index = put(file.recording.completions, this.sentOf(file).completions, (k) => k?.request === key.request, completion, key);
    file.changed = true;
    this.completions.set(key.request, { file, index });
  }

  /** Writes the files that changed; returns their paths. */
  save(): string[] {
    const written: string[] = [];
    if (this.files.some((f) => f.changed)) mkdirSync(this.dir, { recursive: true });
    for (const file of this.files) {
      if (!file.changed) continue;
      writeFileAtomic(file.path, JSON.stringify(file.recording, null, 2) + "\n");
      file.changed = false;
      written.push(file.path);
    }
    return written;
  }
}
