import { describe, expect, it } from "vitest";
import manifest from "../../appsscript.json";
import { baseUrlProblem, maskUrlCredentials, prefixProblem, urlAllowed } from "../../src/core/allowlist";
import { maskSecret, mergeRawSettings, validateSettings, withheldDeployerKeyUrl, type RawSettings } from "../../src/core/settings";

const SHIPPED = manifest.urlFetchWhitelist;

function validate(user: RawSettings, script: RawSettings = {}, allowlist: readonly string[] = SHIPPED) {
  return validateSettings(mergeRawSettings(user, script), allowlist);
}

describe("urlFetchWhitelist matching, as Google documents it", () => {
  it("matches the prefix itself and its children, not a longer sibling or another case", () => {
    const prefixes = ["https://example.com/foo"];
    for (const url of [
      "https://example.com/foo",
      "https://example.com/foo/",
      "https://example.com/foo/bar",
      "https://example.com/foo?bar",
      "https://example.com/foo#bar",
    ]) {
      expect(urlAllowed(url, prefixes), url).toBe(true);
    }
    for (const url of [
      "https://example.com/foobar",
      "https://example.com/Foo",
      "https://example.com/",
      "http://example.com/foo",
      "https://other.com/foo",
      "https://sub.example.com/foo",
    ]) {
      expect(urlAllowed(url, prefixes), url).toBe(false);
    }
  });

  it("compares hosts without case, and a *. prefix admits subdomains only", () => {
    expect(urlAllowed("https://API.Example.com/v1/models", ["https://api.example.com/"])).toBe(true);
    const wildcard = ["https://*.example.com/v1/"];
    expect(urlAllowed("https://eu.example.com/v1/models", wildcard)).toBe(true);
    expect(urlAllowed("https://a.b.example.com/v1/models", wildcard)).toBe(true);
    expect(urlAllowed("https://example.com/v1/models", wildcard)).toBe(false);
    expect(urlAllowed("https://evilexample.com/v1/models", wildcard)).toBe(false);
  });

  it("never admits credentials or a host that only starts like an allowed one", () => {
    expect(urlAllowed("https://user:pw@api.openai.com/v1/models", SHIPPED)).toBe(false);
    expect(urlAllowed("https://api.openai.com.evil.test/v1/models", SHIPPED)).toBe(false);
    expect(urlAllowed("https://api.openai.com@evil.test/v1/models", SHIPPED)).toBe(false);
  });

  it("holds Google's rules for a prefix: https, a full domain, a path", () => {
    expect(prefixProblem("https://www.google.com/")).toBeNull();
    expect(prefixProblem("https://*.example.com/api/")).toBeNull();
    expect(prefixProblem("https://www.google.com")).toMatch(/path/);
    expect(prefixProblem("http://www.google.com/")).toMatch(/https/);
    expect(prefixProblem("https://localhost/")).toMatch(/domain/);
    for (const prefix of SHIPPED) expect(prefixProblem(prefix), prefix).toBeNull();
  });
});

describe("LLM_BASE_URL", () => {
  const providers = [
    "https://api.crusoe.ai/v1",
    "https://api.inference.crusoecloud.com/v1",
    "https://api.openai.com/v1",
    "https://api.together.xyz/v1",
    "https://api.fireworks.ai/inference/v1",
    "https://api.groq.com/openai/v1",
    "https://openrouter.ai/api/v1",
    "https://api.deepinfra.com/v1/openai",
    "https://api.mistral.ai/v1",
  ];

  it("accepts the common OpenAI-compatible providers with the shipped manifest", () => {
    for (const url of providers) {
      const { settings, errors } = validate({ LLM_BASE_URL: url + "/" });
      expect(errors, url).toEqual({});
      expect(settings?.llmBaseUrl).toBe(url);
    }
  });

  it("refuses a URL outside the allowlist, listing the LLM prefixes and how to add one", () => {
    const { settings, errors } = validate({ LLM_BASE_URL: "https://llm.example-provider.com/v1" });
    expect(settings).toBeNull();
    const message = errors.LLM_BASE_URL ?? "";
    expect(message).toContain("https://api.openai.com/");
    expect(message).toContain("https://api.groq.com/openai/");
    expect(message).not.toContain("tavily");
    expect(message).toMatch(/appsscript\.json/);
    expect(message).toMatch(/npm run push/);
    // Allowed once the deployer's manifest has it.
    expect(
      validate({ LLM_BASE_URL: "https://llm.example-provider.com/v1" }, {}, [...SHIPPED, "https://llm.example-provider.com/v1/"]).errors,
    ).toEqual({});
  });

  it("refuses http, credentials, IP literals, localhost and queries whatever the allowlist says", () => {
    const everything = ["https://*.com/", "https://*.net/"];
    const cases: [string, RegExp][] = [
      ["http://api.openai.com/v1", /https/],
      ["https://user:secret@api.openai.com/v1", /user name or password/],
      ["https://1.2.3.4/v1", /IP address/],
      ["https://0x7f000001/v1", /IP address/],
      ["https://[::1]/v1", /IP address/],
      ["https://localhost/v1", /localhost/],
      ["https://api.localhost/v1", /localhost/],
      ["https://api.openai.com/v1?x=1", /\? or #/],
      ["api.openai.com/v1", /URL/],
      // One setting, one address: a space, a tab or a line break would let it hold two.
      ["https://api.crusoe.ai/v1 https://evil.example", /one URL/],
      ["https://api.crusoe.ai/v1\thttps://evil.example", /one URL/],
      ["https://api.crusoe.ai/v1\nhttps://evil.example", /one URL/],
      ["https://api.crusoe.ai/v1\u202e", /one URL/],
      ["https://api.crusoe.ai/v1https://evil.example", /well-formed/],
      ["https://api.crusoe.ai/v1/<script>", /well-formed/],
      ["https://api.crusoe.ai/v1/%zz", /well-formed/],
    ];
    for (const [url, why] of cases) {
      expect(baseUrlProblem(url, everything), url).toMatch(why);
      const { errors } = validate({ LLM_BASE_URL: url });
      expect(errors.LLM_BASE_URL, url).toMatch(why);
      // A refused URL's password never reaches the message.
      expect(errors.LLM_BASE_URL).not.toContain("secret");
    }
  });
});

describe("credentials in a base URL", () => {
  it("are masked wherever the URL is shown, the rest of it kept", () => {
    expect(maskUrlCredentials("https://me:hunter2@api.crusoe.ai/v1")).toBe("https://••••@api.crusoe.ai/v1");
    expect(maskUrlCredentials("https://token@api.crusoe.ai/v1")).toBe("https://••••@api.crusoe.ai/v1");
    expect(maskUrlCredentials("https://api.crusoe.ai/v1/a@b")).toBe("https://api.crusoe.ai/v1/a@b");
    expect(maskUrlCredentials("https://api.crusoe.ai/v1")).toBe("https://api.crusoe.ai/v1");
  });
});

describe("deployer keys", () => {
  const deployer = { TAVILY_API_KEY: "tvly-deployer-000000", LLM_API_KEY: "llm-deployer-111111" };

  it("uses the deployer's LLM key with the deployment's own base URL", () => {
    expect(mergeRawSettings({}, deployer).LLM_API_KEY).toBe(deployer.LLM_API_KEY);
    expect(mergeRawSettings({ LLM_BASE_URL: "https://api.crusoe.ai/v1/" }, deployer).LLM_API_KEY).toBe(deployer.LLM_API_KEY);
    const ownUrl = { ...deployer, LLM_BASE_URL: "https://api.groq.com/openai/v1" };
    expect(mergeRawSettings({}, ownUrl).LLM_API_KEY).toBe(deployer.LLM_API_KEY);
  });

  it("never sends the deployer's LLM key to a base URL the user chose", () => {
    const merged = mergeRawSettings({ LLM_BASE_URL: "https://api.openai.com/v1" }, deployer);
    expect(merged.LLM_API_KEY).toBe("");
    expect(merged.TAVILY_API_KEY).toBe(deployer.TAVILY_API_KEY);
    expect(withheldDeployerKeyUrl({ user: { LLM_BASE_URL: "https://api.openai.com/v1" }, script: deployer })).toBe(
      "https://api.crusoe.ai/v1",
    );
    // The user's own key goes wherever the user points it.
    expect(mergeRawSettings({ LLM_BASE_URL: "https://api.openai.com/v1", LLM_API_KEY: "sk-user-2222222" }, deployer).LLM_API_KEY).toBe(
      "sk-user-2222222",
    );
  });
});

describe("other settings", () => {
  it("LIVE_LOOKUPS_PER_DAY defaults to 20, takes 0 to turn live lookups off, refuses negatives", () => {
    expect(validate({}).settings?.liveLookupsPerDay).toBe(20);
    expect(validate({ LIVE_LOOKUPS_PER_DAY: "0" }).settings?.liveLookupsPerDay).toBe(0);
    expect(validate({ LIVE_LOOKUPS_PER_DAY: "-1" }).errors.LIVE_LOOKUPS_PER_DAY).toMatch(/at least 0/);
    expect(validate({ LIVE_LOOKUPS_PER_DAY: "2.5" }).errors.LIVE_LOOKUPS_PER_DAY).toMatch(/whole/);
  });

  it("shows a short key as set, never most of it", () => {
    expect(maskSecret("abcde")).not.toMatch(/bcde|cde/);
    expect(maskSecret("abcdefghij")).toBe("••••ghij");
    expect(maskSecret("")).toBe("");
  });
});
