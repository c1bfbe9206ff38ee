import { describe, expect, it } from "vitest";
import { buildModelsRequest, buildTavilyTestRequest, describeConnectionTest, parseModelsResponse } from "../../src/core/connection";
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
  it("throws a user-facing message for errors and for bodies that are not a list", () => {
    expect(() => parseModelsResponse(response(401, { errors: ["invalid token"] }))).toThrow("LLM key rejected (401): invalid token");
    expect(() => parseModelsResponse(response(200, "<html>"))).toThrow(/check LLM base URL/);
    expect(() => parseModelsResponse(response(200, { models: [] }))).toThrow(/check LLM base URL/);
  });
  it("describes each outcome in one line without keys", () => {
    expect(describeConnectionTest("tavily", response(200, {}))).toEqual({ ok: true, message: "Tavily key works" });
    expect(describeConnectionTest("tavily", response(401, { detail: { error: `Invalid key ${TAVILY_KEY}` } }), [TAVILY_KEY])).toEqual({
      ok: false,
      message: `Tavily key rejected (401): Invalid key ••••${TAVILY_KEY.slice(-4)}`,
    });
    expect(describeConnectionTest("tavily", response(432, {})).message).toMatch(/plan limit/);
    expect(describeConnectionTest("llm", response(0, "DNS error")).message).toBe("Could not reach LLM: DNS error");
    expect(describeConnectionTest("llm", response(429, "")).message).toMatch(/rate limiting/);
    expect(describeConnectionTest("llm", response(500, "oops")).message).toBe("LLM test failed (HTTP 500): oops");
  });
});
