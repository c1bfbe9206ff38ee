import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ProviderRequest } from "../../src/local/providers";
import { loadRecordings } from "../../src/local/demo/recordings";
import { createReplayHandler } from "../../src/local/demo/replay";

const recordings = loadRecordings(fileURLToPath(new URL("../../examples/recordings", import.meta.url)));
const auth = { Authorization: "Bearer demo-key" };

function search(query: string, headers: Record<string, string> = auth): ProviderRequest {
  return {
    url: "https://api.tavily.com/search",
    method: "post",
    headers,
    payload: JSON.stringify({ query, search_depth: "advanced", max_results: 10, include_usage: true }),
    sentAt: 1_750_000_000_000,
  };
}

function chat(user: string, headers: Record<string, string> = auth): ProviderRequest {
  return {
    url: "https://api.crusoe.ai/v1/chat/completions",
    method: "post",
    headers,
    payload: JSON.stringify({
      model: "some/model",
      messages: [
        { role: "system", content: "Judge the company. Company: Not This One" },
        { role: "user", content: user },
      ],
    }),
    sentAt: 1_750_000_000_000,
  };
}

function body(reply: { body: string }): Record<string, unknown> {
  return JSON.parse(reply.body) as Record<string, unknown>;
}

describe("replay handler", () => {
  it("answers a search for a quoted company with its recording, echoing the query", () => {
    const handler = createReplayHandler(recordings);
    const reply = handler(search('"Mistral AI" GPU training whatever the wording'));
    expect(reply.status).toBe(200);
    const json = body(reply);
    expect(json.query).toBe('"Mistral AI" GPU training whatever the wording');
    expect(json.usage).toEqual({ credits: 2 });
    expect(JSON.stringify(json.results)).toContain("mistral.ai/news/mistral-compute");
    expect(reply.latencyMs).toBeGreaterThan(1000);
  });

  it("matches other spellings and an unquoted re-search", () => {
    const handler = createReplayHandler(recordings);
    expect(JSON.stringify(body(handler(search('"Character AI"'))).results)).toContain("research.character.ai");
    expect(JSON.stringify(body(handler(search("Together AI company"))).results)).toContain("together.ai");
  });

  it("gives an empty result for a company without a recording", () => {
    const handler = createReplayHandler(recordings, { newId: () => "id-1" });
    expect(body(handler(search('"Brightwater Plumbing" AI')))).toEqual({
      query: '"Brightwater Plumbing" AI',
      follow_up_questions: null,
      answer: null,
      images: [],
      results: [],
      response_time: 1.5,
      usage: { credits: 2 },
      request_id: "id-1",
    });
  });

  it("answers a chat call by the Company line of the user message, billing the prompt actually sent", () => {
    const handler = createReplayHandler(recordings);
    const user = "Company: Jasper\n\nSearch results:\n" + "x".repeat(3996);
    const reply = handler(chat(user));
    expect(reply.status).toBe(200);
    const json = body(reply) as { model: string; choices: { message: { content: string } }[]; usage: Record<string, number> };
    expect(json.model).toBe("some/model");
    expect(JSON.parse(json.choices[0]?.message.content ?? "")).toMatchObject({ use_case_class: "E", about_company: true });
    expect(json.usage.prompt_tokens).toBe(Math.ceil((user.length + "Judge the company. Company: Not This One".length) / 4));
    expect(json.usage.total_tokens).toBe((json.usage.prompt_tokens ?? 0) + (json.usage.completion_tokens ?? 0));
  });

  it("judges an unknown company as not about it", () => {
    const handler = createReplayHandler(recordings);
    const json = body(handler(chat("Company: Brightwater Plumbing\n..."))) as { choices: { message: { content: string } }[] };
    expect(JSON.parse(json.choices[0]?.message.content ?? "")).toMatchObject({
      about_company: false,
      use_case_class: "UNKNOWN",
      sources: [],
    });
  });

  it("refuses requests without a key, as the providers do", () => {
    const handler = createReplayHandler(recordings);
    expect(handler(search('"OpenAI"', {})).status).toBe(401);
    expect(handler(chat("Company: OpenAI", {})).status).toBe(401);
  });

  it("answers 404 for anything it has no recording for", () => {
    const handler = createReplayHandler(recordings);
    const reply = handler({ url: "https://api.crusoe.ai/v1/models", method: "get", headers: auth, sentAt: 0 });
    expect(reply.status).toBe(404);
  });
});
