import fs from "node:fs";
import path from "node:path";
import { REPORTS_DIR } from "./report";
// The headline figure of each benchmark report and the reference it is read against: an issue's goal where one
// was set, otherwise a baseline the same report measured (raw hashing, the model without the broker). A figure's
// ratio is value / reference; `better` says which side of 1 is good.

export type Report = { results?: unknown } & Record<string, unknown>;

export interface Figure {
  domain: string;
  /** The report file under bench/reports, without .json. */
  report: string;
  name: string;
  unit: string;
  better: "higher" | "lower";
  value: (report: Report) => number | undefined;
  /** A goal is met or missed; a baseline only gives scale (hashing can never beat raw keccak). */
  reference?: { kind: "goal" | "baseline"; what: string; value: (report: Report) => number | undefined };
}

/** Follows a dotted path of keys; undefined when a step is missing. */
function walk(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const step of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

/** The number at a dotted path; undefined when a step is missing or the leaf is not a finite number. */
export function pick(root: unknown, path: string): number | undefined {
  const leaf = walk(root, path);
  return typeof leaf === "number" && Number.isFinite(leaf) ? leaf : undefined;
}

const results = (path: string) => (r: Report) => pick(r.results, path);
const constant = (value: number) => () => value;
/** The sum of several results; undefined when one is missing. */
const sum =
  (...paths: string[]) =>
  (r: Report): number | undefined => {
    const parts = paths.map((p) => pick(r.results, p));
    return parts.some((v) => v === undefined) ? undefined : parts.reduce((a, b) => a! + b!, 0);
  };

/** The first element of the list at `results.<list>` whose fields match `where`, then `path` inside it. */
const find =
  (list: string, where: Record<string, unknown>, path: string) =>
  (r: Report): number | undefined => {
    const items = walk(r.results, list);
    if (!Array.isArray(items)) return undefined;
    const hit = (items as Record<string, unknown>[]).find((item) =>
      Object.entries(where).every(([k, v]) => item[k] === v),
    );
    return hit === undefined ? undefined : pick(hit, path);
  };

export const FIGURES: Figure[] = [
  {
    domain: "storage",
    report: "storage",
    name: "file root (one thread)",
    unit: "MiB/s",
    better: "higher",
    value: results("fileRoot.mibPerSec"),
    reference: {
      kind: "baseline",
      what: "raw keccak256 over the same bytes",
      value: results("rawKeccak.bulkMibPerSec"),
    },
  },
  {
    domain: "storage",
    report: "storage",
    name: "Flow.submit of 1 GiB",
    unit: "gas",
    better: "lower",
    value: results("gas.submitOneGiB"),
  },
  {
    domain: "storage",
    report: "storage-client",
    name: "upload 256 MiB to 4 nodes",
    unit: "MB/s",
    better: "higher",
    value: find("runs", { mib: 256, ec: "none" }, "uploadMBps"),
    reference: { kind: "goal", what: "issue 5", value: constant(50) },
  },
  {
    domain: "storage",
    report: "storage-client",
    name: "upload 256 MiB, --ec 2+2",
    unit: "MB/s",
    better: "higher",
    value: find("runs", { mib: 256, ec: "2+2" }, "uploadMBps"),
    reference: { kind: "goal", what: "issue 5", value: constant(50) },
  },
  {
    domain: "storage",
    report: "storage-client",
    name: "download 256 MiB, every proof checked",
    unit: "MB/s",
    better: "higher",
    value: find("runs", { mib: 256, ec: "none" }, "downloadMBps"),
  },
  {
    domain: "storage",
    report: "storage-ingest",
    name: "node CPU per uploaded segment: frame read + checks + store",
    unit: "ms",
    better: "lower",
    value: sum("readFrame.cpuMs", "checkSegment.cpuMs", "storeBatchOf8.cpuMs"),
    reference: { kind: "baseline", what: "reading the same segment as JSON", value: results("readJsonBody.cpuMs") },
  },
  {
    domain: "storage",
    report: "storage-miner",
    name: "PoRA qualities on one worker",
    unit: "qualities/s",
    better: "higher",
    value: results("worker.qualitiesPerSecond"),
  },
  {
    domain: "da",
    report: "da-gas",
    name: "certificate check, 100 signers, 10% absent",
    unit: "gas",
    better: "lower",
    value: results("goal.txGas"),
    reference: { kind: "goal", what: "issue 6", value: results("goal.maxGas") },
  },
  {
    domain: "da",
    report: "da-encode",
    name: "encode a 1 MiB blob (one thread)",
    unit: "MB/s",
    better: "higher",
    value: find("blobs", { blobBytes: 1048576 }, "encode.MBps"),
  },
  {
    domain: "da",
    report: "da-disperse",
    name: "disperse 1 MiB to 4 signers",
    unit: "ms",
    better: "lower",
    value: find("runs", { blobBytes: 1048576 }, "disperseMs"),
  },
  {
    domain: "compute",
    report: "compute-model",
    name: "zg-tiny generation (CPU, one thread)",
    unit: "tokens/s",
    better: "higher",
    value: results("generation.tokensPerSecond"),
  },
  {
    domain: "compute",
    report: "compute-broker",
    name: "broker request, median",
    unit: "ms",
    better: "lower",
    value: results("broker.p50Ms"),
    reference: { kind: "goal", what: "issue 7: ≤ 5% over the model called directly", value: directPlus5 },
  },
  {
    domain: "compute",
    report: "compute-finetune-h200",
    name: "fine-tuning zg-tiny on one H200 (300 steps, 16 × 256)",
    unit: "tokens/s",
    better: "higher",
    value: (r) => pick(r, "derived.gpu_tokens_per_s_300"),
    reference: { kind: "baseline", what: "the same job on 16 CPU cores", value: cpuTokensPerSecond },
  },
  {
    domain: "compute",
    report: "settlement",
    name: "settlement gas per request (8 proofs of N = 64)",
    unit: "gas",
    better: "lower",
    value: find("verifyBatch.batches", { k: 8 }, "gasPerRequest.n64"),
    reference: {
      kind: "baseline",
      what: "one proof alone per transaction",
      value: find("verifyBatch.batches", { k: 1 }, "gasPerRequest.n64"),
    },
  },
  {
    domain: "compute",
    report: "receipt",
    name: "receipt proof (Groth16)",
    unit: "ms",
    better: "lower",
    value: results("prove.p50Ms"),
  },
  {
    domain: "market",
    report: "market-gas",
    name: "agent sale fulfilled (one TEE entry)",
    unit: "gas",
    better: "lower",
    value: results("results.fulfill"),
    reference: { kind: "baseline", what: "the TEE-mode transfer alone", value: teeTransferGas },
  },
  {
    domain: "inft",
    report: "inft",
    name: "TEE-mode transfer",
    unit: "gas",
    better: "lower",
    value: results("teeTransfer.gas"),
  },
  {
    domain: "inft",
    report: "inft",
    name: "ZK-mode transfer",
    unit: "gas",
    better: "lower",
    value: results("zkTransfer.gas"),
    reference: { kind: "baseline", what: "the TEE-mode transfer", value: results("teeTransfer.gas") },
  },
];

function directPlus5(r: Report): number | undefined {
  const direct = pick(r.results, "direct.p50Ms");
  return direct === undefined ? undefined : Math.round(direct * 105) / 100;
}

/** The CPU run's tokens per second: steps/s × batch × context. */
function cpuTokensPerSecond(r: Report): number | undefined {
  const steps = pick(r, "derived.cpu16_steps_per_s");
  return steps === undefined ? undefined : Math.round(steps * 16 * 256);
}

/** The inft report's TEE transfer, read beside the market's sale that wraps one. */
function teeTransferGas(): number | undefined {
  const file = path.join(REPORTS_DIR, "inft.json");
  return fs.existsSync(file)
    ? pick((JSON.parse(fs.readFileSync(file, "utf8")) as Report).results, "teeTransfer.gas")
    : undefined;
}
