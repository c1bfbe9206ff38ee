// The Settings dialog in Chromium, served by the built add-on in the local Apps Script runtime with
// the fake providers behind UrlFetchApp: masking, saving, validation, connection tests, models, a
// sales rep's words in the basic section, the keyboard, and axe-core on every state it saves.
import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { LocalRuntime, loadBuiltAddon } from "../../src/local/runtime";
import { createFakeLlm, createFakeTavily, createProviderRouter } from "../../src/local/providers";
import { NUMBER_RULES } from "../../src/core/setting-keys";
import { browserTab, captureState, describeInBrowser, type OpenedPage } from "./harness";
import { globalNames, RuntimeServer } from "./runtime-server";

const TAVILY_KEY = "tvly-dev-SECRET-tavily-9f3a";
const LLM_KEY = "crusoe-SECRET-llm-key-77b2";
const MODELS = ["meta-llama/Llama-3.3-70B-Instruct", "deepseek-ai/DeepSeek-V3", "Qwen/Qwen3-235B-A22B"];

const built = loadBuiltAddon();
// The dialog's size as showSettings opens it.
const tab = browserTab(() => globalNames(built.code), { width: 460, height: 640 });

function runtime(keys: { tavily?: string; llm?: string } = { tavily: TAVILY_KEY, llm: LLM_KEY }): LocalRuntime {
  const tavily = createFakeTavily({ apiKey: TAVILY_KEY });
  const llm = createFakeLlm({ apiKey: LLM_KEY, models: MODELS });
  const rt = new LocalRuntime({ ...built, fetch: { kind: "handler", handler: createProviderRouter({ tavily, llm }) } });
  if (keys.tavily) rt.userProperties.setProperty("TAVILY_API_KEY", keys.tavily);
  if (keys.llm) rt.userProperties.setProperty("LLM_API_KEY", keys.llm);
  return rt;
}

async function open(rt: LocalRuntime): Promise<OpenedPage> {
  const opened = await tab().open("Settings.html", new RuntimeServer(rt, built.code));
  await opened.page.locator("#settings-form").waitFor();
  return opened;
}

const value = (page: Page, key: string) => page.locator(`#in-${key}`).inputValue();
const html = (page: Page) => page.content();

describeInBrowser("settings dialog, local runtime", () => {
  it("shows keys masked to their last 4 characters, never in full, and lists the models", async () => {
    const rt = runtime();
    const { page, log, blocked } = await open(rt);
    expect(await value(page, "TAVILY_API_KEY")).toBe("");
    expect(await page.locator("#in-TAVILY_API_KEY").getAttribute("placeholder")).toContain("••••9f3a");
    expect(await page.locator("#in-LLM_API_KEY").getAttribute("placeholder")).toContain("••••77b2");
    expect(await value(page, "LLM_BASE_URL")).toBe("https://api.crusoe.ai/v1");
    expect(await page.locator("#hint-CACHE_TTL_DAYS").textContent()).toContain("Default: 30.");
    // A rep sees the keys, base URL, model and profile; the rest waits under Advanced.
    for (const key of ["TAVILY_API_KEY", "LLM_API_KEY", "LLM_BASE_URL", "PROFILE"])
      expect(await page.locator(`#in-${key}`).isVisible()).toBe(true);
    for (const key of ["CACHE_TTL_DAYS", "JOB_BUDGET_USD", "CONFIRM_ABOVE_USD", "TAVILY_CONCURRENCY", "LLM_INPUT_PRICE_PER_MTOK"]) {
      expect(await page.locator(`#in-${key}`).isVisible()).toBe(false);
    }

    await expect.poll(() => page.locator("#models-status").innerText()).toBe("3 models available.");
    expect(await page.locator("#model-select option").allInnerTexts()).toEqual([
      ...[...MODELS].sort((a, b) => a.localeCompare(b)),
      "Other (type a model id)…",
    ]);
    expect(await page.locator("#model-select").inputValue()).toBe("meta-llama/Llama-3.3-70B-Instruct");
    expect(await page.locator("#in-LLM_MODEL").isVisible()).toBe(false);

    const content = await html(page);
    expect(content).not.toContain(TAVILY_KEY);
    expect(content).not.toContain(LLM_KEY);
    expect(JSON.stringify(log.calls)).not.toContain("SECRET");
    expect(blocked).toEqual([]);
    await captureState(page, "settings-basic");
    await page.click("#advanced summary");
    expect(await page.locator("#in-TAVILY_CONCURRENCY").isVisible()).toBe(true);
    await captureState(page, "settings-advanced");
    // The same page in a sidebar's width stays usable.
    await page.setViewportSize({ width: 300, height: 640 });
    await captureState(page, "settings-advanced-300");
    await page.click("#advanced summary");
    await captureState(page, "settings-basic-300");
  });

  it("words each range from the validator's own bounds: the help and the error agree", async () => {
    const rt = runtime();
    const { page } = await open(rt);
    await page.click("#advanced summary");
    for (const [key, rule] of Object.entries(NUMBER_RULES)) {
      const n = (x: number) => x.toLocaleString("en-US");
      expect(await page.locator(`#hint-${key}`).innerText()).toContain(`${n(rule.min)} to ${n(rule.max)}`);
    }
    const { max } = NUMBER_RULES.EVIDENCE_BUDGET_CHARS;
    await page.fill("#in-EVIDENCE_BUDGET_CHARS", String(max + 1));
    await page.click("#save");
    await expect
      .poll(() => page.locator("#err-EVIDENCE_BUDGET_CHARS").innerText())
      .toBe(`Evidence budget (characters) must be at most ${max}.`);
    await page.fill("#in-EVIDENCE_BUDGET_CHARS", String(max));
    await page.click("#save");
    await expect.poll(() => page.locator("#save-status").innerText()).toBe("Settings saved.");
    expect(rt.userProperties.getProperty("EVIDENCE_BUDGET_CHARS")).toBe(String(max));
  });

  it("removes a saved key on request, and Cancel closes without saving", async () => {
    const rt = runtime();
    const { page } = await open(rt);
    await page.click("#advanced summary");
    await page.fill("#in-RELEVANCE_THRESHOLD", "0.9");
    await page.click("#remove-TAVILY_API_KEY");
    await expect.poll(() => page.locator("#save-status").innerText()).toBe("Web search key (Tavily) removed.");
    expect(rt.userProperties.getProperty("TAVILY_API_KEY")).toBeNull();
    expect(rt.userProperties.getProperty("LLM_API_KEY")).toBe(LLM_KEY);
    expect(await page.locator("#in-TAVILY_API_KEY").getAttribute("placeholder")).toBe("Paste your key");
    expect(await page.locator("#remove-TAVILY_API_KEY").isVisible()).toBe(false);
    expect(await page.locator("#remove-LLM_API_KEY").isVisible()).toBe(true);
    await page.click("#cancel");
    expect(await page.locator("body").getAttribute("data-closed")).toBe("true");
    expect(rt.userProperties.getProperty("RELEVANCE_THRESHOLD")).toBeNull();
  });

  it("tests each connection with one cheap call and words the result", async () => {
    const rt = runtime({ tavily: "tvly-wrong-key-0000", llm: LLM_KEY });
    const { page } = await open(rt);
    const before = rt.stats.snapshot();
    await page.click("#test-tavily");
    // The rep's words first; the provider's answer and its HTTP status below, smaller.
    await expect
      .poll(() => page.locator("#test-result-tavily").innerText())
      .toMatch(/^The web search service refused this key: paste it again, copied whole\.\nTavily answered HTTP 401/);
    expect(await page.locator("#test-result-tavily .detail").innerText()).toMatch(/^Tavily answered HTTP 401/);
    expect(await page.locator("#test-result-tavily").getAttribute("data-tone")).toBe("bad");
    await captureState(page, "settings-test-refused");

    // An unsaved key typed in the field is what the test uses.
    await page.fill("#in-TAVILY_API_KEY", TAVILY_KEY);
    await page.click("#test-tavily");
    await expect.poll(() => page.locator("#test-result-tavily").innerText()).toBe("The web search key works.");
    expect(await page.locator("#test-result-tavily").getAttribute("data-tone")).toBe("ok");

    await page.click("#test-llm");
    await expect.poll(() => page.locator("#test-result-llm").innerText()).toBe("The AI key works.");
    const after = rt.stats.snapshot();
    expect(after.urlFetch.requests - before.urlFetch.requests).toBe(3);
    // Nothing was saved by testing.
    expect(rt.userProperties.getProperty("TAVILY_API_KEY")).toBe("tvly-wrong-key-0000");
    expect(await html(page)).not.toContain("tvly-wrong-key-0000");
    await captureState(page, "settings-tested");
  });

  it("validates next to the fields and saves nothing while a field is wrong", async () => {
    const rt = runtime();
    const { page } = await open(rt);
    await page.fill("#in-LLM_BASE_URL", "crusoe");
    await page.click("#advanced summary");
    await page.fill("#in-RELEVANCE_THRESHOLD", "1.7");
    await page.fill("#in-WORKER_TIME_BUDGET_SECONDS", "900");
    await page.click("#advanced summary");
    expect(await page.locator("#in-WORKER_TIME_BUDGET_SECONDS").isVisible()).toBe(false);
    await page.click("#save");
    await expect.poll(() => page.locator("#save-status").innerText()).toContain("Nothing was saved");
    expect(await page.locator("#err-RELEVANCE_THRESHOLD").innerText()).toBe("Relevance threshold must be at most 1.");
    expect(await page.locator("#err-LLM_BASE_URL").innerText()).toMatch(/^AI provider address must /);
    // The folded section opens to show its error.
    expect(await page.locator("#err-WORKER_TIME_BUDGET_SECONDS").isVisible()).toBe(true);
    expect(await page.locator("#field-RELEVANCE_THRESHOLD").getAttribute("class")).toContain("invalid");
    expect(rt.userProperties.getProperty("RELEVANCE_THRESHOLD")).toBeNull();
    await captureState(page, "settings-invalid");
  });

  it("saves changed fields, keeps a key whose field is left empty, and replaces a pasted one", async () => {
    const rt = runtime();
    const { page } = await open(rt);
    await page.click("#advanced summary");
    await page.fill("#in-RELEVANCE_THRESHOLD", "0.7");
    await page.fill("#in-JOB_BUDGET_USD", "5");
    await page.selectOption("#in-PROFILE", "managed-inference");
    await page.selectOption("#model-select", "deepseek-ai/DeepSeek-V3");
    const newLlmKey = "crusoe-NEW-llm-key-5c1d";
    await page.fill("#in-LLM_API_KEY", newLlmKey);
    await page.click("#save");
    await expect.poll(() => page.locator("#save-status").innerText()).toBe("Settings saved.");

    expect(rt.userProperties.getProperty("RELEVANCE_THRESHOLD")).toBe("0.7");
    expect(rt.userProperties.getProperty("JOB_BUDGET_USD")).toBe("5");
    expect(rt.userProperties.getProperty("PROFILE")).toBe("managed-inference");
    expect(rt.userProperties.getProperty("LLM_MODEL")).toBe("deepseek-ai/DeepSeek-V3");
    expect(rt.userProperties.getProperty("TAVILY_API_KEY")).toBe(TAVILY_KEY);
    expect(rt.userProperties.getProperty("LLM_API_KEY")).toBe(newLlmKey);
    // Unchanged defaults are not copied into the user's properties.
    expect(rt.userProperties.getProperty("CACHE_TTL_DAYS")).toBeNull();

    expect(await value(page, "LLM_API_KEY")).toBe("");
    expect(await page.locator("#in-LLM_API_KEY").getAttribute("placeholder")).toContain("••••5c1d");
    expect(await html(page)).not.toContain(newLlmKey);

    // Typing a model id that is not listed ("Other") saves that id.
    await page.selectOption("#model-select", { label: "Other (type a model id)…" });
    await page.fill("#in-LLM_MODEL", "my-org/custom-model");
    await page.fill("#in-JOB_BUDGET_USD", "");
    // Blank means "never ask" here, not "the default of $5".
    await page.fill("#in-CONFIRM_ABOVE_USD", "");
    await page.click("#save");
    await expect.poll(() => rt.userProperties.getProperty("LLM_MODEL")).toBe("my-org/custom-model");
    expect(rt.userProperties.getProperty("JOB_BUDGET_USD") ?? "").toBe("");
    expect(rt.userProperties.getProperty("CONFIRM_ABOVE_USD")).toBe("");
    await page.reload();
    await page.locator("#settings-form").waitFor();
    expect(await value(page, "CONFIRM_ABOVE_USD")).toBe("");
  });

  it("invites the user to add keys when none is saved", async () => {
    const rt = runtime({});
    const { page, log } = await open(rt);
    expect(await page.locator("#in-TAVILY_API_KEY").getAttribute("placeholder")).toBe("Paste your key");
    expect(await page.locator("#models-status").innerText()).toContain("Add the AI key");
    expect(await page.locator("#in-LLM_MODEL").isVisible()).toBe(true);
    expect(log.count("listModels")).toBe(0);
    await page.click("#test-llm");
    await expect.poll(() => page.locator("#test-result-llm").innerText()).toContain("No AI key yet");
  });

  it("speaks a sales rep's words in its basic section: no setting keys, endpoints or provider jargon", async () => {
    const rt = runtime();
    const { page } = await open(rt);
    await expect.poll(() => page.locator("#models-status").innerText()).toBe("3 models available.");
    const basics = await page.evaluate(() => {
      const copy = document.querySelector(".page")?.cloneNode(true) as HTMLElement;
      copy.querySelector("#advanced")?.remove();
      return copy.textContent ?? "";
    });
    expect(basics).toContain("Web search key (Tavily)");
    expect(basics).toContain("AI provider address");
    expect(basics).not.toMatch(/LLM|chat\/completions|\/models|[A-Z]+_[A-Z_]+|Which need the tier measures|tokens/);
  });

  it("works from the keyboard: a connection test with Enter, Save with Enter in a field", async () => {
    const rt = runtime();
    const { page } = await open(rt);
    await page.focus("#in-TAVILY_API_KEY");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("test-tavily");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#test-result-tavily").innerText()).toBe("The web search key works.");
    await page.keyboard.press("Space");
    await expect.poll(() => page.locator("#test-result-tavily").getAttribute("data-tone")).toBe("ok");

    await page.focus("#in-LLM_BASE_URL");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#save-status").innerText()).toBe("Settings saved.");
    // Advanced opens from the keyboard too.
    await page.focus("#advanced summary");
    await page.keyboard.press("Enter");
    expect(await page.locator("#in-TAVILY_CONCURRENCY").isVisible()).toBe(true);
  });
});
