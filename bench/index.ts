// Runs every benchmark, one after another, then writes the summary (bench/reports/summary.json and
// bench/reports/SUMMARY.md). A benchmark that fails is reported and the rest still run; the exit code says whether all passed.
//
//   npm run bench                       every benchmark (tens of minutes: devnets, 256 MiB uploads, proofs)
//   npm run bench -- --only storage,da  those whose name contains one of the words
//   npm run bench -- --list             the benchmarks' npm scripts
import { spawnSync } from "node:child_process";
import path from "node:path";
import { writeSummary } from "./summary";

interface Bench {
  /** The npm script (`npm run <script>`); each writes bench/reports/<report>.json. */
  script: string;
  env?: Record<string, string>;
}

export const BENCHES: Bench[] = [
  { script: "bench:storage" },
  { script: "bench:storage-miner" },
  { script: "bench:storage-ingest" },
  { script: "bench:storage-client", env: { BENCH_MIB: "32,256" } },
  { script: "bench:da" },
  { script: "bench:da-encode" },
  { script: "bench:da-disperse" },
  { script: "bench:receipt" },
  { script: "bench:settlement" },
  { script: "bench:compute-model" },
  { script: "bench:compute-broker" },
  { script: "bench:inft" },
  { script: "bench:market" },
];

function main(argv: string[]) {
  if (argv.includes("--list")) {
    for (const b of BENCHES) console.log(`npm run ${b.script}`);
    return;
  }
  const at = argv.indexOf("--only");
  const words = at >= 0 ? (argv[at + 1] ?? "").split(",").filter(Boolean) : [];
  const chosen = words.length ? BENCHES.filter((b) => words.some((w) => b.script.includes(w))) : BENCHES;
  if (chosen.length === 0) throw new Error(`--only ${words.join(",")} names no benchmark; try --list`);

  const root = path.join(__dirname, "..");
  const compiled = spawnSync("npx", ["hardhat", "compile", "--quiet"], { cwd: root, stdio: "inherit" });
  if (compiled.status !== 0) process.exit(compiled.status ?? 1);
  const failed: string[] = [];
  for (const b of chosen) {
    const started = Date.now();
    console.log(`\n== npm run ${b.script}`);
    const run = spawnSync("npm", ["run", b.script], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, ...b.env },
    });
    const seconds = Math.round((Date.now() - started) / 1000);
    if (run.status === 0) console.log(`== ${b.script}: done in ${seconds} s`);
    else {
      failed.push(b.script);
      console.log(`== ${b.script}: FAILED (exit ${run.status ?? run.signal}) after ${seconds} s`);
    }
  }
  const { json, markdown, rows, missing } = writeSummary();
  console.log(`\nsummary: ${rows.length} figures -> ${json}, ${markdown}`);
  if (missing.length) console.log(`reports missing: ${missing.join(", ")}`);
  if (failed.length) {
    console.log(`failed: ${failed.join(", ")}`);
    process.exitCode = 1;
  }
}

main(process.argv.slice(2));
