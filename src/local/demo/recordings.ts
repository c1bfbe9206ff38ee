// Recorded provider exchanges, one JSON file per company: the Tavily search responses and the
// chat-completions responses, in the providers' own shapes, so the offline demo replays what the live
// services send. Schemas are loose where providers add fields over time.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { coreNameTokens } from "../../core/names";

export const tavilyResultSchema = z.looseObject({
  url: z.string(),
  title: z.string(),
  content: z.string(),
  score: z.number(),
  raw_content: z.string().nullable().optional(),
});

export const tavilyResponseSchema = z.looseObject({
  query: z.string(),
  follow_up_questions: z.array(z.string()).nullable(),
  answer: z.string().nullable(),
  images: z.array(z.unknown()),
  results: z.array(tavilyResultSchema),
  response_time: z.number(),
  usage: z.looseObject({ credits: z.number() }).optional(),
  request_id: z.string().optional(),
});
export type TavilyResponse = z.infer<typeof tavilyResponseSchema>;

export const chatCompletionSchema = z.looseObject({
  id: z.string(),
  object: z.literal("chat.completion"),
  created: z.number(),
  model: z.string(),
  choices: z
    .array(
      z.looseObject({
        index: z.number(),
        message: z.looseObject({ role: z.literal("assistant"), content: z.string() }),
        finish_reason: z.string().nullable(),
      }),
    )
    .min(1),
  usage: z.looseObject({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }),
});
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

export const recordingSchema = z.object({
  /** Says where the data came from: hand-written samples or a live `--record` run. */
  _note: z.string(),
  company: z.string().min(1),
  /** Other spellings a query or prompt may use for the same company. */
  aliases: z.array(z.string()).optional(),
  domain: z.string().nullable().optional(),
  /** Replayed in order, one per search for this company; the last one answers any further search. */
  searches: z.array(tavilyResponseSchema),
  /** Replayed in order like searches. */
  completions: z.array(chatCompletionSchema),
});
export type Recording = z.infer<typeof recordingSchema>;

export const SAMPLE_NOTE = "sample recording for the offline demo, not live data";

/** Loads every *.json of a folder as a recording; a file that does not fit the format is an error. */
export function loadRecordings(dir: string): Recording[] {
  return readRecordingFiles(dir, recordingSchema).map((file) => file.recording);
}

/** Every *.json of a folder in name order, checked against a recording format (the eval's extends the demo's). */
export function readRecordingFiles<T>(dir: string, schema: z.ZodType<T>): { name: string; recording: T }[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort();
  return files.map((name) => {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, name), "utf8"));
    } catch (error) {
      throw new Error(`recording ${name} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`recording ${name} does not fit the format: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim());
    }
    return { name, recording: parsed.data };
  });
}

/** A file name for a company's recording: "Character.ai" -> "character-ai.json". */
export function recordingFileName(company: string): string {
  const slug = coreNameTokens(company).join("-");
  return `${slug === "" ? "company" : slug}.json`;
}

/** Finds recordings by the spellings of a company that queries and prompts carry. */
export class RecordingIndex {
  private readonly byKey = new Map<string, Recording>();
  /** Longest spelling first, so "Stability AI" wins over a shorter name inside it. */
  private readonly spellings: { words: string; recording: Recording }[] = [];

  constructor(recordings: readonly Recording[]) {
    for (const recording of recordings) {
      const names = [recording.company, ...(recording.aliases ?? [])];
      if (recording.domain) names.push(recording.domain);
      for (const name of names) {
        const words = coreNameTokens(name);
        if (words.length === 0) continue;
        this.byKey.set(words.join(""), recording);
        this.spellings.push({ words: words.join(" "), recording });
      }
    }
    this.spellings.sort((a, b) => b.words.length - a.words.length);
  }

  /** The recording of exactly this name (case, spaces, punctuation and legal suffixes folded). */
  byName(name: string): Recording | null {
    return this.byKey.get(coreNameTokens(name).join("")) ?? null;
  }

  /** The recording whose name appears as whole words anywhere in the text. */
  mentionedIn(text: string): Recording | null {
    const haystack = ` ${coreNameTokens(text).join(" ")} `;
    return this.spellings.find((s) => haystack.includes(` ${s.words} `))?.recording ?? null;
  }
}
