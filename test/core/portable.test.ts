// The core must run in Apps Script's V8: no Node or browser API, only the language itself. Bundle it
// the way build.mjs does and run it in a bare context that has nothing but ECMAScript built-ins.
import { build } from "esbuild";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { applyResponse, nextStep, startCompany, type CompanyState } from "../../src/core/engine";
import { chat, fixtureText, options, reply, response } from "./helpers";

type Core = {
  startCompany: typeof startCompany;
  nextStep: typeof nextStep;
  applyResponse: typeof applyResponse;
};

async function bareCore(): Promise<Core> {
  const out = await build({
    stdin: {
      contents: 'export * from "./src/core/engine"; export * from "./src/core/connection";',
      resolveDir: process.cwd(),
      loader: "ts",
    },
    bundle: true,
    format: "iife",
    globalName: "Core",
    target: "es2020",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
  });
  const code = out.outputFiles[0]?.text ?? "";
  return runInNewContext(`${code}\nCore`, {}) as Core;
}

describe("portability", () => {
  it("researches a company inside a context without Node or browser globals", async () => {
    const core = await bareCore();
    const opts = options();
    let state = core.startCompany({ company: "Anthropic", domain: "anthropic.com" }, null, opts, 0);
    state = core.applyResponse(state, response(200, fixtureText("tavily-search-anthropic.json")), opts, 1).state;
    const step = core.nextStep(state);
    expect(step.kind === "fetch" && step.service).toBe("llm");
    state = core.applyResponse(state, chat(reply()), opts, 2).state;
    const done = core.nextStep(state);
    expect(done.kind === "finished" && done.outcome.kind).toBe("done");
  });
});

describe("CompanyState", () => {
  it("survives a JSON round trip at every step", () => {
    const opts = options();
    const roundTrip = (s: CompanyState) => JSON.parse(JSON.stringify(s)) as CompanyState;
    let state = roundTrip(startCompany({ company: "Read AI", domain: null }, null, opts, 0));
    const answers = [
      response(200, fixtureText("tavily-search-readai.json")),
      response(200, fixtureText("tavily-search-anthropic.json").replace(/Anthropic/g, "Read AI")),
      chat(reply()),
    ];
    for (const [i, answer] of answers.entries()) state = roundTrip(applyResponse(state, answer, opts, i + 1).state);
    const step = nextStep(state);
    expect(step.kind === "finished" && step.outcome.kind).toBe("done");
  });
});
