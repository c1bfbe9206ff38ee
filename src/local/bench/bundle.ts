// The bundle's weight: dist/Code.js size and the time to load it into a fresh V8 context (what every
// Apps Script execution pays first: each custom-function cell, each sidebar poll), side by side with
// the bundle built from an earlier commit in a temporary git worktree.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The last commit before the server moved to zod/mini: the bundle this change is measured against. */
export const BASELINE_COMMIT = "e9b33af";

export interface BundleFigures {
  label: string;
  bytes: number;
  /** Median of the runs, in real milliseconds. */
  coldLoadMs: number;
}

export interface BundleComparison {
  current: BundleFigures;
  baseline: BundleFigures | null;
  /** Why the baseline could not be built, when it could not. */
  baselineProblem: string | null;
  sizeRatio: number | null;
  loadRatio: number | null;
}

/**
 * A fresh context, the script compiled and run: the source differs on each run by a trailing
 * comment, so V8's in-process compilation cache cannot serve a later run from an earlier one.
 */
export function coldLoadMs(code: string, nonce: number): number {
  const started = process.hrtime.bigint();
  const context = vm.createContext({});
  new vm.Script(`${code}\n//${nonce}`).runInContext(context);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** Loads the bundles in alternation (so machine load hits both alike) and takes each one's median. */
export function measureBundles(bundles: readonly { label: string; code: string }[], runs = 15): BundleFigures[] {
  const times = bundles.map(() => [] as number[]);
  let nonce = 0;
  // One unmeasured load each first: the first vm context of a process pays for setting up V8 itself.
  for (const b of bundles) coldLoadMs(b.code, nonce++);
  for (let r = 0; r < runs; r++) bundles.forEach((b, i) => times[i]?.push(coldLoadMs(b.code, nonce++)));
  return bundles.map((b, i) => ({ label: b.label, bytes: Buffer.byteLength(b.code, "utf8"), coldLoadMs: median(times[i] ?? []) }));
}

const git = (args: string[], cwd = REPO_ROOT) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/**
 * dist/Code.js as built at `commit`, from a cache in the temp folder or else built in a temporary
 * git worktree outside the repository (node_modules linked from this checkout), removed afterwards.
 */
export function baselineBundle(commit = BASELINE_COMMIT): string {
  const full = git(["rev-parse", "--verify", `${commit}^{commit}`]);
  const cacheDir = join(tmpdir(), "territory-planner-bench", full);
  const cached = join(cacheDir, "Code.js");
  if (existsSync(cached)) return readFileSync(cached, "utf8");
  const work = mkdtempSync(join(tmpdir(), "territory-planner-baseline-"));
  const tree = join(work, "tree");
  git(["worktree", "add", "--detach", tree, full]);
  try {
    symlinkSync(join(REPO_ROOT, "node_modules"), join(tree, "node_modules"), "dir");
    execFileSync(process.execPath, ["build.mjs"], { cwd: tree, stdio: ["ignore", "pipe", "pipe"] });
    const code = readFileSync(join(tree, "dist", "Code.js"), "utf8");
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cached, code);
    return code;
  } finally {
    git(["worktree", "remove", "--force", tree]);
    rmSync(work, { recursive: true, force: true });
  }
}

export function compareBundles(runs = 15): BundleComparison {
  const current = readFileSync(join(REPO_ROOT, "dist", "Code.js"), "utf8");
  let baseline: string | null = null;
  let baselineProblem: string | null = null;
  try {
    baseline = baselineBundle();
  } catch (error) {
    baselineProblem = error instanceof Error ? error.message.split("\n")[0] ?? error.message : String(error);
  }
  const figures = measureBundles(
    [{ label: "dist/Code.js (this checkout)", code: current }, ...(baseline === null ? [] : [{ label: `dist/Code.js at ${BASELINE_COMMIT}`, code: baseline }])],
    runs,
  );
  const [now, before = null] = figures;
  if (now === undefined) throw new Error("no bundle measured");
  return {
    current: now,
    baseline: before,
    baselineProblem,
    sizeRatio: before ? now.bytes / before.bytes : null,
    loadRatio: before && before.coldLoadMs > 0 ? now.coldLoadMs / before.coldLoadMs : null,
  };
}

export function formatBundles(c: BundleComparison): string {
  const row = (f: BundleFigures) => `${f.label.padEnd(34)}  ${(f.bytes / 1024).toFixed(0).padStart(6)} KB  ${f.coldLoadMs.toFixed(1).padStart(8)} ms`;
  const lines = [`${"bundle".padEnd(34)}  ${"size".padStart(9)}  ${"cold load".padStart(11)}`, row(c.current)];
  if (c.baseline) lines.push(row(c.baseline), `${"ratio (this / baseline)".padEnd(34)}  ${c.sizeRatio?.toFixed(2).padStart(9)}  ${c.loadRatio?.toFixed(2).padStart(11)}`);
  else lines.push(`baseline ${BASELINE_COMMIT} not measured: ${c.baselineProblem ?? "unknown reason"}`);
  return lines.join("\n");
}
