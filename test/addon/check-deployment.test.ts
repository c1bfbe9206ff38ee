// Check this deployment, run in the local runtime with every undocumented behaviour switched both
// ways: whether a trigger execution has the document, whether re-entered formulas recalculate, and
// whether developer metadata goes with copies; plus refused triggers, no document lock and a bad key.
import { describe, expect, it } from "vitest";
import type { PlatformBehaviour } from "../../src/local/runtime";
import type { LocalRuntimeOptions } from "../../src/local/runtime";
import { companyRows, LLM_KEY, ok, progress, setup, TAVILY_KEY } from "./harness";

const SHEET_ROWS = companyRows(["Cohere", "Runway"]);

function deployment(platform: Partial<PlatformBehaviour>, runtime: Partial<LocalRuntimeOptions> = {}) {
  const h = setup({ rows: SHEET_ROWS, runtime: { platform, ...runtime } });
  h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
  return h;
}

/** Runs the check from the menu: its report, which also came up in a dialog to copy. */
function check(rt: ReturnType<typeof setup>["rt"]): string {
  const dialogs = rt.ui.dialogs.length;
  const result = rt.run("checkDeployment");
  expect(result.error).toBeNull();
  // Well under a minute, whatever it waits for.
  expect(result.elapsedMs).toBeLessThan(30_000);
  const report = String(result.value);
  expect(rt.ui.dialogs.length).toBe(dialogs + 1);
  expect(rt.ui.dialogs.at(-1)?.html).toContain("Copy this report");
  return report;
}

function line(report: string, label: string): string {
  return report.split("\n").find((l) => l.startsWith(`${label}:`) || l.startsWith(`${label} (`)) ?? `(no ${label} line)`;
}

/** What the check leaves: the user's sheets and selection as they were, and no key anywhere in the report. */
function expectUntouched(rt: ReturnType<typeof setup>["rt"], report: string): void {
  expect(rt.spreadsheet.sheets().map((s) => s.name)).toEqual(["Sheet1"]);
  expect(rt.spreadsheet.getSheetByName("Sheet1")?.dump()).toEqual(SHEET_ROWS);
  expect(rt.spreadsheet.getActiveSheetName()).toBe("Sheet1");
  expect(rt.spreadsheet.selection()).toEqual(["A2:A3"]);
  for (const key of [TAVILY_KEY, LLM_KEY]) expect(report).not.toContain(key);
}

describe("Check this deployment, in every combination of what Google documents nowhere", () => {
  const combinations = (["present", "absent"] as const).flatMap((triggerDocument) =>
    (["onChange", "onEveryEntry"] as const).flatMap((recalculation) =>
      [true, false].map((metadataCopies) => ({ triggerDocument, recalculation, metadataCopies })),
    ),
  );

  it.each(combinations)("trigger document $triggerDocument, recalculation $recalculation, metadata copies $metadataCopies", (platform) => {
    const { rt } = deployment(platform);
    const first = check(rt);
    expectUntouched(rt, first);
    expect(first.split("\n")[0]).toContain("check of this deployment (a script bound to this spreadsheet)");
    for (const label of ["Properties", "Cache", "Document lock", "Scratch sheet", "Column tags", "Triggers"]) {
      expect(line(first, label)).toBe(`${label}: ok${label === "Triggers" ? " (one created and deleted)" : ""}`);
    }
    expect(line(first, "Copied columns")).toContain(platform.metadataCopies ? "takes its tag along" : "ok");
    expect(line(first, "Duplicated sheets")).toContain(platform.metadataCopies ? "ok" : "loses the column tags");
    expect(line(first, "Formula refresh")).toContain(
      platform.recalculation === "onEveryEntry"
        ? "ok (a formula entered again is calculated again)"
        : "does not recalculate it here, but clearing it",
    );
    expect(line(first, "Background step")).toContain("pending");
    expect(line(first, "Web search (Tavily)")).toBe("Web search (Tavily): ok");
    expect(line(first, "AI (api.crusoe.ai)")).toBe("AI (api.crusoe.ai): ok");

    // A minute later the background step runs; the next check reports what it found.
    const step = rt.runNextTrigger();
    expect(step?.error).toBeNull();
    expect(rt.triggers().filter((t) => t.handler === "checkDeploymentBackground" && t.fired)).toEqual([]);
    const second = check(rt);
    expectUntouched(rt, second);
    const background = second.split("\n").find((l) => l.startsWith("Background step (asked"));
    if (platform.triggerDocument === "present") {
      expect(background).toContain("ok (it had this spreadsheet and its lock");
    } else {
      expect(background).toContain("it ran without this spreadsheet");
      expect(background).toContain("Research goes on only while the Territory Planner sidebar is open");
    }
    // The add-on acts on it: without the document in triggers, the sidebar drives runs.
    const queued = ok(rt.run("researchSelectedRows")) as { message: string };
    expect(progress(rt).whenClosed).toBe(platform.triggerDocument === "present" ? "continues" : "stops");
    expect(queued.message.includes("Keep the Territory Planner sidebar open")).toBe(platform.triggerDocument === "absent");
  });

  it("says when Sheets did not calculate the probe formula at all", () => {
    const { rt } = deployment({ recalculation: "never" });
    const report = check(rt);
    expect(line(report, "Formula refresh")).toContain("was not calculated within 10 s of being entered");
    expectUntouched(rt, report);
  });
});

describe("Check this deployment where Google refuses", () => {
  it("a trigger (a test deployment): Google's message, and what research does about it", () => {
    const { rt } = deployment({ triggers: "testDeployment" });
    const report = check(rt);
    expect(line(report, "Triggers")).toBe(
      'Triggers: Google refused to create one ("The add-on attempted an action that is not permitted in Test as add-on mode. To use this action, you must deploy the add-on."). Research goes on only while the Territory Planner sidebar is open: closing it stops the research, your rows stay queued, and it goes on when you open the sidebar again.',
    );
    expect(line(report, "Background step")).toContain("not checked");
    expectUntouched(rt, report);
  });

  it("the trigger scope, declined by the user", () => {
    const { rt } = deployment({ triggers: "scopeDeclined" });
    expect(line(check(rt), "Triggers")).toContain(
      '("You do not have permission to call ScriptApp.newTrigger. Required permissions: https://www.googleapis.com/auth/script.scriptapp")',
    );
  });

  it("a document lock, in a bound script and in a published add-on", () => {
    expect(line(check(deployment({ documentLock: "absent" }).rt), "Document lock")).toContain("uses its script lock instead");
    const published = deployment({ documentLock: "absent" }, { installationSource: "WEB_STORE_ADD_ON" });
    const report = check(published.rt);
    expect(report.split("\n")[0]).toContain("(an installed add-on)");
    expect(line(report, "Document lock")).toContain("with your user lock instead");
  });

  it("the provider's key: the provider's answer without the key, and no key in the report", () => {
    const { rt } = setup({ rows: SHEET_ROWS, llm: { apiKey: "another-key-entirely" } });
    const report = check(rt);
    expect(line(report, "AI (api.crusoe.ai)")).toContain("refused this key");
    expect(line(report, "AI (api.crusoe.ai)")).toContain("Research pauses before its first request to it until this works.");
    expect(report).not.toContain(LLM_KEY);
  });

  it("no keys yet: says to add them in Settings", () => {
    const { rt } = setup({ rows: SHEET_ROWS });
    rt.userProperties.deleteProperty("TAVILY_API_KEY");
    expect(line(check(rt), "Web search (Tavily)")).toBe("Web search (Tavily): no key yet. Add it in Settings before researching.");
  });

  it("leaves the triggers alone while a research run is in progress", () => {
    const { rt } = deployment({});
    ok(rt.run("researchSelectedRows"));
    const before = rt.triggers();
    expect(line(check(rt), "Triggers")).toContain("not checked while a research run is in progress");
    expect(rt.triggers()).toEqual(before);
  });
});

describe("the menu item", () => {
  it("is in the bound script's menu and the published add-on's", () => {
    for (const installationSource of ["NONE", "WEB_STORE_ADD_ON"] as const) {
      const { rt } = setup({ rows: SHEET_ROWS, runtime: { installationSource } });
      expect(rt.run("onOpen", [{ authMode: "LIMITED" }], { kind: "simpleTrigger" }).error).toBeNull();
      expect(rt.ui.menus[0]?.items).toContainEqual({ kind: "item", label: "Check this deployment", functionName: "checkDeployment" });
    }
  });
});
