// Entry of `npm run demo` (see src/local/demo/run.ts and `npm run demo -- --help`).
import { isatty } from "node:tty";
import { runDemo } from "./demo/run";
import { readLine } from "./demo/terminal";

process.exitCode = runDemo(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true,
  columns: process.stdout.columns ?? 120,
  env: process.env,
  cwd: process.cwd(),
  // A question needs someone at a terminal to answer it. isatty rather than process.stdin.isTTY:
  // opening the stdin stream would make fd 0 non-blocking.
  ...(isatty(0)
    ? {
        ask: (question: string) => {
          process.stdout.write(question);
          return readLine(0);
        },
      }
    : {}),
});
