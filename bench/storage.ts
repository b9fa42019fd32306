// Storage: file root throughput beside raw keccak of the same library, PoRA qualities per second beside raw
// blake2b + keccak, and gas of Flow.submit (1 segment, 1 GiB) and of a mining submit.
// Run: npx hardhat run bench/storage.ts  (writes bench/reports/storage.json; BENCH_MIB sets the file size)
import os from "node:os";
import { ethers } from "hardhat";
import { createKeccak } from "hash-wasm";
import { deployedProtocol } from "../test/fixtures";
import {
  BYTES_PER_SEAL,
  createSubmission,
  SegmentHasher,
  fileRoot,
  loadPoraHashers,
  sealQuality,
  scratchpad,
  blake2b512,
  keccak256,
  paddedSectors,
  word,
} from "../offchain/storage/core";
import { writeReport } from "./report";

const MIB = Number(process.env.BENCH_MIB ?? 64);

function rate(bytes: number, ms: number) {
  return Math.round((bytes / 2 ** 20 / (ms / 1000)) * 10) / 10;
}

async function main() {
  await loadPoraHashers();
  const data = new Uint8Array(MIB * 2 ** 20);
  let x = 1;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = x >>> 24;
  }

  // Raw keccak of the same library: bulk (one update) and per 256-byte sector (what leaves need).
  const raw = await createKeccak(256);
  let t = performance.now();
  raw.init();
  raw.update(data);
  raw.digest("binary");
  const bulkMs = performance.now() - t;
  t = performance.now();
  for (let o = 0; o < data.length; o += 256) {
    raw.init();
    raw.update(data.subarray(o, o + 256));
    raw.digest("binary");
  }
  const sectorMs = performance.now() - t;

  t = performance.now();
  const root = fileRoot(data);
  const rootMs = performance.now() - t;
  t = performance.now();
  createSubmission(data);
  const submissionMs = performance.now() - t;

  // The same root on one thread per core (what a node uses); the pool starts before the clock does.
  const hasher = await SegmentHasher.start();
  await hasher.fileRoot(data.subarray(0, 4 * 2 ** 20));
  t = performance.now();
  const parallelRoot = await hasher.fileRoot(data);
  const parallelMs = performance.now() - t;
  await hasher.close();
  if (parallelRoot !== root) throw new Error("SegmentHasher disagrees with fileRoot");

  // PoRA: one nonce = a scratchpad (257 blake2b) + one quality per seal of the load; raw cost beside it.
  const w = { minerId: word(1), nonce: word(2), digest: word(3), startPosition: 0n, mineLength: 1n << 20n };
  const sealed = data.subarray(0, BYTES_PER_SEAL);
  const N = 200;
  t = performance.now();
  let pad = scratchpad(w).pad;
  for (let i = 0; i < N; i++) sealQuality(w, i % 64, sealed, pad);
  const qualityMs = (performance.now() - t) / N;
  t = performance.now();
  for (let i = 0; i < 20; i++) pad = scratchpad({ ...w, nonce: word(i) }).pad;
  const scratchMs = (performance.now() - t) / 20;
  t = performance.now();
  const block = new Uint8Array(4352);
  for (let i = 0; i < N; i++) {
    blake2b512(block);
    keccak256(block.subarray(0, 32));
  }
  const rawPoraMs = (performance.now() - t) / N;

  // Gas on the in-process network, with the deploy module's defaults.
  const ctx = await deployedProtocol();
  const flow = await ethers.getContractAt("Flow", ctx.record.contracts.Flow.address);
  const price = await flow.fee(1);
  const seg = createSubmission(data.subarray(0, 256 * 1024));
  const r1 = await (await flow.submit(seg, { value: price * 1024n })).wait();
  const r2 = await (await flow.submit(seg, { value: price * 1024n })).wait();
  // A 1 GiB file: 2^22 sectors, one node of height 22 (the root is arbitrary here: gas does not depend on it).
  const gib = { length: 1n << 30n, tags: "0x", nodes: [{ root: ethers.keccak256("0x01"), height: 22 }] };
  const r3 = await (await flow.submit(gib, { value: price * BigInt(paddedSectors(1 << 22)) })).wait();

  const file = writeReport("storage", {
    fileMiB: MIB,
    fileRoot: { root, ms: Math.round(rootMs), mibPerSec: rate(data.length, rootMs) },
    submission: { ms: Math.round(submissionMs), mibPerSec: rate(data.length, submissionMs) },
    rawKeccak: {
      bulkMibPerSec: rate(data.length, bulkMs),
      perSectorMibPerSec: rate(data.length, sectorMs),
      sectorHashesPerSec: Math.round(data.length / 256 / (sectorMs / 1000)),
    },
    fileRootVsRawKeccak: {
      ofBulk: Math.round((rootMs > 0 ? bulkMs / rootMs : 0) * 1000) / 1000,
      ofPerSector: Math.round((rootMs > 0 ? sectorMs / rootMs : 0) * 1000) / 1000,
    },
    fileRootParallel: {
      threads: os.availableParallelism(),
      ms: Math.round(parallelMs),
      mibPerSec: rate(data.length, parallelMs),
      ofBulk: Math.round((bulkMs / parallelMs) * 1000) / 1000,
      ofPerSector: Math.round((sectorMs / parallelMs) * 1000) / 1000,
    },
    pora: {
      qualitiesPerSec: Math.round(1000 / qualityMs),
      scratchpadMs: Math.round(scratchMs * 1000) / 1000,
      rawBlake2b4352PlusKeccakPerSec: Math.round(1000 / rawPoraMs),
    },
    gas: {
      submitOneSegmentFirst: Number(r1!.gasUsed),
      submitOneSegment: Number(r2!.gasUsed),
      submitOneGiB: Number(r3!.gasUsed),
      miningSubmit: "printed by test/storage/Mine.test.ts (0.89-0.92 M gas at the test difficulty)",
    },
  });
  console.log(`wrote ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
