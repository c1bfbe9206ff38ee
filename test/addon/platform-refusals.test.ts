// What the add-on does where Google refuses its continuation trigger (a test deployment of an
// add-on, a declined trigger scope) or gives no document lock: nothing throws, nothing queued is
// lost, and the sidebar drives the run while saying that closing it stops progress.
import { describe, expect, it } from "vitest";
import type { CommandResult, EstimateResult, SidebarStart } from "../../src/core/wire";
import type { LocalRuntimeOptions } from "../../src/local/runtime";
import { companyRows, driveWithSidebar, driveWithTriggers, ok, progress, setup, statuses } from "./harness";

const COMPANIES = ["Cohere", "Runway", "Anthropic"];
const KEEP_OPEN = "Keep the Territory Planner sidebar open";

function queued(runtime: Partial<LocalRuntimeOptions>) {
  const h = setup({ rows: companyRows(COMPANIES), runtime });
  h.rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
  return h;
}

const workers = (rt: ReturnType<typeof setup>["rt"]) => rt.triggers().filter((t) => t.handler === "runResearchWorker");

describe("a continuation trigger Google refuses", () => {
  it("from the menu (a test deployment): the rows stay queued, the message and the sidebar say to keep it open, and it drives the run", () => {
    const { rt } = queued({ platform: { triggers: "testDeployment" } });
    const result = ok(rt.run("researchSelectedRows")) as CommandResult;
    expect(result.ok).toBe(true);
    expect(result.message).toContain("Queued 3 row(s) for research.");
    expect(result.message).toContain(KEEP_OPEN);
    expect(statuses(rt)).toEqual(["Queued", "Queued", "Queued"]);
    expect(workers(rt)).toEqual([]);
    expect(progress(rt).whenClosed).toBe("stops");
    // With the sidebar closed nothing moves, and nothing is lost.
    expect(driveWithTriggers(rt)).toEqual([]);
    expect(statuses(rt)).toEqual(["Queued", "Queued", "Queued"]);
    // Open, it drives the run to its end; no worker execution fails on the refused trigger.
    for (const run of driveWithSidebar(rt)) expect(run.error).toBeNull();
    expect(statuses(rt)).toEqual(["Done", "Done", "Done"]);
    expect(workers(rt)).toEqual([]);
  });

  it("from the sidebar's Start (a declined scope): queued and driven to the end; granted later, triggers carry runs on again", () => {
    const { rt } = queued({ platform: { triggers: "scopeDeclined" } });
    const estimate = ok(rt.run("estimateQueue", ["research", null], { kind: "sidebar" })) as EstimateResult;
    if (!estimate.ok) throw new Error(estimate.message);
    const start = ok(rt.run("startQueue", ["research", estimate.estimate.planId, null], { kind: "sidebar" })) as SidebarStart;
    expect(start.kind).toBe("queued");
    expect(start.kind === "queued" && start.result.message).toContain(KEEP_OPEN);
    expect(progress(rt).whenClosed).toBe("stops");
    for (const run of driveWithSidebar(rt)) expect(run.error).toBeNull();
    expect(statuses(rt)).toEqual(["Done", "Done", "Done"]);

    rt.platform.triggers = "allowed";
    rt.spreadsheet.getSheetByName("Sheet1")?.load(companyRows(["Mistral AI"]));
    rt.spreadsheet.setSelection("Sheet1", ["A2"]);
    expect((ok(rt.run("researchSelectedRows")) as CommandResult).message).not.toContain(KEEP_OPEN);
    expect(workers(rt)).toHaveLength(1);
    expect(progress(rt).whenClosed).toBe("continues");
  });
});

describe("no document lock", () => {
  it("in a trigger execution: it leaves the run to the sidebar, which says so and drives it; no trigger is made again", () => {
    const { rt } = queued({ platform: { documentLock: "absentInTriggers" } });
    ok(rt.run("researchSelectedRows"));
    expect(workers(rt)).toHaveLength(1);
    const fired = rt.runNextTrigger();
    expect(fired?.error).toBeNull();
    expect(fired?.value).toMatchObject({ status: "noLock", waves: 0 });
    expect(statuses(rt)).toEqual(["Queued", "Queued", "Queued"]);
    expect(workers(rt).filter((t) => !t.fired)).toEqual([]);
    expect(progress(rt).whenClosed).toBe("stops");
    for (const run of driveWithSidebar(rt)) expect(run.error).toBeNull();
    expect(statuses(rt)).toEqual(["Done", "Done", "Done"]);
    expect(workers(rt).filter((t) => !t.fired)).toEqual([]);
  });

  it("anywhere, in a script bound to the spreadsheet: the worker, the commands and the cache panel take the script lock instead", () => {
    const { rt } = queued({ platform: { documentLock: "absent" } });
    expect((ok(rt.run("researchSelectedRows")) as CommandResult).ok).toBe(true);
    rt.holdLock("script");
    expect(ok(rt.run("runResearchWorker", [], { kind: "sidebar" }))).toMatchObject({ status: "busy" });
    expect((ok(rt.run("cancelResearch", [], { kind: "sidebar" })) as CommandResult).message).toContain("Cancelling");
    expect(statuses(rt)).toEqual(["Queued", "Queued", "Queued"]);
    expect((ok(rt.run("clearCache", [null], { kind: "sidebar" })) as { removed: number; message: string }).message).toContain("try again");
    rt.releaseHeldLock("script");
    // The requested cancel is the worker's to carry out, holding the same lock.
    ok(rt.run("runResearchWorker", [], { kind: "sidebar" }));
    expect(statuses(rt)).toEqual(["Cancelled", "Cancelled", "Cancelled"]);
    expect((ok(rt.run("clearCache", [null], { kind: "sidebar" })) as { message: string }).message).not.toContain("try again");
  });

  it("anywhere, in a published add-on: the owner's executions take their user lock; another user's cancel is left to the owner's worker", () => {
    const { rt } = queued({ platform: { documentLock: "absent" }, installationSource: "WEB_STORE_ADD_ON" });
    ok(rt.run("researchSelectedRows"));
    rt.holdLock("user");
    expect(ok(rt.run("runResearchWorker", [], { kind: "sidebar" }))).toMatchObject({ status: "busy" });
    rt.releaseHeldLock("user");
    // Bob's user lock would not keep him apart from the owner's worker: his cancel is a request,
    // and his cache clear waits for the run.
    const bob = { kind: "sidebar" as const, user: "bob@example.com" };
    expect((ok(rt.run("cancelResearch", [], bob)) as CommandResult).message).toContain("Cancelling");
    expect((ok(rt.run("clearCache", [null], bob)) as { message: string }).message).toContain("try again");
    expect(statuses(rt)).toEqual(["Queued", "Queued", "Queued"]);
    ok(rt.run("runResearchWorker", [], { kind: "sidebar" }));
    expect(statuses(rt)).toEqual(["Cancelled", "Cancelled", "Cancelled"]);
  });
});
