// The progress sidebar in Chromium against a scripted server: what only a browser shows. Each
// state is drawn and kept as a 300 px screenshot (test-output/screenshots); text from cells and
// the web goes in as text. The run loop's timing is tested without a browser (driver.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { pauseAdvice, pauseText, type PauseReason } from "../../src/core/status";
import type { RunEstimate } from "../../src/core/wire";
import { launchChromium, screenshot, serveDist, SharedPage, type OpenedPage } from "./harness";
import { progress, ScriptedServer } from "./scripted-server";

const XSS = "<img src=x onerror=alert(1)>";

let browser: Browser;
let site: { url: string; close(): Promise<void> };
let tab: SharedPage;

beforeAll(async () => {
  browser = await launchChromium();
  site = await serveDist();
  tab = await SharedPage.create(browser, site.url, new ScriptedServer(progress()).functions);
});

afterAll(async () => {
  await tab?.close();
  await browser?.close();
  await site?.close();
});

async function open(server: ScriptedServer): Promise<OpenedPage> {
  // A worker call that takes long keeps a "running" snapshot still while the test looks at it.
  server.workerDelayMs = 60_000;
  const result = await tab.open("Sidebar.html", server);
  // Drawn once: either the first progress arrived or the page reports why it did not.
  await result.page.waitForFunction(
    () => document.body.dataset["phase"] !== undefined || document.getElementById("problem")?.hidden === false,
  );
  return result;
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const visible = (page: Page, selector: string) => page.locator(selector).isVisible();

const ESTIMATE: RunEstimate = {
  rows: 520,
  companies: 470,
  cached: 100,
  cachedNoData: 20,
  judgeOnly: 50,
  research: 300,
  costUsd: 6.2,
  seconds: 700,
  budgetUsd: 10,
  confirmAboveUsd: 5,
};

const FINISHED_WITH_FAILURES = progress({
  total: 24,
  done: 18,
  cached: 2,
  noData: 1,
  failed: 3,
  startedAt: Date.UTC(2026, 10, 26, 9, 0),
  finishedAt: Date.UTC(2026, 10, 26, 9, 12, 30),
  tiers: { HOT: 5, WARM: 6, WATCH: 5, COLD: 4, UNKNOWN: 1 },
  costUsd: 0.4213,
  tavilyCredits: 42,
  llmTokens: 101_300,
  recent: [
    { company: "Together AI", tier: "HOT", score: 95, status: "Done" },
    { company: "Jasper", tier: "WATCH", score: 50, status: "Done" },
  ],
  errors: [
    { sheet: "Prospects", row: 7, company: "Acme Robotics", status: "Error: the LLM answered 500 three times" },
    { sheet: "Prospects", row: 12, company: "Globex", status: "Error: reply was not valid JSON" },
    { sheet: "Prospects", row: 19, company: "Initech", status: "Skipped: You are trying to edit a protected cell or object." },
  ],
});

describe("sidebar states", () => {
  it("idle: greets with the Research button and starts from the estimate it shows", async () => {
    const server = new ScriptedServer(progress());
    let asked = 0;
    server.handlers.set("estimateSelectedRows", () => ({ ok: true, estimate: ESTIMATE }));
    server.handlers.set("researchFromSidebar", (args, s) => {
      asked = Number(args[0]);
      s.current = progress({ total: 520, queued: 520, running: true, startedAt: Date.now() });
      return { kind: "queued", result: { ok: true, message: "Queued 520 row(s) for research.", queued: 520 } };
    });
    const { page, log } = await open(server);
    expect(await text(page, "#phase")).toBe("Idle");
    expect(await visible(page, "#research")).toBe(true);
    expect(await page.locator("#research").getAttribute("class")).toBe("action");
    expect(await visible(page, "#run")).toBe(false);
    await screenshot(page, "sidebar-idle");

    await page.click("#research");
    await page.locator("#estimate").waitFor();
    expect(await text(page, "#estimate-title")).toBe("Research 350 companies?");
    const lines = await page.locator("#estimate-lines li").allInnerTexts();
    expect(lines).toContain("Answered by the cache at no cost: 120 (100 researched, 20 with no reliable data).");
    expect(lines).toContain("Estimated cost: about $6.20. Estimated time: about 11 min 40 s.");
    expect(await visible(page, "#research")).toBe(false);
    // Nothing is queued until the user says so.
    expect(log.count("researchFromSidebar")).toBe(0);
    await screenshot(page, "sidebar-estimate");

    await page.click("#estimate-start");
    await expect.poll(() => text(page, "#phase")).toBe("Running");
    expect(asked).toBe(470);
    expect(await visible(page, "#estimate")).toBe(false);
    expect(await text(page, "#notice")).toBe("Queued 520 row(s) for research.");
  });

  it("estimate: says why there is nothing to research; a selection changed since shows its new estimate; Not now dismisses", async () => {
    const server = new ScriptedServer(progress());
    server.handlers.set("estimateSelectedRows", () => ({
      ok: false,
      message: "Select the rows of the companies to research (row 1 is the header).",
    }));
    const { page } = await open(server);
    await page.click("#research");
    await expect.poll(() => text(page, "#problem")).toBe("Select the rows of the companies to research (row 1 is the header).");
    expect(await visible(page, "#estimate")).toBe(false);

    server.handlers.set("estimateSelectedRows", () => ({ ok: true, estimate: ESTIMATE }));
    server.handlers.set("researchFromSidebar", () => ({
      kind: "changed",
      estimate: { ...ESTIMATE, companies: 10, research: 10, cached: 0, cachedNoData: 0, judgeOnly: 0, costUsd: 0.2 },
    }));
    await page.click("#research");
    await page.click("#estimate-start");
    await expect.poll(() => text(page, "#estimate-title")).toBe("Research 10 companies?");
    expect(await text(page, "#notice")).toBe("The selection changed: here is its estimate.");
    await page.click("#estimate-dismiss");
    expect(await visible(page, "#estimate")).toBe(false);
    expect(await visible(page, "#research")).toBe(true);
  });

  it("running: bar, times, counts, tiers and cost so far; no Research button", async () => {
    const server = new ScriptedServer(
      progress({
        total: 40,
        queued: 18,
        researching: 4,
        done: 14,
        cached: 2,
        noData: 2,
        tiers: { HOT: 4, WARM: 5, WATCH: 4, COLD: 3, UNKNOWN: 2 },
        costUsd: 0.3021,
        tavilyCredits: 32,
        llmTokens: 76_400,
        startedAt: Date.now() - 95_000,
        etaSeconds: 110,
        running: true,
        recent: [
          { company: "Anthropic", tier: "HOT", score: 100, status: "Done" },
          { company: "Read AI", tier: "WARM", score: 62, status: "Done (cached)" },
        ],
      }),
    );
    const { page } = await open(server);
    expect(await text(page, "#phase")).toBe("Running");
    expect(await page.locator("#bar").getAttribute("aria-valuenow")).toBe("45");
    expect(await text(page, "#bar-label")).toBe("18 of 40 rows finished");
    expect(await text(page, "#elapsed")).toMatch(/^1 min 3\d s$/);
    expect(await text(page, "#eta")).toBe("about 1 min 50 s");
    expect(await text(page, "#cost-title")).toBe("Cost so far");
    expect(await text(page, "#cost-usd")).toBe("$0.302");
    expect(await visible(page, "#research")).toBe(false);
    expect(await visible(page, "#cancel")).toBe(true);
    expect(await visible(page, "#summary")).toBe(false);
    await screenshot(page, "sidebar-running");
  });

  it("another user's run: watched with a note, never driven from here", async () => {
    const server = new ScriptedServer(
      progress({ total: 10, queued: 6, done: 4, running: true, startedAt: Date.now() - 20_000, ownedBy: "ana@example.com" }),
    );
    const { page, log } = await open(server);
    expect(await text(page, "#owner-note")).toContain("This run is ana@example.com's");
    expect(await visible(page, "#cancel")).toBe(true);
    expect(log.count("runResearchWorker")).toBe(0);
    await screenshot(page, "sidebar-running-another-user");
  });

  it("finished with failures: took, tiers, cost, rows; failed rows listed once, each selecting its row; Retry", async () => {
    const server = new ScriptedServer(FINISHED_WITH_FAILURES);
    server.handlers.set("retryFailedRows", (_args, s) => {
      s.current = progress({ total: 4, queued: 4, running: true, startedAt: Date.now() });
      return { ok: true, message: "Queued 4 failed row(s) again.", queued: 4 };
    });
    const { page, log } = await open(server);
    expect(await text(page, "#phase")).toBe("Finished");
    expect(await text(page, "#summary-title")).toBe("Finished in 12 min 30 s · $0.421");
    expect(await text(page, "#summary-rows")).toBe("20 done · 1 no data · 3 failed.");
    expect(await page.locator("#summary").getAttribute("class")).toContain("with-failures");
    expect(await visible(page, "#bar-block")).toBe(false);
    expect(await text(page, "#cost-title")).toBe("Cost");
    expect(await text(page, "#errors-title")).toBe("Rows to retry (3)");
    // Each failed row once: not repeated among the last finished.
    expect(await page.locator("#errors li").count()).toBe(3);
    expect(await page.locator("#recent li").allInnerTexts()).not.toContain(expect.stringContaining("Acme Robotics"));
    expect(await visible(page, "#research")).toBe(true);
    await screenshot(page, "sidebar-finished-failures");

    await page.locator("#errors button.link").nth(1).click();
    await expect.poll(() => log.calls.find((c) => c.name === "selectRow")?.args).toEqual(["Prospects", 12, "Globex"]);
    await expect.poll(() => text(page, "#notice")).toBe("Selected row 12 of Prospects.");

    await page.click("#retry");
    await expect.poll(() => text(page, "#phase")).toBe("Running");
    expect(log.count("retryFailedRows")).toBe(1);
  });

  it("shows company names and statuses from cells and the web as text, never as HTML", async () => {
    const server = new ScriptedServer(
      progress({
        ...FINISHED_WITH_FAILURES,
        recent: [{ company: XSS, tier: "HOT", score: 88, status: `Done ${XSS}` }],
        errors: [{ sheet: XSS, row: 7, company: XSS, status: `Error: ${XSS}` }],
        message: XSS,
      }),
    );
    server.handlers.set("estimateSelectedRows", () => ({ ok: false, message: XSS }));
    const { page, dialogs } = await open(server);
    await page.click("#research");
    await expect.poll(() => text(page, "#problem")).toBe(XSS);
    expect(await page.locator("img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await page.locator("#recent .company").first().innerText()).toBe(XSS);
    expect(await page.locator("#errors .error-where").first().textContent()).toBe(`Row 7 · ${XSS}`);
    expect(await page.locator("#errors .status-line").first().innerText()).toBe(`Error: ${XSS}`);
  });
});

const PAUSES: PauseReason[] = [
  { kind: "keyRejected", service: "tavily" },
  { kind: "keyRejected", service: "llm" },
  { kind: "outOfCredit", service: "llm" },
  { kind: "modelNotFound" },
  { kind: "budget" },
  { kind: "planLimit", limit: "plan" },
  { kind: "dailyQuota" },
  { kind: "rateLimited", service: "tavily" },
  { kind: "settings" },
];

describe("paused panel", () => {
  it("takes its advice and buttons from the typed reason, whatever the message says", async () => {
    const server = new ScriptedServer(progress());
    const { page, log } = await open(server);
    for (const pause of PAUSES) {
      // A message that reads like another reason: the panel must not parse it.
      server.current = progress({
        total: 12,
        done: 3,
        paused: 9,
        pause,
        isPaused: true,
        message: "Paused: Tavily API key rejected",
        startedAt: Date.now() - 40_000,
        tiers: { HOT: 1, WARM: 1, WATCH: 1, COLD: 0, UNKNOWN: 0 },
        costUsd: 0.057,
      });
      await page.click("#settings");
      const advice = pauseAdvice(pause);
      await expect.poll(() => text(page, "#paused-title")).toBe(advice.title);
      expect(await text(page, "#paused-reason")).toBe(`Reason: ${pauseText(pause)}`);
      expect(await text(page, "#paused-advice")).toBe(advice.advice);
      expect(await visible(page, "#open-settings")).toBe(advice.offerSettings);
      expect(await text(page, "#eta")).toBe("waiting for you");
      const name = pause.kind + ("service" in pause ? `-${pause.service}` : "");
      await screenshot(page, `sidebar-paused-${name}`);
    }
    // Settings advice comes with a Settings button that opens them.
    expect(PAUSES.some((p) => pauseAdvice(p).offerSettings)).toBe(true);
    expect(PAUSES.some((p) => !pauseAdvice(p).offerSettings)).toBe(true);
    // Paused: the page sends no worker call.
    expect(log.count("runResearchWorker")).toBe(0);
  });

  it("resumes: Resume calls the server, the run goes on", async () => {
    const server = new ScriptedServer(
      progress({ total: 5, done: 2, paused: 3, pause: { kind: "budget" }, isPaused: true, startedAt: Date.now() - 1000 }),
    );
    const { page, log } = await open(server);
    await page.click("#open-settings");
    await expect.poll(() => log.count("showSettings")).toBe(1);
    await page.click("#resume");
    await expect.poll(() => text(page, "#phase")).toBe("Running");
    expect(log.count("resumeResearch")).toBe(1);
    expect(await visible(page, "#paused-panel")).toBe(false);
  });
});

describe("cache panel", () => {
  it("shows what the cache holds and clears all or the old entries, each after a confirmation", async () => {
    const server = new ScriptedServer(FINISHED_WITH_FAILURES);
    const now = Date.now();
    let stats = { companies: 1240, noData: 37, unjudged: 2, oldestAt: now - 29 * 86_400_000, cells: 51_000, cellLimit: 10_000_000 };
    const cleared: unknown[] = [];
    server.handlers.set("getCacheStats", () => stats);
    server.handlers.set("clearCache", (args) => {
      cleared.push(args[0]);
      stats =
        args[0] === null
          ? { ...stats, companies: 0, noData: 0, unjudged: 0, oldestAt: 0 }
          : { ...stats, companies: 900, noData: 10, oldestAt: now - 86_400_000 };
      return { removed: 10, message: "Cleared 10 cache entries.", stats };
    });
    const { page } = await open(server);
    await page.locator("#cache summary").click();
    await expect.poll(() => text(page, "#cache-companies")).toBe("1,240");
    expect(await text(page, "#cache-noData")).toBe("37");
    expect(await text(page, "#cache-oldest")).toBe("29 days ago");
    expect(await text(page, "#cache-size")).toBe("51,000 cells (0.5% of the sheet limit)");
    await page.locator("#cache").scrollIntoViewIfNeeded();
    await screenshot(page, "sidebar-cache");

    await page.fill("#cache-days", "7");
    await page.click("#cache-clear-old");
    expect(await text(page, "#cache-confirm-text")).toContain("older than 7 days");
    await page.click("#cache-confirm-no");
    expect(cleared).toEqual([]);

    await page.click("#cache-clear-old");
    await page.click("#cache-confirm-yes");
    await expect.poll(() => text(page, "#cache-companies")).toBe("900");
    expect(cleared).toEqual([7]);

    await page.click("#cache-clear-all");
    await screenshot(page, "sidebar-cache-confirm");
    await page.click("#cache-confirm-yes");
    await expect.poll(() => text(page, "#cache-oldest")).toBe("none");
    expect(cleared).toEqual([7, null]);
  });
});
