// What the add-on takes from outside (search results, the model's words, an editor's edit of the
// cache sheet, a formula's arguments, a provider's Retry-After, a setting) never becomes a link, a
// hidden character, an oversized cell, a silent stall or a request the budget cannot pay for.
import { describe, expect, it } from "vitest";
import type { FakeSheet, LocalRuntime } from "../../src/local/runtime";
import { createProviderRouter, type ProviderRequest } from "../../src/local/providers";
import { COLUMN_TAG, columnLetter } from "../../src/core/run/sheet-layout";
import { companyRows, driveWithSidebar, ok, progress, setup, statuses, table, type Harness } from "./harness";

function sheetOf(rt: LocalRuntime, name = "Sheet1"): FakeSheet {
  const sheet = rt.spreadsheet.getSheetByName(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  return sheet;
}

function a1(sheet: FakeSheet, output: string, row: number): string {
  const column = sheet.columnTagged(COLUMN_TAG, output);
  if (column === null) throw new Error(`no column tagged ${output}`);
  return `${columnLetter(column)}${row}`;
}

/** Control characters (C0, DEL, C1) and the invisible marks that reorder or hide text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HIDDEN_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

const EVIL_SOURCE = "http://a.example/x\njavascript:alert(1)";
const GOOD_SOURCE = "https://acme.example/about";

function researchAcme(extra: Partial<Parameters<typeof setup>[0]> = {}): Harness {
  const h = setup({
    rows: companyRows(["Acme"]),
    tavily: {
      knowledge: {
        Acme: {
          pages: [
            { url: EVIL_SOURCE, title: "Acme raises", content: "Acme trains large models on GPU clusters." },
            { url: GOOD_SOURCE, title: "About Acme", content: "Acme builds foundation models and trains them on GPUs." },
          ],
        },
      },
    },
    ...extra,
  });
  h.rt.spreadsheet.setSelection("Sheet1", ["A2"]);
  ok(h.rt.run("researchSelectedRows"));
  driveWithSidebar(h.rt);
  return h;
}

describe("sources", () => {
  it("a source that is not one http(s) URL (a line break before javascript:) never reaches Sources, as text or as a link", () => {
    // The model cites the page as the prompt showed it, and as the search returned it.
    const { rt } = researchAcme({
      llm: { verdicts: { Acme: { sources: [EVIL_SOURCE.replace("\n", " "), EVIL_SOURCE, GOOD_SOURCE] } } },
    });
    const sheet = sheetOf(rt);
    const cell = a1(sheet, "Sources", 2);
    expect(statuses(rt)).toEqual(["Done"]);
    expect(sheet.cell(cell)).toBe(GOOD_SOURCE);
    expect(sheet.linksAt(cell).map((l) => l.url)).toEqual([GOOD_SOURCE]);
    expect(JSON.stringify(sheet.dump())).not.toContain("javascript");
  });

  it("an editor's edit of a cache row's sources is checked the same way before it becomes a link", () => {
    const { rt } = researchAcme();
    const cache = sheetOf(rt, "_territory_cache");
    const header = cache.dump()[0] ?? [];
    const sourcesCell = `${columnLetter(header.indexOf("sources") + 1)}2`;
    cache.edit(sourcesCell, `javascript:alert(1)\nhttps://ok.example/a https://evil.example\n${GOOD_SOURCE}\ndata:text/html,hi`);
    // Another sheet asks for the same company: the cache answers it.
    const other = rt.spreadsheet.insertSheet("Leads");
    other.load(companyRows(["Acme"]));
    rt.spreadsheet.setSelection("Leads", ["A2"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt, "Leads")).toEqual(["Done (cached)"]);
    const cell = a1(other, "Sources", 2);
    expect(other.cell(cell)).toBe(GOOD_SOURCE);
    expect(other.linksAt(cell).map((l) => l.url)).toEqual([GOOD_SOURCE]);
    // The custom function serves the same.
    expect(rt.run("TERRITORY_TIER", ["Acme", "sources"], { kind: "customFunction" }).value).toBe(GOOD_SOURCE);
  });
});

describe("the model's words", () => {
  it("control and bidi characters never reach Use Case, Rationale or the Score note; other scripts stay", () => {
    const { rt } = researchAcme({
      llm: {
        verdicts: {
          Acme: {
            use_case_label: "Model \u202etraining\u0007\u200b",
            rationale: "Acme trains\u0000models\u2066 on GPUs.\u2069 日本語のテキスト, текст, نص عربي.\u001b[2J",
          },
        },
      },
    });
    const sheet = sheetOf(rt);
    const useCase = String(sheet.cell(a1(sheet, "Use Case", 2)));
    const rationale = String(sheet.cell(a1(sheet, "Rationale", 2)));
    expect(useCase).toBe("Model training");
    expect(rationale).toBe("Acme trains models on GPUs. 日本語のテキスト, текст, نص عربي. [2J");
    expect(sheet.noteAt(a1(sheet, "Score", 2))).not.toMatch(HIDDEN_CHARS);
    for (const row of table(rt)) for (const value of Object.values(row)) expect(String(value)).not.toMatch(HIDDEN_CHARS);
  });
});

describe("TERRITORY_TIER's answers", () => {
  it("a bad field argument gets a short answer naming the fields, never the argument back whole", () => {
    const { rt } = researchAcme();
    const answer = rt.run("TERRITORY_TIER", ["Acme", "x".repeat(49_990)], { kind: "customFunction" });
    expect(answer.error).toBeNull();
    const text = String(answer.value);
    expect(text.length).toBeLessThan(200);
    expect(text).toMatch(/^Unknown field "x+…": use "tier", "score", "use case", "rationale", "sources", "status"\.$/);
  });

  it("every answer fits a cell, a range's too", () => {
    const { rt } = researchAcme();
    const long = "Acme ".repeat(12_000);
    const single = rt.run("TERRITORY_TIER", [long], { kind: "customFunction" });
    expect(String(single.value).length).toBeLessThanOrEqual(50_000);
    const range = rt.run("TERRITORY_TIER", [[["Acme"], [long]], "rationale"], { kind: "customFunction" }).value as unknown[][];
    for (const [cell] of range) expect(String(cell).length).toBeLessThanOrEqual(50_000);
  });
});

describe("selectRow", () => {
  it("never activates the hidden cache sheet or a sheet the user hid", () => {
    const { rt } = researchAcme();
    const archive = rt.spreadsheet.insertSheet("Archive");
    archive.load(companyRows(["Acme"]));
    archive.hidden = true;
    rt.spreadsheet.setSelection("Sheet1", ["A2"]);
    for (const [sheet, company] of [
      ["Archive", "Acme"],
      ["_territory_cache", "gpu-infrastructure|acme|"],
    ] as const) {
      const result = ok(rt.run("selectRow", [sheet, 2, company], { kind: "sidebar" })) as { ok: boolean; message: string };
      expect(result.ok, sheet).toBe(false);
      expect(result.message).toMatch(/hidden/);
      expect(rt.spreadsheet.getActiveSheetName()).toBe("Sheet1");
      expect(sheetOf(rt, sheet).isHidden()).toBe(true);
    }
    const shown = ok(rt.run("selectRow", ["Sheet1", 2, "Acme"], { kind: "sidebar" })) as { ok: boolean };
    expect(shown.ok).toBe(true);
  });
});

/** The providers, with every chat request answered 429 and this Retry-After (once only, with `once`). */
function llmAsksToWait(h: Harness, retryAfter: (now: number) => string, once = false): { llmCalls: () => number } {
  const router = createProviderRouter({ tavily: h.tavily, llm: h.llm });
  let refused = 0;
  let calls = 0;
  h.rt.setFetchMode({
    kind: "handler",
    handler: (request: ProviderRequest) => {
      if (!request.url.endsWith("/chat/completions")) return router(request);
      calls += 1;
      if (once && refused > 0) return router(request);
      refused += 1;
      return {
        status: 429,
        headers: { "Content-Type": "application/json", "Retry-After": retryAfter(h.rt.clock.now()) },
        body: JSON.stringify({ error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } }),
        latencyMs: 100,
      };
    },
  });
  return { llmCalls: () => calls };
}

describe("a long Retry-After", () => {
  for (const [what, header, waitMs] of [
    ["99999999999 seconds", () => "99999999999", 24 * 3_600_000],
    ["an HTTP date an hour ahead", (now: number) => new Date(now + 3_600_000).toUTCString(), 3_600_000],
  ] as const) {
    it(`${what}: the run pauses and says when to resume, rows never left Queued with no word`, () => {
      const h = setup({ rows: companyRows(["Cohere", "Runway"]) });
      const llm = llmAsksToWait(h, header);
      h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
      ok(h.rt.run("researchSelectedRows"));
      const askedAt = h.rt.clock.now();
      driveWithSidebar(h.rt);
      const seen = progress(h.rt);
      expect(seen.pause).toMatchObject({ kind: "askedToWait", service: "llm" });
      const until = seen.pause?.kind === "askedToWait" ? seen.pause.until : 0;
      // An HTTP date has whole seconds; the run's clock moved on by the searches before the ask.
      expect(Math.abs(until - (askedAt + waitMs))).toBeLessThan(60_000);
      const when = `${new Date(until).toISOString().slice(0, 16).replace("T", " ")} UTC`;
      expect(statuses(h.rt)).toEqual([
        `Paused: the AI service asked to wait until ${when} (rate limit), resume then`,
        `Paused: the AI service asked to wait until ${when} (rate limit), resume then`,
      ]);
      expect(seen.message).toContain(when);
      // One ask per company, then nothing more until the rep resumes.
      expect(llm.llmCalls()).toBe(2);
      // The searches were paid once and wait in the cache: a resume judges them, it does not search again.
      expect(h.tavily.requests).toBe(2);
    });
  }

  it("a shorter one, longer than the execution has left, hands off and the run finishes", () => {
    const h = setup({ rows: companyRows(["Cohere"]) });
    const llm = llmAsksToWait(h, () => "600", true);
    h.rt.spreadsheet.setSelection("Sheet1", ["A2"]);
    ok(h.rt.run("researchSelectedRows"));
    driveWithSidebar(h.rt);
    expect(progress(h.rt).pause).toBeNull();
    expect(statuses(h.rt)).toEqual(["Done"]);
    expect(llm.llmCalls()).toBe(2);
    expect(h.tavily.requests).toBe(1);
  });
});

describe("settings", () => {
  it("a base URL with a space in it (two addresses) is refused, typed or set by the deployer", () => {
    const h = setup({ rows: companyRows(["Cohere"]) });
    const twoUrls = "https://api.crusoe.ai/v1 https://evil.example";
    const saved = ok(h.rt.run("saveSettings", [{ LLM_BASE_URL: twoUrls }], { kind: "sidebar" })) as {
      ok: boolean;
      errors: Record<string, string>;
    };
    expect(saved.ok).toBe(false);
    expect(saved.errors["LLM_BASE_URL"]).toMatch(/one URL/);
    expect(h.rt.userProperties.getProperty("LLM_BASE_URL")).toBeNull();
    h.rt.scriptProperties.setProperty("LLM_BASE_URL", twoUrls);
    h.rt.spreadsheet.setSelection("Sheet1", ["A2"]);
    const queued = ok(h.rt.run("researchSelectedRows")) as { ok: boolean };
    expect(queued.ok).toBe(false);
    expect(h.rt.stats.urlFetch.requests).toBe(0);
  });

  it("a deployer's base URL with a user name and password in it never reaches the settings page", () => {
    const h = setup({ rows: companyRows(["Cohere"]) });
    h.rt.scriptProperties.setProperty("LLM_BASE_URL", "https://deployer:hunter2secret@api.crusoe.ai/v1");
    const view = ok(h.rt.run("getSettingsView", [], { kind: "sidebar" })) as { values: Record<string, string> };
    expect(JSON.stringify(view)).not.toMatch(/hunter2|deployer:/);
    expect(view.values["LLM_BASE_URL"]).toBe("https://••••@api.crusoe.ai/v1");
    // The page sends back what it shows: saving it changes nothing and stores no password.
    const saved = ok(h.rt.run("saveSettings", [view.values], { kind: "sidebar" })) as { view: unknown };
    expect(JSON.stringify(saved)).not.toMatch(/hunter2|deployer:/);
    expect(h.rt.userProperties.getProperty("LLM_BASE_URL")).toBeNull();
  });

  it("a run budget below one company's cost makes no request and pauses at once, saying so", () => {
    const h = setup({ rows: companyRows(["Cohere", "Runway"]), settings: { JOB_BUDGET_USD: "1e-300" } });
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(h.rt.run("researchSelectedRows"));
    driveWithSidebar(h.rt);
    expect(h.rt.stats.urlFetch.requests).toBe(0);
    const seen = progress(h.rt);
    expect(seen.pause).toMatchObject({ kind: "budgetBelowCompany" });
    expect(statuses(h.rt)).toEqual([
      expect.stringMatching(/^Paused: the run budget \(\$0\.0+\) is below one company's cost \(about \$0\.\d+\)$/),
      expect.stringMatching(/^Paused: the run budget/),
    ]);
  });
});
