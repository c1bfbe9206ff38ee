// How the eval reads the add-on's requests and says what changed in a judging request.
import { describe, expect, it } from "vitest";
import { buildSearchRequest, searchQueries } from "../../src/core/search";
import { parseRequest, type CompletionKey } from "../../src/local/eval/recordings";
import { requestChange } from "../../src/local/eval/services";

describe("parseRequest", () => {
  it("reads the company and the domain from every query the engine sends", () => {
    const domains = searchQueries("gpu-infrastructure", "Read AI", "read.ai").map((query) => {
      const request = buildSearchRequest(query);
      const parsed = parseRequest(request.url, request.payload);
      expect(parsed).toMatchObject({ service: "tavily", company: { name: "Read AI" } });
      return parsed?.company.domain;
    });
    // The last query drops the domain: the eval gives it to the row of that name.
    expect(domains).toEqual(["read.ai", "read.ai", null]);
    const plain = buildSearchRequest(searchQueries("managed-inference", "Character.ai", null)[1] ?? "");
    expect(parseRequest(plain.url, plain.payload)).toMatchObject({ company: { name: "Character.ai", domain: null } });
  });
});

describe("requestChange", () => {
  const recorded: CompletionKey = {
    profile: "gpu-infrastructure",
    model: "m",
    request: "r1",
    system: "s1",
    user: "u1",
    evidence_urls: ["https://a.example/", "https://b.example/"],
  };

  it("tells a changed rule from changed evidence from another change", () => {
    expect(requestChange({ ...recorded, request: "r2", system: "s2" }, recorded)).toBe("the system prompt (the profile's rules) changed");
    expect(
      requestChange({ ...recorded, request: "r2", user: "u2", evidence_urls: ["https://a.example/", "https://c.example/"] }, recorded),
    ).toBe("the evidence changed: 2 results sent, 2 recorded (now also https://c.example/; no longer https://b.example/)");
    expect(requestChange({ ...recorded, request: "r2", user: "u2" }, recorded)).toBe(
      "the user message changed with the same evidence URLs (the evidence text or the Company/Domain lines)",
    );
    expect(requestChange({ ...recorded, request: "r2" }, recorded)).toBe(
      "the request's other fields changed (output cap, temperature or response format)",
    );
  });
});
