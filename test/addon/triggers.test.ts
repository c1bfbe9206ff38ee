// Continuation triggers of a published add-on: Google lists a user's triggers of every document, and
// allows one time-driven trigger per user per document, at most hourly.
import { describe, expect, it } from "vitest";
import { companyRows, ok, setup, statuses } from "./harness";

const HOUR = 3_600_000;
/** The trigger's time is set a service call before it is created. */
const SLACK_MS = 1_000;

function twoDocuments(installationSource: "WEB_STORE_ADD_ON" | "NONE") {
  const h = setup({ rows: companyRows(["Cohere", "Runway"]), runtime: { installationSource } });
  const second = h.rt.addDocument({ id: "doc-2" });
  (second.spreadsheet.getSheetByName("Sheet1") ?? second.spreadsheet.insertSheet("Sheet1")).load(
    companyRows(["Anthropic", "Mistral AI", "Jasper"]),
  );
  h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
  second.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
  return { ...h, second };
}

function triggersOf(h: ReturnType<typeof twoDocuments>, document: string) {
  return h.rt.triggers().filter((t) => t.document === document && t.handler === "runResearchWorker");
}

describe("continuation triggers in a published add-on", () => {
  it("finishing one spreadsheet's run leaves another spreadsheet's continuation alone", () => {
    const h = twoDocuments("WEB_STORE_ADD_ON");
    const first = h.rt.document().id;
    ok(h.rt.run("researchSelectedRows"));
    ok(h.rt.run("researchSelectedRows", [], { document: "doc-2" }));
    expect(triggersOf(h, first)).toHaveLength(1);
    expect(triggersOf(h, "doc-2")).toHaveLength(1);

    // The first spreadsheet's sidebar drives its run to the end.
    for (let i = 0; i < 20 && statuses(h.rt).some((s) => !s.startsWith("Done")); i++) {
      const worker = h.rt.run("runResearchWorker", [], { kind: "sidebar" });
      expect(worker.error).toBeNull();
      expect(triggersOf(h, first).length).toBeLessThanOrEqual(1);
      expect(triggersOf(h, "doc-2")).toHaveLength(1);
    }
    expect(statuses(h.rt)).toEqual(["Done", "Done"]);
    expect(triggersOf(h, first)).toHaveLength(0);

    // The second spreadsheet, sidebar closed, goes on by its own hourly trigger.
    const pending = triggersOf(h, "doc-2")[0];
    expect(pending && pending.dueAt - pending.createdAt).toBeGreaterThanOrEqual(HOUR - SLACK_MS);
    for (let i = 0; i < 10 && triggersOf(h, "doc-2").some((t) => !t.fired); i++) {
      const fired = h.rt.runNextTrigger();
      expect(fired?.error ?? null).toBeNull();
      expect(triggersOf(h, "doc-2").filter((t) => !t.fired).length).toBeLessThanOrEqual(1);
    }
    const doc2 = h.second.spreadsheet.getSheetByName("Sheet1")?.dump() ?? [];
    const statusColumn = (doc2[0] ?? []).indexOf("Status");
    expect(doc2.slice(1).map((row) => row[statusColumn])).toEqual(["Done", "Done", "Done"]);
    expect(h.rt.triggers().filter((t) => t.handler === "runResearchWorker" && !t.fired)).toEqual([]);
  });

  it("spaces a document's continuations an hour apart, a bound script's a minute", () => {
    for (const [source, least] of [
      ["WEB_STORE_ADD_ON", HOUR],
      ["NONE", 60_000],
    ] as const) {
      const h = twoDocuments(source);
      ok(h.rt.run("researchSelectedRows"));
      const [trigger] = triggersOf(h, h.rt.document().id);
      expect(trigger && trigger.dueAt - trigger.createdAt, source).toBeGreaterThanOrEqual(least - SLACK_MS);
      expect(trigger && trigger.dueAt - trigger.createdAt, source).toBeLessThan(least + 10 * 60_000);
    }
  });
});
