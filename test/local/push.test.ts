// npm run push: its checks refuse before anything runs, and its gates run before clasp pushes. No
// network and no clasp: the steps go to a recording runner.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { claspAuthFile, claspLoginProblem, claspProjectProblem, push, SCRIPT_ID_PLACEHOLDER, type Step } from "../../src/local/push/push";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");
const LOGIN = { tokens: { default: { access_token: "ya29.x", refresh_token: "1//x", token_type: "Bearer" } } };

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project folder with this .clasp.json (or none), and a home folder with this clasp login (or none). */
function machine(clasp: unknown, login: unknown): { root: string; home: string } {
  const root = mkdtempSync(join(tmpdir(), "tp-push-root-"));
  const home = mkdtempSync(join(tmpdir(), "tp-push-home-"));
  dirs.push(root, home);
  if (clasp !== undefined) writeFileSync(join(root, ".clasp.json"), typeof clasp === "string" ? clasp : JSON.stringify(clasp));
  if (login !== undefined) writeFileSync(join(home, ".clasprc.json"), JSON.stringify(login));
  return { root, home };
}

function pushOn(where: { root: string; home: string }, failing: string | null = null) {
  const ran: Step[] = [];
  const lines: string[] = [];
  const status = push({
    ...where,
    env: {},
    run: (step) => {
      ran.push(step);
      return step.name === failing ? 2 : 0;
    },
    log: (line) => lines.push(line),
  });
  return { status, ran: ran.map((s) => s.name), commands: ran.map((s) => [s.command, ...s.args].join(" ")), output: lines.join("\n") };
}

describe("npm run push: checks before anything runs", () => {
  it("refuses the placeholder script id and says where to find the real one", () => {
    const { root } = machine({ scriptId: SCRIPT_ID_PLACEHOLDER, rootDir: "dist" }, LOGIN);
    expect(claspProjectProblem(root)).toMatch(/Extensions > Apps Script > Project Settings, copy the Script ID/);
    expect(claspProjectProblem(root)).toContain(SCRIPT_ID_PLACEHOLDER);
    // The repository ships the placeholder: a fresh clone is stopped here.
    expect(claspProjectProblem(repoRoot)).toContain(SCRIPT_ID_PLACEHOLDER);
  });

  it("refuses a missing, broken or id-less .clasp.json, and accepts a real id", () => {
    expect(claspProjectProblem(machine(undefined, LOGIN).root)).toMatch(/no \.clasp\.json/);
    expect(claspProjectProblem(machine("{scriptId:", LOGIN).root)).toMatch(/not valid JSON/);
    expect(claspProjectProblem(machine({ rootDir: "dist" }, LOGIN).root)).toMatch(/does not name your Apps Script project/);
    expect(claspProjectProblem(machine({ scriptId: "1AbCdEfGh_real-id", rootDir: "dist" }, LOGIN).root)).toBeNull();
  });

  it("refuses when clasp has no login, telling how to log in", () => {
    const { home } = machine({ scriptId: "1real" }, undefined);
    expect(claspLoginProblem(join(home, ".clasprc.json"))).toMatch(/clasp is not logged in .*run `npx clasp login` once/);
    const empty = machine({ scriptId: "1real" }, { tokens: {} });
    expect(claspLoginProblem(join(empty.home, ".clasprc.json"))).toMatch(/holds no credentials/);
  });

  it("finds clasp's login where clasp does: its own format and the older ones, ~ or clasp_config_auth", () => {
    for (const login of [LOGIN, { token: { access_token: "x" }, oauth2ClientSettings: { clientId: "c" } }, { access_token: "x" }]) {
      const { home } = machine({ scriptId: "1real" }, login);
      expect(claspLoginProblem(claspAuthFile({}, home))).toBeNull();
    }
    const { home } = machine({ scriptId: "1real" }, LOGIN);
    const elsewhere = join(home, "creds");
    mkdirSync(elsewhere);
    expect(claspAuthFile({ clasp_config_auth: elsewhere }, "/nonexistent")).toBe(join(elsewhere, ".clasprc.json"));
    expect(claspAuthFile({ clasp_config_auth: join(home, ".clasprc.json") }, "/nonexistent")).toBe(join(home, ".clasprc.json"));
  });

  it("says both problems at once and runs nothing, not even the build", () => {
    const result = pushOn(machine({ scriptId: SCRIPT_ID_PLACEHOLDER }, undefined));
    expect(result.status).toBe(1);
    expect(result.ran).toEqual([]);
    expect(result.output).toContain(SCRIPT_ID_PLACEHOLDER);
    expect(result.output).toContain("npx clasp login");
    expect(result.output).toContain("Nothing was built or pushed.");
  });
});

describe("npm run push: gates before the push", () => {
  it("typechecks, lints and tests, then builds for the push, then pushes", () => {
    const result = pushOn(machine({ scriptId: "1real" }, LOGIN));
    expect(result.status).toBe(0);
    expect(result.commands).toEqual([
      "npm run --silent typecheck",
      "npm run --silent lint",
      "npm test --silent",
      "node build.mjs --for-push",
      "npx clasp push --force",
    ]);
  });

  it("pushes nothing after a failing gate, and says which one failed", () => {
    for (const gate of ["typecheck", "lint", "tests"]) {
      const result = pushOn(machine({ scriptId: "1real" }, LOGIN), gate);
      expect(result.status).toBe(2);
      expect(result.ran.at(-1)).toBe(gate);
      expect(result.ran).not.toContain("clasp push");
      expect(result.output).toContain(`${gate} failed (exit 2). Nothing was pushed`);
    }
  });

  it("is what npm run push runs", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts["push"]).toBe("node --import tsx src/local/push.ts");
  });
});
