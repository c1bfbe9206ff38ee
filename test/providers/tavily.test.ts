import { describe, expect, it } from "vitest";
import { createFakeTavily, type TavilySearchResponse } from "../../src/local/providers";

const KEY = "tvly-test-key";
const search = (body: Record<string, unknown>, sentAt = 0, key = KEY) => ({
  url: "https://api.tavily.com/search",
  method: "post" as const,
  headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
  payload: JSON.stringify(body),
  sentAt,
});
const advanced = (company: string, sentAt = 0) =>
  search({ query: `"${company}" GPU training inference`, search_depth: "advanced", max_results: 10, include_usage: true }, sentAt);

describe("fake Tavily", () => {
  it("answers in Tavily's response shape with generated pages that mention the company", () => {
    const tavily = createFakeTavily({ apiKey: KEY });
    const reply = tavily.handle(advanced("Acme Robotics"));
    expect(reply.status).toBe(200);
    expect(reply.latencyMs).toBe(3000);
    const body = JSON.parse(reply.body) as TavilySearchResponse;
    expect(Object.keys(body).sort()).toEqual([
      "answer",
      "follow_up_questions",
      "images",
      "query",
      "request_id",
      "response_time",
      "results",
      "usage",
    ]);
    expect(body.usage).toEqual({ credits: 2 });
    expect(body.results.length).toBe(8);
    const mentioning = body.results.filter((r) => r.content.includes("Acme Robotics"));
    expect(mentioning.length).toBe(6);
    expect(body.results.every((r) => typeof r.score === "number" && r.raw_content === null)).toBe(true);
    expect(tavily.byCompany).toEqual({ "Acme Robotics": 1 });
    expect(tavily.creditsServed).toBe(2);
    // Deterministic.
    expect(
      createFakeTavily({ apiKey: KEY })
        .handle(advanced("Acme Robotics"))
        .body.replace(/"request_id":"[^"]+"/, ""),
    ).toBe(reply.body.replace(/"request_id":"[^"]+"/, ""));
  });

  it("charges 1 credit and 1.5 s for basic depth, honours max_results and raw content", () => {
    const tavily = createFakeTavily({ apiKey: KEY });
    const reply = tavily.handle(search({ query: '"Acme"', max_results: 3, include_raw_content: true, include_usage: true }));
    const body = JSON.parse(reply.body) as TavilySearchResponse;
    expect(reply.latencyMs).toBe(1500);
    expect(body.usage?.credits).toBe(1);
    expect(body.results.length).toBe(3);
    expect((body.results[0]?.raw_content ?? "").length).toBeGreaterThan(10_000);
  });

  it("serves knowledge pages, empty or unrelated results", () => {
    const tavily = createFakeTavily({
      apiKey: KEY,
      knowledge: { "Read AI": { pages: [{ url: "https://read.ai/", title: "Read AI", content: "Read AI makes meeting notes." }] } },
      coverage: (c) => (c === "Nobody" ? "empty" : "unrelated"),
    });
    const known = JSON.parse(tavily.handle(advanced("read ai")).body) as TavilySearchResponse;
    expect(known.results.map((r) => r.url)).toEqual(["https://read.ai/"]);
    const none = JSON.parse(tavily.handle(advanced("Nobody")).body) as TavilySearchResponse;
    expect(none.results).toEqual([]);
    const unrelated = JSON.parse(tavily.handle(advanced("Zyxw")).body) as TavilySearchResponse;
    expect(unrelated.results.length).toBeGreaterThan(0);
    expect(unrelated.results.some((r) => r.content.includes("Zyxw"))).toBe(false);
  });

  it("rejects a wrong key with 401 and a Tavily-like body", () => {
    const tavily = createFakeTavily({ apiKey: KEY });
    const reply = tavily.handle(search({ query: '"Acme"' }, 0, "wrong"));
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.body)).toEqual({ detail: { error: "Unauthorized: missing or invalid API key." } });
  });

  it("answers 429 with Retry-After above the rate limit", () => {
    const tavily = createFakeTavily({ apiKey: KEY, rpm: 2 });
    expect(tavily.handle(advanced("A", 0)).status).toBe(200);
    expect(tavily.handle(advanced("B", 1000)).status).toBe(200);
    const limited = tavily.handle(advanced("C", 2000));
    expect(limited.status).toBe(429);
    expect(limited.headers?.["Retry-After"]).toBe("58");
    expect(tavily.handle(advanced("C", 60_000)).status).toBe(200);
    expect(tavily.byStatus).toEqual({ 200: 3, 429: 1 });
  });

  it("answers 432 past the plan's credits, or when told the account is out of credit, billing nothing for it", () => {
    const tavily = createFakeTavily({ apiKey: KEY, planCredits: 3 });
    expect(tavily.handle(advanced("A")).status).toBe(200);
    expect(tavily.handle(advanced("B")).status).toBe(432);
    expect(tavily.creditsServed).toBe(2);
    const broke = createFakeTavily({ apiKey: KEY, faults: () => ({ kind: "outOfCredit" }) }).handle(advanced("A"));
    expect(broke.status).toBe(432);
    expect(JSON.parse(broke.body)).toEqual({ detail: { error: expect.stringContaining("exceeds your plan's set usage limit") } });
  });

  it("tells a company's first query from a re-search with another query, among billed searches", () => {
    const tavily = createFakeTavily({ apiKey: KEY, faults: ({ requestIndex }) => (requestIndex === 2 ? 503 : null) });
    const search = (query: string) => tavily.handle({ ...advanced("A"), payload: JSON.stringify({ query, search_depth: "advanced" }) });
    expect(
      [search('"Acme" GPU'), search('"Acme" GPU'), search('"Acme" GPU'), search('"Acme" acme.com'), search('"Globex" GPU')].map(
        (r) => r.status,
      ),
    ).toEqual([200, 503, 200, 200, 200]);
    // The repeat of Acme's first query was billed again: three first-query searches for two companies.
    expect(tavily.searchesByQuery).toEqual({ first: 3, research: 1 });
  });

  it("injects seeded faults and resets its counters", () => {
    const statuses = () => {
      const tavily = createFakeTavily({ apiKey: KEY, faults: { rate: 0.5, seed: 3 } });
      return Array.from({ length: 40 }, (_, i) => tavily.handle(advanced(`C${i}`)).status);
    };
    const first = statuses();
    expect(statuses()).toEqual(first);
    expect(first.filter((s) => s !== 200).length).toBeGreaterThan(10);
    const faulty = createFakeTavily({ apiKey: KEY, faults: () => 503 });
    expect(faulty.handle(advanced("A")).status).toBe(503);
    faulty.reset();
    expect(faulty.requests).toBe(0);
  });

  it("rejects bad bodies and unknown paths", () => {
    const tavily = createFakeTavily({ apiKey: KEY });
    expect(tavily.handle({ ...advanced("A"), payload: "{" }).status).toBe(400);
    expect(tavily.handle({ ...advanced("A"), url: "https://api.tavily.com/nope" }).status).toBe(404);
  });
});
