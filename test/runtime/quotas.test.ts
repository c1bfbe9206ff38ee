import { describe, expect, it } from "vitest";
import { LocalRuntime, loadBuiltAddon, type FetchHandler } from "../../src/local/runtime";

const DAY_MS = 24 * 60 * 60_000;

function recordingHandler(): { handler: FetchHandler; urls: string[] } {
  const urls: string[] = [];
  return { urls, handler: (r) => (urls.push(r.url), { status: 200, body: "ok", latencyMs: 100 }) };
}

const FETCHING = `
  function fetchMany(n) {
    const requests = [];
    for (let i = 0; i < n; i++) requests.push({ url: "https://api.tavily.com/search?i=" + i, muteHttpExceptions: true });
    return UrlFetchApp.fetchAll(requests).length;
  }
  function fetchOne(url) { return UrlFetchApp.fetch(url || "https://api.tavily.com/usage").getResponseCode(); }`;

describe("daily quotas", () => {
  it("has Google's consumer and Workspace levels", () => {
    const consumer = new LocalRuntime({ code: "" }).quotaUsage();
    expect(consumer.urlFetches.limit).toBe(20_000);
    expect(consumer.propertyCalls.limit).toBe(50_000);
    expect(consumer.triggerRuntimeMs.limit).toBe(90 * 60_000);
    const workspace = new LocalRuntime({ code: "", account: "workspace" }).quotaUsage();
    expect(workspace.urlFetches.limit).toBe(100_000);
    expect(workspace.triggerRuntimeMs.limit).toBe(6 * 60 * 60_000);
  });

  it("counts every request of a fetchAll, refuses what does not fit without sending it, and resets 24 hours after the first request", () => {
    const { handler, urls } = recordingHandler();
    const rt = new LocalRuntime({ code: FETCHING, fetch: { kind: "handler", handler }, quotas: { urlFetches: 5 } });
    const first = rt.clock.now();
    expect(rt.run("fetchMany", [3]).value).toBe(3);
    expect(rt.run("fetchMany", [3]).error).toBe("Service invoked too many times for one day: urlfetch.");
    expect(urls).toHaveLength(3);
    expect(rt.run("fetchOne").value).toBe(200);
    expect(rt.run("fetchOne").value).toBe(200);
    expect(rt.run("fetchOne").error).toBe("Service invoked too many times for one day: urlfetch.");
    expect(urls).toHaveLength(5);
    expect(rt.quotaUsage().urlFetches).toEqual({ used: 5, limit: 5, resetsAt: first + DAY_MS });
    // Quotas are per user: a colleague still has theirs.
    expect(rt.run("fetchOne", [], { user: "bob@example.com" }).value).toBe(200);
    rt.clock.advanceTo(first + DAY_MS - 1);
    expect(rt.run("fetchOne").error).toBe("Service invoked too many times for one day: urlfetch.");
    rt.clock.advanceTo(first + DAY_MS);
    expect(rt.run("fetchMany", [5]).value).toBe(5);
  });

  it("counts property reads and writes of every store against the user's daily quota", () => {
    const rt = new LocalRuntime({
      code: `
        function touch() {
          PropertiesService.getUserProperties().setProperty("a", "1");
          PropertiesService.getScriptProperties().getProperty("b");
          return PropertiesService.getDocumentProperties().getKeys().length;
        }`,
      quotas: { propertyCalls: 4 },
    });
    const first = rt.clock.now();
    expect(rt.run("touch").error).toBeNull();
    const second = rt.run("touch");
    expect(second.error).toBe("Service invoked too many times for one day: properties.");
    // The first call of the second run fitted; the second did not.
    expect(second.stats.propertyWrites).toBe(1);
    expect(rt.stats.propertyReads).toBe(2);
    rt.clock.advanceTo(first + DAY_MS);
    expect(rt.run("touch").error).toBeNull();
  });

  it("stops trigger executions when the creator's daily trigger runtime is spent, and leaves other executions alone", () => {
    const rt = new LocalRuntime({
      code: `function work(minutes) { for (let i = 0; i < minutes; i++) Utilities.sleep(60000); return "done"; }`,
      quotas: { triggerRuntimeMs: 10 * 60_000 },
    });
    const first = rt.clock.now();
    expect(rt.run("work", [4], { kind: "trigger" }).value).toBe("done");
    expect(rt.run("work", [4], { kind: "trigger" }).value).toBe("done");
    const third = rt.run("work", [4], { kind: "trigger" });
    expect(third).toMatchObject({ killed: true, error: "Service using too much computer time for one day." });
    expect(third.elapsedMs).toBe(2 * 60_000);
    const fourth = rt.run("work", [1], { kind: "trigger" });
    expect(fourth).toMatchObject({ error: "Service using too much computer time for one day.", elapsedMs: 0 });
    expect(rt.run("work", [4], { kind: "menu" }).value).toBe("done");
    expect(rt.run("work", [4], { kind: "trigger", user: "bob@example.com" }).value).toBe("done");
    rt.clock.advanceTo(first + DAY_MS);
    expect(rt.run("work", [4], { kind: "trigger" }).value).toBe("done");
  });
});

describe("Utilities.sleep", () => {
  it("sleeps at most 300,000 ms", () => {
    const rt = new LocalRuntime({ code: `function nap(ms) { Utilities.sleep(ms); return "woke"; }` });
    const start = rt.clock.now();
    expect(rt.run("nap", [300_000]).value).toBe("woke");
    expect(rt.clock.now()).toBe(start + 300_000);
    const tooLong = rt.run("nap", [300_001]);
    expect(tooLong.error).toBe("Invalid argument: milliseconds");
    expect(tooLong.elapsedMs).toBe(0);
  });
});

describe("the manifest's urlFetchWhitelist", () => {
  const whitelist = ["https://api.tavily.com/", "https://*.example.com/v1/"];

  it("refuses a URL that matches no prefix, with Google's text and nothing sent", () => {
    const { handler, urls } = recordingHandler();
    const rt = new LocalRuntime({
      code: `${FETCHING}
        function mixed() { return UrlFetchApp.fetchAll(["https://api.tavily.com/search", "https://api.openai.com/v1/models"]).length; }`,
      fetch: { kind: "handler", handler },
      urlFetchWhitelist: whitelist,
    });
    expect(rt.run("fetchOne", ["https://api.tavily.com/search"]).value).toBe(200);
    expect(rt.run("fetchOne", ["https://eu.example.com/v1/models"]).value).toBe(200);
    expect(rt.run("fetchOne", ["https://api.openai.com/v1/chat/completions?key=secret"]).error).toBe(
      "Request to https://api.openai.com/v1/chat/completions? failed because the URL has not been whitelisted in the script manifest.",
    );
    // A prefix is a prefix: another path, another scheme or a look-alike host is refused.
    for (const url of [
      "https://eu.example.com/v2/models",
      "http://api.tavily.com/search",
      "https://example.com.evil.io/v1/x",
      "https://example.com/v1/",
    ]) {
      expect(rt.run("fetchOne", [url]).error).toContain("has not been whitelisted in the script manifest");
    }
    expect(rt.run("mixed").error).toContain("Request to https://api.openai.com/v1/models failed");
    expect(urls).toEqual(["https://api.tavily.com/search", "https://eu.example.com/v1/models"]);
  });

  it("is off without a whitelist, and the built add-on's runtime enforces its manifest", () => {
    const { handler } = recordingHandler();
    const open = new LocalRuntime({ code: FETCHING, fetch: { kind: "handler", handler } });
    expect(open.run("fetchOne", ["http://127.0.0.1:8080/v1/models"]).value).toBe(200);
    const built = loadBuiltAddon();
    expect(built.urlFetchWhitelist).toContain("https://api.tavily.com/");
    const shipped = new LocalRuntime({ ...built, code: FETCHING, fetch: { kind: "handler", handler } });
    expect(shipped.run("fetchOne", ["https://api.tavily.com/search"]).value).toBe(200);
    expect(shipped.run("fetchOne", ["https://unlisted.example.net/v1/models"]).error).toBe(
      "Request to https://unlisted.example.net/v1/models failed because the URL has not been whitelisted in the script manifest.",
    );
  });
});
