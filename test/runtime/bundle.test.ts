// The built dist/Code.js (`npm test` builds it first) as Apps Script sees it: plain top-level
// function declarations, evaluated with no runtime around them.
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { loadBuiltAddon } from "../../src/local/runtime";
import sentBefore from "../fixtures/reply-response-format.json";
import { companyRows, driveWithSidebar, ok, setup, statuses } from "../addon/harness";

const REQUIRED_GLOBALS = [
  "onOpen",
  "onInstall",
  "researchSelectedRows",
  "refreshSelectedRows",
  "retryFailedRows",
  "showSidebar",
  "showSettings",
  "cancelResearch",
  "runResearchWorker",
  "getResearchProgress",
  "TERRITORY_TIER",
];

describe("dist/Code.js", () => {
  const { code } = loadBuiltAddon();

  it("exposes every global Apps Script must see (menu, triggers, custom function) as a function in a bare vm context", () => {
    const context = vm.createContext({});
    vm.runInContext(code, context);
    const globals = context as Record<string, unknown>;
    for (const name of REQUIRED_GLOBALS) expect(typeof globals[name], name).toBe("function");
  });

  it("names the add-on's own functions in a stack trace, though its identifiers are minified", () => {
    const context = vm.createContext({});
    vm.runInContext(code, context);
    // With no Apps Script services around it, the first call to one throws from inside the add-on.
    let stack = "";
    try {
      vm.runInContext("getResearchProgress()", context);
    } catch (error) {
      stack = String((error as Error).stack);
    }
    const frames = stack.split("\n").filter((line) => /^\s+at /.test(line));
    expect(frames.slice(0, 3).map((line) => line.trim().split(" ")[1])).toEqual(["props", "loadRunState", "researchProgress"]);
  });

  it("stays under 250 KB, since every execution compiles all of it before running anything", () => {
    expect(Buffer.byteLength(code, "utf8")).toBeLessThanOrEqual(250_000);
  });

  it("sends the reply schema zod derives, written in by the build instead of zod's converter", () => {
    expect(code).not.toContain("toJSONSchema");
    const formats: unknown[] = [];
    const { rt } = setup({
      rows: companyRows(["Anthropic"]),
      llm: {
        malformed: ({ request }) => {
          formats.push((JSON.parse(request.payload ?? "{}") as { response_format?: unknown }).response_format);
          return null;
        },
      },
    });
    rt.spreadsheet.setSelection("Sheet1", ["A2"]);
    ok(rt.run("researchSelectedRows"));
    driveWithSidebar(rt);
    expect(statuses(rt)).toEqual(["Done"]);
    expect(formats).toEqual([sentBefore]);
  });

  it("keeps the @customfunction JSDoc directly above TERRITORY_TIER", () => {
    const match = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\n(?=function TERRITORY_TIER\()/.exec(code);
    expect(match, "JSDoc block right above function TERRITORY_TIER(").not.toBeNull();
    const doc = match?.[1] ?? "";
    expect(doc).toContain("@customfunction");
    expect(doc).toMatch(/@param\b/);
    expect(doc).toMatch(/@return\b/);
  });
});
