// Running `npm run eval` in this process: the CLI's entry function with an environment that holds
// no keys unless given, files in a temp folder, and the fake providers standing in for the real ones.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runEval, type LiveServices } from "../../src/local/eval/cli";
import {
  createFakeLlm,
  createFakeTavily,
  createProviderRouter,
  type FakeLlmOptions,
  type FakeTavilyOptions,
} from "../../src/local/providers";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface EvalRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function evalHere(args: readonly string[], options: { env?: Record<string, string>; live?: LiveServices } = {}): EvalRun {
  let stdout = "";
  let stderr = "";
  const code = runEval(
    args,
    { out: (t) => void (stdout += t), err: (t) => void (stderr += t), env: options.env ?? {}, cwd: ROOT },
    options.live,
  );
  return { code, stdout, stderr };
}

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tp-eval-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const FAKE_TAVILY_KEY = "tvly-fake-eval-0001";
export const FAKE_LLM_KEY = "llm-fake-eval-0002";

/** The fake Tavily and LLM behind one handler, as a live run would reach the real ones. */
export function fakeServices(options: { tavily?: Partial<FakeTavilyOptions>; llm?: Partial<FakeLlmOptions> } = {}) {
  const tavily = createFakeTavily({ apiKey: FAKE_TAVILY_KEY, ...options.tavily });
  const llm = createFakeLlm({ apiKey: FAKE_LLM_KEY, ...options.llm });
  const live: LiveServices = {
    handler: createProviderRouter({ tavily, llm }),
    tavilyKey: FAKE_TAVILY_KEY,
    llmKey: FAKE_LLM_KEY,
    describe: "Fake providers standing in for the live services.",
  };
  return { tavily, llm, live };
}

/** Builds dist/ when it is missing or older than the sources the bundle is made of (npm test builds first anyway). */
export async function ensureBuilt(): Promise<void> {
  const bundle = join(ROOT, "dist", "Code.js");
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  const sources = Math.max(newest(join(ROOT, "src", "core")), newest(join(ROOT, "src", "addon")));
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= sources) return;
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ["build.mjs", "--quiet"], { cwd: ROOT }, (e) => (e ? reject(e) : resolve())),
  );
}
