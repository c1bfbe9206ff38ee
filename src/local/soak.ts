// npm run soak [-- --json] [-- --companies 1000 --kills 20 --fault-rate 0.1 --seed 8]: the fault soak
// (random 429s and 5xx, killed executions) on the built add-on in the local runtime.
import { makeLocalRuntime } from "./bench/local-runtime";
import { formatBilling } from "./bench/hostile";
import { formatTargets } from "./bench/report";
import { runSoak } from "./bench/soak-run";

function option(argv: readonly string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  const value = at >= 0 ? Number(argv[at + 1]) : NaN;
  return Number.isFinite(value) ? value : fallback;
}

const argv = process.argv.slice(2);
const options = {
  companies: option(argv, "--companies", 1000),
  kills: option(argv, "--kills", 20),
  faultRate: option(argv, "--fault-rate", 0.1),
  seed: option(argv, "--seed", 8),
};
const started = Date.now();
const soak = runSoak(makeLocalRuntime, options);
console.log(
  `Territory Planner soak: ${options.companies} companies, ${(options.faultRate * 100).toFixed(0)}% of requests answered 429/5xx, ` +
    `${soak.kills} of ${options.kills} planned kills; ${((Date.now() - started) / 1000).toFixed(0)} s real time, ${(soak.virtualMs / 60_000).toFixed(1)} min virtual`,
);
console.log(`rows ${soak.rows}, terminal ${soak.terminal}, done ${soak.done}, misplaced ${soak.misplaced}, lost ${soak.lost}`);
console.log(`worker executions ${soak.workerExecutions}, stalls ${soak.stalls}`);
console.log(`Tavily answers by status ${JSON.stringify(soak.faults.tavily)}; LLM answers by status ${JSON.stringify(soak.faults.llm)}`);
console.log(
  `${formatBilling(soak.billing, soak.rows)} (lost to kills: billed for answers that came back after their execution was killed)`,
);
if (soak.errors.length > 0) console.log(`execution errors: ${soak.errors.slice(0, 5).join(" | ")}`);
for (const p of soak.problems.slice(0, 10)) console.log(`  row ${p.row} ${p.company} [${p.status}]: ${p.why}`);
console.log("");
console.log(formatTargets(soak.targets));
if (argv.includes("--json")) {
  const { rows, terminal, done, misplaced, lost, kills, stalls, targets } = soak;
  console.log(JSON.stringify({ rows, terminal, done, misplaced, lost, kills, stalls, targets }));
}
process.exitCode = soak.targets.every((t) => t.pass) ? 0 : 1;
