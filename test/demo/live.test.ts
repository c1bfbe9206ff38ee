import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { maskSecrets } from "../../src/core/secrets";
import { Recorder, redirectUrl, tavilyRedirect } from "../../src/local/demo/live";
import { loadRecordings } from "../../src/local/demo/recordings";
import { loadState, saveState } from "../../src/local/demo/state";
import { writeFileAtomic } from "../../src/local/demo/files";

let dir = "";
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = "";
});

const search = (query: string) => ({
  url: "https://api.tavily.com/search",
  method: "post" as const,
  headers: { Authorization: "Bearer tvly-secret-123456" },
  payload: JSON.stringify({ query }),
  sentAt: 0,
});
const tavilyBody = (query: string, extra = "") =>
  JSON.stringify({
    query,
    follow_up_questions: null,
    answer: null,
    images: [],
    results: [{ url: "https://acme.example/", title: "Acme", content: `Acme ${extra}`, score: 0.9 }],
    response_time: 1.2,
    usage: { credits: 2 },
    request_id: "r1",
  });

describe("redirectUrl", () => {
  it("moves each provider's requests to its server, path kept, and leaves others alone", () => {
    const redirects = [tavilyRedirect("http://127.0.0.1:9000/"), { from: "https://api.crusoe.ai/v1", to: "http://127.0.0.1:9001/v1" }];
    expect(redirectUrl("https://api.tavily.com/search", redirects)).toBe("http://127.0.0.1:9000/search");
    expect(redirectUrl("https://api.crusoe.ai/v1/chat/completions", redirects)).toBe("http://127.0.0.1:9001/v1/chat/completions");
    expect(redirectUrl("https://api.crusoe.ai/v10/models", redirects)).toBe("https://api.crusoe.ai/v10/models");
    expect(redirectUrl("https://api.openai.com/v1/models", redirects)).toBe("https://api.openai.com/v1/models");
    expect(redirectUrl("https://api.tavily.com/search", [])).toBe("https://api.tavily.com/search");
  });
});

describe("Recorder", () => {
  it("saves successful exchanges per company in the recordings format, with echoed secrets blanked", () => {
    dir = mkdtempSync(join(tmpdir(), "tp-rec-"));
    const recorder = new Recorder(["tvly-secret-123456", "llm-secret-abcdef"]);
    recorder.add(search('"Acme Inc" GPU'), { status: 200, body: tavilyBody('"Acme Inc" GPU', "key tvly-secret-123456") });
    recorder.add(search('"Acme Inc" plain'), { status: 429, body: "{}" });
    recorder.add(
      {
        url: "https://llm.example/v1/chat/completions",
        method: "post",
        headers: {},
        payload: JSON.stringify({
          messages: [
            { role: "system", content: "rules" },
            { role: "user", content: "Company: Acme\nEvidence..." },
          ],
        }),
        sentAt: 0,
      },
      {
        status: 200,
        body: JSON.stringify({
          id: "c1",
          object: "chat.completion",
          created: 1,
          model: "m",
          choices: [{ index: 0, message: { role: "assistant", content: "{}" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      },
    );
    expect(recorder.save(dir, new Date(Date.UTC(2025, 6, 1)))).toEqual(["acme.json"]);
    const [recording] = loadRecordings(dir);
    expect(recording?.company).toBe("Acme Inc");
    expect(recording?._note).toBe("recorded from the live services by npm run demo --record on 2025-07-01");
    expect(recording?.searches).toHaveLength(1);
    expect(recording?.completions).toHaveLength(1);
    const text = readFileSync(join(dir, "acme.json"), "utf8");
    expect(text).not.toContain("tvly-secret-123456");
    // Masked as every other echo of a key is.
    expect(text).toContain(JSON.stringify(maskSecrets("key tvly-secret-123456", ["tvly-secret-123456"])).slice(1, -1));
  });
});

describe("state file", () => {
  it("round-trips the cache sheet and says when it cannot be read", () => {
    dir = mkdtempSync(join(tmpdir(), "tp-state-"));
    const path = join(dir, "x.state.json");
    expect(loadState(path)).toEqual({ kind: "none" });
    saveState(
      path,
      "offline",
      [
        ["key", "score"],
        ["acme", 87],
        ["b", undefined],
      ],
      new Date(0),
    );
    expect(loadState(path)).toEqual({
      kind: "ok",
      state: {
        version: 1,
        mode: "offline",
        savedAt: "1970-01-01T00:00:00.000Z",
        cacheSheet: [
          ["key", "score"],
          ["acme", 87],
          ["b", ""],
        ],
      },
    });
    writeFileAtomic(path, "{ half");
    expect(loadState(path)).toEqual({ kind: "unreadable", reason: "not JSON" });
    expect(readdirSync(dir)).toEqual(["x.state.json"]);
  });
});
