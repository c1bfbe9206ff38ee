// The progress sidebar in Chromium against a scripted server: rendering, the worker loop, the
// controls, text-only insertion of cell and web content, and the paused panel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openPage, screenshot, serveDist, sleep, type OpenedPage } from "./harness";
import { progress, runSnapshots, ScriptedServer } from "./scripted-server";

const XSS = "<img src=x onerror=alert(1)>";

let browser: Browser;
let site: { url: string; close(): Promise<void> };

beforeAll(async () => {
  browser = await launchChromium();
  site = await serveDist();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function open(server: ScriptedServer): Promise<OpenedPage> {
  const opened = await openPage(browser, site.url, "Sidebar.html", server);
  // Drawn once: either the first progress arrived or the page reports why it did not.
  await opened.page.waitForFunction(() => document.body.dataset["phase"] !== undefined || document.getElementById("problem")?.hidden === false);
  return opened;
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const barValue = async (page: Page) => Number(await page.locator("#bar").getAttribute("aria-valuenow"));

describe("sidebar, scripted server", () => {
  it("drives the worker back to back, one call at a time, while the bar, counts and tiers advance", async () => {
    const startedAt = Date.now() - 95_000;
    const steps = runSnapshots(20, 2, startedAt);
    const first = steps.shift();
    if (!first) throw new Error("no snapshots");
    const server = new ScriptedServer(first, steps);
    const { page, log, blocked } = await open(server);

    await expect.poll(() => barValue(page), { timeout: 10_000 }).toBeGreaterThan(10);
    const mid = await barValue(page);
    expect(mid).toBeLessThan(100);
    expect(await text(page, "#phase")).toBe("Running");
    expect(await text(page, "#elapsed")).toMatch(/^1 min 3\d s$/);
    expect(await text(page, "#eta")).toMatch(/^about \d+ s$/);
    await screenshot(page, "sidebar-mid-run");

    await expect.poll(() => text(page, "#phase"), { timeout: 15_000 }).toBe("Finished");
    expect(await barValue(page)).toBe(100);
    expect(await text(page, "#bar-label")).toBe("20 of 20 rows finished");
    expect(await text(page, "#count-done")).toBe("16");
    expect(await text(page, "#count-noData")).toBe("4");
    for (const tier of ["HOT", "WARM", "WATCH", "COLD", "UNKNOWN"]) expect(await text(page, `#tier-${tier}`)).toBe("4");
    expect(await text(page, "#cost-usd")).toBe("$0.380");
    expect(await text(page, "#cost-credits")).toBe("40");
    expect(await text(page, "#cost-tokens")).toBe("96k");
    expect(await page.locator("#recent li").count()).toBe(5);
    expect(await page.locator("#recent li").first().innerText()).toContain("Company 20");
    expect(await page.locator("#cancel").isVisible()).toBe(false);
    await screenshot(page, "sidebar-finished");

    // Worker calls ran one at a time, and the bridge stayed well inside google.script.run's 10.
    const workerCalls = log.count("runResearchWorker");
    expect(workerCalls).toBeGreaterThanOrEqual(9);
    expect(log.maxConcurrent("runResearchWorker")).toBe(1);
    expect(log.maxConcurrent("getResearchProgress")).toBe(1);
    expect(log.maxInFlight).toBeLessThanOrEqual(10);
    // Finished: polling goes on, the worker is left alone.
    await sleep(3500);
    expect(log.count("runResearchWorker")).toBe(workerCalls);
    expect(log.count("getResearchProgress")).toBeGreaterThan(workerCalls);
    expect(blocked).toEqual([]);
  });

  it("shows company names and statuses from cells as text, never as HTML", async () => {
    const server = new ScriptedServer(
      progress({
        total: 3,
        done: 1,
        failed: 1,
        queued: 1,
        running: false,
        startedAt: Date.now() - 5000,
        tiers: { HOT: 1, WARM: 0, WATCH: 0, COLD: 0, UNKNOWN: 0 },
        recent: [{ company: XSS, tier: "HOT", score: 88, status: `Done ${XSS}` }],
        errors: [{ row: 7, company: XSS, status: `Error: ${XSS}` }],
        message: XSS,
        isPaused: true,
      }),
    );
    const { page, dialogs } = await open(server);
    await page.locator("#recent li").first().waitFor();
    await sleep(300);
    expect(await page.locator("img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await page.locator("#recent .company").first().innerText()).toBe(XSS);
    expect(await page.locator("#errors .error-where").first().textContent()).toBe(`Row 7 · ${XSS}`);
    expect(await page.locator("#errors .status-line").first().innerText()).toBe(`Error: ${XSS}`);
    expect(await text(page, "#paused-reason")).toBe(`Reason: ${XSS}`);
  });

  it("explains a rejected key, opens Settings and resumes", async () => {
    const server = new ScriptedServer(
      progress({
        total: 12,
        done: 3,
        paused: 9,
        isPaused: true,
        running: false,
        startedAt: Date.now() - 40_000,
        message: "Paused: Tavily API key rejected",
        slowWhenClosed: true,
        tiers: { HOT: 1, WARM: 1, WATCH: 1, COLD: 0, UNKNOWN: 0 },
        costUsd: 0.057,
        tavilyCredits: 6,
        llmTokens: 14_200,
        recent: [
          { company: "Read AI", tier: "WARM", score: 62, status: "Done" },
          { company: "Character.ai", tier: "HOT", score: 91, status: "Done" },
        ],
      }),
    );
    const { page, log } = await open(server);
    const panel = page.locator("#paused-panel");
    await panel.waitFor();
    expect(await text(page, "#phase")).toBe("Paused");
    expect(await text(page, "#paused-title")).toBe("The Tavily API key was rejected");
    expect(await text(page, "#paused-reason")).toBe("Reason: Tavily API key rejected");
    expect(await text(page, "#paused-advice")).toContain("Open Settings");
    expect(await text(page, "#eta")).toBe("waiting for you");
    expect(await page.locator("#slow-note").isVisible()).toBe(true);
    await screenshot(page, "sidebar-paused");
    // Paused: the sidebar sends no worker call.
    await sleep(800);
    expect(log.count("runResearchWorker")).toBe(0);

    await page.click("#open-settings");
    await expect.poll(() => log.count("showSettings")).toBe(1);

    server.steps = runSnapshots(12, 3, Date.now() - 40_000).slice(1);
    await page.click("#resume");
    await expect.poll(() => log.count("resumeResearch")).toBe(1);
    await expect.poll(() => text(page, "#phase"), { timeout: 10_000 }).toBe("Finished");
    expect(await panel.isVisible()).toBe(false);
    expect(log.count("runResearchWorker")).toBeGreaterThan(0);
  });

  it("words a budget pause and a plan limit in plain language", async () => {
    const server = new ScriptedServer(progress({ total: 5, done: 2, paused: 3, isPaused: true, startedAt: Date.now() - 1000, message: "budget reached" }));
    const { page } = await open(server);
    await page.locator("#paused-panel").waitFor();
    expect(await text(page, "#paused-title")).toBe("The run reached its budget");
    expect(await text(page, "#paused-advice")).toContain("Raise the run budget in Settings");
    expect(await page.locator("#open-settings").isVisible()).toBe(true);

    server.current = { ...server.current, message: "Tavily plan limit reached (432)" };
    await expect.poll(() => text(page, "#paused-title"), { timeout: 6000 }).toBe("The Tavily plan limit was reached");
    expect(await text(page, "#paused-advice")).toContain("renew");
    expect(await page.locator("#open-settings").isVisible()).toBe(false);
  });

  it("cancels: the worker in flight finishes, then no further worker call", async () => {
    const steps = runSnapshots(40, 1, Date.now());
    const first = steps.shift();
    if (!first) throw new Error("no snapshots");
    const server = new ScriptedServer(first, steps);
    server.workerDelayMs = 400;
    const { page, log } = await open(server);
    await expect.poll(() => log.count("runResearchWorker")).toBeGreaterThan(1);
    await page.click("#cancel");
    await expect.poll(() => text(page, "#phase"), { timeout: 6000 }).toBe("Finished");
    expect(log.count("cancelResearch")).toBe(1);
    expect(Number(await text(page, "#count-cancelled"))).toBeGreaterThan(0);
    const after = log.count("runResearchWorker");
    await sleep(3500);
    expect(log.count("runResearchWorker")).toBe(after);
    expect(await page.locator("#cancel").isVisible()).toBe(false);
  });

  it("retries failed rows from the errors list", async () => {
    const server = new ScriptedServer(
      progress({
        total: 4,
        done: 2,
        failed: 2,
        startedAt: Date.now() - 60_000,
        errors: [
          { row: 3, company: "Acme Robotics", status: "Error: LLM answered 500 three times" },
          { row: 5, company: "Globex", status: "Error: reply was not valid JSON" },
        ],
      }),
    );
    let retried = false;
    server.handlers.set("retryFailedRows", (_args, s) => {
      retried = true;
      s.current = { ...s.current, failed: 0, queued: 2, errors: [], running: true };
      s.steps = [progress({ ...s.current, queued: 0, done: 4, running: false })];
      return { ok: true, message: "Queued 2 row(s) again.", queued: 2 };
    });
    const { page, log } = await open(server);
    expect(await text(page, "#errors-title")).toBe("Errors (2)");
    expect(await page.locator("#errors li").count()).toBe(2);
    await page.click("#retry");
    await expect.poll(() => retried).toBe(true);
    await expect.poll(() => text(page, "#notice")).toBe("Queued 2 row(s) again.");
    await expect.poll(() => text(page, "#count-done"), { timeout: 8000 }).toBe("4");
    expect(log.count("runResearchWorker")).toBeGreaterThan(0);
    expect(await page.locator("#errors-section").isVisible()).toBe(false);
  });

  it("reports server failures and recovers, without calling the worker in a tight loop", async () => {
    const server = new ScriptedServer(progress({ total: 10, queued: 10, running: true, startedAt: Date.now() }));
    server.handlers.set("runResearchWorker", () => {
      throw new Error("Exceeded maximum execution time");
    });
    const { page, log } = await open(server);
    await expect.poll(() => text(page, "#problem")).toContain("Exceeded maximum execution time");
    await sleep(2500);
    // One failure, then a back-off of several seconds before the next try.
    expect(log.count("runResearchWorker")).toBe(1);

    server.handlers.delete("runResearchWorker");
    server.handlers.set("getResearchProgress", () => {
      throw new Error("Service unavailable");
    });
    await expect.poll(() => text(page, "#problem"), { timeout: 6000 }).toContain("Progress could not be read: Service unavailable");
    server.handlers.delete("getResearchProgress");
    await expect.poll(() => page.locator("#problem").isVisible(), { timeout: 6000 }).toBe(false);
  });

  it("waits between worker calls while another execution holds the lock", async () => {
    const server = new ScriptedServer(progress({ total: 10, queued: 10, running: true, startedAt: Date.now() }));
    server.handlers.set("runResearchWorker", () => ({ status: "busy", waves: 0, written: 0 }));
    const { log } = await open(server);
    await sleep(3000);
    // Back to back would be dozens of calls; spaced, about one every two seconds.
    expect(log.count("runResearchWorker")).toBeGreaterThanOrEqual(1);
    expect(log.count("runResearchWorker")).toBeLessThanOrEqual(3);
  });

  it("says so when the add-on lacks a function the page calls", async () => {
    const server = new ScriptedServer(progress({ total: 2, paused: 2, isPaused: true, message: "LLM API key rejected", startedAt: Date.now() }));
    server.functions = server.functions.filter((name) => name !== "resumeResearch");
    const { page } = await open(server);
    await page.locator("#resume").click();
    await expect.poll(() => text(page, "#problem")).toContain("The add-on has no function resumeResearch");
  });

  it("rejects progress it cannot read with a clear message", async () => {
    const server = new ScriptedServer(progress());
    server.handlers.set("getResearchProgress", () => ({ total: "many" }));
    const { page } = await open(server);
    await expect.poll(() => text(page, "#problem")).toContain("data this page cannot read at total");
  });

  it("greets an empty spreadsheet with what to do", async () => {
    const { page } = await open(new ScriptedServer(progress()));
    expect(await text(page, "#phase")).toBe("Idle");
    expect(await page.locator("#idle").innerText()).toContain("Research selected rows");
  });
});
