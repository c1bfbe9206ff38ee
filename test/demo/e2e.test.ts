// The demo as a user runs it on a CSV: offline against the sample recordings, in this process through
// the CLI's own entry function; live against fake Tavily and LLM servers on 127.0.0.1, as a real
// `node --import tsx src/local/demo.ts` process (the runtime's HTTP fetches block the process that
// sends them, so the servers must live in another). Every run works on copies in a temp folder so
// the repo is never written to.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../src/local/demo/csv";
import { loadRecordings } from "../../src/local/demo/recordings";
import { createReplayHandler } from "../../src/local/demo/replay";
import { runDemo } from "../../src/local/demo/run";

const root = fileURLToPath(new URL("../..", import.meta.url));
const sample = join(root, "examples", "companies.csv");
const TERMINAL = /^(Done|Done \(cached\)|No reliable data|Error: .+|Cancelled)$/s;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function demo(args: string[], env: Record<string, string> = {}): Promise<Run> {
  // Keys of the developer's own shell must not turn the offline tests into live runs.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !["TAVILY_API_KEY", "LLM_API_KEY", "LLM_BASE_URL", "LLM_MODEL", "PROFILE", "TAVILY_BASE_URL", "LLM_SERVER_URL"].includes(k),
    ),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/local/demo.ts", ...args],
      { cwd: root, env: { ...base, ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The CLI's entry function in this process, with an environment that holds no keys unless given. */
function demoHere(args: string[], env: Record<string, string> = {}): Run {
  let stdout = "";
  let stderr = "";
  const code = runDemo(args, {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    isTTY: false,
    columns: 120,
    env,
    cwd: root,
  });
  return { code, stdout, stderr };
}

let dir = "";
beforeAll(async () => {
  if (!existsSync(join(root, "dist", "Code.js"))) {
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ["build.mjs", "--quiet"], { cwd: root }, (e) => (e ? reject(e) : resolve())),
    );
  }
});
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = "";
});

function tempCopy(): { input: string; out: string; state: string } {
  dir = mkdtempSync(join(tmpdir(), "tp-demo-"));
  const input = join(dir, "companies.csv");
  copyFileSync(sample, input);
  return { input, out: join(dir, "out.csv"), state: join(dir, "out.state.json") };
}

function resultRows(path: string): Record<string, string>[] {
  const [header = [], ...rows] = parseCsv(readFileSync(path, "utf8")).rows;
  return rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i] ?? ""])));
}

describe("offline demo", () => {
  it("researches the sample file from the recordings, prints the table and writes the CSV", () => {
    const { input, out, state } = tempCopy();
    const run = demoHere([input, "--out", out]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toMatch(/^Offline demo: replaying the sample recordings/);
    expect(run.stdout).toContain("Requests: 10 searches, 10 LLM calls.");
    expect(run.stdout).toMatch(/Company\s+Tier\s+Score\s+Use Case\s+Status/);
    const rows = resultRows(out);
    expect(rows.map((r) => r.company_name)).toEqual(
      parseCsv(readFileSync(sample, "utf8"))
        .rows.slice(1)
        .map((r) => r[0]),
    );
    for (const row of rows) {
      expect(row.Status).toMatch(TERMINAL);
      expect(["HOT", "WARM", "WATCH", "COLD", "UNKNOWN"]).toContain(row.Tier);
    }
    expect(rows.filter((r) => r.Status === "Done")).toHaveLength(10);
    expect(rows.find((r) => r.company_name === "Jasper")?.Tier).toBe("WATCH");
    expect(rows.find((r) => r.company_name === "OpenAI")?.Sources?.split("\n")).toContain("https://en.wikipedia.org/wiki/OpenAI");
    expect(existsSync(state)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["companies.csv", "out.csv", "out.state.json"]);
  });

  it("answers a second run from the kept cache with no request, and --fresh starts over", () => {
    const { input, out } = tempCopy();
    expect(demoHere([input, "--out", out]).code).toBe(0);
    const second = demoHere([input, "--out", out]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Using the cache of earlier runs: 10 companies");
    expect(second.stdout).toContain("Requests: 0 searches, 0 LLM calls.");
    expect(resultRows(out).every((r) => r.Status === "Done (cached)")).toBe(true);
    const fresh = demoHere([input, "--out", out, "--fresh"]);
    expect(fresh.stdout).toContain("Requests: 10 searches, 10 LLM calls.");
  });

  it("writes <name>.result.csv beside the input by default, and ends a company without a recording in No reliable data", () => {
    dir = mkdtempSync(join(tmpdir(), "tp-demo-"));
    const input = join(dir, "leads.csv");
    writeFileSync(input, '\uFEFFId,Account,Notes\n1,OpenAI,"big, famous"\n2,Brightwater Plumbing Supplies,\n3,,empty row\n');
    const run = demoHere([input]);
    expect(run.code).toBe(0);
    const rows = resultRows(join(dir, "leads.result.csv"));
    expect(rows.map((r) => [r.Account, r.Tier, r.Status])).toEqual([
      ["OpenAI", "HOT", "Done"],
      ["Brightwater Plumbing Supplies", "UNKNOWN", "No reliable data"],
      ["", "", ""],
    ]);
    expect(rows[0]?.Notes).toBe("big, famous");
    expect(readFileSync(join(dir, "leads.result.csv"), "utf8").startsWith("\uFEFFId,Account,Notes,Tier")).toBe(true);
    expect(existsSync(join(dir, "leads.state.json"))).toBe(true);
  });
});

describe("errors", () => {
  const cases: [string, (d: string) => string[], RegExp, number][] = [
    ["a missing file", (d) => [join(d, "nope.csv")], /nope\.csv does not exist\. Pass the path of a CSV file/, 1],
    ["an empty file", (d) => [write(d, "empty.csv", "")], /empty\.csv is empty\. Put a header row/, 1],
    [
      "a header without companies",
      (d) => [write(d, "header.csv", "Company,Website\n,acme.com\n")],
      /has no company names under "Company"\. Add one company per row/,
      1,
    ],
    [
      "an unclosed quote",
      (d) => [write(d, "bad.csv", 'Company\nAcme\n"Broken,\n')],
      /bad\.csv is not a readable CSV: a quoted field that starts on line 3 is never closed/,
      1,
    ],
    [
      "a spreadsheet that is not CSV",
      (d) => [write(d, "book.csv", "PK\u0003\u0004\u0000\u0000binary")],
      /book\.csv is not a readable CSV: it holds binary data/,
      1,
    ],
    ["an unknown option", (d) => [write(d, "ok.csv", "Company\nAcme\n"), "--ouput", "x.csv"], /Unknown option '--ouput'.*--help/, 2],
    [
      "--record without keys",
      (d) => [write(d, "ok.csv", "Company\nAcme\n"), "--record", join(d, "rec")],
      /--record needs a live run: set TAVILY_API_KEY and LLM_API_KEY/,
      2,
    ],
  ];

  function write(d: string, name: string, content: string): string {
    writeFileSync(join(d, name), content);
    return join(d, name);
  }

  it.each(cases)("%s: one line saying what to do, non-zero exit, nothing written", (_name, args, message, code) => {
    dir = mkdtempSync(join(tmpdir(), "tp-demo-"));
    const run = demoHere(args(dir).concat(["--out", join(dir, "out.csv")]));
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    // Neither the result, the state nor a temp file of either.
    expect(readdirSync(dir).filter((f) => f.startsWith("out") || f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("live demo against fake servers", () => {
  const TAVILY_KEY = "tvly-test-0123456789abcdef";
  const LLM_KEY = "llm-test-fedcba9876543210";
  const replay = createReplayHandler(loadRecordings(join(root, "examples", "recordings")));
  let tavily: Server;
  let llm: Server;
  let tavilyUrl = "";
  let llmUrl = "";
  const seen: { service: "tavily" | "llm"; auth: string | undefined }[] = [];
  let rejectTavily = false;

  /** Answers over HTTP what the replay handler answers in process, at the providers' real paths. */
  function serve(service: "tavily" | "llm"): Server {
    return createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        seen.push({ service, auth: req.headers.authorization });
        if (service === "tavily" && rejectTavily) {
          res
            .writeHead(401, { "content-type": "application/json" })
            .end(JSON.stringify({ detail: { error: "Unauthorized: missing or invalid API key." } }));
          return;
        }
        const url = service === "tavily" ? `https://api.tavily.com${req.url ?? ""}` : `http://127.0.0.1${req.url ?? ""}`;
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const reply = replay({ url, method: req.method === "POST" ? "post" : "get", headers, payload: body, sentAt: Date.now() });
        res.writeHead(reply.status, reply.headers ?? {}).end(reply.body);
      });
    });
  }

  async function listen(server: Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    tavily = serve("tavily");
    llm = serve("llm");
    tavilyUrl = await listen(tavily);
    llmUrl = (await listen(llm)) + "/v1";
  });
  afterAll(() => {
    tavily.close();
    llm.close();
  });

  // The add-on keeps its https base URL; the demo sends what goes there to the local server instead.
  const liveEnv = () => ({
    TAVILY_API_KEY: TAVILY_KEY,
    LLM_API_KEY: LLM_KEY,
    TAVILY_BASE_URL: tavilyUrl,
    LLM_SERVER_URL: llmUrl,
    LLM_MODEL: "test/model-1",
  });

  it("calls the services with the keys, ignores an offline cache, records the exchanges without the keys, and a second run is cached", async () => {
    const { input, out } = tempCopy();
    expect(demoHere([input, "--out", out]).code).toBe(0);
    seen.length = 0;
    rejectTavily = false;
    const rec = join(dir, "recordings");
    const run = await demo([input, "--out", out, "--record", rec], liveEnv());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(`Live run: calling Tavily (${tavilyUrl}) and the LLM at ${llmUrl} (model test/model-1).`);
    expect(run.stdout).toContain("it holds offline results, this is a live run");
    expect(run.stdout).toContain("Requests: 10 searches, 10 LLM calls.");
    expect(seen.filter((s) => s.service === "tavily").map((s) => s.auth)).toEqual(Array(10).fill(`Bearer ${TAVILY_KEY}`));
    expect(seen.filter((s) => s.service === "llm").map((s) => s.auth)).toEqual(Array(10).fill(`Bearer ${LLM_KEY}`));
    expect(resultRows(out).every((r) => r.Status === "Done")).toBe(true);

    const recordings = loadRecordings(rec);
    expect(recordings).toHaveLength(10);
    for (const r of recordings) {
      expect(r._note).toMatch(/^recorded from the live services/);
      expect(r.searches).toHaveLength(1);
      expect(r.completions).toHaveLength(1);
    }
    for (const file of [...readdirSync(rec).map((f) => join(rec, f)), out, join(dir, "out.state.json")]) {
      const text = readFileSync(file, "utf8");
      expect(text).not.toContain(TAVILY_KEY);
      expect(text).not.toContain(LLM_KEY);
    }
    expect(run.stdout).not.toContain(TAVILY_KEY);

    seen.length = 0;
    const second = await demo([input, "--out", out], liveEnv());
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Requests: 0 searches, 0 LLM calls.");
    expect(seen).toHaveLength(0);
  });

  it("stops with what to do when the Tavily key is rejected, writing nothing", async () => {
    const { input, out, state } = tempCopy();
    rejectTavily = true;
    const run = await demo([input, "--out", out], liveEnv());
    rejectTavily = false;
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/the run paused: Tavily API key rejected\. Check TAVILY_API_KEY/);
    expect(run.stderr).not.toContain(TAVILY_KEY);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(state)).toBe(false);
  });
});
