// Entry of `npm run eval` (see src/local/eval/cli.ts and `npm run eval -- --help`).
import { runEval } from "./eval/cli";

process.exitCode = runEval(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
});
