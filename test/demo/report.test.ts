import { describe, expect, it } from "vitest";
import {
  failureLines,
  ProgressPrinter,
  progressLine,
  renderTable,
  shortSources,
  shorten,
  terminalMessage,
  terminalText,
  wrap,
} from "../../src/local/demo/report";

const progress = { total: 10, done: 3, cached: 1, noData: 1, failed: 0, cancelled: 0, costUsd: 0.0826, running: true, etaSeconds: 75 };

describe("progress", () => {
  it("shows done/total, cost and ETA", () => {
    expect(progressLine(progress, 10)).toBe("[#####-----] 5/10  cost $0.0826  ETA 1m15s");
    expect(progressLine({ ...progress, running: false, done: 8 }, 10)).toBe("[##########] 10/10  cost $0.0826");
  });

  it("rewrites one line on a terminal and prints one line per change elsewhere", () => {
    const tty: string[] = [];
    const printer = new ProgressPrinter((t) => tty.push(t), true);
    printer.update(progress);
    printer.update(progress);
    printer.update({ ...progress, done: 8, running: false });
    printer.end();
    expect(tty).toHaveLength(3);
    expect(tty[0]?.startsWith("\r[")).toBe(true);
    expect(tty[2]).toBe("\n");

    const log: string[] = [];
    const plain = new ProgressPrinter((t) => log.push(t), false);
    plain.update(progress);
    plain.update({ ...progress, done: 8, running: false });
    plain.end();
    expect(log.every((line) => line.endsWith("\n") && !line.includes("\r"))).toBe(true);
    expect(log).toHaveLength(2);
  });
});

describe("table", () => {
  it("removes control characters from web text before it reaches the terminal", () => {
    expect(terminalText("Evil\u001b[2J\u001b]0;title\u0007 text\nnext\u009b")).toBe("Evil [2J ]0;title text next");
  });

  it("shortens with an ellipsis", () => {
    expect(shorten("abcdef", 4)).toBe("abc…");
    expect(shorten("abc", 4)).toBe("abc");
  });

  it("shows the first source's host and how many more", () => {
    expect(shortSources("https://www.example.com/a\nhttps://b.example/x\nhttps://c.example/")).toBe("example.com +2");
    expect(shortSources("")).toBe("");
  });

  it("fits rationale to the width and aligns scores", () => {
    const table = renderTable(
      [
        {
          company: "OpenAI",
          tier: "HOT",
          score: "100",
          useCase: "Frontier",
          status: "Done",
          rationale: "x".repeat(300),
          sources: "openai.com +3",
        },
        { company: "Acme", tier: "UNKNOWN", score: "", useCase: "", status: "No reliable data", rationale: "", sources: "" },
      ],
      100,
    );
    const lines = table.split("\n");
    expect(lines[0]).toMatch(/^Company\s+Tier\s+Score\s+Use Case\s+Status\s+Rationale\s+Sources$/);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(lines[2]).toContain("  100  ");
    expect(lines[2]).toContain("…");
  });
});

describe("failed rows", () => {
  it("says a row's error in the terminal's terms: no menu item, no Settings dialog to point at", () => {
    expect(
      terminalMessage(
        "Error: could not reach the web search service three times; try again later with Retry failed rows (Address unavailable: https://api.tavily.com/search)",
      ),
    ).toBe("could not reach the web search service three times (Address unavailable: https://api.tavily.com/search)");
    expect(
      terminalMessage(
        "Error: the AI model refused a setting it needs; choose another model in Settings (reasoning_effort refused, HTTP 400)",
      ),
    ).toBe("the AI model refused a setting it needs; set LLM_MODEL to another model (reasoning_effort refused, HTTP 400)");
    expect(terminalMessage("Error: the company name has no letters or digits; correct the company name in the row")).toBe(
      "the company name has no letters or digits; correct the company name in the file",
    );
  });

  it("lists every failed row with its whole message, wrapped to the terminal's width", () => {
    const message =
      "Error: could not reach the web search service three times; try again later with Retry failed rows (Address unavailable: https://api.tavily.com/search)";
    const lines = failureLines(
      [
        { row: 2, company: "OpenAI", status: message },
        { row: 7, company: "???", status: "Error: the company name has no letters or digits; correct the company name in the row" },
      ],
      60,
    );
    expect(lines[0]).toBe("2 rows failed:");
    expect(lines.every((l) => l.length <= 60)).toBe(true);
    expect(lines.slice(1).join(" ").replace(/\s+/g, " ").trim()).toBe(
      "row 2, OpenAI: could not reach the web search service three times (Address unavailable: https://api.tavily.com/search) " +
        "row 7, ???: the company name has no letters or digits; correct the company name in the file",
    );
    expect(lines[1]?.startsWith("  row 2, OpenAI:")).toBe(true);
    expect(lines[2]?.startsWith("      ")).toBe(true);
  });

  it("wraps at word boundaries and keeps a word longer than the line whole", () => {
    expect(wrap("aaa bbb ccc", 7, "", "  ")).toEqual(["aaa bbb", "  ccc"]);
    expect(wrap("x https://a.example/very/long/path y", 10, "- ", "  ")).toEqual(["- x", "  https://a.example/very/long/path", "  y"]);
  });
});
