// Browser harness for the sidebar and settings pages: Debian's Chromium through playwright-core,
// the built pages from dist/ on a local HTTP server, and a google.script.run shim that forwards
// every call to a server implemented in the test process (scripted, or the local Apps Script
// runtime). No request leaves 127.0.0.1. Pages read a fixed clock, never the real one, and every
// state a test saves as a screenshot is first checked with axe-core.
import { accessSync, constants, mkdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AxeResults } from "axe-core";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
/** Debian's Chromium; CHROMIUM_PATH names another build (Ubuntu's snap, a Chrome for Testing). */
export const CHROMIUM = process.env["CHROMIUM_PATH"] || "/usr/bin/chromium";
export const SCREENSHOTS = join(root, "test-output/screenshots");
const ADDONS_CSS = "https://ssl.gstatic.com/docs/script/css/add-ons1.css";

/** Why the browser tests cannot run here, in words that say what to install; null when they can. */
export function chromiumProblem(path = CHROMIUM): string | null {
  try {
    accessSync(path, constants.X_OK);
    return null;
  } catch {
    return (
      `The browser tests (test/sidebar: the sidebar and settings pages) drive Chromium at ${path}, and there is none. ` +
      "On Debian or Ubuntu: sudo apt-get install chromium. Elsewhere, set CHROMIUM_PATH to a Chromium or Chrome executable."
    );
  }
}

const CHROMIUM_MISSING = chromiumProblem() !== null;

/** describe for the tests that need a browser: skipped without Chromium (chromium.test.ts fails once and says what to install). */
export const describeInBrowser = describe.skipIf(CHROMIUM_MISSING);

async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-gpu",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** Serves dist/Sidebar.html and dist/Settings.html, read on each request so a rebuild is picked up. */
export async function serveDist(): Promise<{ url: string; close(): Promise<void> }> {
  const pages = new Set(["/Sidebar.html", "/Settings.html"]);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (!pages.has(path)) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(root, "dist", path.slice(1)), "utf8").then(
      (html) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html),
      () => res.writeHead(500, { "content-type": "text/plain" }).end(`dist${path} is missing: run node build.mjs`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What google.script.run reaches: the names the server exports and a way to run one. */
export interface FakeServer {
  functions: readonly string[];
  call(name: string, args: unknown[]): Promise<unknown>;
}

export interface CallRecord {
  name: string;
  args: unknown[];
}

/** Counts calls and concurrency on the test side of the bridge. */
export class CallLog {
  readonly calls: CallRecord[] = [];
  maxInFlight = 0;
  private readonly maxByName = new Map<string, number>();
  private readonly inFlightByName = new Map<string, number>();
  private inFlight = 0;

  begin(name: string, args: unknown[]): CallRecord {
    const record: CallRecord = { name, args };
    this.calls.push(record);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const n = (this.inFlightByName.get(name) ?? 0) + 1;
    this.inFlightByName.set(name, n);
    this.maxByName.set(name, Math.max(this.maxByName.get(name) ?? 0, n));
    return record;
  }

  end(record: CallRecord): void {
    this.inFlight -= 1;
    this.inFlightByName.set(record.name, (this.inFlightByName.get(record.name) ?? 1) - 1);
  }

  count(name: string): number {
    return this.calls.filter((c) => c.name === name).length;
  }

  maxConcurrent(name: string): number {
    return this.maxByName.get(name) ?? 0;
  }
}

export interface OpenedPage {
  page: Page;
  log: CallLog;
  /** Texts of alert/confirm/prompt dialogs the page opened (an XSS would show up here). */
  dialogs: string[];
  /** Requests the page tried to send anywhere but the local server. */
  blocked: string[];
}

/**
 * The shim runs in the page before its scripts. Like google.script.run, each withSuccessHandler /
 * withFailureHandler returns a runner with those handlers set, only the server's exported names
 * are callable, and arguments and results cross as JSON (google.script.run refuses Dates too).
 */
function installShim(names: readonly string[]): void {
  type Handler = ((value: unknown) => void) | null;
  const host = window as unknown as {
    google: unknown;
    __tpServerCall(name: string, argsJson: string): Promise<string>;
  };
  const makeRunner = (success: Handler, failure: Handler): Record<string, unknown> => {
    const runner: Record<string, unknown> = {
      withSuccessHandler: (fn: Handler) => makeRunner(fn, failure),
      withFailureHandler: (fn: Handler) => makeRunner(success, fn),
    };
    for (const name of names) {
      runner[name] = (...args: unknown[]) => {
        host.__tpServerCall(name, JSON.stringify(args)).then((json) => {
          const answer = JSON.parse(json) as { ok: boolean; value?: unknown; error?: string };
          if (answer.ok) success?.(answer.value);
          else failure?.(new Error(answer.error));
        });
      };
    }
    return runner;
  };
  // google.script.host.close() closes a dialog; here it leaves a mark the test can read.
  host.google = { script: { run: makeRunner(null, null), host: { close: () => document.body.setAttribute("data-closed", "true") } } };
}

/**
 * One browser tab that the tests of a file share: a new context and tab per test cost more than the
 * test itself. Each `open` first leaves the previous page for about:blank (its timers and calls
 * end with it), then loads the file with a fresh call log and the given server behind
 * google.script.run. The shim's function names are fixed when the tab is made.
 */
export class SharedPage {
  private server: FakeServer | null = null;
  private log = new CallLog();
  private dialogs: string[] = [];
  private blocked: string[] = [];

  private constructor(
    readonly page: Page,
    private readonly baseUrl: string,
    private readonly names: readonly string[],
  ) {}

  static async create(
    browser: Browser,
    baseUrl: string,
    names: readonly string[],
    viewport = { width: 300, height: 900 },
  ): Promise<SharedPage> {
    // Reduced motion switches off the bar's transition, so screenshots show the value, not a frame of it.
    const context = await browser.newContext({ viewport, reducedMotion: "reduce" });
    const page = await context.newPage();
    const shared = new SharedPage(page, baseUrl, names);
    page.on("dialog", (dialog) => {
      shared.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.route("**/*", async (route) => {
      const url = route.request().url();
      if (url === ADDONS_CSS) await route.fulfill({ status: 200, contentType: "text/css", body: "" });
      else if (url.startsWith(baseUrl)) await route.continue();
      else {
        shared.blocked.push(url);
        await route.abort();
      }
    });
    await page.exposeFunction("__tpServerCall", async (name: string, argsJson: string): Promise<string> => {
      // The server and log of the page that made the call, even if the next test has begun.
      const { server, log } = shared;
      if (!server) return JSON.stringify({ ok: false, error: "no server" });
      const args = JSON.parse(argsJson) as unknown[];
      const record = log.begin(name, args);
      try {
        const value = await server.call(name, args);
        return JSON.stringify({ ok: true, value });
      } catch (error) {
        return JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) });
      } finally {
        log.end(record);
      }
    });
    await page.addInitScript(installShim, names);
    return shared;
  }

  /**
   * Opens a page whose clock reads `now` and stands still (its timers still run): what it shows of
   * elapsed time and ages is the same on every run.
   */
  async open(file: "Sidebar.html" | "Settings.html", server: FakeServer, now = PAGE_NOW): Promise<OpenedPage> {
    if (server.functions.join() !== this.names.join()) throw new Error("SharedPage: the server exports other names than the shim's");
    await this.page.goto("about:blank");
    await this.page.clock.setFixedTime(now);
    this.server = server;
    this.log = new CallLog();
    this.dialogs = [];
    this.blocked = [];
    const opened = { page: this.page, log: this.log, dialogs: this.dialogs, blocked: this.blocked };
    await this.page.goto(`${this.baseUrl}/${file}`);
    return opened;
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

/** What the pages' clock reads in the tests: 26 November 2026, 09:00 UTC. */
export const PAGE_NOW = Date.UTC(2026, 10, 26, 9, 0);

/**
 * The browser of a test file: Chromium, the dist/ pages on a local server and one shared tab whose
 * shim knows `names`, made before the file's tests and closed after them. Without Chromium it makes
 * nothing (the tests are skipped by describeInBrowser).
 */
export function browserTab(names: () => readonly string[], viewport?: { width: number; height: number }): () => SharedPage {
  let browser: Browser | undefined;
  let site: { url: string; close(): Promise<void> } | undefined;
  let tab: SharedPage | undefined;
  beforeAll(async () => {
    if (CHROMIUM_MISSING) return;
    browser = await launchChromium();
    site = await serveDist();
    tab = await SharedPage.create(browser, site.url, names(), viewport);
  });
  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await site?.close();
  });
  return () => {
    if (!tab) throw new Error("browserTab: no browser (Chromium is missing)");
    return tab;
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical findings on the page as it is now, one line each (none is the goal). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run(options: object): Promise<AxeResults> } }).axe.run({ resultTypes: ["violations"] }),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((node) => `${v.id} (${v.impact}): ${node.target.join(" ")}: ${node.failureSummary ?? v.help}`));
}

/**
 * A state of a page a test reached: checked with axe-core (no serious or critical violation), then
 * saved as a screenshot under test-output/screenshots.
 */
export async function captureState(page: Page, name: string): Promise<void> {
  const problems = await accessibilityProblems(page);
  if (problems.length > 0) throw new Error(`${name}: accessibility violations\n${problems.join("\n")}`);
  await screenshot(page, name);
}

/**
 * Saves the whole page. The viewport grows to the page's height first: a full-page capture of a
 * shorter viewport would draw sticky parts (the Settings footer) in the middle of the image.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (viewport && height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  if (viewport) await page.setViewportSize(viewport);
}
