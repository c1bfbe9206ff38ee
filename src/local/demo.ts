// Entry of `npm run demo` (see src/local/demo/run.ts and `npm run demo -- --help`).
import { runDemo } from "./demo/run";

process.exitCode = runDemo(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  columns: process.stdout.columns ?? 120,
  env: process.env,
  cwd: process.cwd(),
});
