// `npm run eval` as a user runs it: offline on the shipped lists and recordings, the exit code of
// --min-agreement, the messages of a wrong command, and --rekey on a demo recording copied in.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { RecordingPool } from "../../src/local/eval/recordings";
import { ensureBuilt, evalHere, ROOT, tempDir } from "./helpers";

let temp: ReturnType<typeof tempDir> | null = null;
beforeAll(ensureBuilt);
afterEach(() => {
  temp?.remove();
  temp = null;
});

function dir(): string {
  temp = tempDir();
  return temp.dir;
}

describe("npm run eval offline", () => {
  it("replays the shipped recordings over both lists, prints one summary line and writes the report", () => {
    const out = join(dir(), "report.md");
    const run = evalHere(["--out", out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("Offline: replayed the recordings in examples/eval/recordings");
    const summary = run.stdout.split("\n").filter((l) => l.startsWith("Eval ("));
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatch(
      /^Eval \(offline replay\): gpu-infrastructure: meta-llama\/Llama-3\.3-70B-Instruct class 12\/12 \(100%\), tier 11\/12 \(92%\), within one tier 12\/12 \(100%\), no data 1\/12 \(8%\), \$0\.\d{4} and \d+\.\d s per company \(62 not recorded\) \| managed-inference: .* class 3\/4 \(75%\)/,
    );
    const report = readFileSync(out, "utf8");
    expect(report).toContain("## gpu-infrastructure: examples/eval/gpu-infrastructure.csv (74 companies)");
    expect(report).toContain("| Not recorded | 62 |");
    expect(report).toContain("| Figure | figure.com | E · WATCH | ✓ E · COLD 30 |");
    expect(report).toContain("| Atlas |  | UNKNOWN · UNKNOWN | ✓ no data |");
    expect(report).toContain("| Harvey | harvey.ai | E · WARM | not recorded |");
    expect(report).toContain("## What the figures mean");
  });

  it("exits 1 under --min-agreement when a model agrees less, and 0 when every one reaches it", () => {
    const out = join(dir(), "report.md");
    const below = evalHere(["--out", out, "--min-agreement", "0.8"]);
    expect(below.code).toBe(1);
    expect(below.stderr).toBe("Class agreement below 80%: managed-inference with meta-llama/Llama-3.3-70B-Instruct: 75%.\n");
    expect(evalHere(["--out", out, "--min-agreement", "75%"]).code).toBe(0);
  });

  it("reports a model with no recordings as not recorded, never as wrong, and fails --min-agreement with nothing answered", () => {
    const out = join(dir(), "report.md");
    const run = evalHere([
      "--out",
      out,
      "--list",
      "examples/eval/gpu-infrastructure.csv",
      "--models",
      "other/model",
      "--min-agreement",
      "0.5",
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("other/model class n/a, tier n/a, within one tier n/a, no data n/a (74 not recorded)");
    expect(run.stderr).toContain("gpu-infrastructure with other/model: no company was answered");
    expect(readFileSync(out, "utf8")).toContain("| OpenAI | openai.com | S · HOT | not recorded |");
  });
});

describe("npm run eval refuses a wrong command with a message saying what to do", () => {
  const cases: [string, string[], Record<string, string>, number, RegExp][] = [
    ["--record without keys", ["--record"], {}, 2, /--record needs a live run: set TAVILY_API_KEY and LLM_API_KEY/],
    ["--rekey in a live run", ["--rekey"], { TAVILY_API_KEY: "t", LLM_API_KEY: "l" }, 2, /--rekey works on the recordings offline/],
    [
      "a bad --min-agreement",
      ["--min-agreement", "most"],
      {},
      2,
      /--min-agreement must be between 0 and 1, or a percentage \(got "most"\)/,
    ],
    [
      "a list not named after a profile",
      ["--list", "examples/companies.csv"],
      {},
      2,
      /examples\/companies\.csv is not named after a profile; say which with --profile/,
    ],
    ["a missing list", ["--list", "nowhere/gpu-infrastructure.csv"], {}, 1, /nowhere\/gpu-infrastructure\.csv does not exist/],
    [
      "a list without labels",
      ["--list", "examples/companies.csv", "--profile", "gpu-infrastructure"],
      {},
      1,
      /needs a header row with a Company column and an expected_class column/,
    ],
    [
      "a live base URL that is not https",
      [],
      { TAVILY_API_KEY: "t", LLM_API_KEY: "l", LLM_BASE_URL: "ftp://llm.example" },
      1,
      /^Error: LLM_BASE_URL .*\(got "ftp:\/\/llm\.example"\)/,
    ],
  ];
  it.each(cases)("%s", (_, args, env, code, message) => {
    const run = evalHere([...args, "--out", join(dir(), "report.md")], { env });
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });

  it("names the line of a label the profile does not have", () => {
    const list = join(dir(), "managed-inference.csv");
    writeFileSync(list, "company,expected_class\nAcme,B\nWrapper Inc,E\n");
    const run = evalHere(["--list", list]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'Error: managed-inference.csv line 3: expected_class "E" is not one of S, A, B, C, D, UNKNOWN (profile managed-inference).\n',
    );
  });
});

describe("npm run eval -- --rekey", () => {
  it("keys a demo recording copied in to the requests sent now, after which replay answers it", () => {
    const root = dir();
    const recordings = join(root, "recordings");
    mkdirSync(recordings);
    copyFileSync(join(ROOT, "examples", "recordings", "openai.json"), join(recordings, "openai.json"));
    const list = join(root, "gpu-infrastructure.csv");
    writeFileSync(list, "company,website,expected_class\nOpenAI,openai.com,S\n");
    const args = ["--list", list, "--recordings", recordings, "--out", join(root, "report.md")];

    const before = evalHere(args);
    expect(before.stdout).toContain("(1 not recorded)");
    expect(readFileSync(join(root, "report.md"), "utf8")).toContain("search: its recording is not keyed yet (npm run eval -- --rekey)");

    const rekeyed = evalHere([...args, "--rekey"]);
    expect(rekeyed.stdout).toContain("Re-keyed 1 recording(s)");
    const key = RecordingPool.load(recordings).files[0]?.recording.sent;
    expect(key?.searches[0]?.query).toBe('"OpenAI" openai.com AI machine learning models GPU training inference funding');
    expect(key?.completions[0]?.evidence_urls.length).toBeGreaterThan(0);

    const after = evalHere(args);
    expect(after.stdout).toContain("class 1/1 (100%)");
    expect(after.stdout).not.toContain("(1 not recorded)");
  });
});
