// Whose keys go where: the allowlist, deployer keys and several users of one spreadsheet.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalRuntime, loadBuiltAddon } from "../../src/local/runtime";
import { createFakeLlm, createFakeTavily, createProviderRouter, type ProviderRequest } from "../../src/local/providers";
import { companyRows, driveWithSidebar, LLM_KEY, ok, setup, statuses, TAVILY_KEY } from "./harness";

interface Saved {
  ok: boolean;
  errors: Record<string, string>;
  message: string;
}

/** Every request the providers saw, with the key it carried. */
function recordRequests(h: ReturnType<typeof setup>): { url: string; auth: string }[] {
  const seen: { url: string; auth: string }[] = [];
  const router = createProviderRouter({ tavily: h.tavily, llm: h.llm });
  h.rt.setFetchMode({
    kind: "handler",
    handler: (request: ProviderRequest) => {
      seen.push({ url: request.url, auth: request.headers["Authorization"] ?? "" });
      return router(request);
    },
  });
  return seen;
}

describe("the allowlist", () => {
  it("runs end to end with an allowed provider other than Crusoe (Together)", () => {
    const base = "https://api.together.xyz/v1";
    const h = setup({ rows: companyRows(["Cohere", "Runway", "Anthropic"]), llm: { baseUrl: base }, settings: { LLM_BASE_URL: base } });
    const seen = recordRequests(h);
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
    ok(h.rt.run("researchSelectedRows"));
    driveWithSidebar(h.rt);
    expect(statuses(h.rt)).toEqual(["Done", "Done", "Done"]);
    expect(h.llm.requests).toBe(3);
    expect(seen.filter((r) => r.url.startsWith(base + "/chat/completions"))).toHaveLength(3);
  });

  it("refuses a base URL outside the manifest before anything is saved or paid, and says how to add it", () => {
    const h = setup({ rows: companyRows([]) });
    for (const url of [
      "https://llm.example-provider.com/v1",
      "http://api.openai.com/v1",
      "https://me:secret@api.openai.com/v1",
      "https://10.0.0.7/v1",
      "https://localhost/v1",
    ]) {
      const saved = ok(h.rt.run("saveSettings", [{ LLM_BASE_URL: url }], { kind: "sidebar" })) as Saved;
      expect(saved.ok, url).toBe(false);
      expect(saved.errors["LLM_BASE_URL"], url).toBeTruthy();
      expect(JSON.stringify(saved)).not.toContain("secret");
      const test = ok(h.rt.run("testConnection", ["llm", { LLM_BASE_URL: url }], { kind: "sidebar" })) as { ok: boolean; message: string };
      expect(test.ok).toBe(false);
      const models = ok(h.rt.run("listModels", [{ LLM_BASE_URL: url }], { kind: "sidebar" })) as { ok: boolean };
      expect(models.ok).toBe(false);
    }
    const outside = ok(h.rt.run("saveSettings", [{ LLM_BASE_URL: "https://llm.example-provider.com/v1" }], { kind: "sidebar" })) as Saved;
    expect(outside.errors["LLM_BASE_URL"]).toContain("https://api.openai.com/");
    expect(outside.errors["LLM_BASE_URL"]).toMatch(/urlFetchWhitelist in appsscript\.json.*npm run push/);
    expect(h.rt.userProperties.getProperty("LLM_BASE_URL")).toBeNull();
    expect(h.rt.stats.urlFetch.requests).toBe(0);
  });
});

describe("deployer keys", () => {
  const DEPLOYER_TAVILY = "tvly-deployer-5555-abcd";
  const DEPLOYER_LLM = "llm-deployer-6666-wxyz";

  function deployment() {
    const h = setup({ rows: companyRows(["Cohere", "Runway"]), tavily: { apiKey: DEPLOYER_TAVILY }, llm: { apiKey: DEPLOYER_LLM } });
    // Nobody has keys of their own: the deployer set them as script properties.
    h.rt.userProperties.deleteProperty("TAVILY_API_KEY");
    h.rt.userProperties.deleteProperty("LLM_API_KEY");
    h.rt.scriptProperties.setProperties({ TAVILY_API_KEY: DEPLOYER_TAVILY, LLM_API_KEY: DEPLOYER_LLM });
    return h;
  }

  it("serve the deployment's own base URL, for runs and Test connection", () => {
    const h = deployment();
    const seen = recordRequests(h);
    expect((ok(h.rt.run("testConnection", ["llm"], { kind: "sidebar" })) as { ok: boolean }).ok).toBe(true);
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(h.rt.run("researchSelectedRows"));
    driveWithSidebar(h.rt);
    expect(statuses(h.rt)).toEqual(["Done", "Done"]);
    expect(seen.some((r) => r.auth === `Bearer ${DEPLOYER_LLM}`)).toBe(true);
  });

  it("never go to a base URL a user typed, saved or not: Test connection, the model list and runs", () => {
    const h = deployment();
    const seen = recordRequests(h);
    const typed = { LLM_BASE_URL: "https://api.openai.com/v1" };
    const test = ok(h.rt.run("testConnection", ["llm", typed], { kind: "sidebar", user: "bob@example.com" })) as {
      ok: boolean;
      message: string;
    };
    expect(test.ok).toBe(false);
    expect(test.message).toMatch(/only sent to its own provider \(https:\/\/api\.crusoe\.ai\/v1\).*your own AI key/);
    expect((ok(h.rt.run("listModels", [typed], { kind: "sidebar", user: "bob@example.com" })) as { ok: boolean }).ok).toBe(false);
    const saved = ok(h.rt.run("saveSettings", [typed], { kind: "sidebar", user: "bob@example.com" })) as Saved;
    expect(saved.ok).toBe(true);
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    const queued = ok(h.rt.run("researchSelectedRows", [], { user: "bob@example.com" })) as { ok: boolean; message: string };
    expect(queued.ok).toBe(false);
    expect(queued.message).toMatch(/Add your AI key in Settings first/);
    for (const request of seen) {
      if (request.auth === `Bearer ${DEPLOYER_LLM}`) expect(request.url.startsWith("https://api.crusoe.ai/v1/")).toBe(true);
    }
    expect(seen.filter((r) => r.url.startsWith("https://api.openai.com/"))).toEqual([]);
    // Bob's own key goes where Bob points it.
    const withKey = ok(
      h.rt.run("testConnection", ["llm", { ...typed, LLM_API_KEY: "sk-bob-7777-own" }], { kind: "sidebar", user: "bob@example.com" }),
    ) as { ok: boolean };
    expect(withKey.ok).toBe(false);
    expect(seen.filter((r) => r.url.startsWith("https://api.openai.com/")).map((r) => r.auth)).toEqual(["Bearer sk-bob-7777-own"]);
  });
});

describe("npm run push", () => {
  const out = mkdtempSync(join(tmpdir(), "tp-push-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  function build(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ["build.mjs", "--for-push", "--quiet", "--out", out],
        { env: { ...process.env, ...env } },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
      );
    });
  }

  it("adds LLM_BASE_URL's prefix to the manifest and to the list the bundle checks", async () => {
    const base = "https://llm.example-provider.com/v1";
    const result = await build({ LLM_BASE_URL: base + "/" });
    expect(result.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "appsscript.json"), "utf8")) as { urlFetchWhitelist: string[] };
    expect(manifest.urlFetchWhitelist).toContain(base + "/");
    expect(manifest.urlFetchWhitelist).toContain("https://api.tavily.com/");

    const tavily = createFakeTavily({ apiKey: TAVILY_KEY });
    const llm = createFakeLlm({ apiKey: LLM_KEY, baseUrl: base });
    const rt = new LocalRuntime({ ...loadBuiltAddon(out), fetch: { kind: "handler", handler: createProviderRouter({ tavily, llm }) } });
    rt.userProperties.setProperties({ TAVILY_API_KEY: TAVILY_KEY, LLM_API_KEY: LLM_KEY });
    const saved = ok(rt.run("saveSettings", [{ LLM_BASE_URL: base }], { kind: "sidebar" })) as Saved;
    expect(saved.errors).toEqual({});
    (rt.spreadsheet.getSheetByName("Sheet1") ?? rt.spreadsheet.insertSheet("Sheet1")).load(companyRows(["Cohere"]));
    rt.spreadsheet.setSelection("Sheet1", ["A2"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(["Done"]);
    expect(llm.requests).toBe(1);
  });

  it("refuses an http or credentialed LLM_BASE_URL and builds nothing to push", async () => {
    for (const url of ["http://llm.example-provider.com/v1", "https://me:hunter2@llm.example-provider.com/v1"]) {
      const result = await build({ LLM_BASE_URL: url });
      expect(result.code, url).not.toBe(0);
      expect(result.stderr).toMatch(/LLM_BASE_URL .*Nothing was pushed/);
      expect(result.stderr).not.toContain("hunter2");
    }
  });
});
