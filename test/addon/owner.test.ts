// A run's owner is recognised by email or by temporary key, either matching, in every context (menu,
// sidebar, trigger); a trigger the owner's executions made is theirs whatever it sees; after a day
// away, another user may take the run over and their keys pay.
import { describe, expect, it } from "vitest";
import { TEMPORARY_KEY_ROTATION_MS, type LocalRuntime } from "../../src/local/runtime";
import { createProviderRouter, type ProviderRequest } from "../../src/local/providers";
import type { CommandResult } from "../../src/core/wire";
import { companyRows, driveWithTriggers, ok, progress, setup, statuses, type Harness } from "./harness";

const BOB = "bob@example.com";
const BOB_TAVILY = "tvly-bob-0000-1111";
const BOB_LLM = "llm-bob-0000-2222";

/** Moves the clock to `before` ms short of the next rotation of every temporary key. */
function justBeforeKeysRotate(rt: LocalRuntime, before: number): void {
  const next = (Math.floor(rt.clock.now() / TEMPORARY_KEY_ROTATION_MS) + 1) * TEMPORARY_KEY_ROTATION_MS;
  rt.clock.advanceTo(next - before);
}

/** The Authorization header of every provider request, in order. */
function recordAuth(h: Harness): string[] {
  const seen: string[] = [];
  const router = createProviderRouter({ tavily: h.tavily, llm: h.llm });
  h.rt.setFetchMode({
    kind: "handler",
    handler: (request: ProviderRequest) => {
      seen.push(request.headers["Authorization"] ?? "");
      return router(request);
    },
  });
  return seen;
}

/** Alice (the default user) and Bob both have keys; the providers accept only Bob's. */
function aliceAndBob(names: string[]): Harness {
  const h = setup({ rows: companyRows(names), tavily: { apiKey: BOB_TAVILY }, llm: { apiKey: BOB_LLM } });
  h.rt.user(BOB).properties.setProperties({ TAVILY_API_KEY: BOB_TAVILY, LLM_API_KEY: BOB_LLM });
  return h;
}

describe("the owner recognised by email or temporary key", () => {
  it("a trigger that sees a blank email is the owner's: the run finishes with the sidebar closed", () => {
    const h = setup({ rows: companyRows(["Cohere", "Runway"]), runtime: { platform: { email: "hiddenInTriggers" } } });
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(h.rt.run("researchSelectedRows"));
    const workers = driveWithTriggers(h.rt);
    expect(workers.map((w) => (w.value as { status: string }).status)).not.toContain("notOwner");
    expect(statuses(h.rt)).toEqual(["Done", "Done"]);
  });

  it("no email anywhere and the temporary key rotating mid-run: the owner's own trigger carries the run on, and the owner's sidebar knows it again", () => {
    const h = setup({ rows: companyRows(["Cohere", "Runway"]), runtime: { platform: { email: "hidden" } } });
    // Queued 30 seconds before every temporary key changes; the trigger fires a minute later.
    justBeforeKeysRotate(h.rt, 30_000);
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(h.rt.run("researchSelectedRows"));
    const workers = driveWithTriggers(h.rt);
    expect(workers.map((w) => (w.value as { status: string }).status)).not.toContain("notOwner");
    expect(statuses(h.rt)).toEqual(["Done", "Done"]);
    // The trigger learnt the owner's new key: their sidebar is theirs, a colleague's is not.
    expect(progress(h.rt).ownedBy).toBe("");
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(h.rt.run("refreshSelectedRows"));
    expect(progress(h.rt).ownedBy).toBe("");
    const seenByBob = ok(h.rt.run("getResearchProgress", [], { kind: "sidebar", user: BOB })) as ReturnType<typeof progress>;
    expect(seenByBob.ownedBy).toBe("another user");
    expect((ok(h.rt.run("runResearchWorker", [], { kind: "sidebar", user: BOB })) as { status: string }).status).toBe("notOwner");
  });

  it("a run stored with one key (before both were kept) is still its owner's", () => {
    const h = setup({ rows: companyRows(["Cohere"]) });
    h.rt.spreadsheet.setSelection("Sheet1", ["A2"]);
    ok(h.rt.run("researchSelectedRows"));
    const stored = JSON.parse(h.rt.documentProperties.getProperty("TP_RUN") ?? "{}") as Record<string, unknown>;
    delete stored.drivenAt;
    delete stored.ownerTriggers;
    h.rt.documentProperties.setProperty(
      "TP_RUN",
      JSON.stringify({ ...stored, owner: { key: "user@example.com", label: "user@example.com" } }),
    );
    driveWithTriggers(h.rt);
    expect(statuses(h.rt)).toEqual(["Done"]);
  });
});

describe("a run its owner left for a day", () => {
  it("within the day, another user's Research names the owner; after it, they take the run over and their keys pay", () => {
    const h = aliceAndBob(["Cohere", "Runway", "Jasper"]);
    const auth = recordAuth(h);
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
    ok(h.rt.run("researchSelectedRows"));
    // Alice's key is refused: the run pauses, waiting for her.
    driveWithTriggers(h.rt);
    expect(progress(h.rt).pause).toMatchObject({ kind: "keyRejected", service: "tavily" });

    h.rt.clock.advance(23 * 3_600_000);
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A4"]);
    const refused = ok(h.rt.run("researchSelectedRows", [], { user: BOB })) as CommandResult;
    expect(refused).toMatchObject({ ok: false, queued: 0 });
    expect(refused.message).toContain("user@example.com has a research run in progress");

    h.rt.clock.advance(2 * 3_600_000);
    const before = auth.length;
    const taken = ok(h.rt.run("researchSelectedRows", [], { user: BOB })) as CommandResult;
    expect(taken.ok).toBe(true);
    // Alice now watches Bob's run.
    expect(progress(h.rt).ownedBy).toBe(BOB);
    driveWithTriggers(h.rt);
    expect(statuses(h.rt)).toEqual(["Done", "Done", "Done"]);
    // Every request after the take-over carried Bob's keys, none Alice's.
    const after = auth.slice(before);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((a) => a === `Bearer ${BOB_TAVILY}` || a === `Bearer ${BOB_LLM}`)).toBe(true);
  });

  it("the old owner's trigger left pending does not drive a run taken over", () => {
    const h = aliceAndBob(["Cohere", "Runway"]);
    const auth = recordAuth(h);
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    ok(h.rt.run("researchSelectedRows"));
    // Alice's trigger waits; a day and more passes before anything fires.
    h.rt.clock.advance(25 * 3_600_000);
    h.rt.spreadsheet.setSelection("Sheet1", ["A2:A3"]);
    expect((ok(h.rt.run("researchSelectedRows", [], { user: BOB })) as CommandResult).ok).toBe(true);
    const aliceTrigger = h.rt.runNextTrigger();
    expect(aliceTrigger?.value).toMatchObject({ status: "notOwner" });
    expect(auth).toEqual([]);
    driveWithTriggers(h.rt);
    expect(statuses(h.rt)).toEqual(["Done", "Done"]);
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.every((a) => a === `Bearer ${BOB_TAVILY}` || a === `Bearer ${BOB_LLM}`)).toBe(true);
  });
});
