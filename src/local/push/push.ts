// `npm run push`: deploys the add-on into the user's own Apps Script project with clasp. Before it
// runs anything it checks what would make clasp fail late or unclearly (the script id left as the
// placeholder, no clasp login); then, like google/aside's deploy, it pushes only code that passes
// the typecheck, the lint and the tests.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** What .clasp.json ships with, until the user puts their project's script id there. */
export const SCRIPT_ID_PLACEHOLDER = "REPLACE_WITH_YOUR_SCRIPT_ID";

const claspProjectSchema = z.object({ scriptId: z.string() });

/** Why .clasp.json in `root` names no project to push to; null when it does. */
export function claspProjectProblem(root: string): string | null {
  const file = join(root, ".clasp.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return `There is no .clasp.json in ${root}: run npm run push from the project's folder.`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return '.clasp.json is not valid JSON: it should read {"scriptId": "<your script id>", "rootDir": "dist"}.';
  }
  const parsed = claspProjectSchema.safeParse(json);
  const scriptId = parsed.success ? parsed.data.scriptId.trim() : "";
  if (scriptId === "" || scriptId === SCRIPT_ID_PLACEHOLDER) {
    return (
      `.clasp.json does not name your Apps Script project yet. Open the spreadsheet, Extensions > Apps Script > ` +
      `Project Settings, copy the Script ID, and put it in .clasp.json in place of ${SCRIPT_ID_PLACEHOLDER}.`
    );
  }
  return null;
}

/**
 * Where clasp keeps its login: the file or folder named by clasp's own `clasp_config_auth`
 * variable (the environment form of its --auth option), else ~/.clasprc.json.
 */
export function claspAuthFile(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const named = env["clasp_config_auth"];
  if (!named) return join(home, ".clasprc.json");
  try {
    return statSync(named).isDirectory() ? join(named, ".clasprc.json") : named;
  } catch {
    return named;
  }
}

// The shapes clasp 3 reads a login from: its own (`tokens.default`), and the two of clasp 1 and 2
// it still accepts.
const claspLoginSchema = z.union([
  z.object({ tokens: z.object({ default: z.looseObject({}) }) }),
  z.object({ token: z.looseObject({}), oauth2ClientSettings: z.looseObject({}) }),
  z.object({ access_token: z.string() }),
]);

/** Why clasp has no login to push with; null when it has one. */
export function claspLoginProblem(authFile: string): string | null {
  const login = "run `npx clasp login` once (it opens a browser to authorise clasp with your Google account), then npm run push again.";
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(authFile, "utf8"));
  } catch {
    return `clasp is not logged in (no login in ${authFile}): ${login}`;
  }
  return claspLoginSchema.safeParse(json).success ? null : `clasp's login in ${authFile} holds no credentials: ${login}`;
}

export interface Step {
  /** What the step is, in the messages. */
  name: string;
  command: string;
  args: string[];
}

/** The gates first, then the build for the push (it adds an LLM_BASE_URL from the environment to the manifest), then clasp. */
export const PUSH_STEPS: readonly Step[] = [
  { name: "typecheck", command: "npm", args: ["run", "--silent", "typecheck"] },
  { name: "lint", command: "npm", args: ["run", "--silent", "lint"] },
  { name: "tests", command: "npm", args: ["test", "--silent"] },
  { name: "build for the push", command: "node", args: ["build.mjs", "--for-push"] },
  { name: "clasp push", command: "npx", args: ["clasp", "push", "--force"] },
];

export interface PushContext {
  root: string;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  /** Runs a step in `root` and gives its exit status. */
  run(step: Step): number;
  log(line: string): void;
}

/** The whole push; its exit status. Nothing runs before both checks pass, and nothing is pushed after a failed gate. */
export function push(ctx: PushContext): number {
  const problems = [claspProjectProblem(ctx.root), claspLoginProblem(claspAuthFile(ctx.env, ctx.home))].filter(
    (problem): problem is string => problem !== null,
  );
  if (problems.length > 0) {
    for (const problem of problems) ctx.log(`npm run push: ${problem}`);
    ctx.log("Nothing was built or pushed.");
    return 1;
  }
  for (const step of PUSH_STEPS) {
    ctx.log(`npm run push: ${step.name}...`);
    const status = ctx.run(step);
    if (status !== 0) {
      ctx.log(`npm run push: ${step.name} failed (exit ${status}). Nothing was pushed: fix it and run npm run push again.`);
      return status;
    }
  }
  ctx.log("npm run push: pushed. Reload the spreadsheet to see the Territory Planner menu.");
  return 0;
}
