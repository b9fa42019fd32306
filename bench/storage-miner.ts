// Storage miner: PoRA qualities per second on one worker thread (the node's miner) over a held, 256 KiB-aligned
// range, beside the same loop in-process; sealing time per load.
// Run: npx ts-node -T bench/storage-miner.ts  (writes bench/reports/storage-miner.json; BENCH_LOADS, BENCH_NONCES)
import { minePora, loadPoraHashers, seal, SEALS_PER_LOAD, BYTES_PER_SEAL } from "../offchain/storage/core";
import { MinerWorker } from "../offchain/storage/miner/pool";
import type { LoadJob } from "../offchain/storage/miner/protocol";
import { writeReport } from "./report";

const LOADS = Number(process.env.BENCH_LOADS ?? 16);
const NONCES = Number(process.env.BENCH_NONCES ?? 3000);
const LOAD_BYTES = 256 * 1024;

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

async function main() {
  await loadPoraHashers();
  const minerId = bytes(32, 1);
  const digest = bytes(32, 2);
  const sealDigest = bytes(32, 3);
  const jobs: LoadJob[] = Array.from({ length: LOADS }, (_, l) => ({
    start: BigInt(l * 1024),
    data: bytes(LOAD_BYTES, 10 + l),
    sealDigests: new Uint8Array(SEALS_PER_LOAD * 32).map((_, i) => sealDigest[i % 32]),
    held: new Uint8Array(SEALS_PER_LOAD).fill(1),
  }));
  const work = { minerId, digest, startPosition: 0n, mineLength: BigInt(LOADS * 1024) };

  const worker = await MinerWorker.start();
  let t = performance.now();
  await worker.seal(minerId, jobs);
  const sealMs = performance.now() - t;
  // Warm-up, then the measured pass; limit 0 so no nonce ends the pass early.
  await worker.mine({ ...work, limit: 0n, firstNonce: 0n, tries: 100 });
  const pass = await worker.mine({ ...work, limit: 0n, firstNonce: 1000n, tries: NONCES });
  await worker.close();

  // The same loop on the main thread (the core's minePora over pre-sealed loads), for comparison.
  const sealed = jobs.map((j) => {
    const d = new Uint8Array(j.data);
    for (let k = 0; k < SEALS_PER_LOAD; k++) {
      seal(d.subarray(k * BYTES_PER_SEAL, (k + 1) * BYTES_PER_SEAL), minerId, sealDigest, j.start + BigInt(k * 16));
    }
    return d;
  });
  const inProcessNonces = Math.min(NONCES, 1000);
  t = performance.now();
  minePora(
    work,
    -1n,
    (p) => {
      const l = Number(p) >> 10;
      const k = (Number(p) & 1023) / 16;
      return sealed[l].subarray(k * BYTES_PER_SEAL, (k + 1) * BYTES_PER_SEAL);
    },
    1000n,
    inProcessNonces,
  );
  const inProcessS = (performance.now() - t) / 1000;

  const round = (x: number) => Math.round(x);
  const results = {
    heldBytes: LOADS * LOAD_BYTES,
    loads: LOADS,
    worker: {
      threads: 1,
      nonces: pass.nonces,
      qualities: pass.qualities,
      seconds: Math.round(pass.seconds * 1000) / 1000,
      qualitiesPerSecond: round(pass.qualities / pass.seconds),
      noncesPerSecond: round(pass.nonces / pass.seconds),
    },
    inProcess: {
      nonces: inProcessNonces,
      qualitiesPerSecond: round((inProcessNonces * SEALS_PER_LOAD) / inProcessS),
    },
    sealMsPerLoad: Math.round((sealMs / LOADS) * 100) / 100,
  };
  console.log(JSON.stringify(results, null, 2));
  console.log(`report: ${writeReport("storage-miner", results)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
