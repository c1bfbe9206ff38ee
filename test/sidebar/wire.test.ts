// The wire contract: the add-on's entry file implements every server function the pages call,
// with compatible arguments and results, and the built bundle exposes each as a global.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import type * as Main from "../../src/addon/main";
import { parseArgs, SERVER_RESULTS, type ServerApi } from "../../src/core/wire";
import { globalNames } from "./runtime-server";

describe("wire contract", () => {
  it("is implemented by the entry file (checked by the typecheck) and exposed by the bundle", () => {
    expectTypeOf<Pick<typeof Main, keyof ServerApi>>().toExtend<ServerApi>();
    const globals = globalNames(readFileSync(join(__dirname, "../../dist/Code.js"), "utf8"));
    for (const name of Object.keys(SERVER_RESULTS)) expect(globals).toContain(name);
  });

  it("refuses arguments a page should not send", () => {
    expect(parseArgs("selectRow", ["Sheet1", 4, "Acme"])).toEqual(["Sheet1", 4, "Acme"]);
    expect(() => parseArgs("selectRow", ["Sheet1", "4", "Acme"])).toThrow(/cannot use/);
    expect(parseArgs("clearCache", [null])).toEqual([null]);
    // clearCache may be called from the script editor by hand: its refusal says what it takes.
    for (const days of ["all", -1, 2.5]) expect(() => parseArgs("clearCache", [days])).toThrow(/whole number of days, 0 or more/);
    expect(parseArgs("clearCache", [undefined])).toEqual([undefined]);
    expect(() => parseArgs("removeKey", ["LLM_BASE_URL"])).toThrow(/cannot use/);
  });

  it("pages parse results with these schemas: a progress from another version is refused", () => {
    expect(SERVER_RESULTS.getResearchProgress.safeParse({ total: "many" }).success).toBe(false);
    expect(
      SERVER_RESULTS.getCacheStats.safeParse({ companies: 1, noData: 0, unjudged: 0, oldestAt: 0, cells: 0, cellLimit: 1 }).success,
    ).toBe(true);
  });
});
