// `npm run eval -- --models a,b`: one list researched by two models through the built add-on, the
// fake providers standing in for the live services, where the second model judges differently.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseLabelList } from "../../src/local/eval/labels";
import { evaluate } from "../../src/local/eval/evaluate";
import { RecordingPool } from "../../src/local/eval/recordings";
import type { LlmVerdict } from "../../src/local/providers";
import { ensureBuilt, evalHere, FAKE_TAVILY_KEY, fakeServices, tempDir } from "./helpers";

const LIST = `company,website,expected_class,expected_tier,reason
Frontier Co,frontier.example,S,HOT,trains foundation models
Post Co,post.example,A,HOT,heavy post-training
Serve Co,serve.example,B,HOT,serves millions itself
Cloud Co,cloud.example,C,HOT,sells GPU capacity
Robot Co,robot.example,D,HOT,robotics
Wrapper Co,wrapper.example,E,WATCH,calls model APIs
`;

/** The careful model answers each company's label with a strong profile; the hasty one calls robotics a wrapper and over-rates post-training. */
function verdicts(): Record<string, Partial<LlmVerdict>> {
  const strong = { funding_musd: 500, rapid_growth: true, ml_hiring: true, recent_funding: true, confidence: "high" as const };
  const classes: Record<string, LlmVerdict["use_case_class"]> = {
    "Frontier Co": "S",
    "Post Co": "A",
    "Serve Co": "B",
    "Cloud Co": "C",
    "Robot Co": "D",
    "Wrapper Co": "E",
  };
  return Object.fromEntries(Object.entries(classes).map(([company, cls]) => [company, { ...strong, use_case_class: cls }]));
}

const hasty = (v: LlmVerdict): Partial<LlmVerdict> =>
  v.use_case_class === "D" ? { use_case_class: "E" } : v.use_case_class === "A" ? { use_case_class: "S", confidence: "low" } : {};

function services() {
  return fakeServices({
    llm: { models: ["fake/careful", "fake/hasty"], verdicts: verdicts(), judgeAs: { "fake/hasty": hasty } },
  });
}

let temp: ReturnType<typeof tempDir> | null = null;
beforeAll(ensureBuilt);
afterEach(() => {
  temp?.remove();
  temp = null;
});

function listFile(): { list: string; out: string; dir: string } {
  temp = tempDir();
  const list = join(temp.dir, "ours.csv");
  writeFileSync(list, LIST);
  return { list, out: join(temp.dir, "report.md"), dir: temp.dir };
}

describe("npm run eval -- --models a,b", () => {
  it("puts the two models' figures, confusions and answers side by side", () => {
    const { list, out } = listFile();
    const { live, tavily } = services();
    const run = evalHere(["--list", list, "--profile", "gpu-infrastructure", "--models", "fake/careful,fake/hasty", "--out", out], {
      live,
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = readFileSync(out, "utf8");
    expect(report).toContain("|  | `fake/careful` | `fake/hasty` |");
    expect(report).toContain("| Class agreement | 6/6 (100%) | 4/6 (67%) |");
    // Careful: the wrapper scores WARM (funding 30 + growth 10), labelled WATCH. Hasty also misses Robot Co (WARM for HOT).
    expect(report).toContain("| Tier agreement | 5/6 (83%) | 4/6 (67%) |");
    expect(report).toContain("| Within one tier | 6/6 (100%) | 6/6 (100%) |");
    expect(report).toContain("| No reliable data | 0/6 (0%) | 0/6 (0%) |");
    expect(report).toContain("No company of this list is labelled UNKNOWN: the figures say nothing about those classes.");
    expect(report).toContain("| Robot Co | robot.example | D · HOT | ✓ D · HOT 85 | ✗ E · WARM 60 |");
    expect(report).toContain("| Post Co | post.example | A · HOT | ✓ A · HOT 95 | ✗ S · HOT 92 |");
    // The hasty model's confusion: the robotics company in the E column, post-training in S.
    const hastyConfusion = report.slice(report.indexOf("### Confusion: `fake/hasty`"), report.indexOf("### Companies"));
    expect(hastyConfusion).toContain("| A (1) | 1 | · | · | · | · | · | · | · |");
    expect(hastyConfusion).toContain("| D (1) | · | · | · | · | · | 1 | · | · |");
    expect(report).toContain("**Robot Co** (robot.example), `fake/hasty` answered E");
    expect(run.stdout).toMatch(/ours: fake\/careful class 6\/6 \(100%\).*; fake\/hasty class 4\/6 \(67%\)/);
    // Both models judged the same search answers: one search per company for the whole eval.
    expect(tavily.searches).toBe(6);
  });

  it("counts each company's cost as the add-on counts the run's", () => {
    const { list } = listFile();
    const { live } = services();
    const [result] = evaluate({
      lists: [parseLabelList(readFileSync(list, "utf8"), list, "gpu-infrastructure")],
      models: ["fake/careful"],
      source: {
        kind: "live",
        handler: live.handler,
        settings: { TAVILY_API_KEY: live.tavilyKey, LLM_API_KEY: live.llmKey },
        allowOrigin: null,
        secrets: [],
        record: null,
      },
    });
    const run = result?.runs[0];
    const sum = (get: (c: NonNullable<typeof run>["companies"][number]) => number) => run?.companies.reduce((s, c) => s + get(c), 0);
    expect(run?.reported.tavilyCredits).toBe(12);
    expect(sum((c) => c.cost.tavilyCredits)).toBe(run?.reported.tavilyCredits);
    expect(sum((c) => c.cost.llmInputTokens + c.cost.llmOutputTokens)).toBe(run?.reported.llmTokens);
    expect(sum((c) => c.cost.usd)).toBeCloseTo(run?.reported.costUsd ?? -1, 4);
    expect(run?.companies.every((c) => c.timeMs > 0 && c.requests === 2)).toBe(true);
  });

  it("--record keeps the answers keyed by request, and replaying them gives the same judgments offline", () => {
    const { list, out, dir } = listFile();
    const recordings = join(dir, "recordings");
    const args = ["--list", list, "--profile", "gpu-infrastructure", "--models", "fake/careful,fake/hasty", "--recordings", recordings];
    const { live } = services();
    // A provider that echoes the key it was sent (some error pages and debug fields do).
    const echoing = {
      ...live,
      handler: (request: Parameters<typeof live.handler>[0]) => {
        const reply = live.handler(request);
        return { ...reply, body: reply.body.replace('"answer":null', `"answer":"key ${FAKE_TAVILY_KEY} used"`) };
      },
    };
    const recorded = evalHere([...args, "--out", out, "--record"], { live: echoing });
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toContain(`Recorded into 6 file(s)`);
    const pool = RecordingPool.load(recordings);
    const frontier = pool.filesOf({ name: "Frontier Co", domain: "frontier.example" })[0]?.recording;
    expect(frontier?.searches).toHaveLength(1);
    expect(frontier?.sent?.completions.map((k) => k?.model)).toEqual(["fake/careful", "fake/hasty"]);
    // The echoed key is masked in what was recorded.
    const text = JSON.stringify(pool.files.map((f) => f.recording));
    expect(text).toContain("key ••••0001 used");
    expect(text).not.toContain(FAKE_TAVILY_KEY);

    const replayOut = join(dir, "replayed.md");
    const replayed = evalHere([...args, "--out", replayOut]);
    expect(replayed.code).toBe(0);
    const table = (md: string) => md.slice(md.indexOf("### Companies"), md.indexOf("### Disagreements"));
    expect(table(readFileSync(replayOut, "utf8"))).toBe(table(readFileSync(out, "utf8")));
  });
});
