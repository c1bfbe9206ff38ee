// Two columns carrying the tag of one output (a user's copy of the Tier column with their notes in
// it, a pasted tag): the add-on writes neither and says which, at queue time and mid-run.
import { describe, expect, it } from "vitest";
import type { FakeSheet, LocalRuntime } from "../../src/local/runtime";
import { createProviderRouter, type ProviderRequest } from "../../src/local/providers";
import { COLUMN_TAG } from "../../src/core/run/sheet-layout";
import { companyRows, driveWithSidebar, ok, progress, setup, statuses, type Harness } from "./harness";

function sheetOf(rt: LocalRuntime, name = "Sheet1"): FakeSheet {
  const sheet = rt.spreadsheet.getSheetByName(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  return sheet;
}

const NOTES = ["My notes", "call in May", "ask Dana", "not a fit?"];

/** A researched sheet whose column B ("My notes") the user filled, then gave Territory Planner's Tier tag. */
function researchedThenCopied(): Harness & { copy: () => void; uncopy: () => void } {
  const h = setup({
    rows: [
      ["Company", NOTES[0]],
      ["Cohere", NOTES[1]],
      ["Runway", NOTES[2]],
      ["Jasper", NOTES[3]],
    ],
  });
  h.rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
  ok(h.rt.run("researchSelectedRows"));
  driveWithSidebar(h.rt);
  const sheet = sheetOf(h.rt);
  let pasted: number | null = null;
  return {
    ...h,
    copy: () => {
      pasted = sheet.addColumnMetadata(2, COLUMN_TAG, "Tier").id;
    },
    uncopy: () => {
      if (pasted !== null) sheet.removeMetadata(pasted);
    },
  };
}

describe("two columns carrying one output's tag", () => {
  it("at queue time: nothing is queued on that sheet, and the rep is told which columns clash, by letter and header", () => {
    const h = researchedThenCopied();
    h.copy();
    const sheet = sheetOf(h.rt);
    const before = sheet.dump();
    const requests = h.rt.stats.urlFetch.requests;
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
    const result = ok(h.rt.run("refreshSelectedRows")) as { ok: boolean; message: string; queued: number };
    expect(result.ok).toBe(false);
    expect(result.queued).toBe(0);
    expect(result.message).toMatch(/^Nothing was queued\. In "Sheet1", columns B \("My notes"\) and C \("Tier"\) both carry the Tier tag/);
    expect(result.message).toMatch(/delete the copy/);
    // The sidebar's estimate says the same before anything is shown as a cost.
    const estimate = ok(h.rt.run("estimateSelectedRows", [], { kind: "sidebar" })) as { ok: boolean; message: string };
    expect(estimate).toMatchObject({ ok: false, message: result.message });
    expect(sheet.dump()).toEqual(before);
    expect(h.rt.stats.urlFetch.requests).toBe(requests);
  });

  it("mid-run: the worker writes nothing into that sheet, the run pauses saying which columns, and nothing paid is lost", () => {
    // One company in flight at a time, so the other sheet's rows still wait when the copy appears.
    const h = setup({ rows: companyRows(["Cohere", "Runway"]), settings: { TAVILY_CONCURRENCY: "1", LLM_CONCURRENCY: "1" } });
    const leads = h.rt.spreadsheet.insertSheet("Leads");
    leads.load(companyRows(["Mistral", "Glean", "Writer"]));
    const sheet = sheetOf(h.rt);
    // The user copies the Tier column (its tag with it) while the first wave's AI calls are out.
    const router = createProviderRouter({ tavily: h.tavily, llm: h.llm });
    let copied: number | null = null;
    h.rt.setFetchMode({
      kind: "handler",
      handler: (request: ProviderRequest) => {
        if (copied === null && request.url.endsWith("/chat/completions")) {
          sheet.load([...sheet.dump().map((row, i) => [...row, i === 0 ? "Tier copy" : "my note"])]);
          copied = sheet.addColumnMetadata(sheet.lastColumn(), COLUMN_TAG, "Tier").id;
        }
        return router(request);
      },
    });
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(h.rt.run("researchSelectedRows"));
    h.rt.spreadsheet.setSelection("Leads", ["A2:A4"]);
    ok(h.rt.run("researchSelectedRows"));
    driveWithSidebar(h.rt);

    const seen = progress(h.rt);
    expect(seen.pause).toEqual({
      kind: "columnClash",
      sheet: "Sheet1",
      clashes: [
        {
          output: "Tier",
          columns: [
            { letter: "B", header: "Tier" },
            { letter: "H", header: "Tier copy" },
          ],
        },
      ],
    });
    expect(seen.message).toBe('Paused: columns B, H (Tier) of "Sheet1" carry the same tag, delete the copy, then Resume');
    // Neither Tier column was written after the copy; the other sheet's waiting rows say why they wait.
    expect(sheet.dump().map((row) => [row[1], row[7]])).toEqual([
      ["Tier", "Tier copy"],
      ["", "my note"],
      ["", "my note"],
    ]);
    expect(statuses(h.rt, "Leads").every((s) => s === seen.message)).toBe(true);

    // The copy loses its tag (the user deletes it), Resume: every row is written, nothing bought twice.
    if (copied !== null) sheet.removeMetadata(copied);
    ok(h.rt.run("resumeResearch", [], { kind: "sidebar" }));
    driveWithSidebar(h.rt);
    expect(progress(h.rt).pause).toBeNull();
    expect(statuses(h.rt).every((s) => s.startsWith("Done"))).toBe(true);
    expect(statuses(h.rt, "Leads").every((s) => s.startsWith("Done"))).toBe(true);
    expect(
      sheet
        .dump()
        .slice(1)
        .map((row) => row[7]),
    ).toEqual(["my note", "my note"]);
    // Each company was searched and judged once, across the pause.
    for (const company of ["Cohere", "Runway", "Mistral", "Glean", "Writer"]) expect(h.llm.byCompany[company], company).toBe(1);
    expect(h.tavily.requests).toBe(5);
  });

  it("a clash on a sheet with nothing waiting concerns no run: research elsewhere goes on", () => {
    const h = researchedThenCopied();
    h.copy();
    const leads = h.rt.spreadsheet.insertSheet("Leads");
    leads.load(companyRows(["Mistral"]));
    h.rt.spreadsheet.setSelection("Leads", ["A2"]);
    ok(h.rt.run("researchSelectedRows"));
    driveWithSidebar(h.rt);
    expect(progress(h.rt).pause).toBeNull();
    expect(statuses(h.rt, "Leads")).toEqual(["Done"]);
    expect(
      sheetOf(h.rt)
        .dump()
        .map((row) => row[1]),
    ).toEqual(NOTES);
  });
});
