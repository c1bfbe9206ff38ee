import { describe, expect, it } from "vitest";
import { deploymentReport, probeArgument, probeNonce, type DeploymentFindings } from "../../src/core/deployment-check";

const AT = Date.UTC(2026, 0, 5, 9, 30);

function findings(overrides: Partial<DeploymentFindings> = {}): DeploymentFindings {
  return {
    at: AT,
    published: false,
    properties: { ok: true, value: null },
    cache: { ok: true, value: null },
    documentLock: { ok: true, value: "free" },
    scratch: { ok: true, value: null },
    metadata: { ok: true, value: { copiedColumn: false, duplicatedSheet: true } },
    recalculation: { ok: true, value: { calculated: true, sameText: true, clearAndEnter: true } },
    triggers: { kind: "ok" },
    earlierBackground: null,
    backgroundAsked: true,
    providers: [{ name: "Web search (Tavily)", configured: true, ok: true, message: "The web search key works.", detail: "" }],
    ...overrides,
  };
}

describe("probe arguments", () => {
  it("round-trip their nonce, and no company name is taken for one", () => {
    expect(probeNonce(probeArgument("3f2a-77"))).toBe("3f2a-77");
    for (const other of ["Acme", "territory-planner-check:", "territory-planner-check:<b>", 12, null]) expect(probeNonce(other)).toBeNull();
  });
});

describe("deploymentReport", () => {
  it("says ok on every line of a deployment where everything works", () => {
    const lines = deploymentReport(findings()).split("\n");
    expect(lines[0]).toBe("Territory Planner: check of this deployment (a script bound to this spreadsheet), 2026-01-05 09:30 UTC");
    expect(
      lines
        .filter((l) => !l.startsWith("Background step: pending"))
        .slice(1)
        .every((l) => /: ok\b/.test(l)),
    ).toBe(true);
  });

  it("quotes what failed and says what the add-on does about it", () => {
    const report = deploymentReport(
      findings({
        properties: { ok: false, message: "Argument too large: value" },
        scratch: { ok: false, message: "You can't add a sheet to a protected spreadsheet." },
        metadata: null,
        recalculation: null,
        triggers: { kind: "refused", message: "Test as add-on mode" },
        backgroundAsked: false,
      }),
    );
    expect(report).toContain('Properties: failed ("Argument too large: value"). Research cannot keep its progress here, so it cannot run.');
    expect(report).toContain(
      'Scratch sheet: failed ("You can\'t add a sheet to a protected spreadsheet."). The column and formula checks need one',
    );
    expect(report).toContain("Column tags: not checked (no scratch sheet).");
    expect(report).toContain(
      'Triggers: Google refused to create one ("Test as add-on mode"). Research goes on only while the Territory Planner sidebar is open',
    );
    expect(report).toContain("Background step: not checked (no trigger could be made for it).");
  });

  it("reports an earlier background step that ran without the document lock", () => {
    const report = deploymentReport(
      findings({ earlierBackground: { askedAt: AT - 120_000, ranAt: AT - 60_000, hasDocument: true, hasLock: false }, published: true }),
    );
    expect(report).toContain("Background step (asked 09:28 UTC, ran 09:29 UTC): it ran without a lock on this spreadsheet.");
    expect(report).toContain("Background step: pending. Google decides when (up to an hour for an installed add-on)");
  });
});
