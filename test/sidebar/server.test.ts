// The server side of the sidebar, in the local runtime without a browser: the estimate and the
// confirmation before a run, the cache panel, selecting a failed row, and what one progress poll
// costs in Google's quotas.
import { describe, expect, it } from "vitest";
import type { CacheStats, ClearCacheResult, CommandResult, EstimateResult, RunEstimate } from "../../src/core/wire";
import { companyRows, driveWithSidebar, ok, progress, setup, statuses } from "../addon/harness";

const DAY_MS = 86_400_000;

function names(n: number, prefix = "Northwind"): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix} ${String(i + 1).padStart(4, "0")} Robotics`);
}

function estimate(rt: ReturnType<typeof setup>["rt"]): RunEstimate {
  const result = ok(rt.run("estimateQueue", ["research", null], { kind: "sidebar" })) as EstimateResult;
  if (!result.ok) throw new Error(result.message);
  return result.estimate;
}

describe("estimate and confirmation", () => {
  it("asks before an expensive run with the estimate's figures; NO queues and writes nothing", () => {
    const { rt } = setup({ rows: companyRows(names(300)), settings: { CONFIRM_ABOVE_USD: "1" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A301"]);
    rt.ui.alertAnswers = ["NO"];
    const refused = ok(rt.run("researchSelectedRows", [], { kind: "menu" })) as CommandResult;
    expect(refused).toMatchObject({ ok: false, queued: 0 });
    expect(rt.ui.alerts).toHaveLength(1);
    const alert = rt.ui.alerts[0];
    expect(alert?.title).toBe("Research 300 companies?");
    expect(alert?.buttons).toBe("YES_NO");
    expect(alert?.prompt).toContain("300 row(s), 300 distinct companies.");
    expect(alert?.prompt).toMatch(/Estimated cost: about \$\d+\.\d\d, at most \$\d+\.\d\d\. Estimated time: about /);
    expect(alert?.prompt).toContain(
      "Companies from column A “Company”: Northwind 0001 Robotics, Northwind 0002 Robotics, Northwind 0003 Robotics and more.",
    );
    // Nothing written: no output column, no Status, no request.
    expect(rt.spreadsheet.getSheetByName("Sheet1")?.dump()[0]).toEqual(["Company"]);
    expect(rt.stats.snapshot().urlFetch.requests).toBe(0);

    const queued = ok(rt.run("researchSelectedRows", [], { kind: "menu" })) as CommandResult;
    expect(queued).toMatchObject({ ok: true, queued: 300 });
    expect(rt.ui.alerts).toHaveLength(2);
    expect(statuses(rt).every((s) => s === "Queued")).toBe(true);
  });

  it("does not ask below the threshold, nor ever when it is blank", () => {
    const small = setup({ rows: companyRows(names(10)) });
    small.rt.spreadsheet.setSelection("Sheet1", ["A2:A11"]);
    expect(estimate(small.rt).costUsd).toBeLessThan(5);
    expect((ok(small.rt.run("researchSelectedRows", [], { kind: "menu" })) as CommandResult).queued).toBe(10);
    expect(small.rt.ui.alerts).toHaveLength(0);

    const never = setup({ rows: companyRows(names(600)), settings: { CONFIRM_ABOVE_USD: "" } });
    never.rt.spreadsheet.setSelection("Sheet1", ["A2:A601"]);
    expect(estimate(never.rt).costUsd).toBeGreaterThan(5);
    expect((ok(never.rt.run("researchSelectedRows", [], { kind: "menu" })) as CommandResult).queued).toBe(600);
    expect(never.rt.ui.alerts).toHaveLength(0);
  });

  it("counts the companies the cache answers (results and no-data), and what another model must judge again", () => {
    const list = names(6);
    const { rt } = setup({ rows: companyRows(list) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A7"]);
    ok(rt.run("researchSelectedRows", [], { kind: "menu" }));
    driveWithSidebar(rt);
    const done = statuses(rt).filter((s) => s === "Done").length;
    const noData = statuses(rt).filter((s) => s.startsWith("No reliable data")).length;
    expect(done + noData).toBe(6);

    const copy = rt.spreadsheet.insertSheet("Copy");
    copy.load(companyRows([...list, "Brand New Robotics", list[0] ?? ""]));
    rt.spreadsheet.setSelection("Copy", ["A2:A9"]);
    const again = estimate(rt);
    expect(again).toMatchObject({ rows: 8, companies: 7, cached: done, cachedNoData: noData, judgeOnly: 0, research: 1 });

    rt.userProperties.setProperty("LLM_MODEL", "another/model");
    const otherModel = estimate(rt);
    expect(otherModel).toMatchObject({ cached: 0, cachedNoData: noData, judgeOnly: done, research: 1 });
    expect(otherModel.costUsd).toBeGreaterThan(again.costUsd);
  });

  it("starts from the sidebar only for the selection whose estimate the user saw", () => {
    const { rt } = setup({ rows: companyRows(names(8)) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A5"]);
    const seen = estimate(rt);
    rt.spreadsheet.setSelection("Sheet1", ["A2:A9"]);
    const changed = ok(rt.run("startQueue", ["research", seen.planId, null], { kind: "sidebar" })) as {
      kind: string;
      estimate?: RunEstimate;
    };
    expect(changed.kind).toBe("changed");
    expect(changed.estimate?.companies).toBe(8);
    expect(statuses(rt).every((s) => s === "")).toBe(true);
    const started = ok(rt.run("startQueue", ["research", changed.estimate?.planId, null], { kind: "sidebar" })) as {
      kind: string;
      result: CommandResult;
    };
    expect(started).toMatchObject({ kind: "queued", result: { ok: true, queued: 8 } });
    // The sidebar asked: it is not opened again over itself.
    expect(rt.ui.sidebars).toHaveLength(0);
    expect(rt.run("startQueue", ["research", 8, null], { kind: "sidebar" }).error).toContain("cannot use");
    expect(rt.run("startQueue", ["everything", "x", null], { kind: "sidebar" }).error).toContain("cannot use");
  });
});

describe("another user's run", () => {
  it("is watched, not joined: Research, Retry and Resume queue nothing and name the owner", () => {
    const { rt } = setup({ rows: companyRows(names(4)) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(rt.run("researchSelectedRows", [], { kind: "menu" }));
    const bob = "bob@example.com";
    rt.user(bob).properties.setProperty("TAVILY_API_KEY", "tvly-bob-0000-1111");
    rt.user(bob).properties.setProperty("LLM_API_KEY", "llm-bob-0000-1111");
    rt.spreadsheet.setSelection("Sheet1", ["A4:A5"]);
    for (const fn of ["researchSelectedRows", "retryFailedRows", "resumeResearch"]) {
      const refused = ok(rt.run(fn, [], { kind: "menu", user: bob })) as CommandResult;
      expect(refused.ok).toBe(false);
      expect(refused.message).toContain("user@example.com has a research run in progress");
    }
    expect(statuses(rt)).toEqual(["Queued", "Queued", "", ""]);
    const seenByBob = ok(rt.run("getResearchProgress", [], { kind: "sidebar", user: bob })) as ReturnType<typeof progress>;
    expect(seenByBob).toMatchObject({ running: true, ownedBy: "user@example.com" });
    expect(progress(rt).ownedBy).toBe("");
  });
});

describe("cache panel", () => {
  it("shows what is cached and clears old entries or all of them without touching the user's sheets", () => {
    const { rt } = setup({ rows: companyRows(names(6)) });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A7"]);
    ok(rt.run("researchSelectedRows", [], { kind: "menu" }));
    driveWithSidebar(rt);
    const firstAt = rt.clock.now();
    rt.clock.advance(10 * DAY_MS);
    const later = rt.spreadsheet.insertSheet("Later");
    later.load(companyRows(names(2, "Southwind")));
    rt.spreadsheet.setSelection("Later", ["A2:A3"]);
    ok(rt.run("researchSelectedRows", [], { kind: "menu" }));
    driveWithSidebar(rt);

    const stats = ok(rt.run("getCacheStats", [], { kind: "sidebar" })) as CacheStats;
    expect(stats.companies + stats.noData).toBe(8);
    expect(stats.unjudged).toBe(0);
    expect(Math.abs(stats.oldestAt - firstAt)).toBeLessThan(DAY_MS);
    expect(stats.cells).toBeGreaterThan(0);

    const sheets = () => ["Sheet1", "Later"].map((name) => rt.spreadsheet.getSheetByName(name)?.dump());
    const before = sheets();
    const old = ok(rt.run("clearCache", [5], { kind: "sidebar" })) as ClearCacheResult;
    expect(old.removed).toBe(6);
    expect(old.stats.companies + old.stats.noData).toBe(2);
    expect(old.stats.oldestAt).toBeGreaterThan(firstAt + 9 * DAY_MS);
    const all = ok(rt.run("clearCache", [null], { kind: "sidebar" })) as ClearCacheResult;
    expect(all.removed).toBe(2);
    expect(all.stats).toMatchObject({ companies: 0, noData: 0, oldestAt: 0 });
    expect(sheets()).toEqual(before);

    // Cleared: the same companies are researched again (paid), not answered from the cache.
    rt.spreadsheet.setSelection("Sheet1", ["A2:A7"]);
    // The rows are Done already: nothing to estimate.
    expect(ok(rt.run("estimateQueue", ["research", null], { kind: "sidebar" }))).toMatchObject({ ok: false, message: /done already/ });
    rt.spreadsheet.setSelection("Later", ["A2:A3"]);
    const copy = rt.spreadsheet.insertSheet("Copy");
    copy.load(companyRows(names(2, "Southwind")));
    rt.spreadsheet.setSelection("Copy", ["A2:A3"]);
    expect(estimate(rt).research).toBe(2);
  });
});

describe("failed rows", () => {
  it("selects the row that holds the company, also after the rows moved", () => {
    const { rt } = setup({ rows: companyRows(["Acme", "Globex", "Initech"]) });
    const select = (row: number, company: string) =>
      ok(rt.run("selectRow", ["Sheet1", row, company], { kind: "sidebar" })) as CommandResult;
    expect(select(3, "Globex").ok).toBe(true);
    expect(rt.spreadsheet.selection()[0]).toMatch(/^A3(:|$)/);
    rt.spreadsheet.insertRows("Sheet1", 2, 1);
    expect(select(3, "Globex").ok).toBe(true);
    expect(rt.spreadsheet.selection()[0]).toMatch(/^A4(:|$)/);
    expect(select(3, "Umbrella").ok).toBe(false);
  });
});

describe("polling cost", () => {
  it("one poll reads two properties and the Status column of a 5,000-row sheet, not the sheet", () => {
    const { rt } = setup({ rows: companyRows(names(5000)), settings: { CONFIRM_ABOVE_USD: "" } });
    rt.spreadsheet.setSelection("Sheet1", ["A2:A5001"]);
    ok(rt.run("researchSelectedRows", [], { kind: "menu" }));
    const before = rt.stats.snapshot();
    const p = progress(rt);
    const after = rt.stats.snapshot();
    expect(p.queued).toBe(5000);
    const propertyReads = after.propertyReads - before.propertyReads;
    const rangeReads = after.rangeReads - before.rangeReads;
    expect(propertyReads).toBeLessThanOrEqual(3);
    expect(rangeReads).toBeLessThanOrEqual(2);
    // An idle hour of an open sidebar: one poll a minute.
    expect(60 * propertyReads).toBeLessThan(200);
    console.log(
      `one poll, 5,000 queued rows: ${propertyReads} property reads, ${rangeReads} range reads; idle hour: ${60 * propertyReads} property reads, ${60 * rangeReads} range reads`,
    );
  });
});
