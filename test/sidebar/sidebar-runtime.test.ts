// The progress sidebar end to end: Chromium, the built add-on in the local Apps Script runtime, the
// fake Tavily and LLM behind UrlFetchApp. The sidebar alone drives the run (no trigger is fired).
// Time is the runtime's virtual clock, which the page's clock follows; the test looks at the page
// between two worker executions by holding the next one, never by sleeping.
import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { LocalRuntime, loadBuiltAddon } from "../../src/local/runtime";
import { createFakeLlm, createFakeTavily, createProviderRouter } from "../../src/local/providers";
import { statuses } from "../addon/harness";
import { browserTab, captureState, describeInBrowser, PAGE_NOW, type OpenedPage } from "./harness";
import { globalNames, RuntimeServer } from "./runtime-server";

const TAVILY_KEY = "tvly-dev-e2e-key-1a2b";
const LLM_KEY = "llm-e2e-key-3c4d";
const XSS = "<img src=x onerror=alert(1)>";

const built = loadBuiltAddon();
const tab = browserTab(() => globalNames(built.code));

function companies(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `Northwind ${String(i + 1).padStart(3, "0")} Robotics`);
}

/** A sheet of companies, selected as a user would; nothing queued yet. */
function selectedRows(names: string[], tavilyKey = TAVILY_KEY): LocalRuntime {
  const tavily = createFakeTavily({ apiKey: TAVILY_KEY });
  const llm = createFakeLlm({ apiKey: LLM_KEY, verdicts: { [XSS]: { rationale: `Evidence says ${XSS} runs GPUs.` } } });
  const rt = new LocalRuntime({
    ...built,
    startTime: PAGE_NOW,
    fetch: { kind: "handler", handler: createProviderRouter({ tavily, llm }) },
  });
  const settings: Record<string, string> = {
    TAVILY_API_KEY: tavilyKey,
    LLM_API_KEY: LLM_KEY,
    // Small waves and short worker steps, so one run takes several worker calls.
    TAVILY_CONCURRENCY: "2",
    LLM_CONCURRENCY: "2",
    WORKER_TIME_BUDGET_SECONDS: "30",
  };
  for (const [key, value] of Object.entries(settings)) rt.userProperties.setProperty(key, value);
  const sheet = rt.spreadsheet.getSheetByName("Sheet1") ?? rt.spreadsheet.insertSheet("Sheet1");
  sheet.load([["Company"], ...names.map((name) => [name])]);
  rt.spreadsheet.setSelection("Sheet1", [`A2:A${names.length + 1}`]);
  return rt;
}

/** The same, queued with `Research selected rows` from the menu. */
function queuedRun(names: string[], tavilyKey = TAVILY_KEY): LocalRuntime {
  const rt = selectedRows(names, tavilyKey);
  const queued = rt.run("researchSelectedRows", [], { kind: "menu" });
  if (queued.error) throw new Error(queued.error);
  return rt;
}

/**
 * The sidebar on the runtime, its clock following the runtime's virtual one. `holdWorkerAfter`:
 * the worker calls after that many wait for `server.release()`.
 */
async function open(rt: LocalRuntime, holdWorkerAfter = Infinity): Promise<OpenedPage & { server: RuntimeServer }> {
  const server = new RuntimeServer(rt, built.code);
  server.holdWorkerAfter = holdWorkerAfter;
  const opened = await tab().open("Sidebar.html", server, rt.clock.now());
  server.onTime = (now) => opened.page.clock.setFixedTime(now);
  return { ...opened, server };
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const phase = (page: Page) => page.locator("body").getAttribute("data-phase");

/** Records every value the bar shows from now on, in the page itself: no sampling, nothing missed. */
async function watchBar(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const bar = document.getElementById("bar");
    const seen = [Number(bar?.getAttribute("aria-valuenow"))];
    (window as unknown as { barValues: number[] }).barValues = seen;
    if (bar) new MutationObserver(() => seen.push(Number(bar.getAttribute("aria-valuenow")))).observe(bar, { attributes: true });
  });
  return () => page.evaluate(() => (window as unknown as { barValues: number[] }).barValues);
}

describeInBrowser("sidebar, local runtime and fake providers", () => {
  it("runs a selection to the end: the bar advances, counts and tiers fill, cell text stays text", async () => {
    const names = [...companies(29), XSS];
    const rt = queuedRun(names);
    // The first execution runs, the second waits: the page shows the run part way.
    const { page, log, dialogs, blocked, server } = await open(rt, 1);
    const barValues = await watchBar(page);
    await expect.poll(() => log.count("runResearchWorker"), { timeout: 10_000 }).toBe(2);
    const midRun = Number(await page.locator("#bar").getAttribute("aria-valuenow"));
    expect(midRun).toBeGreaterThan(0);
    expect(midRun).toBeLessThan(100);
    expect(await phase(page)).toBe("running");
    expect(await text(page, "#elapsed")).toMatch(/^\d+ s$|^\d+ min \d\d s$/);
    await captureState(page, "e2e-sidebar-mid-run");

    server.release();
    await expect.poll(() => phase(page), { timeout: 30_000 }).toBe("finished");
    const values = await barValues();
    expect(values).toContain(midRun);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.at(-1)).toBe(100);

    expect(await text(page, "#bar-label")).toBe("30 of 30 rows finished");
    const done = Number(await text(page, "#count-done"));
    const noData = Number(await text(page, "#count-noData"));
    expect(done + noData).toBe(30);
    let tiers = 0;
    for (const tier of ["HOT", "WARM", "WATCH", "COLD", "UNKNOWN"]) tiers += Number(await text(page, `#tier-${tier}`));
    expect(tiers).toBe(30);
    expect(await text(page, "#cost-usd")).toMatch(/^\$0\.\d{3}$/);
    expect(Number(await text(page, "#cost-searches"))).toBe(30);

    // The company cell `<img …>` is listed as text: no element, no dialog.
    await expect.poll(() => page.locator("#recent .company").allInnerTexts()).toContain(XSS);
    expect(await page.locator("img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(blocked).toEqual([]);
    await captureState(page, "e2e-sidebar-finished");

    // Several worker executions, one at a time, and every row written.
    expect(log.count("runResearchWorker")).toBeGreaterThan(1);
    expect(log.maxConcurrent("runResearchWorker")).toBe(1);
    expect(log.maxInFlight).toBeLessThanOrEqual(10);
    expect(statuses(rt).every((s) => s === "Done" || s === "No reliable data")).toBe(true);
    expect(rt.triggers().filter((t) => !t.fired).length).toBeLessThanOrEqual(1);
  });

  it("cancels a run: waiting rows become Cancelled and the worker is no longer called", async () => {
    const rt = queuedRun(companies(60));
    // One execution, then Cancel while the next waits.
    const { page, log, server } = await open(rt, 1);
    await expect.poll(() => log.count("runResearchWorker"), { timeout: 10_000 }).toBe(2);
    await page.click("#cancel");
    await expect.poll(() => log.count("cancelResearch")).toBe(1);
    server.release();
    await expect.poll(() => phase(page), { timeout: 15_000 }).toBe("finished");
    const final = statuses(rt);
    expect(final.filter((s) => s === "Cancelled").length).toBeGreaterThan(0);
    expect(final.some((s) => s === "Queued" || s === "Researching")).toBe(false);
    expect(Number(await text(page, "#count-cancelled"))).toBe(final.filter((s) => s === "Cancelled").length);
    expect(await page.locator("#cancel").isVisible()).toBe(false);
  });

  it("pauses on a 401 from Tavily, says what to do, and resumes once the key is fixed", async () => {
    const rt = queuedRun(companies(6), "tvly-revoked-key-0000");
    const { page, log } = await open(rt);
    await page.locator("#paused-panel").waitFor({ timeout: 15_000 });
    expect(await text(page, "#phase")).toBe("Paused");
    expect(await text(page, "#paused-title")).toBe("The web search service refused its key");
    expect(await text(page, "#paused-status")).toBe("Waiting rows show “Paused: Tavily API key rejected”.");
    expect(await page.locator("#open-settings").isVisible()).toBe(true);
    expect(statuses(rt).every((s) => s.startsWith("Paused: "))).toBe(true);
    expect(await page.content()).not.toContain("tvly-revoked-key-0000");
    await captureState(page, "e2e-sidebar-paused");

    const workerCallsWhilePaused = log.count("runResearchWorker");
    rt.userProperties.setProperty("TAVILY_API_KEY", TAVILY_KEY);
    // Resume shows what the paused rows would cost, and goes on once the rep says so.
    await page.click("#resume");
    await expect.poll(() => text(page, "#estimate-title")).toBe("Resume 6 rows?");
    expect(await page.locator("#estimate-lines li").allInnerTexts()).toContain("Of the rows, 6 were paused and go on.");
    expect(statuses(rt).every((s) => s.startsWith("Paused: "))).toBe(true);
    await page.click("#estimate-start");
    await expect.poll(() => phase(page), { timeout: 30_000 }).toBe("finished");
    expect(await page.locator("#paused-panel").isVisible()).toBe(false);
    expect(log.count("runResearchWorker")).toBeGreaterThan(workerCallsWhilePaused);
    expect(statuses(rt).every((s) => s === "Done" || s === "No reliable data")).toBe(true);
  });

  it("starts from its Research button after the estimate, and the cache answers the same companies on another sheet", async () => {
    const names = companies(6);
    const rt = selectedRows(names);
    const { page } = await open(rt);
    await expect.poll(() => phase(page)).toBe("idle");
    await page.click("#research");
    await page.locator("#estimate").waitFor();
    expect(await text(page, "#estimate-title")).toBe("Research 6 companies?");
    const first = await page.locator("#estimate-lines li").allInnerTexts();
    expect(first).toContain("None is answered by the cache.");
    expect(first[0]).toMatch(/^Companies from column A “Company”: .+ and more\.$/);
    // Nothing is written before Start.
    expect(statuses(rt).every((s) => s === "")).toBe(true);
    await page.click("#estimate-start");
    await expect.poll(() => phase(page), { timeout: 30_000 }).toBe("finished");
    expect(statuses(rt).every((s) => s === "Done" || s === "No reliable data")).toBe(true);
    expect(await text(page, "#summary-title")).toMatch(/^Finished in \d+ (s|min \d\d s) · \$0\.\d{3}$/);

    const copy = rt.spreadsheet.insertSheet("Copy");
    copy.load([["Company"], ...names.map((name) => [name])]);
    rt.spreadsheet.setSelection("Copy", ["A2:A7"]);
    await page.click("#research");
    await expect.poll(() => text(page, "#estimate-title")).toBe("Answer from the cache?");
    const lines = await page.locator("#estimate-lines li").allInnerTexts();
    expect(lines.some((line) => line.startsWith("Answered by the cache at no cost: 6 "))).toBe(true);
    expect(lines).toContain("Estimated cost: about $0.00, at most $0.00. Estimated time: a few seconds.");
  });
});
