import { describe, expect, it } from "vitest";
import { createFakeLlm, createFakeTavily, createProviderRouter } from "../../src/local/providers";

describe("provider router", () => {
  it("routes by URL and answers 404 elsewhere", () => {
    const tavily = createFakeTavily({ apiKey: "t" });
    const llm = createFakeLlm({ apiKey: "l", baseUrl: "https://llm.example/v1/" });
    const route = createProviderRouter({
      tavily,
      llm,
      extra: [{ prefix: "https://extra.example/", handler: () => ({ status: 204, body: "", latencyMs: 1 }) }],
    });
    const get = (url: string, key: string) => route({ url, method: "get", headers: { Authorization: `Bearer ${key}` }, sentAt: 0 });
    expect(get("https://llm.example/v1/models", "l").status).toBe(200);
    expect(llm.requests).toBe(1);
    expect(get("https://api.tavily.com/usage", "t").status).toBe(200);
    expect(tavily.requests).toBe(1);
    expect(get("https://extra.example/x", "").status).toBe(204);
    expect(get("https://elsewhere.example/", "").status).toBe(404);
  });
});
