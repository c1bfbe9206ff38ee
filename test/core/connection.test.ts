import { describe, expect, it } from "vitest";
import {
  buildModelsRequest,
  buildTavilyTestRequest,
  ConnectionProblem,
  describeConnectionTest,
  parseModelsResponse,
} from "../../src/core/connection";
import type { HttpResponse } from "../../src/core/types";
import { LLM_KEY, makeSettings, response, TAVILY_KEY } from "./helpers";

describe("test connection", () => {
  it("checks the Tavily key with GET /usage, which spends no credit", () => {
    expect(buildTavilyTestRequest()).toEqual({ url: "https://api.tavily.com/usage", method: "get", headers: {}, auth: "tavily" });
  });
  it("lists models at <base>/models", () => {
    const request = buildModelsRequest(makeSettings({ LLM_BASE_URL: "https://api.together.xyz/v1/" }));
    expect(request).toEqual({ url: "https://api.together.xyz/v1/models", method: "get", headers: {}, auth: "llm" });
    // The request is data that can be logged: no key in it.
    expect(JSON.stringify(request)).not.toContain(LLM_KEY);
  });
  it("parses the OpenAI list shape, sorted and without duplicates", () => {
    const models = parseModelsResponse(response(200, { object: "list", data: [{ id: "b-model" }, { id: "a-model" }, { id: "b-model" }] }));
    expect(models).toEqual(["a-model", "b-model"]);
  });
  it("parses Together's bare array too", () => {
    expect(
      parseModelsResponse(
        response(200, [
          { id: "z-model", object: "model" },
          { id: "m-model", object: "model" },
        ]),
      ),
    ).toEqual(["m-model", "z-model"]);
  });
  it("throws a user-facing message for errors and for bodies that are not a list, with the technical detail apart", () => {
    const problem = (res: HttpResponse): ConnectionProblem => {
      try {
        parseModelsResponse(res);
      } catch (error) {
        if (error instanceof ConnectionProblem) return error;
        throw error;
      }
      throw new Error("parseModelsResponse accepted an error");
    };
    const refused = problem(response(401, { errors: ["invalid token"] }));
    expect(refused.message).toBe("The AI service refused this key: paste it again, copied whole.");
    expect(refused.detail).toBe("LLM answered HTTP 401: invalid token");
    expect(problem(response(200, "<html>")).message).toMatch(/did not answer with a list of models: check the address/);
    expect(problem(response(200, { models: [] })).detail).toBe("GET /models: the answer has no model ids");
  });
  it("words each outcome for a sales rep, the HTTP status only in the detail, without keys", () => {
    expect(describeConnectionTest("tavily", response(200, {}))).toEqual({ ok: true, message: "The web search key works.", detail: "" });
    expect(describeConnectionTest("tavily", response(401, { detail: { error: `Invalid key ${TAVILY_KEY}` } }), [TAVILY_KEY])).toEqual({
      ok: false,
      message: "The web search service refused this key: paste it again, copied whole.",
      detail: `Tavily answered HTTP 401: Invalid key ••••${TAVILY_KEY.slice(-4)}`,
    });
    expect(describeConnectionTest("tavily", response(432, {})).message).toMatch(/plan is used up/);
    expect(describeConnectionTest("llm", response(0, "DNS error"))).toEqual({
      ok: false,
      message: "Could not reach the AI service: try again in a minute.",
      detail: "LLM: DNS error",
    });
    expect(describeConnectionTest("llm", response(429, "")).message).toMatch(/busy with this key/);
    expect(describeConnectionTest("llm", response(500, "oops")).detail).toBe("LLM answered HTTP 500: oops");
    for (const status of [0, 401, 403, 404, 429, 432, 500]) {
      for (const service of ["tavily", "llm"] as const) {
        expect(describeConnectionTest(service, response(status, "x")).message).not.toMatch(/\d{3}|LLM|Tavily/);
      }
    }
  });
});
