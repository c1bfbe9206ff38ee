// The bundle's weight: dist/Code.js size and the time to load it into a fresh V8 context (what every
// Apps Script execution pays first: each custom-function cell, each sidebar poll), side by side with
// the bundle built from an earlier commit in a temporary git worktree.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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

// Run in a fresh Node process, so that neither the bench's own heap (its collector pauses) nor V8's
// in-process compilation cache (the source differs on each run by a trailing comment) skews a load.
// Each run: a fresh context, then the bundle compiled and its top level run; bundles alternate so
// machine load hits them alike, after one unmeasured load each.
const LOADER = `
const vm = require("node:vm");
const fs = require("node:fs");
const [runs, ...paths] = JSON.parse(process.argv[1]);
const codes = paths.map((p) => fs.readFileSync(p, "utf8"));
let nonce = 0;
const load = (code) => {
  const context = vm.createContext({});
  const started = process.hrtime.bigint();
  new vm.Script(code + "\\n//" + nonce++).runInContext(context);
  return Number(process.hrtime.bigint() - started) / 1e6;
};
codes.forEach(load);
const times = codes.map(() => []);
for (let r = 0; r < runs; r++) codes.forEach((code, i) => times[i].push(load(code)));
process.stdout.write(JSON.stringify(times));
`;

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** Each bundle file's size and median cold load, measured in a fresh Node process. */
export function measureBundles(bundles: readonly { label: string; path: string }[], runs = 15): BundleFigures[] {
  const out = execFileSync(process.execPath, ["-e", LOADER, JSON.stringify([runs, ...bundles.map((b) => b.path)])], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const times: unknown = JSON.parse(out);
  if (!Array.isArray(times) || times.length !== bundles.length) throw new Error("the bundle loader answered something unexpected");
  return bundles.map((b, i) => {
    const own: unknown = times[i];
    const ms = Array.isArray(own) ? own.filter((x): x is number => typeof x === "number") : [];
    return { label: b.label, bytes: statSync(b.path).size, coldLoadMs: median(ms) };
  });
}

const git = (args: string[], cwd = REPO_ROOT) =>
  execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/**
 * dist/Code.js as built at `commit`, from a cache in the temp folder or else built in a temporary
 * git worktree outside the repository (node_modules linked from this checkout), removed afterwards.
 */
export function baselineBundle(commit = BASELINE_COMMIT): string {
  return readFileSync(baselineBundlePath(commit), "utf8");
}

/** The path of the cached baseline build (built first if need be). */
export function baselineBundlePath(commit = BASELINE_COMMIT): string {
  const full = git(["rev-parse", "--verify", `${commit}^{commit}`]);
  const cacheDir = join(tmpdir(), "territory-planner-bench", full);
  const cached = join(cacheDir, "Code.js");
  if (existsSync(cached)) return cached;
  const work = mkdtempSync(join(tmpdir(), "territory-planner-baseline-"));
  const tree = join(work, "tree");
  git(["worktree", "add", "--detach", tree, full]);
  try {
    symlinkSync(join(REPO_ROOT, "node_modules"), join(tree, "node_modules"), "dir");
    execFileSync(process.execPath, ["build.mjs"], { cwd: tree, stdio: ["ignore", "pipe", "pipe"] });
    mkdirSync(cacheDir, { recursive: true });
    copyFileSync(join(tree, "dist", "Code.js"), cached);
    return cached;
  } finally {
    git(["worktree", "remove", "--force", tree]);
    rmSync(work, { recursive: true, force: true });
  }
}

export function compareBundles(runs = 15): BundleComparison {
  const current = join(REPO_ROOT, "dist", "Code.js");
  let baseline: string | null = null;
  let baselineProblem: string | null = null;
  try {
    baseline = baselineBundlePath();
  } catch (error) {
    baselineProblem = error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
  }
  const figures = measureBundles(
    [
      { label: "dist/Code.js (this checkout)", path: current },
      ...(baseline === null ? [] : [{ label: `dist/Code.js at ${BASELINE_COMMIT}`, path: baseline }]),
    ],
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
  const row = (f: BundleFigures) =>
    `${f.label.padEnd(34)}  ${(f.bytes / 1024).toFixed(0).padStart(6)} KB  ${f.coldLoadMs.toFixed(1).padStart(8)} ms`;
  const lines = [`${"bundle".padEnd(34)}  ${"size".padStart(9)}  ${"cold load".padStart(11)}`, row(c.current)];
  if (c.baseline)
    lines.push(
      row(c.baseline),
      `${"ratio (this / baseline)".padEnd(34)}  ${c.sizeRatio?.toFixed(2).padStart(9)}  ${c.loadRatio?.toFixed(2).padStart(11)}`,
    );
  else lines.push(`baseline ${BASELINE_COMMIT} not measured: ${c.baselineProblem ?? "unknown reason"}`);
  return lines.join("\n");
}
