// The progress sidebar in Chromium against a scripted server: what only a browser shows. Each
// state is checked with axe-core and kept as a 300 px screenshot (test-output/screenshots); text
// from cells and the web goes in as text; every action works from the keyboard and leaves focus
// somewhere visible. The page's clock stands at PAGE_NOW. The run loop's timing is tested without
// a browser (driver.test.ts).
import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { pauseAdvice, statusText, type PauseReason } from "../../src/core/status";
import { accessibilityProblems, browserTab, captureState, describeInBrowser, PAGE_NOW, type OpenedPage } from "./harness";
import { estimate, progress, ScriptedServer } from "./scripted-server";

const XSS = "<img src=x onerror=alert(1)>";
const MINUTE = 60_000;

const tab = browserTab(() => new ScriptedServer(progress()).functions);

async function open(server: ScriptedServer): Promise<OpenedPage> {
  const result = await tab().open("Sidebar.html", server);
  // Drawn once: either the first progress arrived or the page reports why it did not.
  await result.page.waitForFunction(
    () => document.body.dataset["phase"] !== undefined || document.getElementById("problem")?.hidden === false,
  );
  return result;
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const visible = (page: Page, selector: string) => page.locator(selector).isVisible();
/** Words a sales rep should not have to read: billing units, provider jargon, setting keys, HTTP codes. */
const JARGON = /Tavily credits|LLM|tokens|[A-Z]+_[A-Z_]+|HTTP|\([45]\d\d\)|chat\/completions|not yet judged|Reason:/;

/**
 * The page's words a rep reads, leaving out the small technical detail and what came from cells and
 * the run (company names, each row's Status).
 */
const repWords = (page: Page) =>
  page.evaluate(() => {
    const copy = document.querySelector("main")?.cloneNode(true) as HTMLElement;
    copy.querySelectorAll("[hidden], .detail, .status-line, .company").forEach((node) => node.remove());
    return copy.textContent?.replace(/\s+/g, " ") ?? "";
  });

/** The id of the focused element, "BODY" when focus fell to the page, and whether it can be seen. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    const seen = active !== null && active.closest("[hidden]") === null && active.getClientRects().length > 0;
    return { id: active?.id || active?.tagName || "", seen };
  });

const ESTIMATE = estimate();

const FINISHED_WITH_FAILURES = progress({
  total: 24,
  done: 18,
  cached: 2,
  noData: 1,
  failed: 3,
  startedAt: PAGE_NOW - 20 * MINUTE,
  finishedAt: PAGE_NOW - 7 * MINUTE - 30_000,
  tiers: { HOT: 5, WARM: 6, WATCH: 5, COLD: 4, UNKNOWN: 1 },
  costUsd: 0.4213,
  tavilyCredits: 42,
  llmTokens: 101_300,
  recent: [
    { company: "Together AI", tier: "HOT", score: 95, status: "Done" },
    { company: "Jasper", tier: "WATCH", score: 50, status: "Done" },
  ],
  skipped: 1,
  errors: [
    { sheet: "Prospects", row: 7, company: "Acme Robotics", status: "Error: could not reach the search service", skipped: false },
    { sheet: "Prospects", row: 12, company: "Globex", status: "Error: the answer could not be read", skipped: false },
    {
      sheet: "Prospects",
      row: 19,
      company: "Initech",
      status:
        "Error: You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit.",
      skipped: true,
    },
  ],
});

describeInBrowser("sidebar states", () => {
  it("idle: greets with the Research button and starts from the estimate it shows", async () => {
    const server = new ScriptedServer(progress());
    let asked: unknown[] = [];
    server.handlers.set("estimateQueue", () => ({ ok: true, estimate: ESTIMATE }));
    server.handlers.set("startQueue", (args, s) => {
      asked = args;
      s.current = progress({ total: 520, queued: 520, running: true, startedAt: PAGE_NOW });
      return { kind: "queued", result: { ok: true, message: "Queued 520 row(s) for research.", queued: 520 } };
    });
    const { page, log } = await open(server);
    expect(await text(page, "#phase")).toBe("Idle");
    expect(await visible(page, "#research")).toBe(true);
    expect(await page.locator("#research").getAttribute("class")).toBe("action");
    expect(await visible(page, "#run")).toBe(false);
    await captureState(page, "sidebar-idle");

    await page.click("#research");
    await page.locator("#estimate").waitFor();
    expect(await text(page, "#estimate-title")).toBe("Research 350 companies?");
    const lines = await page.locator("#estimate-lines li").allInnerTexts();
    expect(lines[0]).toBe("Companies from column A “Company”: Together AI, Jasper, Read AI and more.");
    expect(lines).toContain("Answered by the cache at no cost: 120 (100 researched, 20 with no reliable data).");
    expect(lines).toContain(
      "To research: 300 (one web search and one AI call each, up to 3 of each for a company the first search finds nothing about).",
    );
    expect(lines).toContain("Estimated cost: about $6.20, at most $20.20. Estimated time: about 11 min 40 s.");
    expect(await text(page, "#estimate-start")).toBe("Start research");
    expect(await visible(page, "#column-choice")).toBe(false);
    expect(await visible(page, "#research")).toBe(false);
    // Nothing is queued until the user says so.
    expect(log.count("startQueue")).toBe(0);
    expect(await repWords(page)).not.toMatch(JARGON);
    await captureState(page, "sidebar-estimate");

    await page.click("#estimate-start");
    await expect.poll(() => text(page, "#phase")).toBe("Running");
    // Start names the plan the rep saw, not a count another selection could share.
    expect(asked).toEqual(["research", "plan-520", null]);
    expect(await visible(page, "#estimate")).toBe(false);
    expect(await text(page, "#notice")).toBe("Queued 520 row(s) for research.");
  });

  it("estimate: says why there is nothing to research; a selection changed since shows its new estimate; Not now dismisses", async () => {
    const server = new ScriptedServer(progress());
    server.handlers.set("estimateQueue", () => ({
      ok: false,
      message: "Select the rows of the companies to research (row 1 is the header).",
    }));
    const { page } = await open(server);
    await page.click("#research");
    await expect.poll(() => text(page, "#problem")).toBe("Select the rows of the companies to research (row 1 is the header).");
    expect(await visible(page, "#estimate")).toBe(false);

    server.handlers.set("estimateQueue", () => ({ ok: true, estimate: ESTIMATE }));
    server.handlers.set("startQueue", () => ({
      kind: "changed",
      estimate: { ...ESTIMATE, companies: 10, research: 10, cached: 0, cachedNoData: 0, judgeOnly: 0, costUsd: 0.2, planId: "plan-10" },
    }));
    await page.click("#research");
    await page.click("#estimate-start");
    await expect.poll(() => text(page, "#estimate-title")).toBe("Research 10 companies?");
    expect(await text(page, "#notice")).toBe("What would be queued changed since: here is its estimate.");
    await page.click("#estimate-dismiss");
    expect(await visible(page, "#estimate")).toBe(false);
    expect(await visible(page, "#research")).toBe(true);
  });

  it("running: bar, times, counts, tiers, their legend and cost so far in dollars and searches; no Research button", async () => {
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
        startedAt: PAGE_NOW - 95_000,
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
    expect(await text(page, "#elapsed")).toBe("1 min 35 s");
    expect(await text(page, "#eta")).toBe("about 1 min 50 s");
    expect(await text(page, "#cost-title")).toBe("Cost so far");
    expect(await text(page, "#cost-usd")).toBe("$0.302");
    // Searches, not the provider's billing units; those follow in small text.
    expect(await text(page, "#cost-searches")).toBe("16");
    expect(await text(page, "#cost-detail")).toBe("Billed as 32 Tavily credits and 76k AI tokens.");
    expect(await page.locator("#tier-legend li").allInnerTexts()).toEqual([
      "HOT\n75+\nneeds a lot of GPU compute, call first",
      "WARM\n55+\na real GPU need, worth a call",
      "WATCH\n35+\nsome AI work but little GPU need yet, keep an eye on it",
      "COLD\nunder 35\nlittle or no GPU need",
      "UNKNOWN\nno score\nnothing reliable found about the company",
    ]);
    expect(await visible(page, "#research")).toBe(false);
    expect(await visible(page, "#cancel")).toBe(true);
    expect(await visible(page, "#summary")).toBe(false);
    expect(await repWords(page)).not.toMatch(JARGON);
    await captureState(page, "sidebar-running");
  });

  it("another user's run: watched with a note, never driven from here", async () => {
    const server = new ScriptedServer(
      progress({ total: 10, queued: 6, done: 4, running: true, startedAt: PAGE_NOW - 20_000, ownedBy: "ana@example.com" }),
    );
    const { page, log } = await open(server);
    expect(await text(page, "#owner-note")).toContain("This run is ana@example.com's");
    expect(await visible(page, "#cancel")).toBe(true);
    expect(log.count("runResearchWorker")).toBe(0);
    await captureState(page, "sidebar-running-another-user");
  });

  it("a run no trigger carries on: says closing the sidebar stops it, and drives it", async () => {
    const server = new ScriptedServer(
      progress({ total: 10, queued: 6, done: 4, running: true, startedAt: PAGE_NOW - 20_000, whenClosed: "stops" }),
    );
    const { page, log } = await open(server);
    expect(await visible(page, "#stops-note")).toBe(true);
    expect(await text(page, "#stops-note")).toContain("Closing it stops the research; your rows stay queued");
    expect(await visible(page, "#slow-note")).toBe(false);
    await expect.poll(() => log.count("runResearchWorker")).toBeGreaterThan(0);
    await captureState(page, "sidebar-running-sidebar-only");
  });

  it("finished with failures: took, tiers, cost, rows; rows to retry apart from protected rows, each selecting its row; Retry", async () => {
    const server = new ScriptedServer(FINISHED_WITH_FAILURES);
    server.handlers.set("startQueue", (_args, s) => {
      s.current = progress({ total: 3, queued: 3, running: true, startedAt: PAGE_NOW });
      return { kind: "queued", result: { ok: true, message: "Queued 3 failed row(s) again.", queued: 3 } };
    });
    const { page, log } = await open(server);
    expect(await text(page, "#phase")).toBe("Finished");
    expect(await text(page, "#summary-title")).toBe("Finished in 12 min 30 s · $0.421");
    expect(await text(page, "#summary-rows")).toBe("20 done · 1 no data · 2 failed · 1 not written.");
    expect(await page.locator("#summary").getAttribute("class")).toContain("with-failures");
    expect(await visible(page, "#bar-block")).toBe(false);
    expect(await text(page, "#cost-title")).toBe("Cost");
    // The protected row is not offered as a row a retry could fix: it is listed apart, with why.
    expect(await text(page, "#errors-title")).toBe("Rows to retry (2)");
    expect(await page.locator("#errors .company").allInnerTexts()).toEqual(["Acme Robotics", "Globex"]);
    expect(await text(page, "#skipped-title")).toBe("Rows not written (1)");
    expect([await text(page, "#count-failed"), await text(page, "#count-skipped")]).toEqual(["2", "1"]);
    expect(await page.locator("#skipped .company").allInnerTexts()).toEqual(["Initech"]);
    expect(await text(page, "#skipped-section")).toContain("a retry would meet the same wall");
    // Each failed row once: not repeated among the last finished.
    expect(await page.locator("#recent li").allInnerTexts()).not.toContain(expect.stringContaining("Acme Robotics"));
    expect(await visible(page, "#research")).toBe(true);
    expect(await repWords(page)).not.toMatch(JARGON);
    await captureState(page, "sidebar-finished-failures");

    await page.locator("#errors button.link").nth(1).click();
    await expect.poll(() => log.calls.find((c) => c.name === "selectRow")?.args).toEqual(["Prospects", 12, "Globex"]);
    await expect.poll(() => text(page, "#notice")).toBe("Selected row 12 of Prospects.");

    // Retry shows what the rows would cost first, and queues only once the rep says so.
    await page.click("#retry");
    // The failed rows and the one that found nothing.
    await expect.poll(() => text(page, "#estimate-title")).toBe("Retry 4 rows?");
    expect(await text(page, "#estimate-start")).toBe("Retry these rows");
    expect(log.calls.find((c) => c.name === "estimateQueue")?.args).toEqual(["retry", null]);
    expect(log.count("startQueue")).toBe(0);
    await page.click("#estimate-start");
    await expect.poll(() => text(page, "#phase")).toBe("Running");
    expect(log.calls.find((c) => c.name === "startQueue")?.args).toEqual(["retry", "plan-520", null]);
  });

  it("shows company names and statuses from cells and the web as text, never as HTML", async () => {
    const server = new ScriptedServer(
      progress({
        ...FINISHED_WITH_FAILURES,
        recent: [{ company: XSS, tier: "HOT", score: 88, status: `Done ${XSS}` }],
        errors: [{ sheet: XSS, row: 7, company: XSS, status: `Error: ${XSS}`, skipped: false }],
        message: XSS,
      }),
    );
    server.handlers.set("estimateQueue", () => ({ ok: false, message: XSS }));
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
  {
    kind: "cacheUnwritable",
    cause: "protected",
    sheet: "_territory_cache",
    google:
      "You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit.",
  },
  {
    kind: "cacheUnwritable",
    cause: "full",
    sheet: "_territory_cache",
    google: "This action would increase the number of cells in the workbook above the limit of 10000000 cells.",
  },
];

describeInBrowser("paused panel", () => {
  it("takes its advice and buttons from the typed reason, whatever the message says, in a rep's words", async () => {
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
        startedAt: PAGE_NOW - 40_000,
        tiers: { HOT: 1, WARM: 1, WATCH: 1, COLD: 0, UNKNOWN: 0 },
        costUsd: 0.057,
      });
      await page.click("#settings");
      const advice = pauseAdvice(pause);
      await expect.poll(() => text(page, "#paused-title")).toBe(advice.title);
      expect(await text(page, "#paused-advice")).toBe(advice.advice);
      // The Status cells' words follow in small text, once: no "Reason:" repeating the title.
      expect(await text(page, "#paused-status")).toBe(`Waiting rows show “${statusText({ kind: "paused", reason: pause })}”.`);
      expect(await text(page, "#paused-panel")).not.toContain("Reason:");
      expect(await repWords(page)).not.toMatch(JARGON);
      expect(await visible(page, "#open-settings")).toBe(advice.offerSettings);
      expect(await text(page, "#eta")).toBe("waiting for you");
      const name = pause.kind + ("service" in pause ? `-${pause.service}` : "") + ("cause" in pause ? `-${pause.cause}` : "");
      await captureState(page, `sidebar-paused-${name}`);
    }
    // Settings advice comes with a Settings button that opens them.
    expect(PAUSES.some((p) => pauseAdvice(p).offerSettings)).toBe(true);
    expect(PAUSES.some((p) => !pauseAdvice(p).offerSettings)).toBe(true);
    // Paused: the page sends no worker call.
    expect(log.count("runResearchWorker")).toBe(0);
  });

  it("resumes: Resume shows what the paused rows would cost, then the run goes on", async () => {
    const server = new ScriptedServer(
      progress({ total: 5, done: 2, paused: 3, pause: { kind: "budget" }, isPaused: true, startedAt: PAGE_NOW - 1000 }),
    );
    const { page, log } = await open(server);
    await page.click("#open-settings");
    await expect.poll(() => log.count("showSettings")).toBe(1);
    await page.click("#resume");
    await expect.poll(() => text(page, "#estimate-title")).toBe("Resume 3 rows?");
    expect(await page.locator("#estimate-lines li").allInnerTexts()).toContain("Of the rows, 3 were paused and go on.");
    expect(await text(page, "#phase")).toBe("Paused");
    await captureState(page, "sidebar-resume-estimate");
    await page.click("#estimate-start");
    await expect.poll(() => text(page, "#phase")).toBe("Running");
    expect(log.calls.filter((c) => c.name === "startQueue").map((c) => c.args)).toEqual([["resume", "plan-520", null]]);
    expect(await visible(page, "#paused-panel")).toBe(false);
    expect(await visible(page, "#estimate")).toBe(false);
  });
});

describeInBrowser("cache panel", () => {
  it("shows what the cache holds and clears all or the old entries, each after a confirmation", async () => {
    const server = new ScriptedServer(FINISHED_WITH_FAILURES);
    const now = PAGE_NOW;
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
    expect(await repWords(page)).not.toMatch(JARGON);
    await captureState(page, "sidebar-cache");

    await page.fill("#cache-days", "7");
    await page.click("#cache-clear-old");
    expect(await text(page, "#cache-confirm-text")).toContain("more than 7 days ago");
    await page.click("#cache-confirm-no");
    expect(cleared).toEqual([]);

    await page.click("#cache-clear-old");
    await page.click("#cache-confirm-yes");
    await expect.poll(() => text(page, "#cache-companies")).toBe("900");
    expect(cleared).toEqual([7]);

    await page.click("#cache-clear-all");
    await captureState(page, "sidebar-cache-confirm");
    await page.click("#cache-confirm-yes");
    await expect.poll(() => text(page, "#cache-oldest")).toBe("none");
    expect(cleared).toEqual([7, null]);
  });
});

describeInBrowser("accessibility check", () => {
  it("finds what the pages used to get wrong: Google's old button blue, an unnamed dialog, a missing title", async () => {
    const { page } = await open(new ScriptedServer(progress()));
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.evaluate(() => {
      const research = document.getElementById("research");
      if (research) research.style.background = "#4d90fe";
      const dialog = document.getElementById("cache-confirm");
      dialog?.removeAttribute("aria-labelledby");
      dialog?.removeAttribute("aria-describedby");
      (document.getElementById("cache") as HTMLDetailsElement).open = true;
      if (dialog) dialog.hidden = false;
      document.title = "";
    });
    const problems = (await accessibilityProblems(page)).join("\n");
    expect(problems).toMatch(/^color-contrast \(serious\): #research/m);
    expect(problems).toMatch(/^aria-dialog-name \(serious\): #cache-confirm/m);
    expect(problems).toMatch(/^document-title \(serious\)/m);
  });
});

describeInBrowser("keyboard", () => {
  it("researches with the keyboard alone; focus lands on the estimate, back on Research after Not now, on the bar once it runs", async () => {
    const server = new ScriptedServer(progress());
    server.handlers.set("estimateQueue", () => ({ ok: true, estimate: ESTIMATE }));
    server.handlers.set("startQueue", (_args, s) => {
      s.current = progress({ total: 520, queued: 520, running: true, startedAt: PAGE_NOW });
      return { kind: "queued", result: { ok: true, message: "Queued 520 row(s) for research.", queued: 520 } };
    });
    const { page, log } = await open(server);
    await page.keyboard.press("Tab");
    expect(await focused(page)).toEqual({ id: "research", seen: true });
    await page.keyboard.press("Enter");
    await page.locator("#estimate").waitFor();
    await expect.poll(() => focused(page)).toEqual({ id: "estimate-title", seen: true });

    await page.keyboard.press("Tab");
    expect((await focused(page)).id).toBe("estimate-start");
    await page.keyboard.press("Tab");
    expect((await focused(page)).id).toBe("estimate-dismiss");
    await page.keyboard.press("Enter");
    expect(await visible(page, "#estimate")).toBe(false);
    expect(await focused(page)).toEqual({ id: "research", seen: true });
    expect(log.count("startQueue")).toBe(0);

    await page.keyboard.press("Space");
    await expect.poll(() => focused(page)).toEqual({ id: "estimate-title", seen: true });
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect.poll(() => text(page, "#phase")).toBe("Running");
    await expect.poll(() => focused(page)).toEqual({ id: "bar", seen: true });
    expect(log.count("startQueue")).toBe(1);
  });

  it("keeps focus on the Research button when there is nothing to estimate", async () => {
    const server = new ScriptedServer(progress());
    server.handlers.set("estimateQueue", () => ({ ok: false, message: "Select the rows of the companies to research." }));
    const { page } = await open(server);
    await page.focus("#research");
    await page.keyboard.press("Enter");
    await expect.poll(() => text(page, "#problem")).toBe("Select the rows of the companies to research.");
    await expect.poll(() => focused(page)).toEqual({ id: "research", seen: true });
  });

  it("cancels, resumes and retries from the keyboard, focus going where the run now is", async () => {
    const server = new ScriptedServer(progress({ total: 10, queued: 6, done: 4, running: true, startedAt: PAGE_NOW - MINUTE }));
    const { page, log } = await open(server);
    await page.focus("#cancel");
    await page.keyboard.press("Enter");
    await expect.poll(() => text(page, "#phase")).toBe("Finished");
    expect(log.count("cancelResearch")).toBe(1);
    await expect.poll(() => focused(page)).toEqual({ id: "summary-title", seen: true });

    server.current = progress({ total: 5, done: 2, paused: 3, pause: { kind: "budget" }, isPaused: true, startedAt: PAGE_NOW });
    await page.focus("#settings");
    await page.keyboard.press("Enter");
    await page.locator("#paused-panel").waitFor();
    expect((await focused(page)).id).toBe("settings");
    await page.focus("#resume");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toEqual({ id: "estimate-title", seen: true });
    await page.keyboard.press("Tab");
    expect((await focused(page)).id).toBe("estimate-start");
    await page.keyboard.press("Enter");
    await expect.poll(() => text(page, "#phase")).toBe("Running");
    await expect.poll(() => focused(page)).toEqual({ id: "bar", seen: true });

    server.current = FINISHED_WITH_FAILURES;
    server.handlers.set("startQueue", (_args, s) => {
      s.current = progress({ total: 2, queued: 2, running: true, startedAt: PAGE_NOW });
      return { kind: "queued", result: { ok: true, message: "Queued 2 failed row(s) again.", queued: 2 } };
    });
    await page.focus("#settings");
    await page.keyboard.press("Enter");
    await page.locator("#retry").waitFor();
    // A row's link selects it and keeps the focus, through the poll that follows.
    await page.locator("#errors button.link").first().focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => log.calls.find((c) => c.name === "selectRow")?.args).toEqual(["Prospects", 7, "Acme Robotics"]);
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest("#errors") !== null)).toBe(true);
    await page.focus("#retry");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toEqual({ id: "estimate-title", seen: true });
    // Not now: focus goes back to the button that asked.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect((await focused(page)).id).toBe("estimate-dismiss");
    await page.keyboard.press("Enter");
    expect(await focused(page)).toEqual({ id: "retry", seen: true });
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toEqual({ id: "estimate-title", seen: true });
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect.poll(() => text(page, "#phase")).toBe("Running");
    await expect.poll(() => focused(page)).toEqual({ id: "bar", seen: true });
  });

  it("asks which column holds the companies before Start, estimating the chosen one", async () => {
    const server = new ScriptedServer(progress());
    const options = [
      { column: 1, letter: "A", header: "Notes", names: ["met at GTC", "call back"] },
      { column: 2, letter: "B", header: "Firm", names: ["Acme Robotics", "Globex"] },
    ];
    const unchosen = estimate({
      rows: 2,
      companies: 2,
      cached: 0,
      cachedNoData: 0,
      judgeOnly: 0,
      research: 2,
      costUsd: 0.04,
      maximumUsd: 0.12,
      columns: [{ sheet: "Prospects", letter: "A", header: "Notes", byHeader: false, names: ["met at GTC", "call back"] }],
      columnChoice: { chosen: null, options },
      planId: "plan-a",
    });
    server.handlers.set("estimateQueue", (args) =>
      args[1] === 2
        ? {
            ok: true,
            estimate: {
              ...unchosen,
              columns: [{ sheet: "Prospects", letter: "B", header: "Firm", byHeader: false, names: ["Acme Robotics", "Globex"] }],
              columnChoice: { chosen: 2, options },
              planId: "plan-b",
            },
          }
        : { ok: true, estimate: unchosen },
    );
    server.handlers.set("startQueue", (_args, s) => {
      s.current = progress({ total: 2, queued: 2, running: true, startedAt: PAGE_NOW });
      return { kind: "queued", result: { ok: true, message: "Queued 2 row(s) for research.", queued: 2 } };
    });
    const { page, log } = await open(server);
    await page.focus("#research");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toEqual({ id: "estimate-title", seen: true });
    expect(await visible(page, "#column-choice")).toBe(true);
    expect(await page.locator("#column-select option").allInnerTexts()).toEqual([
      "Choose a column",
      "A · Notes: met at GTC, call back",
      "B · Firm: Acme Robotics, Globex",
    ]);
    const lines = await page.locator("#estimate-lines li").allInnerTexts();
    expect(lines[0]).toBe("Companies from column A “Notes”, as no header names the company column: met at GTC, call back.");
    // The choice is offered right here: no advice meant for an alert.
    expect(lines.some((line) => line.includes("select only its cells"))).toBe(false);
    await captureState(page, "sidebar-estimate-column-choice");

    // Start before a choice queues nothing and sends the rep to the choice.
    await page.click("#estimate-start");
    await expect.poll(() => text(page, "#problem")).toBe("Choose the column that holds the companies first.");
    expect(await focused(page)).toEqual({ id: "column-select", seen: true });
    expect(log.count("startQueue")).toBe(0);

    await page.selectOption("#column-select", "2");
    await expect
      .poll(() => log.calls.filter((c) => c.name === "estimateQueue").map((c) => c.args))
      .toEqual([
        ["research", null],
        ["research", 2],
      ]);
    await expect
      .poll(() => page.locator("#estimate-lines li").first().innerText())
      .toBe("Companies from column B “Firm”, as no header names the company column: Acme Robotics, Globex.");
    expect(await page.locator("#column-select").inputValue()).toBe("2");
    await page.click("#estimate-start");
    await expect.poll(() => text(page, "#phase")).toBe("Running");
    expect(log.calls.find((c) => c.name === "startQueue")?.args).toEqual(["research", "plan-b", 2]);
  });

  it("the cache confirmation takes focus, Escape closes it, and Clear is not the primary action", async () => {
    const server = new ScriptedServer(FINISHED_WITH_FAILURES);
    const cleared: unknown[] = [];
    const stats = { companies: 12, noData: 1, unjudged: 0, oldestAt: PAGE_NOW - 3 * 86_400_000, cells: 900, cellLimit: 10_000_000 };
    server.handlers.set("getCacheStats", () => stats);
    server.handlers.set("clearCache", (args) => {
      cleared.push(args[0]);
      return { removed: 12, message: "Cleared 12 cache entries.", stats: { ...stats, companies: 0, noData: 0, oldestAt: 0 } };
    });
    const { page } = await open(server);
    await page.focus("#cache summary");
    await page.keyboard.press("Enter");
    await expect.poll(() => text(page, "#cache-companies")).toBe("12");
    await page.focus("#cache-clear-all");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toEqual({ id: "cache-confirm-no", seen: true });
    expect(await page.getByRole("alertdialog", { name: "Clear saved research?" }).isVisible()).toBe(true);
    expect(await page.locator("#cache-confirm-yes").getAttribute("class")).not.toContain("action");

    await page.keyboard.press("Escape");
    expect(await visible(page, "#cache-confirm")).toBe(false);
    expect(await focused(page)).toEqual({ id: "cache-clear-all", seen: true });
    expect(cleared).toEqual([]);

    await page.keyboard.press("Enter");
    await page.keyboard.press("Shift+Tab");
    expect((await focused(page)).id).toBe("cache-confirm-yes");
    await page.keyboard.press("Enter");
    await expect.poll(() => text(page, "#cache-companies")).toBe("0");
    expect(cleared).toEqual([null]);
    expect(await focused(page)).toEqual({ id: "cache-clear-all", seen: true });

    await page.fill("#cache-days", "7");
    await page.focus("#cache-clear-old");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toEqual({ id: "cache-confirm-no", seen: true });
    await page.keyboard.press("Enter");
    expect(await focused(page)).toEqual({ id: "cache-clear-old", seen: true });
    expect(cleared).toEqual([null]);
  });
});
