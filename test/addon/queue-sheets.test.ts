// The list of queue sheets in document properties: by sheet id (a name identifies two things after a
// rename or a delete-and-recreate), and bounded whatever the number of sheets.
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../src/core/limits";
import { companyRows, driveWithSidebar, ok, progress, setup, statuses } from "./harness";

const bytes = (text: string | null) => Buffer.byteLength(text ?? "", "utf8");

describe("the list of queue sheets", () => {
  it("tabs with long names, each researched once: the list stays under a property's 9 KB and every Research still works", () => {
    const h = setup({ rows: companyRows(["Cohere"]) });
    // 40 names of 90 characters, three bytes each in UTF-8: a list by name passes 9 KB at the 31st.
    const names = Array.from({ length: 40 }, (_, i) =>
      `${String(i + 1).padStart(2, "0")} ${"見込み顧客リスト、エンタープライズ営業、東日本地域".repeat(4)}`.slice(0, 90),
    );
    for (const [i, name] of names.entries()) {
      h.rt.spreadsheet.insertSheet(name).load(companyRows([`Company ${i + 1}`]));
      h.rt.spreadsheet.setSelection(name, ["A2"]);
      const queued = h.rt.run("researchSelectedRows");
      expect(queued.error, name).toBeNull();
      expect(queued.value).toMatchObject({ ok: true, queued: 1 });
    }
    expect(bytes(h.rt.documentProperties.getProperty("TP_SHEETS"))).toBeLessThan(LIMITS.propertyValueBytes);
    for (const value of Object.values(h.rt.documentProperties.getProperties()))
      expect(bytes(value)).toBeLessThan(LIMITS.propertyValueBytes);
    driveWithSidebar(h.rt, 400);
    for (const name of names) expect(statuses(h.rt, name), name).toEqual(["Done"]);
    expect(progress(h.rt)).toMatchObject({ done: 40, queued: 0 });
  });

  it("a queue sheet renamed, and a new sheet given its old name: the run finishes the renamed one and leaves the new one alone", () => {
    const h = setup({ rows: companyRows(["Cohere", "Runway"]), sheetName: "Leads" });
    h.rt.spreadsheet.setSelection("Leads", ["A2:A3"]);
    ok(h.rt.run("researchSelectedRows"));
    const original = h.rt.spreadsheet.getSheetByName("Leads");
    if (!original) throw new Error("no sheet");
    original.name = "Leads (old)";
    const newcomer = h.rt.spreadsheet.insertSheet("Leads");
    newcomer.load([
      ["Company", "Status"],
      ["Mistral", "Queued"],
    ]);
    driveWithSidebar(h.rt);
    expect(statuses(h.rt, "Leads (old)")).toEqual(["Done", "Done"]);
    expect(newcomer.dump()).toEqual([
      ["Company", "Status"],
      ["Mistral", "Queued"],
    ]);
    expect(h.tavily.requests).toBe(2);
  });

  it("a list stored by name (before ids were kept) is still read, and written by id the next time", () => {
    const h = setup({ rows: companyRows(["Cohere", "Runway"]) });
    h.rt.spreadsheet.setSelection("Sheet1", ["A2"]);
    ok(h.rt.run("researchSelectedRows"));
    driveWithSidebar(h.rt);
    // Runway is queued by hand in a list of the older shape.
    h.rt.documentProperties.setProperty("TP_SHEETS", JSON.stringify([{ name: "Sheet1", fallbackCompanyColumn: 1 }]));
    h.rt.spreadsheet.setSelection("Sheet1", ["A3"]);
    const other = h.rt.spreadsheet.insertSheet("Other");
    other.load(companyRows(["Mistral"]));
    ok(h.rt.run("researchSelectedRows"));
    h.rt.spreadsheet.setSelection("Other", ["A2"]);
    ok(h.rt.run("researchSelectedRows"));
    driveWithSidebar(h.rt);
    expect(statuses(h.rt)).toEqual(["Done", "Done"]);
    expect(statuses(h.rt, "Other")).toEqual(["Done"]);
    const stored = JSON.parse(h.rt.documentProperties.getProperty("TP_SHEETS") ?? "[]") as Record<string, unknown>[];
    expect(stored.map((s) => Object.keys(s).sort())).toEqual([
      ["column", "id"],
      ["column", "id"],
    ]);
  });
});
