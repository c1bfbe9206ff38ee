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

/**
 * The CLI's entry function in this process, with an environment that holds no keys unless given.
 * `ask`: the user at a terminal, answering each question; without it standard input is not a terminal.
 */
function demoHere(args: string[], env: Record<string, string> = {}, ask?: (question: string) => string): Run {
  let stdout = "";
  let stderr = "";
  const code = runDemo(args, {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    isTTY: false,
    columns: 120,
    env,
    cwd: root,
    ...(ask ? { ask: (question: string) => ask(stdout + question) } : {}),
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

  it("writes <name>.result.csv beside the input by default, and lists a company without a recording as such, unresearched and free", () => {
    dir = mkdtempSync(join(tmpdir(), "tp-demo-"));
    const input = join(dir, "leads.csv");
    writeFileSync(input, '\uFEFFId,Account,Notes\n1,OpenAI,"big, famous"\n2,Brightwater Plumbing Supplies,\n3,,empty row\n');
    const run = demoHere([input]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const rows = resultRows(join(dir, "leads.result.csv"));
    // The add-on never saw the unrecorded row: no fake "No reliable data", no pretend searches.
    expect(rows.map((r) => [r.Account, r.Tier, r.Status])).toEqual([
      ["OpenAI", "HOT", "Done"],
      ["Brightwater Plumbing Supplies", "", ""],
      ["", "", ""],
    ]);
    expect(rows[0]?.Notes).toBe("big, famous");
    expect(run.stdout).toMatch(/Brightwater Plumbing Su…\s+Not in recordings/);
    // Below the table, wrapped to the terminal's width.
    expect(run.stdout.replace(/\n {2}/g, " ")).toContain(
      "1 not in the offline recordings; set keys for a live run (TAVILY_API_KEY, LLM_API_KEY); not researched, $0: Brightwater Plumbing Supplies.",
    );
    expect(run.stdout).toContain(
      "1 researched, 0 from the cache, 0 without reliable data, 0 failed, 1 not in the offline recordings ($0).",
    );
    expect(run.stdout).toContain("Requests: 1 search, 1 LLM call.");
    // What OpenAI alone costs: the unrecorded company added nothing.
    const alone = demoHere([write(dir, "openai.csv", "Account\nOpenAI\n"), "--out", join(dir, "alone.csv")]);
    const cost = (text: string) => /Cost (\$[\d.]+)/.exec(text)?.[1];
    expect(cost(run.stdout)).toBe(cost(alone.stdout));
    expect(readFileSync(join(dir, "leads.result.csv"), "utf8").startsWith("\uFEFFId,Account,Notes,Tier")).toBe(true);
    expect(existsSync(join(dir, "leads.state.json"))).toBe(true);
  });

  it("stops at once when no company of the file has a recording", () => {
    dir = mkdtempSync(join(tmpdir(), "tp-demo-"));
    const run = demoHere([write(dir, "mine.csv", "Company\nAcme Robotics\nBrightwater Plumbing\n"), "--out", join(dir, "out.csv")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "Error: none of the 2 companies in mine.csv is in the offline recordings; set TAVILY_API_KEY and LLM_API_KEY for a live run (npm run demo alone replays the sample).\n".replace(
        "mine.csv",
        join(dir, "mine.csv"),
      ),
    );
    expect(run.stdout).not.toContain("Queued");
    expect(readdirSync(dir)).toEqual(["mine.csv"]);
  });

  it("exits 3 when rows failed, with their whole messages and what to do in a closing line", () => {
    dir = mkdtempSync(join(tmpdir(), "tp-demo-"));
    const input = write(dir, "list.csv", "Company\nOpenAI\n???\nJasper\n");
    const run = demoHere([input, "--out", join(dir, "out.csv")]);
    expect(run.code).toBe(3);
    // The table cuts the Status; the message follows in full.
    expect(run.stdout).toMatch(/\?\?\?\s+Error: the company na…/);
    expect(run.stdout).toContain(
      "1 row failed:\n  row 3, ???: the company name has no letters or digits; correct the company name in the file\n",
    );
    const closing = run.stderr.trim().split("\n");
    expect(closing).toEqual([
      "Failed: 1 of 3 companies (messages above). Fix what a message asks for, or run the same command again to retry them: the 2 finished come from the cache at no cost.",
    ]);
    // The result is written all the same, and the run again is answered from the cache.
    expect(resultRows(join(dir, "out.csv")).map((r) => r.Status)).toEqual([
      "Done",
      "Error: the company name has no letters or digits; correct the company name in the row",
      "Done",
    ]);
    const again = demoHere([input, "--out", join(dir, "out.csv")]);
    expect(again.code).toBe(3);
    expect(again.stdout).toContain("Requests: 0 searches, 0 LLM calls.");
  });

  it("reads a semicolon-separated export from European Excel and writes the result the same way", () => {
    dir = mkdtempSync(join(tmpdir(), "tp-demo-"));
    const input = write(
      dir,
      "konten.csv",
      '\uFEFFNr;Company;Umsatz (Mio. €);Notiz\r\n1;Mistral AI;"1,5";"Paris; KI-Labor, sehr groß"\r\n2;Cohere;0,4;\r\n',
    );
    const run = demoHere([input, "--out", join(dir, "out.csv")]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("as semicolon-separated columns; the result is written the same way.");
    const parsed = parseCsv(readFileSync(join(dir, "out.csv"), "utf8"));
    expect(parsed.separator).toBe(";");
    expect(parsed.rows.map((r) => [r[1], r[2], r[3], r[4]])).toEqual([
      ["Company", "Umsatz (Mio. €)", "Notiz", "Tier"],
      ["Mistral AI", "1,5", "Paris; KI-Labor, sehr groß", "HOT"],
      ["Cohere", "0,4", "", "HOT"],
    ]);
  });

  it("reads the add-on's own Status column, not the user's column of the same name", () => {
    dir = mkdtempSync(join(tmpdir(), "tp-demo-"));
    const run = demoHere([write(dir, "crm.csv", "Company,Status\nOpenAI,Customer\nJasper,Lead\n"), "--out", join(dir, "out.csv")]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Jasper\s+WATCH\s+50 .* Done /);
    expect(resultRows(join(dir, "out.csv")).map((r) => [r.Status, r["Status (Territory Planner)"]])).toEqual([
      ["Customer", "Done"],
      ["Lead", "Done"],
    ]);
  });

  it("honours JOB_BUDGET_USD from the environment, keeping what was paid for when the budget stops the run", () => {
    const { input, out, state } = tempCopy();
    const stopped = demoHere([input, "--out", out], { JOB_BUDGET_USD: "0.03" });
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toBe(
      "Error: the run paused: budget reached. Raise JOB_BUDGET_USD (or unset it) in your environment and run again. " +
        `What was paid for is kept in ${state} and is not paid for again.\n`,
    );
    expect(existsSync(out)).toBe(false);
    const paid = /cost \$([\d.]+)\n$/.exec(stopped.stdout)?.[1];
    expect(Number(paid)).toBeGreaterThan(0);
    expect(Number(paid)).toBeLessThan(0.03 + 0.02);
    const resumed = demoHere([input, "--out", out]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/Using the cache of earlier runs: [1-9]/);
    // Together the two runs searched each company once.
    const searches = (text: string) => Number(/Requests: (\d+) search/.exec(text)?.[1]);
    expect(searches(resumed.stdout)).toBeLessThan(10);
  });

  it("refuses a JOB_BUDGET_USD the add-on would refuse, before anything starts", () => {
    dir = mkdtempSync(join(tmpdir(), "tp-demo-"));
    const run = demoHere([write(dir, "ok.csv", "Company\nOpenAI\n"), "--out", join(dir, "out.csv")], { JOB_BUDGET_USD: "ten dollars" });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'Error: JOB_BUDGET_USD must be blank (no budget) or a positive number (got "ten dollars"). Fix it in your environment and run again.\n',
    );
    expect(readdirSync(dir)).toEqual(["ok.csv"]);
  });
});

function write(d: string, name: string, content: string): string {
  writeFileSync(join(d, name), content);
  return join(d, name);
}

describe("help", () => {
  it("--help and the README's demo section name the same options and environment settings", () => {
    const help = demoHere(["--help"]);
    expect(help.code).toBe(0);
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("`npm run demo` runs the built add-on"), readme.indexOf("Other scripts:"));
    const named = (text: string) => [...new Set(text.match(/(?<![\w-])(--?[a-z]+)\b|\b[A-Z][A-Z_]{4,}\b/g))].sort();
    const inHelp = named(help.stdout);
    expect(inHelp).toEqual(
      expect.arrayContaining(["--fresh", "--out", "--record", "--yes", "-y", "CONFIRM_ABOVE_USD", "JOB_BUDGET_USD", "TAVILY_API_KEY"]),
    );
    expect(named(section).filter((n) => n !== "--help")).toEqual(inHelp);
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
    const run = await demo([input, "--out", out, "--record", rec, "--yes"], liveEnv());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(`Live run: calling Tavily (${tavilyUrl}) and the LLM at ${llmUrl} (model test/model-1).`);
    expect(run.stdout).toContain("Estimate: 10 companies in 10 rows; 0 answered by the cache at no cost, 10 to research");
    // What the run cost stays within the maximum the estimate announced.
    const [, expected, maximum] = /Expected cost \$([\d.]+); at most \$([\d.]+)/.exec(run.stdout) ?? [];
    const cost = Number(/Cost \$([\d.]+)/.exec(run.stdout)?.[1]);
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeLessThanOrEqual(Number(maximum));
    expect(Number(maximum)).toBeGreaterThan(Number(expected));
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

    // Answered by the cache, the second run costs nothing: it goes ahead without asking.
    seen.length = 0;
    const second = await demo([input, "--out", out], liveEnv());
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Estimate: 10 companies in 10 rows; 10 answered by the cache at no cost, 0 to research");
    expect(second.stdout).toContain("Requests: 0 searches, 0 LLM calls.");
    expect(seen).toHaveLength(0);
  });

  it("asks before it spends: with standard input not a terminal and no --yes it refuses, and nothing is sent", async () => {
    const { input, out } = tempCopy();
    seen.length = 0;
    const run = await demo([input, "--out", out], liveEnv());
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/Expected cost \$[\d.]+; at most \$[\d.]+/);
    expect(run.stderr).toMatch(
      /^Error: this live run may spend up to \$[\d.]+ and asks first, but standard input is not a terminal\. Run it again with --yes/,
    );
    expect(run.stdout).not.toContain("Queued");
    expect(seen).toHaveLength(0);
    expect(readdirSync(dir)).toEqual(["companies.csv"]);
  });

  it("stops with what to do when the Tavily key is rejected, writing nothing", async () => {
    const { input, out, state } = tempCopy();
    rejectTavily = true;
    const run = await demo([input, "--out", out, "--yes"], liveEnv());
    rejectTavily = false;
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/the run paused: Tavily API key rejected\. Check TAVILY_API_KEY/);
    expect(run.stderr).not.toContain(TAVILY_KEY);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(state)).toBe(false);
  });
});

describe("live demo whose providers cannot be reached", () => {
  // A port nobody listens on: every request fails at once, so the run is live without servers.
  let closedUrl = "";
  beforeAll(async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const env = (extra: Record<string, string> = {}) => ({
    TAVILY_API_KEY: "tvly-test-0123456789abcdef",
    LLM_API_KEY: "llm-test-fedcba9876543210",
    TAVILY_BASE_URL: closedUrl,
    LLM_SERVER_URL: `${closedUrl}/v1`,
    ...extra,
  });

  it("prints the estimate, asks, and on yes researches: every row failing exits 3 with the whole messages in the terminal's words", () => {
    const { input, out } = tempCopy();
    const asked: string[] = [];
    const run = demoHere([input, "--out", out], env({ JOB_BUDGET_USD: "5" }), (shown) => {
      asked.push(shown);
      return "y";
    });
    expect(asked).toHaveLength(1);
    // The question comes after the estimate, and names the maximum.
    expect(asked[0]).toMatch(
      /Estimate: 10 companies in 10 rows; 0 answered by the cache at no cost, 10 to research .*\nExpected cost \$[\d.]+; at most (\$[\d.]+) .*\nBudget \$5\.0000 \(JOB_BUDGET_USD\): the run stops when it has spent it\.\nSpend up to \1 on this run\? \[y\/N\] $/s,
    );
    expect(run.code).toBe(3);
    const rows = resultRows(out);
    expect(rows.every((r) => r.Status?.startsWith("Error: could not reach the web search service three times"))).toBe(true);
    expect(run.stdout).toContain("10 rows failed:\n  row 2, OpenAI: could not reach the web search service three times (");
    for (const row of rows)
      expect(run.stdout.replace(/\n {6}/g, " ")).toContain(
        `${row.company_name}: ${row.Status?.slice("Error: ".length).replace("; try again later with Retry failed rows", "")}\n`,
      );
    // The terminal has no Retry failed rows button: the closing line says what to do instead.
    expect(`${run.stdout}${run.stderr}`).not.toContain("Retry failed rows");
    expect(run.stderr).toBe(
      "Failed: 10 of 10 companies (messages above). Fix what a message asks for, or run the same command again to retry them.\n",
    );
  });

  it("on no, stops before anything is queued or written", () => {
    const { input, out } = tempCopy();
    const run = demoHere([input, "--out", out], env(), () => "n");
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split("\n").at(-1)).toBe("Nothing was researched and nothing was spent.");
    expect(run.stdout).not.toContain("Queued");
    expect(readdirSync(dir)).toEqual(["companies.csv"]);
  });

  it("asks only above CONFIRM_ABOVE_USD from the environment, and never when it is blank", () => {
    const never = () => {
      throw new Error("asked");
    };
    for (const threshold of ["100", ""]) {
      const { input, out } = tempCopy();
      const run = demoHere([input, "--out", out], env({ CONFIRM_ABOVE_USD: threshold }), never);
      expect(run.code).toBe(3);
      expect(run.stdout).toContain("Queued 10 row(s) for research.");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
