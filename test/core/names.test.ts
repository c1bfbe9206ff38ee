import { describe, expect, it } from "vitest";
import { domainFromName, normaliseCompanyName, normaliseDomain } from "../../src/core/names";
import { companyKey } from "../../src/core/company-key";

const key = (company: string, domain: string | null = null) => companyKey("gpu-infrastructure", company, domain);

describe("company names", () => {
  const same: [string, string][] = [
    ["Character.ai", "Character AI"],
    ["character.ai", "CHARACTER  AI"],
    ["Character AI, Inc.", "Character.AI"],
    ["Copy.ai", "Copy AI"],
    ["ScaleAI", "Scale AI"],
    ["Acme Corp.", "Acme"],
    ["Acme, Inc.", "ACME"],
    ["Acme Ltd", "acme limited"],
    ["Acme GmbH", "Acme"],
    ["Acme S.A.", "Acme SA"],
    ["Acme S.A.", "Acme"],
    ["Acme AG", "Acme"],
    ["Acme PLC", "Acme"],
    ["Acme LLC", "Acme L.L.C."],
    ["Acme Co.", "Acme"],
    ["Moody's", "Moodys"],
    ["Société Générale", "Societe Generale"],
    ["  Hugging   Face ", "hugging face"],
    ["Hugging-Face", "Hugging Face"],
    ["The Trade Desk", "Trade Desk"],
    ["Booking.com", "Booking"],
    ["https://www.read.ai/", "read.ai"],
  ];
  for (const [a, b] of same) it(`"${a}" = "${b}"`, () => expect(key(a)).toBe(key(b)));

  const different: [string, string][] = [
    ["Read AI", "Read"],
    ["Scale AI", "Scale"],
    ["Together AI", "Together"],
    ["Cohere", "Cohere Health"],
    ["Mistral AI", "Mistral AI Labs"],
    ["Runway", "Runaway"],
    ["11x", "11"],
  ];
  for (const [a, b] of different) it(`"${a}" != "${b}"`, () => expect(key(a)).not.toBe(key(b)));

  it("keeps a name that is only a legal form", () => {
    expect(normaliseCompanyName("Company")).toBe("company");
    expect(normaliseCompanyName("Co")).toBe("co");
  });
  it("folds to readable words", () => {
    expect(normaliseCompanyName("Character.ai")).toBe("character ai");
    expect(normaliseCompanyName("AT&T Inc.")).toBe("at and t");
    expect(normaliseCompanyName("UserGems 💎")).toBe("usergems");
    expect(normaliseCompanyName("💎")).toBe("");
  });
  it("puts profile and domain in the key", () => {
    expect(key("Read AI", "read.ai")).not.toBe(key("Read AI"));
    expect(companyKey("managed-inference", "Read AI", null)).not.toBe(key("Read AI"));
    expect(key("Read AI", "read.ai")).toBe("gpu-infrastructure|readai|read.ai");
  });
});

describe("domains", () => {
  const cases: [string, string | null][] = [
    ["https://www.Read.ai/about?x=1", "read.ai"],
    ["http://anthropic.com", "anthropic.com"],
    ["www.cohere.com/", "cohere.com"],
    ["runwayml.com", "runwayml.com"],
    ["HTTPS://Sub.Example.co.uk:8080/path", "sub.example.co.uk"],
    ["info@acme.com", "acme.com"],
    ["example.com.", "example.com"],
    ["", null],
    ["not a domain", null],
    ["localhost", null],
    ["=HYPERLINK(1)", null],
  ];
  for (const [cell, domain] of cases) it(`"${cell}" -> ${domain}`, () => expect(normaliseDomain(cell)).toBe(domain));
  it("reads a domain from a company cell only when it is a host or URL", () => {
    expect(domainFromName("stealthium.io")).toBe("stealthium.io");
    expect(domainFromName("https://led321.com/shop")).toBe("led321.com");
    expect(domainFromName("Read AI")).toBeNull();
    expect(domainFromName("Acme Inc.")).toBeNull();
  });
});
