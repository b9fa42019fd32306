import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const REPORTS_DIR = path.join(__dirname, "reports");

/** Runs `fn` `runs` times and returns the wall times in milliseconds. */
export async function timeRuns(runs: number, fn: (run: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  return times;
}

export function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    runs: samples.length,
    meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length),
    p50Ms: round(pick(0.5)),
    p90Ms: round(pick(0.9)),
    minMs: round(sorted[0]),
    maxMs: round(sorted[sorted.length - 1]),
  };
}

/** Writes `bench/reports/<name>.json` with the machine it ran on, and returns the path. */
export function writeReport(name: string, results: Record<string, unknown>): string {
  fs.mkdirSync(REPORTS_DIR, { recursive: true });
  const file = path.join(REPORTS_DIR, `${name}.json`);
  const report = {
    benchmark: name,
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    results,
  };
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
