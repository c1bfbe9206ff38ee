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
// Requests under /wave/ are held until three of them are in, then answered together: only requests
// sent in parallel can all be answered (one at a time, the first would wait out the 5 s fallback).
const SERVER = `
const http = require("node:http");
const held = [];
const answer = (req, res, body, status) => {
  res.writeHead(status, { "Content-Type": "application/json", "Retry-After": "3" });
  res.end(JSON.stringify({ path: req.url, method: req.method, auth: req.headers.authorization || null, body, together: held.length }));
};
const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    const status = req.url.includes("fail") ? 429 : 200;
    if (!req.url.startsWith("/wave/")) return answer(req, res, body, status);
    held.push(() => answer(req, res, body, status));
    if (held.length === 3) held.forEach((send) => send());
    else setTimeout(() => res.headersSent || (res.writeHead(504), res.end("{}")), 5000);
  });
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

  it("sends a fetchAll's requests in parallel, with no assumption about how long the real network takes", () => {
    const rt = new LocalRuntime({
      code: `
        function wave(base) {
          const responses = UrlFetchApp.fetchAll(["/wave/a", "/wave/b", "/wave/fail"].map((p) => ({
            url: base + p, method: "post", headers: { Authorization: "Bearer t" }, payload: "{}",
            contentType: "application/json", muteHttpExceptions: true,
          })));
          return responses.map((r) => [r.getResponseCode(), JSON.parse(r.getContentText()), r.getHeaders()["retry-after"]]);
        }
        function loud(base) { UrlFetchApp.fetch(base + "/fail"); }`,
      fetch: { kind: "http" },
    });
    const result = rt.run("wave", [base]);
    expect(result.error).toBeNull();
    // All three were held by the server until the third arrived: they were in flight together.
    expect(result.value).toEqual([
      [200, { path: "/wave/a", method: "POST", auth: "Bearer t", body: "{}", together: 3 }, "3"],
      [200, { path: "/wave/b", method: "POST", auth: "Bearer t", body: "{}", together: 3 }, "3"],
      [429, { path: "/wave/fail", method: "POST", auth: "Bearer t", body: "{}", together: 3 }, "3"],
    ]);
    expect(rt.run("loud", [base]).error).toMatch(/^Request failed for http:\/\/127\.0\.0\.1:\d+ returned code 429\./);
  });
});
