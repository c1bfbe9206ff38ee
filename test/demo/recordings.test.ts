import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseCsv } from "../../src/local/demo/csv";
import { RecordingIndex, SAMPLE_NOTE, loadRecordings, recordingFileName } from "../../src/local/demo/recordings";
import { readFileSync } from "node:fs";

const recordingsDir = fileURLToPath(new URL("../../examples/recordings", import.meta.url));
const samplePath = fileURLToPath(new URL("../../examples/companies.csv", import.meta.url));

// Exactly the fields the add-on asks the model for: no field more, no field less.
const specReply = z.strictObject({
  about_company: z.boolean(),
  relevance: z.number().min(0).max(1),
  use_case_class: z.enum(["S", "A", "B", "C", "D", "E", "UNKNOWN"]),
  funding_musd: z.number().nullable(),
  platform_adoption: z.enum(["confirmed", "strong", "possible", "none"]).nullable(),
  quant_trading: z.boolean(),
  rapid_growth: z.boolean(),
  ml_hiring: z.boolean(),
  recent_funding: z.boolean(),
  confidence: z.enum(["high", "medium", "low"]),
  use_case_label: z.string().min(1),
  rationale: z.string().min(1),
  sources: z.array(z.url()),
});

describe("sample recordings", () => {
  const recordings = loadRecordings(recordingsDir);
  const sampleCompanies = parseCsv(readFileSync(samplePath, "utf8"))
    .rows.slice(1)
    .map((row) => row[0] ?? "");

  it("cover every company of the sample file, one file each, named after the company", () => {
    expect(recordings.map((r) => r.company).sort()).toEqual([...sampleCompanies].sort());
    for (const r of recordings)
      expect(readFileSync(`${recordingsDir}/${recordingFileName(r.company)}`, "utf8")).toContain(`"company": "${r.company}"`);
  });

  it.each(loadRecordings(recordingsDir).map((r) => [r.company, r] as const))(
    "%s is labelled, well-formed and self-consistent",
    (_name, recording) => {
      expect(recording._note).toBe(SAMPLE_NOTE);
      expect(recording.searches.length).toBeGreaterThan(0);
      const urls = new Set(recording.searches.flatMap((s) => s.results.map((r) => r.url)));
      for (const search of recording.searches) {
        expect(search.usage?.credits).toBe(2);
        expect(search.query).toContain(`"${recording.company}"`);
        for (const result of search.results) {
          // The engine drops results that do not mention the company before any LLM call.
          expect(`${result.title} ${result.content}`.toLowerCase()).toContain(recording.company.toLowerCase());
        }
      }
      for (const completion of recording.completions) {
        const reply = specReply.parse(JSON.parse(completion.choices[0]?.message.content ?? ""));
        expect(reply.about_company).toBe(true);
        expect(reply.sources.length).toBeGreaterThan(0);
        for (const source of reply.sources) expect(urls).toContain(source);
        const sentences = reply.rationale.split(/(?<=\.)\s+(?=[A-Z])/);
        expect(sentences.length).toBeGreaterThanOrEqual(2);
        expect(sentences.length).toBeLessThanOrEqual(3);
        const usage = completion.usage;
        expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
      }
    },
  );
});

describe("names", () => {
  it("name recording files by the folded company name, as the cache key folds it", () => {
    expect(recordingFileName("  Character AI, Inc. ")).toBe("character-ai.json");
    expect(recordingFileName("Character.ai")).toBe("character-ai.json");
    expect(recordingFileName("Mistral AI")).toBe("mistral-ai.json");
    expect(recordingFileName("🚀")).toBe("company.json");
  });

  it("finds recordings by exact name, alias, domain or whole-word mention", () => {
    const index = new RecordingIndex(loadRecordings(recordingsDir));
    expect(index.byName("character ai")?.company).toBe("Character.ai");
    expect(index.byName("Open AI")?.company).toBe("OpenAI");
    expect(index.byName("stability.ai")?.company).toBe("Stability AI");
    expect(index.byName("Runway Airlines")).toBeNull();
    expect(index.mentionedIn("news about Stability AI funding")?.company).toBe("Stability AI");
    expect(index.mentionedIn("Jaspers and runways")).toBeNull();
  });
});
