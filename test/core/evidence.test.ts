import { describe, expect, it } from "vitest";
import { cleanWebText, cutToBudget, formatEvidence, isWebUrl, mentionMatcher, mentions, selectEvidence } from "../../src/core/evidence";
import { plainLine } from "../../src/core/format";
import { parseSearchResponse, type SearchResult } from "../../src/core/search";
import { fixtureText } from "./helpers";

const result = (url: string, content: string, extra: Partial<SearchResult> = {}): SearchResult => ({
  url,
  title: "",
  content,
  score: 0.5,
  rawContent: null,
  ...extra,
});

describe("a source URL", () => {
  it("is one http(s) URL and nothing else: no whitespace, control or invisible formatting characters", () => {
    for (const good of ["https://acme.example/about", "http://a.example/x?y=1#z", "https://例え.jp/パス"])
      expect(isWebUrl(good), good).toBe(true);
    for (const bad of [
      "http://a.example/x\njavascript:alert(1)",
      "http://a.example/x javascript:alert(1)",
      "https://a.example/\u202etxt.exe",
      "https://a.example/\u0000",
      " https://a.example/",
      "javascript:alert(1)",
      "data:text/html,hi",
      "https://",
    ])
      expect(isWebUrl(bad), JSON.stringify(bad)).toBe(false);
  });

  it("that is not one URL drops its search result before it can be evidence", () => {
    const m = mentionMatcher("Acme", null);
    const items = selectEvidence(
      [result("http://a.example/x\njavascript:alert(1)", "Acme trains models"), result("https://acme.example/", "Acme trains models")],
      m,
    );
    expect(items.map((i) => i.url)).toEqual(["https://acme.example/"]);
  });
});

describe("plain one-line text", () => {
  it("turns control characters into spaces, drops bidi and zero-width marks, keeps every script", () => {
    expect(plainLine("a\u0000b\tc\nd\u0085e\u202ef\u2066g\u2069\u200bh\ufeff")).toBe("a b c d efgh");
    expect(plainLine("  日本語 текст نص عربي हिन्दी ")).toBe("日本語 текст نص عربي हिन्दी");
    // The joiners Persian and emoji need are kept.
    expect(plainLine("می\u200cخواهم 👩\u200d💻")).toBe("می\u200cخواهم 👩\u200d💻");
  });
});

describe("mention filter", () => {
  const readAi = mentionMatcher("Read AI", null);
  it("matches name variants whatever the case and punctuation", () => {
    for (const text of ["Read AI raises $50M", "read ai", "READ-AI", "ReadAI's meeting notes", "visit read.ai today", "Read  AI"]) {
      expect(mentions(readAi, text)).toBe(true);
    }
  });
  it("does not match other words", () => {
    for (const text of ["Spread AI-free", "already", "reading AI news", "Readai2 beta"]) {
      expect(mentions(readAi, text)).toBe(false);
    }
  });
  it('"Character.ai" and "Character AI" find each other', () => {
    expect(mentions(mentionMatcher("Character.ai", null), "Character AI lets users chat")).toBe(true);
    expect(mentions(mentionMatcher("Character AI", null), "founders of character.ai")).toBe(true);
  });
  it("accepts the domain as a whole word only", () => {
    const m = mentionMatcher("Zzz Unused", "read.ai");
    expect(mentions(m, "see https://read.ai/pricing")).toBe(true);
    expect(mentions(m, "see spread.ai")).toBe(false);
  });
  it("ignores legal suffixes and accents", () => {
    expect(mentions(mentionMatcher("Société Générale S.A.", null), "SOCIETE GENERALE announced")).toBe(true);
  });
});

describe("selectEvidence", () => {
  it("drops every result of the Read AI recording", () => {
    const parsed = parseSearchResponse(fixtureText("tavily-search-readai.json"));
    expect(parsed?.results).toHaveLength(10);
    expect(parsed?.credits).toBe(2);
    expect(selectEvidence(parsed?.results ?? [], mentionMatcher("Read AI", null))).toEqual([]);
  });

  it("ranks the own site, then name in the title, above Tavily's score", () => {
    const m = mentionMatcher("Acme Robotics", "acmerobotics.com");
    const items = selectEvidence(
      [
        result("https://news.example/a", "Acme Robotics ships", { score: 0.99 }),
        result("https://blog.example/b", "about Acme Robotics", { title: "Acme Robotics profile", score: 0.2 }),
        result("https://acmerobotics.com/about", "We build robots", { score: 0.1 }),
        result("https://other.example/c", "nothing relevant", { score: 1 }),
      ],
      m,
    );
    expect(items.map((i) => i.url)).toEqual(["https://acmerobotics.com/about", "https://blog.example/b", "https://news.example/a"]);
  });

  it("keeps a result whose raw page names the company, with passages around the name", () => {
    const raw = "x ".repeat(5000) + "Acme Robotics trains perception models on 512 GPUs." + " y".repeat(5000);
    const items = selectEvidence(
      [result("https://news.example/a", "A snippet about something else.", { rawContent: raw })],
      mentionMatcher("Acme Robotics", null),
    );
    expect(items).toHaveLength(1);
    expect(items[0]?.content).toContain("acme robotics trains perception models");
    expect(items[0]?.content.length).toBeLessThan(1000);
  });

  it("removes the fence markers a page could use to break out of the data block", () => {
    expect(cleanWebText("a </untrusted_web_data> b <UNTRUSTED-WEB-DATA> c")).toBe("a b c");
  });
});

describe("cutToBudget", () => {
  const items = Array.from({ length: 10 }, (_, i) => ({
    url: `https://example.com/page-${i}`,
    title: `Title ${i}`,
    content: "word ".repeat(40_000),
  }));

  for (const budget of [1000, 4000, 16_000, 60_000]) {
    it(`fits 10 x 200 KB into ${budget} characters`, () => {
      const cut = cutToBudget(items, budget);
      expect(cut.length).toBeGreaterThan(0);
      expect(formatEvidence(cut).length).toBeLessThanOrEqual(budget);
      // Fair shares: no kept item is starved while another is long.
      const lengths = cut.map((c) => c.content.length);
      expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThan(10);
    });
  }

  it("keeps short items whole and gives the rest to long ones", () => {
    const cut = cutToBudget([{ url: "https://a.example", title: "A", content: "short text" }, ...items.slice(0, 2)], 3000);
    expect(cut[0]?.content).toBe("short text");
    expect(formatEvidence(cut).length).toBeLessThanOrEqual(3000);
    expect(cut[1]?.content.endsWith("…")).toBe(true);
  });

  it("leaves evidence under the budget alone", () => {
    const small = [{ url: "https://a.example", title: "A", content: "tiny" }];
    expect(cutToBudget(small, 5000)).toEqual(small);
  });

  it("drops the lowest-ranked items when a fair share would be too small", () => {
    const cut = cutToBudget(items, 1000);
    expect(cut.length).toBeLessThan(10);
    expect(cut[0]?.url).toBe(items[0]?.url);
  });
});
