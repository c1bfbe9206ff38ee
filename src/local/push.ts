// Entry of `npm run push` (see src/local/push/push.ts).
import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import { push } from "./push/push";

process.exitCode = push({
  root: process.cwd(),
  env: process.env,
  home: homedir(),
  run: (step) => spawnSync(step.command, step.args, { stdio: "inherit", cwd: process.cwd() }).status ?? 1,
  log: (line) => console.log(line),
});
