// The labelled lists shipped in examples/eval: big enough, every class covered, every label with a
// reason and a public source, and the cases the prompt's rules make easy to get wrong.
import { describe, expect, it } from "vitest";
import { DEFAULT_LISTS } from "../../src/local/eval/cli";
import { parseLabelList, profileOfFile, readLabelList, type LabelList } from "../../src/local/eval/labels";
import { uncoveredClasses } from "../../src/local/eval/report";

const lists = new Map<string, LabelList>(
  DEFAULT_LISTS.map((path) => {
    const list = readLabelList(path, path, profileOfFile(path) ?? "gpu-infrastructure");
    return [list.profile, list];
  }),
);
const gpu = lists.get("gpu-infrastructure");
const inference = lists.get("managed-inference");
const row = (list: LabelList | undefined, company: string, domain?: string) =>
  list?.rows.find((r) => r.company === company && (domain === undefined || r.domain === domain));

describe("the labelled lists", () => {
  it("hold at least 60 companies for gpu-infrastructure and 30 for managed-inference", () => {
    expect(gpu?.rows.length).toBeGreaterThanOrEqual(60);
    expect(inference?.rows.length).toBeGreaterThanOrEqual(30);
  });

  it.each([...lists.values()].map((l) => [l.profile, l] as const))(
    "%s: covers every class, each label with a reason, a source and a tier",
    (_, list) => {
      expect(uncoveredClasses(list)).toEqual([]);
      for (const r of list.rows) {
        expect(r.reason.length, r.company).toBeGreaterThan(20);
        expect(r.source, r.company).toMatch(/^https:\/\/[^\s]+$/);
        expect(r.expectedTier, r.company).not.toBeNull();
      }
      // A debatable label says so in its reason.
      for (const r of list.rows.filter((x) => x.tags.includes("debatable"))) expect(r.reason, r.company).toMatch(/Debatable/);
    },
  );

  it.each([...lists.values()].map((l) => [l.profile, l] as const))("%s: has namesakes, thin web presence and hard cases", (_, list) => {
    const names = list.rows.map((r) => r.company);
    const shared = names.filter((n, i) => names.indexOf(n) !== i);
    expect(shared.length).toBeGreaterThanOrEqual(1);
    expect(list.rows.filter((r) => r.tags.includes("thin-web")).length).toBeGreaterThanOrEqual(2);
    expect(list.rows.filter((r) => r.tags.includes("hard")).length).toBeGreaterThanOrEqual(5);
  });

  it("labels by the prompt's rules the cases that are easy to get wrong", () => {
    // An API wrapper stays E whatever its funding; an autonomous-vehicle firm is at least D; a GPU cloud is C.
    expect(row(gpu, "Harvey")?.expectedClass).toBe("E");
    expect(row(gpu, "Jasper")?.expectedClass).toBe("E");
    expect(row(gpu, "Waymo")?.expectedClass).toBe("D");
    expect(row(gpu, "Wayve")?.expectedClass).toBe("D");
    expect(row(gpu, "CoreWeave")?.expectedClass).toBe("C");
    expect(row(gpu, "Flexport")?.expectedClass).toBe("E");
    expect(row(gpu, "Jane Street")?.expectedClass).toBe("D");
    // Namesakes: the same name, told apart by the website.
    expect(row(gpu, "Figure", "figure.ai")?.expectedClass).toBe("D");
    expect(row(gpu, "Figure", "figure.com")?.expectedClass).toBe("E");
    expect(row(gpu, "Runway", "runwayml.com")?.expectedClass).toBe("S");
    expect(row(gpu, "Runway", "runway.com")?.expectedClass).toBe("E");
    // Managed inference: a company that sells inference itself is D, even a frontier lab.
    expect(row(inference, "CoreWeave")?.expectedClass).toBe("D");
    expect(row(inference, "Anthropic")?.expectedClass).toBe("D");
  });
});

describe("parseLabelList", () => {
  const parse = (text: string) => parseLabelList(text, "ours.csv", "gpu-infrastructure");

  it("reads a rep's sheet export: any header case, a URL as website, tags split", () => {
    const list = parse(
      "Company Name,Website,Expected Class,Expected_Tier,Tags\nAcme Robotics,https://www.acme.example/about,d,hot,hard; namesake\n",
    );
    expect(list.rows).toEqual([
      expect.objectContaining({
        company: "Acme Robotics",
        domain: "acme.example",
        expectedClass: "D",
        expectedTier: "HOT",
        tags: ["hard", "namesake"],
      }),
    ]);
  });

  it("refuses a company listed twice, since the add-on researches it once", () => {
    expect(() => parse("company,website,expected_class\nAcme,acme.example,E\nACME Inc.,acme.example,E\n")).toThrow(
      "ours.csv line 3: ACME Inc. (acme.example) is already on line 2; the add-on researches it once. Give a namesake its website.",
    );
  });

  it("refuses an unknown tier and a website that is not a domain", () => {
    expect(() => parse("company,expected_class,expected_tier\nAcme,E,LUKEWARM\n")).toThrow(
      /line 2: expected_tier "LUKEWARM" is not one of/,
    );
    expect(() => parse("company,website,expected_class\nAcme,not a site,E\n")).toThrow(
      /line 2: website "not a site" is not a domain or URL/,
    );
  });
});
