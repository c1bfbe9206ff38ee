// The regression guard: the recorded answers replayed through the built add-on (prompt, evidence
// selection, reply reading, scoring) must judge every company as examples/eval/judgments.json says.
// Replay answers a judging request only when it is sent exactly as recorded, so a change to the
// prompt's rules or to the evidence selection shows here as the company whose request changed.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_JUDGMENTS, DEFAULT_LISTS, DEFAULT_RECORDINGS } from "../../src/local/eval/cli";
import { evaluate } from "../../src/local/eval/evaluate";
import { compareJudgments, GUARD_ADVICE, loadJudgments } from "../../src/local/eval/judgments";
import { profileOfFile, readLabelList } from "../../src/local/eval/labels";
import { evalRecordingSchema, RecordingPool } from "../../src/local/eval/recordings";
import { ensureBuilt, tempDir } from "./helpers";

const expected = loadJudgments(DEFAULT_JUDGMENTS);

function replay(options: { settings?: Record<string, string>; recordings?: string } = {}) {
  const lists = DEFAULT_LISTS.map((path) => readLabelList(path, path, profileOfFile(path) ?? "gpu-infrastructure"));
  return evaluate({
    lists,
    models: [...new Set(expected.map((j) => j.model))],
    source: { kind: "replay", pool: RecordingPool.load(options.recordings ?? DEFAULT_RECORDINGS), rekey: false },
    ...(options.settings ? { settings: options.settings } : {}),
  });
}

let temp: ReturnType<typeof tempDir> | null = null;
beforeAll(ensureBuilt);
afterEach(() => {
  temp?.remove();
  temp = null;
});

/** A copy of the recordings with one file edited. */
function editedRecordings(file: string, edit: (recording: ReturnType<typeof evalRecordingSchema.parse>) => void): string {
  temp = tempDir();
  const dir = join(temp.dir, "recordings");
  cpSync(DEFAULT_RECORDINGS, dir, { recursive: true });
  const path = join(dir, file);
  const recording = evalRecordingSchema.parse(JSON.parse(readFileSync(path, "utf8")));
  edit(recording);
  writeFileSync(path, JSON.stringify(recording));
  return dir;
}

describe("the recorded judgments", () => {
  it("cover both profiles, a re-search after a namesake and a company with no reliable data", () => {
    expect(new Set(expected.map((j) => j.profile))).toEqual(new Set(["gpu-infrastructure", "managed-inference"]));
    expect(expected.length).toBeGreaterThanOrEqual(15);
    expect(expected.find((j) => j.company === "Atlas")?.status).toBe("No reliable data");
    expect(expected.find((j) => j.company === "Figure" && j.website === "figure.com")?.class).toBe("E");
    expect(expected.find((j) => j.company === "Read AI")?.status).toBe("Done");
  });

  it("are what the recorded answers judge today", () => {
    expect(compareJudgments(expected, replay()).join("\n\n"), GUARD_ADVICE).toBe("");
  });
});

describe("the guard", () => {
  it("names each company whose evidence changed, with its judgment before and what replay had after", () => {
    const changes = compareJudgments(expected, replay({ settings: { EVIDENCE_BUDGET_CHARS: "1000" } }));
    const anthropic = changes.find((c) => c.startsWith("Anthropic (anthropic.com), gpu-infrastructure"));
    expect(anthropic).toBe(
      "Anthropic (anthropic.com), gpu-infrastructure, meta-llama/Llama-3.3-70B-Instruct\n" +
        "  before: S · HOT 100 · Done\n" +
        "  after:  no recorded answer: judgment: the evidence changed: 3 results sent, 5 recorded " +
        "(no longer https://en.wikipedia.org/wiki/Anthropic, https://www.aboutamazon.com/news/aws/amazon-invests-additional-4-billion-anthropic-ai)",
    );
    // The cut reaches every judged company but the three whose few short pages still fit.
    const title = (j: (typeof expected)[number]) => `${j.company}${j.website ? ` (${j.website})` : ""}, ${j.list},`;
    const untouched = expected.filter((j) => !changes.some((c) => c.startsWith(title(j))));
    expect(untouched.map((j) => j.company).sort()).toEqual(["Atlas", "Figure", "Read AI"]);
  });

  it("says the system prompt changed when an answer was recorded under other rules", () => {
    const dir = editedRecordings("openai@openai.com.json", (r) => {
      const key = r.sent?.completions[0];
      if (key) Object.assign(key, { request: "0000000000000000", system: "1111111111111111" });
    });
    const changes = compareJudgments(expected, replay({ recordings: dir }));
    expect(changes).toEqual([
      "OpenAI (openai.com), gpu-infrastructure, meta-llama/Llama-3.3-70B-Instruct\n" +
        "  before: S · HOT 100 · Done\n" +
        "  after:  no recorded answer: judgment: the system prompt (the profile's rules) changed",
    ]);
  });

  it("shows before and after when the same answer now reads as another judgment", () => {
    const dir = editedRecordings("mistral-ai@mistral.ai.json", (r) => {
      const message = r.completions[0]?.choices[0]?.message;
      if (message)
        message.content = message.content
          .replace('"use_case_class": "S"', '"use_case_class": "A"')
          .replace('"use_case_class":"S"', '"use_case_class":"A"');
    });
    expect(compareJudgments(expected, replay({ recordings: dir }))).toEqual([
      "Mistral AI (mistral.ai), gpu-infrastructure, meta-llama/Llama-3.3-70B-Instruct\n  before: S · HOT 100 · Done\n  after:  A · HOT 95 · Done",
    ]);
  });
});
