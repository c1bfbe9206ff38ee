import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalRuntime, type FetchHandler } from "../../src/local/runtime";

const latencyFromUrl: FetchHandler = (request) => {
  const ms = Number(new URL(request.url).searchParams.get("ms") ?? "100");
  const status = Number(new URL(request.url).searchParams.get("status") ?? "200");
  return { status, headers: { "X-Sent-At": String(request.sentAt) }, body: `{"ok":${status < 400}}`, latencyMs: ms };
};

describe("UrlFetchApp with in-process handlers", () => {
  it("throws for a code >= 400 unless muteHttpExceptions is set", () => {
    const rt = new LocalRuntime({
      code: `
        function loud() { UrlFetchApp.fetch("https://api.tavily.com/search"); }
        function muted() {
          const res = UrlFetchApp.fetch("https://api.tavily.com/search", { muteHttpExceptions: true });
          return [res.getResponseCode(), res.getContentText()];
        }`,
    });
    expect(rt.run("loud").error).toBe(
      "Request failed for https://api.tavily.com returned code 404. Truncated server response: Not Found (use muteHttpExceptions option to examine full response)",
    );
    expect(rt.run("muted").value).toEqual([404, "Not Found"]);
    expect(rt.stats.urlFetch).toEqual({ fetch: 2, fetchAll: 0, requests: 2, byHost: { "api.tavily.com": 2 } });
  });

  it("charges a fetchAll the latency of its slowest request, all sent at the same instant", () => {
    const rt = new LocalRuntime({
      code: `
        function wave() {
          const responses = UrlFetchApp.fetchAll([1000, 2000, 3000].map((ms) => ({
            url: "https://llm.example/v1?ms=" + ms, method: "post", payload: "{}", contentType: "application/json",
            muteHttpExceptions: true,
          })));
          return responses.map((r) => r.getHeaders()["X-Sent-At"]);
        }`,
      fetch: { kind: "handler", handler: latencyFromUrl },
    });
    const start = rt.clock.now();
    const result = rt.run("wave");
    expect(result.value).toEqual([String(start), String(start), String(start)]);
    expect(result.elapsedMs).toBe(3000);
    expect(rt.stats.urlFetch).toMatchObject({ fetch: 0, fetchAll: 1, requests: 3 });
  });

  it("passes the request to the handler with its headers and JSON payload", () => {
    const seen: unknown[] = [];
    const rt = new LocalRuntime({
      code: `function post() {
        UrlFetchApp.fetch("https://api.tavily.com/search", { method: "POST", contentType: "application/json",
          headers: { Authorization: "Bearer k" }, payload: JSON.stringify({ q: 1 }) });
      }`,
      fetch: {
        kind: "handler",
        handler: (request) => {
          seen.push(request);
          return { status: 200, body: "{}", latencyMs: 10 };
        },
      },
    });
    rt.run("post");
    expect(seen).toEqual([
      {
        url: "https://api.tavily.com/search",
        method: "post",
        headers: { Authorization: "Bearer k", "Content-Type": "application/json" },
        payload: '{"q":1}',
        sentAt: rt.clock.now() - 10,
      },
    ]);
  });

  it("fails a whole fetchAll for one unmuted error, and sends a wave that outlives the deadline", () => {
    const rt = new LocalRuntime({
      code: `
        function mixed() {
          UrlFetchApp.fetchAll([{ url: "https://a.example/?status=200" }, { url: "https://b.example/?status=500" }]);
        }
        function late() {
          try { UrlFetchApp.fetchAll([{ url: "https://a.example/?ms=400000" }, { url: "https://b.example/?ms=10" }]); }
          catch (e) { Logger.log("never used the responses"); }
          return "done";
        }`,
      fetch: { kind: "handler", handler: latencyFromUrl },
    });
    expect(rt.run("mixed").error).toMatch(/^Request failed for https:\/\/b\.example returned code 500\./);
    rt.stats.reset();
    const result = rt.run("late");
    expect(result).toMatchObject({ killed: true, elapsedMs: 360_000, value: undefined });
    expect(rt.stats.urlFetch.requests).toBe(2);
  });
});

// The server runs in its own process: the runtime's real-HTTP mode blocks this one while it waits.
const SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => setTimeout(() => {
    res.writeHead(req.url.includes("fail") ? 429 : 200, { "Content-Type": "application/json", "Retry-After": "3" });
    res.end(JSON.stringify({ path: req.url, method: req.method, auth: req.headers.authorization || null, body }));
  }, 1000));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

describe("UrlFetchApp over real HTTP", () => {
  let server: ChildProcess;
  let base = "";

  beforeAll(async () => {
    server = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
    const [chunk] = (await once(server.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
    base = `http://127.0.0.1:${chunk.toString().trim()}`;
  });

  afterAll(() => {
    server.kill();
  });

  it("runs a fetchAll of 3 requests in parallel and adds the real time to the clock", () => {
    const rt = new LocalRuntime({
      code: `
        function wave(base) {
          const responses = UrlFetchApp.fetchAll(["/a", "/b", "/fail"].map((p) => ({
            url: base + p, method: "post", headers: { Authorization: "Bearer t" }, payload: "{}",
            contentType: "application/json", muteHttpExceptions: true,
          })));
          return responses.map((r) => [r.getResponseCode(), JSON.parse(r.getContentText()), r.getHeaders()["retry-after"]]);
        }
        function loud(base) { UrlFetchApp.fetch(base + "/fail"); }`,
      fetch: { kind: "http" },
    });
    const started = Date.now();
    const result = rt.run("wave", [base]);
    const realMs = Date.now() - started;
    expect(result.error).toBeNull();
    expect(result.value).toEqual([
      [200, { path: "/a", method: "POST", auth: "Bearer t", body: "{}" }, "3"],
      [200, { path: "/b", method: "POST", auth: "Bearer t", body: "{}" }, "3"],
      [429, { path: "/fail", method: "POST", auth: "Bearer t", body: "{}" }, "3"],
    ]);
    // Three 1-second answers in parallel: well under the 3 seconds they would take one after another.
    expect(result.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(result.elapsedMs).toBeLessThan(2500);
    expect(realMs).toBeLessThan(3000 + 2000);
    expect(rt.run("loud", [base]).error).toMatch(/^Request failed for http:\/\/127\.0\.0\.1:\d+ returned code 429\./);
  });
});
