import { describe, expect, it } from "vitest";
import { estimateCompanyCostUsd } from "../../src/core/engine";
import { makeSettings } from "../core/helpers";
import { companyRows, driveWithSidebar, driveWithTriggers, LLM_KEY, ok, progress, setup, statuses, table, TAVILY_KEY } from "./harness";

const TEN = [
  "OpenAI",
  "Anthropic",
  "Cohere",
  "Mistral AI",
  "Perplexity",
  "Together AI",
  "Character.ai",
  "Jasper",
  "Runway",
  "Stability AI",
];
const TERMINAL = /^(Done|Done \(cached\)|No reliable data|Error: .+|Cancelled|Paused: .+)$/;

function names(n: number, prefix = "Company"): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix} ${String(i + 1).padStart(4, "0")} Labs`);
}

/** `count` companies queued, then the first worker killed `killAfterMs` into its execution. */
function queuedThenKilled(count: number, concurrency: number, killAfterMs: number) {
  const perWave = String(concurrency);
  const harness = setup({ rows: companyRows(names(count)), settings: { TAVILY_CONCURRENCY: perWave, LLM_CONCURRENCY: perWave } });
  const { rt } = harness;
  rt.spreadsheet.setSelection("Sheet1", [`A2:A${count + 1}`]);
  ok(rt.run("researchSelectedRows"));
  const killed = rt.run("runResearchWorker", [], { kind: "sidebar", killAt: rt.clock.now() + killAfterMs });
  expect(killed.killed).toBe(true);
  return harness;
}

describe("Research selected rows, end to end", () => {
  it("writes tier, score, use case, rationale, sources and status on every selected row", () => {
    const { rt, tavily, llm } = setup({ rows: companyRows(TEN, "company_name") });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    const queued = rt.run("researchSelectedRows", [], { kind: "menu" });
    expect(queued.error).toBeNull();
    expect(queued.elapsedMs).toBeLessThan(5_000);
    expect(statuses(rt)).toEqual(Array(10).fill("Queued"));
    expect(rt.spreadsheet.getSheetByName("Sheet1")?.dump()[0]).toEqual([
      "company_name",
      "Tier",
      "Score",
      "Use Case",
      "Rationale",
      "Sources",
      "Status",
    ]);

    driveWithSidebar(rt);
    const rows = table(rt);
    for (const row of rows) {
      expect(row["Status"]).toBe("Done");
      expect(["HOT", "WARM", "WATCH", "COLD"]).toContain(row["Tier"]);
      expect(typeof row["Score"]).toBe("number");
      expect(String(row["Rationale"])).toContain(String(row["company_name"]));
      expect(String(row["Sources"])).toMatch(/^https?:\/\//);
    }
    expect(tavily.searches).toBe(10);
    expect(llm.completions).toBe(10);
    const p = progress(rt);
    expect(p).toMatchObject({ total: 10, done: 10, queued: 0, researching: 0, running: false, failed: 0 });
    expect(Object.values(p.tiers).reduce((a, b) => a + b, 0)).toBe(10);
    expect(p.costUsd).toBeGreaterThan(0);
    expect(p.tavilyCredits).toBe(20);
    expect(JSON.stringify(p)).not.toContain(TAVILY_KEY);
  });

  it("answers a rerun from the cache: no search, no LLM call, Status Done (cached)", () => {
    const { rt, tavily, llm } = setup({ rows: companyRows(TEN) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const first = table(rt);
    tavily.reset();
    llm.reset();
    ok(rt.run("refreshSelectedRows")); // would bypass the cache: check the plain path instead
    driveWithSidebar(rt);
    expect(tavily.requests).toBe(10);
    tavily.reset();
    llm.reset();
    // Re-queue through a fresh sheet holding the same companies.
    const again = rt.spreadsheet.insertSheet("Again");
    again.load(companyRows(TEN));
    rt.spreadsheet.setSelection("Again", ["A2:A11"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(tavily.requests).toBe(0);
    expect(llm.requests).toBe(0);
    const cached = table(rt, "Again");
    expect(cached.map((r) => r["Status"])).toEqual(Array(10).fill("Done (cached)"));
    expect(cached.map((r) => r["Tier"])).toEqual(first.map((r) => r["Tier"]));
    // The score's breakdown is kept in the cache, so a cached row explains its score too.
    expect(rt.spreadsheet.getSheetByName("Again")?.noteAt("C2")).toBe(rt.spreadsheet.getSheetByName("Sheet1")?.noteAt("C2"));
    expect(rt.spreadsheet.getSheetByName("Again")?.noteAt("C2")).toMatch(/=\s*\d+/);
    const cacheSheet = rt.spreadsheet.getSheetByName("_territory_cache");
    expect(cacheSheet?.isHidden()).toBe(true);
  });

  it("researches duplicates once, skips blank rows and the header, and leaves rows already done alone", () => {
    const { rt, tavily } = setup({ rows: [["Company"], ["Cohere"], [""], ["cohere"], ["Runway"], ["Cohere Inc."]] });
    rt.spreadsheet.setSelection("Sheet1", ["A1:A6"]);
    ok(rt.run("researchSelectedRows"));
    expect(statuses(rt)).toEqual(["Queued", "", "Queued", "Queued", "Queued"]);
    driveWithSidebar(rt);
    expect(tavily.byCompany["Cohere"] ?? 0).toBeLessThanOrEqual(1);
    expect(tavily.searches).toBe(2);
    expect(statuses(rt)).toEqual(["Done", "", "Done", "Done", "Done"]);
    ok(rt.run("researchSelectedRows"));
    expect(statuses(rt)).toEqual(["Done", "", "Done", "Done", "Done"]);
  });

  it("queues only the rows of a non-contiguous selection and skips rows hidden by a filter", () => {
    const list = names(12);
    const { rt } = setup({ rows: companyRows(list) });
    const sheet = rt.spreadsheet.getSheetByName("Sheet1");
    sheet?.setFilteredOut(9, true);
    rt.spreadsheet.setSelection("Sheet1", ["A2:A4", "A8:A10"]);
    ok(rt.run("researchSelectedRows"));
    expect(statuses(rt)).toEqual(["Queued", "Queued", "Queued", "", "", "", "Queued", "", "Queued", "", "", ""]);
    driveWithSidebar(rt);
    expect(statuses(rt).filter((s) => s === "Done")).toHaveLength(5);
  });

  it("works on two sheets at once and finds moved output columns by header", () => {
    const { rt } = setup({
      rows: [
        ["Status", "Name", "Notes", "Tier", "Score", "Use Case", "Rationale", "Sources"],
        ["", "Cohere", "keep me"],
        ["", "Runway", "and me"],
      ],
    });
    const second = rt.spreadsheet.insertSheet("Second");
    second.load(companyRows(["Jasper", "Modal"], "Organization"));
    rt.spreadsheet.setSelection("Sheet1", ["B2:B3"]);
    ok(rt.run("researchSelectedRows"));
    rt.spreadsheet.setSelection("Second", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const first = table(rt);
    expect(first.map((r) => r["Status"])).toEqual(["Done", "Done"]);
    expect(first.map((r) => r["Notes"])).toEqual(["keep me", "and me"]);
    expect(rt.spreadsheet.getSheetByName("Sheet1")?.dump()[0]).toHaveLength(8);
    expect(table(rt, "Second").map((r) => r["Status"])).toEqual(["Done", "Done"]);
  });

  it("writes every string as text: names and replies that look like formulas never become formulas", () => {
    const hard = ["=1+1", "+SUM(A1)", "@x", "-5 Ventures", "UserGems 💎", "💎", "https://stealthium.io", "x".repeat(300), "11x"];
    const { rt } = setup({
      rows: companyRows(hard),
      llm: { verdicts: { "11x": { use_case_label: '=HYPERLINK("http://evil")', rationale: "-1 is what =2-3 gives. Second sentence." } } },
    });
    const sheet = rt.spreadsheet.getSheetByName("Sheet1");
    // The company cells are the user's: typed as text so the sheet holds the names themselves.
    rt.spreadsheet.setSelection("Sheet1", [`A2:A${hard.length + 1}`]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const rows = table(rt);
    for (const row of rows) expect(String(row["Status"])).toMatch(TERMINAL);
    const dumped = sheet?.dump() ?? [];
    for (let r = 2; r <= dumped.length; r++)
      for (const col of ["B", "C", "D", "E", "F", "G"]) expect(sheet?.formulaAt(`${col}${r}`)).toBe("");
    const eleven = rows.find((r) => r["Company"] === "11x");
    expect(eleven?.["Use Case"]).toBe('=HYPERLINK("http://evil")');
  });
});

describe("the queue survives what users and the platform do", () => {
  it("ends a run whose queue holds a protected row: reported once, never claimed again, no trigger left", () => {
    const list = names(60);
    const { rt, tavily } = setup({
      rows: companyRows(list),
      settings: { TAVILY_CONCURRENCY: "2", LLM_CONCURRENCY: "2", WORKER_TIME_BUDGET_SECONDS: "30" },
    });
    rt.spreadsheet.owner = "boss@example.com";
    rt.spreadsheet.setSelection("Sheet1", ["A2:A61"]);
    ok(rt.run("researchSelectedRows", [], { kind: "menu" }));
    // The sheet's owner protects a row after it was queued: every later execution meets it again.
    rt.spreadsheet.getSheetByName("Sheet1")?.protect("A9:Z9");
    const runs = driveWithTriggers(rt);
    expect(runs.length).toBeGreaterThan(2);
    for (const run of runs) expect(run.error).toBeNull();
    const all = statuses(rt);
    expect(all[7]).toBe("Queued");
    expect(all.filter((s) => s === "Done")).toHaveLength(59);
    expect(rt.triggers().filter((t) => !t.fired)).toHaveLength(0);
    const p = progress(rt);
    expect(p).toMatchObject({ running: false, failed: 1, queued: 0, done: 59 });
    expect(p.errors).toEqual([expect.objectContaining({ row: 9, company: list[7] })]);
    // Its company was never researched: nothing was paid for a row that cannot be written.
    expect(tavily.byCompany[list[7] ?? ""] ?? 0).toBe(0);
  });

  it("writes each result to the row that holds its company after the rows were reversed", () => {
    const list = names(40);
    const { rt } = setup({ rows: companyRows(list), settings: { TAVILY_CONCURRENCY: "10", LLM_CONCURRENCY: "10" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A41"]);
    ok(rt.run("researchSelectedRows"));
    // One execution that stops part-way through (its time budget is short), then the user sorts.
    rt.userProperties.setProperty("WORKER_TIME_BUDGET_SECONDS", "30");
    ok(rt.run("runResearchWorker", [], { kind: "sidebar" }));
    rt.spreadsheet.reverseRows("Sheet1", 2, 41);
    rt.userProperties.setProperty("WORKER_TIME_BUDGET_SECONDS", "270");
    driveWithSidebar(rt);
    for (const row of table(rt)) {
      expect(row["Status"]).toBe("Done");
      expect(String(row["Rationale"])).toContain(String(row["Company"]));
    }
  });

  it("loses nothing when an execution is killed mid-wave, and leaves no row Researching", () => {
    // About 3 s of searches, then the first LLM wave: killed while that wave is in flight.
    const { rt, llm } = queuedThenKilled(100, 20, 9_000);
    driveWithSidebar(rt);
    const rows = table(rt);
    expect(rows.every((r) => r["Status"] === "Done" || r["Status"] === "Done (cached)")).toBe(true);
    for (const row of rows) expect(String(row["Rationale"])).toContain(String(row["Company"]));
    // Only the answers of the wave the kill cut off were paid twice: at most one wave of 20.
    const paidTwice = Object.values(llm.answeredByCompany).filter((n) => n > 1).length;
    expect(paidTwice).toBeLessThanOrEqual(20);
  });

  it("runs 300 companies with 3 s searches and 8 s LLM calls on triggers alone, within the 6-minute limit, leaving no trigger", () => {
    const list = names(300);
    const { rt } = setup({
      rows: companyRows(list),
      tavily: { latencyMs: () => 3_000 },
      llm: { latencyMs: () => 8_000 },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A301"]);
    ok(rt.run("researchSelectedRows", [], { kind: "menu" }));
    const runs = driveWithTriggers(rt);
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.killed).toBe(false);
      expect(run.error).toBeNull();
      expect(run.elapsedMs).toBeLessThan(6 * 60_000);
    }
    expect(statuses(rt).every((s) => s === "Done")).toBe(true);
    expect(rt.triggers().filter((t) => !t.fired)).toHaveLength(0);
    expect(rt.triggers()).toHaveLength(0);
  });

  it("queues a 5,000-row selection in a few seconds of virtual time with a handful of range calls", () => {
    const { rt } = setup({ rows: companyRows(names(5000)) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A5001"]);
    rt.stats.reset();
    const result = rt.run("researchSelectedRows", [], { kind: "menu" });
    expect(result.error).toBeNull();
    // Reading 5,000 rows costs time per cell (the runtime's CELL_MS): the sheet is read by the
    // columns the queue needs (row 1, then Status and the companies), not whole, and the 5,000
    // statuses go out as one value; about a second, where whole reads took three and a half.
    expect(result.elapsedMs).toBeLessThan(1_500);
    // A handful, one of them the metadata search that finds the cache sheet by its tag.
    expect(rt.stats.rangeCalls).toBeLessThan(20);
    expect(statuses(rt).filter((s) => s === "Queued")).toHaveLength(5000);
  });

  it("makes a handful of range calls per wave on a contiguous selection, never one per row", () => {
    const { rt } = setup({ rows: companyRows(names(200)), settings: { TAVILY_CONCURRENCY: "25", LLM_CONCURRENCY: "25" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A201"]);
    ok(rt.run("researchSelectedRows"));
    rt.stats.reset();
    const first = ok(rt.run("runResearchWorker", [], { kind: "sidebar" })) as { waves: number };
    expect(first.waves).toBeGreaterThan(3);
    // Reads per wave: the queue sheet's values and column tags, the cache's key column before it
    // is written (cache rows only for companies that have one); plus the last read of the rows.
    expect(rt.stats.rangeReads).toBeLessThanOrEqual(3 * first.waves + 3);
    // Writes per wave: the rows' values and their presentation (text format, links, notes), and
    // the cache rows paid for in the wave (text format, values).
    expect(rt.stats.rangeWrites).toBeLessThanOrEqual(8 * first.waves + 3);
    // Never one per row: a cache row is written by the column spans it changes (a call or two more
    // per wave, far fewer cells).
    expect(rt.stats.rangeCalls).toBeLessThan(200 / 2 + first.waves);
  });
});

describe("errors and controls", () => {
  it("pauses on a rejected Tavily key, sends nothing more, and resumes once fixed", () => {
    const { rt, tavily, llm } = setup({ rows: companyRows(TEN), tavily: { apiKey: "another-key" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(new Set(statuses(rt))).toEqual(new Set(["Paused: Tavily API key rejected"]));
    const p = progress(rt);
    expect(p.message).toBe("Paused: Tavily API key rejected");
    expect(p.isPaused).toBe(true);
    expect(p.paused).toBe(10);
    const sent = tavily.requests;
    ok(rt.run("runResearchWorker", [], { kind: "sidebar" }));
    expect(tavily.requests).toBe(sent);
    expect(llm.requests).toBe(0);
    rt.userProperties.setProperty("TAVILY_API_KEY", "another-key");
    ok(rt.run("resumeResearch", [], { kind: "sidebar" }));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(Array(10).fill("Done"));
  });

  it("pauses on a rejected LLM key", () => {
    const { rt } = setup({ rows: companyRows(TEN), llm: { apiKey: "other" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(new Set(statuses(rt))).toEqual(new Set(["Paused: LLM API key rejected"]));
  });

  it("pauses on Tavily's plan limit", () => {
    const { rt } = setup({ rows: companyRows(TEN), tavily: { planCredits: 6 } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const all = statuses(rt);
    expect(all.some((s) => s.startsWith("Paused: ") && /plan|limit/i.test(s))).toBe(true);
    expect(progress(rt).isPaused).toBe(true);
  });

  it("rides out 429s without failing a row", () => {
    const { rt, tavily, llm } = setup({ rows: companyRows(names(30)), tavily: { rpm: 10 }, llm: { rpm: 12 } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A31"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt).every((s) => s === "Done")).toBe(true);
    // The settings allow far more than Tavily takes: 429s came back, and its waves were halved.
    expect(tavily.byStatus[429] ?? 0).toBeGreaterThan(0);
    const run = JSON.parse(rt.documentProperties.getProperty("TP_RUN") ?? "{}") as { pacing: { waveSize: { tavily: number } } };
    expect(run.pacing.waveSize.tavily).toBeLessThan(200);
    expect(llm.completions).toBe(30);
    expect(tavily.searches).toBe(30);
    expect(progress(rt).failed).toBe(0);
  });

  it("learns once per run that the model refuses reasoning_effort: one refused call for ten companies", () => {
    // A reasoning model that spends its first cap thinking, behind a provider that refuses
    // reasoning_effort. One LLM call per wave, so each company's retry follows the first refusal
    // (calls of one wave go out together and cannot know of each other's answers).
    const { rt, llm } = setup({
      rows: companyRows(TEN),
      settings: { LLM_CONCURRENCY: "1" },
      llm: { rejectReasoningEffort: true, malformed: ({ attempt }) => (attempt === 1 ? "truncated" : null) },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(Array(10).fill("Done"));
    expect(llm.byStatus[400]).toBe(1);
    // Each company: the cut reply, then one call with the larger cap; the first company also the refused one.
    expect(Object.values(llm.byCompany).reduce((a, b) => a + b, 0)).toBe(21);
    expect(progress(rt).failed).toBe(0);
  });

  it("fails only the row whose provider keeps answering 5xx, with a message", () => {
    const { rt } = setup({
      rows: companyRows(["Cohere", "Broken Co", "Runway"]),
      tavily: { faults: (ctx) => (ctx.company === "Broken Co" ? 503 : null) },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const [a, b, c] = statuses(rt);
    expect(a).toBe("Done");
    expect(b).toMatch(/^Error: .+/);
    expect(c).toBe("Done");
    const p = progress(rt);
    expect(p.failed).toBe(1);
    expect(p.errors[0]?.company).toBe("Broken Co");
    ok(rt.run("retryFailedRows"));
    expect(statuses(rt)[1]).toBe("Queued");
  });

  it("halves the evidence when the LLM says the prompt is too long", () => {
    const { rt, llm } = setup({
      rows: companyRows(["Cohere"]),
      llm: { contextLimitChars: 9_000 },
      settings: { EVIDENCE_BUDGET_CHARS: "16000" },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A2"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(["Done"]);
    // Refused once as too long, then answered with less evidence.
    expect(llm.byStatus[400]).toBe(1);
    expect(llm.completions).toBe(1);
  });

  it("cancels queued rows and stops", () => {
    const { rt } = setup({
      rows: companyRows(names(50)),
      settings: { TAVILY_CONCURRENCY: "5", LLM_CONCURRENCY: "5", WORKER_TIME_BUDGET_SECONDS: "30" },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A51"]);
    ok(rt.run("researchSelectedRows"));
    ok(rt.run("runResearchWorker", [], { kind: "sidebar" }));
    ok(rt.run("cancelResearch", [], { kind: "sidebar" }));
    const after = statuses(rt);
    expect(after.filter((s) => s === "Cancelled").length).toBeGreaterThan(0);
    expect(after.every((s) => TERMINAL.test(s))).toBe(true);
    const p = progress(rt);
    expect(p.running).toBe(false);
    expect(p.total).toBe(50);
    expect(rt.triggers()).toHaveLength(0);
  });

  it("pauses at the run budget, overspending by at most about one company", () => {
    const { rt, tavily } = setup({ rows: companyRows(names(40)), settings: { JOB_BUDGET_USD: "0.1" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A41"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const p = progress(rt);
    expect(p.isPaused).toBe(true);
    expect(p.pause).toEqual({ kind: "budget" });
    expect(p.message).toBe("Paused: budget reached");
    // A cap, not a check after the fact: no wave took more companies than the budget paid for.
    expect(tavily.searches).toBeLessThanOrEqual(Math.floor(0.1 / estimateCompanyCostUsd(makeSettings())) + 1);
    expect(p.costUsd).toBeLessThan(0.1 + 0.03);
    expect(statuses(rt).some((s) => s === "Paused: budget reached")).toBe(true);
  });

  it("opens Settings and queues nothing when keys are missing", () => {
    const { rt } = setup({ rows: companyRows(TEN) });
    rt.userProperties.deleteProperty("TAVILY_API_KEY");
    rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    ok(rt.run("researchSelectedRows", [], { kind: "menu" }));
    expect(statuses(rt).every((s) => s === "")).toBe(true);
    expect(rt.ui.dialogs.length).toBe(1);
  });
});

describe("nothing paid twice, never forever", () => {
  it("pauses at once when the LLM account is out of credit, and judges the paid searches on resume without searching again", () => {
    let outOfCredit = true;
    const { rt, tavily, llm } = setup({ rows: companyRows(TEN), llm: { faults: () => (outOfCredit ? { kind: "outOfCredit" } : null) } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(new Set(statuses(rt))).toEqual(new Set(["Paused: LLM account out of credit"]));
    const p = progress(rt);
    expect(p.pause).toEqual({ kind: "outOfCredit", service: "llm" });
    expect(p.failed).toBe(0);
    // One search per company, paid once; the LLM was refused on its first wave and asked no more.
    expect(tavily.searches).toBe(10);
    expect(llm.requests).toBeLessThanOrEqual(10);
    expect(p.tavilyCredits).toBe(20);
    outOfCredit = false;
    ok(rt.run("resumeResearch", [], { kind: "sidebar" }));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(Array(10).fill("Done"));
    expect(tavily.searches).toBe(10);
    expect(progress(rt).tavilyCredits).toBe(20);
  });

  it("judges evidence paid for by an execution killed before the LLM answered, with no second search", () => {
    // Searches take 3 s: killed while the first LLM wave is in flight.
    const { rt, tavily } = queuedThenKilled(60, 60, 5_000);
    expect(tavily.searches).toBe(60);
    driveWithSidebar(rt);
    expect(statuses(rt).every((s) => s === "Done")).toBe(true);
    expect(tavily.searches).toBe(60);
  });

  it.each([
    ["no search result mentions it", { tavily: { coverage: () => "unrelated" as const }, llm: {} }, 0],
    ["the model finds the results are not about it", { tavily: {}, llm: { verdicts: { "Quietwave Labs": { about_company: false } } } }, 3],
  ])("goes on with a re-search chain where a killed execution left it when %s: each query billed once", (_, providers, judgements) => {
    // Each execution gets one answer; its next request finds the providers down (unbilled) until
    // the execution is killed, so any query billed twice was asked for again by the add-on.
    let sentThisExecution = 0;
    const downAfterFirst = () => (sentThisExecution++ > 0 ? 503 : null);
    const queries: string[] = [];
    const { rt, tavily, llm } = setup({
      rows: companyRows(["Quietwave Labs"]),
      tavily: {
        ...providers.tavily,
        faults: downAfterFirst,
        errorLatencyMs: 60_000,
        latencyMs: (_depth, request) => {
          queries.push(String(JSON.parse(request.payload ?? "{}").query));
          return 3000;
        },
      },
      llm: { ...providers.llm, faults: downAfterFirst, errorLatencyMs: 60_000 },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2"]);
    ok(rt.run("researchSelectedRows"));
    let kills = 0;
    for (let execution = 0; execution < 20 && statuses(rt)[0] !== "No reliable data"; execution++) {
      sentThisExecution = 0;
      if (rt.run("runResearchWorker", [], { kind: "sidebar", killAt: rt.clock.now() + 20_000 }).killed) kills += 1;
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(table(rt)[0]).toMatchObject({ Status: "No reliable data", Tier: "UNKNOWN" });
    expect(queries).toHaveLength(3);
    expect(new Set(queries).size).toBe(3);
    // Each search's evidence is judged once, however many executions the chain spans.
    expect(llm.completions).toBe(judgements);
    // Every search is counted when paid, none lost with a killed execution.
    expect(progress(rt).tavilyCredits).toBe(tavily.creditsServed);
    // Remembered as no data: a plain rerun asks nothing.
    const requests = tavily.requests + llm.requests;
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(["No reliable data (cached)"]);
    expect(tavily.requests + llm.requests).toBe(requests);
  });

  it("keeps searches paid before a cancel: queued again later, they are judged without a new search", () => {
    const list = names(30);
    const { rt, tavily } = setup({ rows: companyRows(list), settings: { TAVILY_CONCURRENCY: "30", LLM_CONCURRENCY: "30" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A31"]);
    ok(rt.run("researchSelectedRows"));
    const start = rt.clock.now();
    expect(rt.run("runResearchWorker", [], { kind: "sidebar", killAt: start + 5_000 }).killed).toBe(true);
    ok(rt.run("cancelResearch", [], { kind: "sidebar" }));
    expect(statuses(rt).every((s) => s === "Cancelled")).toBe(true);
    expect(tavily.searches).toBe(30);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt).every((s) => s === "Done")).toBe(true);
    expect(tavily.searches).toBe(30);
  });

  it("hands off instead of sleeping through a Retry-After longer than the execution has left", () => {
    let refusals = 0;
    const { rt, tavily } = setup({
      rows: companyRows(names(5)),
      llm: { faults: () => (refusals++ < 5 ? { kind: "status", status: 429, retryAfterSeconds: 600 } : null) },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A6"]);
    ok(rt.run("researchSelectedRows"));
    const first = rt.run("runResearchWorker", [], { kind: "sidebar" });
    expect(first.error).toBeNull();
    expect((first.value as { status: string }).status).toBe("continuing");
    // It returned rather than waiting out 10 minutes in Utilities.sleep (which Google refuses past 5).
    expect(first.elapsedMs).toBeLessThan(60_000);
    // The sidebar is closed: the continuation triggers, a minute apart, wait out the 10 minutes.
    const runs = driveWithTriggers(rt);
    for (const run of runs) expect(run.error).toBeNull();
    expect(runs.length).toBeLessThan(20);
    expect(statuses(rt)).toEqual(Array(5).fill("Done"));
    expect(tavily.searches).toBe(5);
  });

  it("pauses when the LLM has refused every request for 15 minutes, failing no row", () => {
    const { rt, tavily } = setup({
      rows: companyRows(names(4)),
      llm: { faults: () => ({ kind: "status", status: 429, retryAfterSeconds: 30 }) },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A5"]);
    ok(rt.run("researchSelectedRows"));
    const started = rt.clock.now();
    driveWithSidebar(rt, 500);
    const p = progress(rt);
    expect(p.pause).toEqual({ kind: "rateLimited", service: "llm" });
    expect(p.failed).toBe(0);
    expect(new Set(statuses(rt))).toEqual(new Set(["Paused: LLM refused every request for 15 minutes (rate limit)"]));
    expect(rt.clock.now() - started).toBeGreaterThanOrEqual(15 * 60_000);
    expect(rt.clock.now() - started).toBeLessThan(25 * 60_000);
    expect(tavily.searches).toBe(4);
  });

  it("pauses when Google's daily URL-fetch quota is spent, marking no row failed, and goes on the next day", () => {
    const { rt, tavily } = setup({ rows: companyRows(TEN), runtime: { quotas: { urlFetches: 15 } } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    ok(rt.run("researchSelectedRows"));
    const runs = driveWithSidebar(rt);
    for (const run of runs) expect(run.error).toBeNull();
    const p = progress(rt);
    expect(p.pause).toEqual({ kind: "dailyQuota" });
    expect(p.failed).toBe(0);
    expect(statuses(rt).filter((s) => s.startsWith("Paused: ")).length).toBeGreaterThan(0);
    expect(statuses(rt).every((s) => s === "Done" || s.startsWith("Paused: Google's daily URL-fetch quota"))).toBe(true);
    rt.clock.advanceTo(rt.clock.now() + 24 * 3_600_000);
    ok(rt.run("resumeResearch", [], { kind: "sidebar" }));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(Array(10).fill("Done"));
    expect(tavily.searches).toBe(10);
  });

  it("remembers No reliable data: a plain rerun makes no request, Retry failed rows tries again", () => {
    const { rt, tavily, llm } = setup({
      rows: companyRows(["Cohere", "Nowhere Widgets"]),
      tavily: { coverage: (c) => (c === "Nowhere Widgets" ? "unrelated" : "generate") },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(["Done", "No reliable data"]);
    const again = rt.spreadsheet.insertSheet("Again");
    again.load(companyRows(["Cohere", "Nowhere Widgets"]));
    tavily.reset();
    llm.reset();
    rt.spreadsheet.setSelection("Again", ["A2:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt, "Again")).toEqual(["Done (cached)", "No reliable data (cached)"]);
    expect(table(rt, "Again")[1]?.["Tier"]).toBe("UNKNOWN");
    expect(tavily.requests + llm.requests).toBe(0);
    ok(rt.run("retryFailedRows"));
    driveWithSidebar(rt);
    expect(tavily.searches).toBeGreaterThan(0);
    expect(statuses(rt, "Again")[1]).toBe("No reliable data");
  });

  it("keeps the run state under the 9 KB property limit with 20 failed rows of 300-character non-Latin names", () => {
    const long = Array.from({ length: 24 }, (_, i) => `${"数据科学研究所".repeat(42)}${i}`);
    const { rt } = setup({ rows: companyRows(long) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A25"]);
    ok(rt.run("researchSelectedRows"));
    const runs = driveWithSidebar(rt);
    for (const run of runs) expect(run.error).toBeNull();
    expect(statuses(rt).every((s) => s.startsWith("Error: "))).toBe(true);
    const stored = rt.documentProperties.getProperty("TP_RUN") ?? "";
    expect(Buffer.byteLength(stored, "utf8")).toBeLessThan(9 * 1024);
    const p = progress(rt);
    expect(p.failed).toBe(24);
    expect(p.errors.length).toBeGreaterThan(0);
  });

  it("keeps the cache sheet's cells text after the user reformats it, so a cached formula-like reply reads back as written", () => {
    const rationale = "=1+1 is not a formula here. Second sentence.";
    const { rt, llm } = setup({ rows: companyRows(["Cohere", "11x"]), llm: { verdicts: { "11x": { rationale } } } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A2"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const cache = rt.spreadsheet.getSheetByName("_territory_cache");
    if (!cache) throw new Error("no cache sheet");
    // The user sets the whole cache sheet back to Automatic.
    const width = cache.dump()[0]?.length ?? 1;
    cache.setFormats(
      { row: 1, col: 1, numRows: 200, numCols: width },
      Array.from({ length: 200 }, () => Array(width).fill("")),
    );
    rt.spreadsheet.setSelection("Sheet1", ["A3:A3"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    const dumped = cache.dump();
    for (let r = 1; r <= dumped.length; r++)
      for (let c = 1; c <= width; c++) expect(cache.formulaAt(`${String.fromCharCode(64 + Math.min(c, 26))}${r}`)).toBe("");
    llm.reset();
    const again = rt.spreadsheet.insertSheet("Again");
    again.load(companyRows(["11x"]));
    rt.spreadsheet.setSelection("Again", ["A2:A2"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(table(rt, "Again")[0]).toMatchObject({ Status: "Done (cached)", Rationale: rationale });
    expect(llm.requests).toBe(0);
  });

  it("recreates the cache sheet a user deletes mid-run, searching and judging no company twice", () => {
    const list = names(40);
    const { rt, tavily, llm } = setup({ rows: companyRows(list), settings: { TAVILY_CONCURRENCY: "10", LLM_CONCURRENCY: "10" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A41"]);
    ok(rt.run("researchSelectedRows"));
    // The user deletes the hidden sheet while the worker is between two waves.
    rt.spreadsheet.getSheetByName("Sheet1")?.beforeNextScriptWrite(() => rt.spreadsheet.deleteSheet("_territory_cache"));
    const runs = driveWithSidebar(rt);
    for (const run of runs) expect(run.error).toBeNull();
    expect(statuses(rt).every((s) => s === "Done")).toBe(true);
    expect(rt.spreadsheet.getSheetByName("_territory_cache")?.isHidden()).toBe(true);
    expect(tavily.searches).toBe(40);
    expect(Math.max(...Object.values(llm.answeredByCompany))).toBe(1);
  });

  it("sends keys only when requests go out: no key in the run state, the cache sheet or the progress", () => {
    const { rt } = setup({ rows: companyRows(TEN.slice(0, 3)) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(Array(3).fill("Done"));
    const everything = JSON.stringify([
      rt.documentProperties.getProperties(),
      rt.spreadsheet.getSheetByName("_territory_cache")?.dump(),
      progress(rt),
    ]);
    expect(everything).not.toContain(TAVILY_KEY);
    expect(everything).not.toContain(LLM_KEY);
  });
});

describe("a run belongs to the user who started it", () => {
  it("another user's worker call returns at once and leaves the run alone; the owner's triggers carry it on", () => {
    const { rt, tavily } = setup({ rows: companyRows(TEN.slice(0, 4)) });
    rt.user("bob@example.com").properties.setProperty("TAVILY_API_KEY", "tvly-bob-0000-1111");
    rt.spreadsheet.setSelection("Sheet1", ["A2:A5"]);
    ok(rt.run("researchSelectedRows", [], { kind: "menu" }));
    const before = statuses(rt);
    const bob = ok(rt.run("runResearchWorker", [], { kind: "sidebar", user: "bob@example.com" })) as { status: string };
    expect(bob.status).toBe("notOwner");
    expect(statuses(rt)).toEqual(before);
    expect(tavily.requests).toBe(0);
    expect(progress(rt).pause).toBeNull();
    driveWithTriggers(rt);
    expect(statuses(rt)).toEqual(Array(4).fill("Done"));
  });
});
