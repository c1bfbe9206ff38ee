// npm run bench [-- --json] [-- --dev-limits] [-- --sizes 10,100]: the built add-on in the local
// runtime against fake providers, in virtual time; see issue 8 and src/local/bench/.
import { makeLocalRuntime } from "./bench/local-runtime";
import { benchTargets, formatTable, formatTargets } from "./bench/report";
import { runScenario, type ScenarioFigures } from "./bench/scenario";
import { DEV_LIMITS, PRODUCTION_LIMITS } from "./bench/setup";
import type { Mode } from "./bench/drive";

function parseArgs(argv: readonly string[]) {
  const sizesAt = argv.indexOf("--sizes");
  const sizes = sizesAt >= 0 ? (argv[sizesAt + 1] ?? "").split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0) : [10, 100, 1000];
  return { json: argv.includes("--json"), devLimits: argv.includes("--dev-limits"), sizes };
}

const args = parseArgs(process.argv.slice(2));
const limits = args.devLimits ? DEV_LIMITS : PRODUCTION_LIMITS;
const figures: ScenarioFigures[] = [];
const started = Date.now();
for (const size of args.sizes) {
  for (const mode of ["open", "closed"] as const satisfies readonly Mode[]) {
    const t0 = Date.now();
    figures.push(...runScenario(makeLocalRuntime, limits, size, mode));
    // Progress on stderr, so that with --json the last line of stdout stays the JSON object.
    process.stderr.write(`bench: N=${size} sidebar ${mode} done in ${((Date.now() - t0) / 1000).toFixed(1)} s real time\n`);
  }
}
const targets = benchTargets(figures);
console.log(`Territory Planner bench: Tavily ${limits.tavilyRpm} RPM, LLM ${limits.llmRpm} RPM; virtual time; ${((Date.now() - started) / 1000).toFixed(0)} s real time`);
console.log(
  "Bound: max(one search + one LLM call of mean served latency, last of N searches under Tavily RPM + that chain, last of N LLM calls under LLM RPM + its latency); sliding 60 s windows. Waves: as reported by the worker. $: SPEC default prices.",
);
console.log("");
console.log(formatTable(figures));
for (const f of figures) {
  if (f.errors.length > 0) console.log(`errors (N=${f.size}, ${f.mode}, ${f.run}): ${f.errors.slice(0, 5).join(" | ")}`);
}
console.log("");
console.log(formatTargets(targets));
if (args.json) console.log(JSON.stringify({ limits, scenarios: figures, targets }));
process.exitCode = targets.every((t) => t.pass) ? 0 : 1;
