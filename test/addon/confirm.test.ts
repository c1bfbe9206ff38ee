// Every command that queues paid work estimates it and confirms exactly what it queues: Research,
// Re-research, Retry failed rows, Resume and the sidebar's start; the run then spends no more than
// what was confirmed. And the company column: chosen by header in an order of preference, named in
// the estimate and the confirmation, asked for when no header names it.
import { describe, expect, it } from "vitest";
import type { CommandResult, EstimateResult, RunEstimate, SidebarStart } from "../../src/core/wire";
import type { LocalRuntime } from "../../src/local/runtime";
import { companyRows, driveWithSidebar, ok, progress, setup, statuses, table } from "./harness";

function names(n: number, prefix = "Northwind"): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix} ${String(i + 1).padStart(4, "0")} Robotics`);
}

function estimateOf(rt: LocalRuntime, action: "research" | "retry" | "resume" = "research", column: number | null = null): RunEstimate {
  const result = ok(rt.run("estimateQueue", [action, column], { kind: "sidebar" })) as EstimateResult;
  if (!result.ok) throw new Error(result.message);
  return result.estimate;
}

function start(rt: LocalRuntime, action: "research" | "retry" | "resume", planId: string, column: number | null = null): SidebarStart {
  return ok(rt.run("startQueue", [action, planId, column], { kind: "sidebar" })) as SidebarStart;
}

function menu(rt: LocalRuntime, fn: string): CommandResult {
  return ok(rt.run(fn, [], { kind: "menu" })) as CommandResult;
}

/** What the user confirmed the run may spend (dollars), as the worker reads it. */
function confirmedUsd(rt: LocalRuntime): number {
  const stored = JSON.parse(rt.documentProperties.getProperty("TP_CONFIRMED") ?? "null") as { usd: number } | null;
  return stored?.usd ?? Number.NaN;
}

/** Companies no search result mentions: each is searched three times and ends with no reliable data. */
const obscure = { coverage: () => "unrelated" as const };

describe("every command that queues paid work estimates and confirms it", () => {
  it("Research resumes paused rows only inside the estimate it confirmed", () => {
    const { rt } = setup({ rows: companyRows(names(8)), tavily: { apiKey: "another-key" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A7"]);
    menu(rt, "researchSelectedRows");
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual([...Array(6).fill("Paused: Tavily API key rejected"), "", ""]);

    rt.userProperties.setProperties({ TAVILY_API_KEY: "another-key", CONFIRM_ABOVE_USD: "0" });
    rt.spreadsheet.setSelection("Sheet1", ["A8:A9"]);
    rt.ui.alertAnswers = ["NO"];
    expect(menu(rt, "researchSelectedRows")).toMatchObject({ ok: false, queued: 0 });
    const alert = rt.ui.alerts.at(-1);
    expect(alert?.title).toBe("Research 8 companies?");
    expect(alert?.prompt).toContain("8 row(s), 8 distinct companies.");
    expect(alert?.prompt).toContain("Of the rows, 6 were paused and go on.");
    // No: the paused rows stay paused, the new ones are not queued.
    expect(statuses(rt)).toEqual([...Array(6).fill("Paused: Tavily API key rejected"), "", ""]);

    const queued = menu(rt, "researchSelectedRows");
    expect(queued).toMatchObject({ ok: true, queued: 8 });
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(Array(8).fill("Done"));
  });

  it("Retry failed rows on rows that found nothing asks first, pricing every search they will need", () => {
    const { rt, tavily } = setup({ rows: companyRows(names(150)), tavily: obscure, settings: { CONFIRM_ABOVE_USD: "" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A151"]);
    menu(rt, "researchSelectedRows");
    driveWithSidebar(rt);
    expect(new Set(statuses(rt))).toEqual(new Set(["No reliable data"]));
    const firstRun = progress(rt).costUsd;
    const searches = tavily.requests;

    // The default threshold, $5: one search each would be about $2.60, all three about $7.90.
    rt.userProperties.deleteProperty("CONFIRM_ABOVE_USD");
    rt.ui.alertAnswers = ["NO"];
    expect(menu(rt, "retryFailedRows")).toMatchObject({ ok: false, queued: 0 });
    const alert = rt.ui.alerts.at(-1);
    expect(alert?.title).toBe("Retry 150 rows?");
    expect(alert?.prompt).toContain("Of them, 150 found nothing last time: expected to need all 3 searches.");
    const figures = /about \$(\d+\.\d+), at most \$(\d+\.\d+)/.exec(alert?.prompt ?? "");
    expect(Number(figures?.[1])).toBeGreaterThan(5);
    // What the first run of the same companies actually cost fits the estimate's maximum.
    expect(Number(figures?.[2])).toBeGreaterThanOrEqual(firstRun);
    expect(new Set(statuses(rt))).toEqual(new Set(["No reliable data"]));
    expect(tavily.requests).toBe(searches);
  });

  it("Re-research asks with every company priced as new, the cache ignored", () => {
    const { rt, tavily } = setup({ rows: companyRows(names(4)) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A5"]);
    menu(rt, "researchSelectedRows");
    driveWithSidebar(rt);
    const searches = tavily.requests;
    rt.userProperties.setProperty("CONFIRM_ABOVE_USD", "0");
    rt.ui.alertAnswers = ["NO"];
    expect(menu(rt, "refreshSelectedRows")).toMatchObject({ ok: false, queued: 0 });
    const alert = rt.ui.alerts.at(-1);
    expect(alert?.title).toBe("Research 4 companies again?");
    expect(alert?.prompt).toContain("None is answered by the cache.");
    expect(statuses(rt)).toEqual(Array(4).fill("Done"));
    expect(menu(rt, "refreshSelectedRows")).toMatchObject({ ok: true, queued: 4 });
    expect(statuses(rt)).toEqual(Array(4).fill("Queued (ignore cache)"));
    driveWithSidebar(rt);
    expect(tavily.requests).toBe(2 * searches);
  });

  it("counts in the maximum the re-searches of names no search finds: the run spends no more than it", () => {
    const { rt } = setup({ rows: companyRows(names(40)), tavily: obscure });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A41"]);
    const seen = estimateOf(rt);
    expect(start(rt, "research", seen.planId)).toMatchObject({ kind: "queued" });
    driveWithSidebar(rt);
    const spent = progress(rt).costUsd;
    // Three searches for every company, about three times the expected figure.
    expect(spent).toBeGreaterThan(2.5 * seen.costUsd);
    expect(spent).toBeLessThanOrEqual(seen.maximumUsd);
    expect(progress(rt).pause).toBeNull();
  });

  it("the sidebar's Resume and Retry show what they would queue, and queue exactly that", () => {
    const { rt } = setup({ rows: companyRows(names(5)), tavily: { apiKey: "another-key" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A6"]);
    menu(rt, "researchSelectedRows");
    driveWithSidebar(rt);
    rt.userProperties.setProperty("TAVILY_API_KEY", "another-key");
    const resume = estimateOf(rt, "resume");
    expect(resume).toMatchObject({ action: "resume", rows: 5, resumed: 5, research: 5 });
    // A row paused since is another plan: estimated again, nothing queued.
    rt.spreadsheet.getSheetByName("Sheet1")?.edit("A6", "Umbrella Robotics");
    const changed = start(rt, "resume", resume.planId);
    expect(changed.kind).toBe("changed");
    expect(statuses(rt).every((s) => s.startsWith("Paused"))).toBe(true);
    if (changed.kind !== "changed") return;
    expect(start(rt, "resume", changed.estimate.planId)).toMatchObject({ kind: "queued", result: { queued: 5 } });
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(Array(5).fill("Done"));
    expect(ok(rt.run("estimateQueue", ["retry", null], { kind: "sidebar" }))).toEqual({ ok: false, message: "No failed rows to retry." });
  });
});

describe("nothing to queue", () => {
  it("a paused run whose paused rows were deleted ends on Resume instead of waiting for ever", () => {
    const { rt } = setup({ rows: companyRows(names(3)), tavily: { apiKey: "another-key" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
    menu(rt, "researchSelectedRows");
    driveWithSidebar(rt);
    expect(progress(rt).isPaused).toBe(true);
    rt.spreadsheet.deleteRows("Sheet1", 2, 3);
    expect(ok(rt.run("estimateQueue", ["resume", null], { kind: "sidebar" }))).toEqual({ ok: false, message: "No paused rows to resume." });
    expect(progress(rt).isPaused).toBe(false);
    driveWithSidebar(rt);
    expect(progress(rt).running).toBe(false);
  });
});

describe("the sidebar's start confirms exactly the rows it queues", () => {
  it("10 companies the cache answers for $0, then 10 new ones selected: the new ones are estimated, not started", () => {
    const list = names(20);
    const { rt, tavily } = setup({ rows: companyRows(list.slice(0, 10)) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    menu(rt, "researchSelectedRows");
    driveWithSidebar(rt);
    const paid = tavily.requests;
    rt.spreadsheet.insertSheet("Leads").load(companyRows(list));
    rt.spreadsheet.setSelection("Leads", ["A2:A11"]);
    const cached = estimateOf(rt);
    expect(cached).toMatchObject({ companies: 10, cached: 10, research: 0, costUsd: 0 });

    rt.spreadsheet.setSelection("Leads", ["A12:A21"]);
    const answer = start(rt, "research", cached.planId);
    expect(answer.kind).toBe("changed");
    expect(answer.kind === "changed" && answer.estimate).toMatchObject({ companies: 10, cached: 0, research: 10 });
    expect(statuses(rt, "Leads").every((s) => s === "")).toBe(true);
    expect(tavily.requests).toBe(paid);
  });

  it("a name in the same row changed to another of the same length, in any alphabet, is another plan", () => {
    // Both names are eight Cyrillic letters: hashed as US_ASCII they would both be "????????".
    const { rt } = setup({ rows: companyRows(["Сбербанк"]) });
    rt.spreadsheet.setSelection("Sheet1", ["A2"]);
    const seen = estimateOf(rt);
    rt.spreadsheet.getSheetByName("Sheet1")?.edit("A2", "Тинькофф");
    const answer = start(rt, "research", seen.planId);
    expect(answer.kind).toBe("changed");
    expect(answer.kind === "changed" && answer.estimate.columns[0]?.names).toEqual(["Тинькофф"]);
    expect(statuses(rt)).toEqual([""]);
  });

  it("a sheet deleted and made again under the same name, with the same rows, is another plan", () => {
    const { rt } = setup({ rows: companyRows(["Acme"]), sheetName: "Leads" });
    rt.spreadsheet.setSelection("Leads", ["A2"]);
    const seen = estimateOf(rt);
    rt.spreadsheet.deleteSheet("Leads");
    rt.spreadsheet.insertSheet("Leads").load(companyRows(["Acme"]));
    rt.spreadsheet.setSelection("Leads", ["A2"]);
    expect(start(rt, "research", seen.planId).kind).toBe("changed");
    // Unchanged, the same plan starts.
    expect(start(rt, "research", estimateOf(rt).planId)).toMatchObject({ kind: "queued", result: { queued: 1 } });
  });

  it("what the cache answers changing since the estimate is another plan", () => {
    const { rt } = setup({ rows: companyRows(["Acme", "Globex"]) });
    rt.spreadsheet.setSelection("Sheet1", ["A2"]);
    menu(rt, "researchSelectedRows");
    driveWithSidebar(rt);
    rt.spreadsheet.insertSheet("Copy").load(companyRows(["Acme"]));
    rt.spreadsheet.setSelection("Copy", ["A2"]);
    const cached = estimateOf(rt);
    expect(cached.cached).toBe(1);
    ok(rt.run("clearCache", [null], { kind: "sidebar" }));
    expect(start(rt, "research", cached.planId).kind).toBe("changed");
  });
});

describe("a confirmed run may spend what was confirmed", () => {
  it("pauses with budget reached at the maximum the user confirmed", () => {
    const { rt } = setup({ rows: companyRows(names(20)), tavily: obscure });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A21"]);
    const seen = estimateOf(rt);
    start(rt, "research", seen.planId);
    expect(confirmedUsd(rt)).toBeCloseTo(seen.maximumUsd, 10);
    // Searches now cost ten times what the estimate priced (a new price list, say).
    rt.userProperties.setProperty("TAVILY_PRICE_PER_CREDIT", "0.08");
    driveWithSidebar(rt);
    const p = progress(rt);
    expect(p.pause).toEqual({ kind: "budget" });
    expect(p.message).toBe("Paused: budget reached");
    // A cap: past it by no more than the searches of the last wave it let go (one per company in flight).
    expect(p.costUsd).toBeGreaterThanOrEqual(seen.maximumUsd);
    expect(p.costUsd).toBeLessThan(seen.maximumUsd + 20 * 2 * 0.08);
    expect(statuses(rt).some((s) => s === "Paused: budget reached")).toBe(true);
  });

  it("rows added to an active run add their confirmed maximum, even while a worker holds the run", () => {
    const list = names(20);
    const { rt } = setup({ rows: companyRows(list), tavily: obscure });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    const first = estimateOf(rt);
    start(rt, "research", first.planId);
    // A worker holds the document lock (the sidebar drives the run) while more rows are added.
    rt.holdLock("document");
    rt.spreadsheet.setSelection("Sheet1", ["A12:A21"]);
    const second = estimateOf(rt);
    expect(start(rt, "research", second.planId)).toMatchObject({ kind: "queued", result: { queued: 10 } });
    rt.releaseHeldLock("document");
    expect(confirmedUsd(rt)).toBeCloseTo(first.maximumUsd + second.maximumUsd, 10);
    driveWithSidebar(rt);
    // Three searches each: more than the first confirmation alone allowed, within both.
    const p = progress(rt);
    expect(p.costUsd).toBeGreaterThan(first.maximumUsd);
    expect(p.pause).toBeNull();
    expect(new Set(statuses(rt))).toEqual(new Set(["No reliable data"]));
  });
});

describe("the company column", () => {
  const CONTACTS = [
    ["Name", "Title", "Company"],
    ["Sam Altman", "CEO", "OpenAI"],
    ["Dario Amodei", "CEO", "Anthropic"],
    ["Aidan Gomez", "CEO", "Cohere"],
  ];

  it("a contacts export Name,Title,Company researches the companies, not the people", () => {
    const { rt, tavily } = setup({ rows: CONTACTS });
    rt.spreadsheet.setSelection("Sheet1", ["A2:C4"]);
    menu(rt, "researchSelectedRows");
    driveWithSidebar(rt);
    expect(Object.keys(tavily.byCompany).sort()).toEqual(["Anthropic", "Cohere", "OpenAI"]);
    expect(table(rt).map((r) => [r["Name"], r["Status"]])).toEqual([
      ["Sam Altman", "Done"],
      ["Dario Amodei", "Done"],
      ["Aidan Gomez", "Done"],
    ]);
  });

  it("a Salesforce export's Account Name is recognised, not its owner", () => {
    const { rt, tavily } = setup({
      rows: [
        ["Account Owner", "Account Name", "Billing City"],
        ["Ann", "Acme Robotics", "Austin"],
        ["Bob", "Globex", "Boston"],
        ["Ann", "Initech", "Austin"],
      ],
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2:C4"]);
    const seen = estimateOf(rt);
    expect(seen).toMatchObject({ rows: 3, companies: 3, columnChoice: null });
    expect(seen.columns).toEqual([
      { sheet: "Sheet1", letter: "B", header: "Account Name", byHeader: true, names: ["Acme Robotics", "Globex", "Initech"] },
    ]);
    start(rt, "research", seen.planId);
    driveWithSidebar(rt);
    expect(Object.keys(tavily.byCompany).sort()).toEqual(["Acme Robotics", "Globex", "Initech"]);
  });

  it("the estimate and the confirmation name the column used and its first names", () => {
    const { rt } = setup({ rows: CONTACTS, settings: { CONFIRM_ABOVE_USD: "0" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:C4"]);
    expect(estimateOf(rt).columns).toEqual([
      { sheet: "Sheet1", letter: "C", header: "Company", byHeader: true, names: ["OpenAI", "Anthropic", "Cohere"] },
    ]);
    rt.ui.alertAnswers = ["NO"];
    menu(rt, "researchSelectedRows");
    expect(rt.ui.alerts[0]?.prompt.split("\n")[0]).toBe("Companies from column C “Company”: OpenAI, Anthropic, Cohere.");
  });

  it("asks which column holds the companies when no header names it and the selection spans several", () => {
    const rows = [
      ["Notes", "Firm"],
      ["met at GTC", "Acme Robotics"],
      ["call back", "Globex"],
    ];
    const { rt, tavily } = setup({ rows });
    rt.spreadsheet.setSelection("Sheet1", ["A2:B3"]);
    // The menu asks even below the threshold, naming the column it would use; No queues nothing.
    rt.ui.alertAnswers = ["NO"];
    expect(menu(rt, "researchSelectedRows")).toMatchObject({ ok: false, queued: 0 });
    expect(rt.ui.alerts[0]?.prompt).toContain(
      "Companies from column A “Notes”, as no header names the company column: met at GTC, call back.",
    );
    expect(rt.ui.alerts[0]?.prompt).toContain("select only its cells");

    // The sidebar offers the selected columns and starts only once one is chosen.
    const unchosen = estimateOf(rt);
    expect(unchosen.columnChoice).toEqual({
      chosen: null,
      options: [
        { column: 1, letter: "A", header: "Notes", names: ["met at GTC", "call back"] },
        { column: 2, letter: "B", header: "Firm", names: ["Acme Robotics", "Globex"] },
      ],
    });
    expect(start(rt, "research", unchosen.planId).kind).toBe("changed");
    const chosen = estimateOf(rt, "research", 2);
    expect(chosen.columnChoice?.chosen).toBe(2);
    expect(chosen.columns[0]).toMatchObject({ letter: "B", header: "Firm", byHeader: false, names: ["Acme Robotics", "Globex"] });
    expect(start(rt, "research", chosen.planId, 2)).toMatchObject({ kind: "queued", result: { queued: 2 } });
    driveWithSidebar(rt);
    expect(Object.keys(tavily.byCompany).sort()).toEqual(["Acme Robotics", "Globex"]);

    // Selecting only the company column is an answer too.
    const single = setup({ rows });
    single.rt.spreadsheet.setSelection("Sheet1", ["B2:B3"]);
    expect(estimateOf(single.rt)).toMatchObject({ columnChoice: null, columns: [{ letter: "B", names: ["Acme Robotics", "Globex"] }] });
  });
});

describe("refusals", () => {
  it("a colleague with no keys who presses Research during another's run is told whose run it is", () => {
    const { rt } = setup({ rows: companyRows(names(4)) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    menu(rt, "researchSelectedRows");
    // Bob has no keys of his own.
    const bob = "bob@example.com";
    rt.spreadsheet.setSelection("Sheet1", ["A4:A5"]);
    for (const fn of ["researchSelectedRows", "retryFailedRows", "resumeResearch"]) {
      const refused = ok(rt.run(fn, [], { kind: "menu", user: bob })) as CommandResult;
      expect(refused).toMatchObject({ ok: false, queued: 0 });
      expect(refused.message).toBe("user@example.com has a research run in progress here. Wait for it to finish, or cancel it first.");
    }
    // Not sent to Settings: keys of his own would not let him join.
    expect(rt.ui.dialogs).toHaveLength(0);
  });

  it("says which keys are missing in a rep's words", () => {
    const { rt } = setup({ rows: companyRows(names(2)) });
    rt.userProperties.deleteProperty("TAVILY_API_KEY");
    rt.userProperties.deleteProperty("LLM_API_KEY");
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    const refused = menu(rt, "researchSelectedRows");
    expect(refused.message).toBe("Add your web search key (Tavily) and AI key in Settings first: research is paid with them.");
    expect(refused.message).not.toMatch(/[A-Z]+_[A-Z_]+|LLM/);
  });
});
