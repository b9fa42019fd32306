/**
 * DA encoder throughput: encode (rows + commitment + degree proof + all row proofs + data root) and decode MB/s
 * for 64 KiB, 1 MiB and the largest blob an S = 2^17 SRS allows (built from the dev ptau into a temp dir), plus a
 * signer's verify time for 4 rows. Single-threaded ffjavascript, as the library runs.
 *   npx ts-node -T bench/da-encode.ts [--ptau ../shared/ptau/dev_pot17.ptau]
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  commit,
  decodeBlob,
  degreeProof,
  encodeBlob,
  extractSrs,
  initDaCore,
  loadSrs,
  payloadToScalarsLE,
  rowPoint,
  rowProofs,
  verifyBlobRows,
  verifyDegreeProof,
  type Srs,
} from "../offchain/da/core";
import { stats, timeRuns, writeReport } from "./report";

const MiB = 2 ** 20;
const mbps = (bytes: number, ms: number) => Math.round((bytes / MiB / (ms / 1000)) * 1000) / 1000;

async function measure(srs: Srs, size: number, runs: number) {
  const blob = new Uint8Array(crypto.randomBytes(size));
  let enc = await encodeBlob(srs, blob);
  const encodeMs = await timeRuns(runs, async () => {
    enc = await encodeBlob(srs, blob);
  });
  const { dataRows: k, codedRows: n } = enc.shape;
  const parity = Array.from({ length: k }, (_, i) => ({ index: n - 1 - i, data: enc.rows[n - 1 - i] }));
  const decodeMs = await timeRuns(runs, async () => {
    const out = await decodeBlob(enc.shape, parity);
    if (out.length !== blob.length) throw new Error("decode mismatch");
  });
  const four = [0, 1, n - 2, n - 1].map((index) => ({ index, data: enc.rows[index], proof: enc.rowProofs[index] }));
  const rowsMs = await timeRuns(runs, async () => {
    if (!(await verifyBlobRows(srs, { commitment: enc.commitment, shape: enc.shape, rows: four }))) throw new Error();
  });
  const degreeMs = await timeRuns(runs, async () => {
    if (!(await verifyDegreeProof(srs, enc.commitment, enc.degreeProof, enc.shape))) throw new Error();
  });
  const e = stats(encodeMs);
  const d = stats(decodeMs);
  const result = {
    blobBytes: size,
    shape: { C: enc.shape.cols, k, n, R: enc.shape.rowDomain },
    encode: { ...e, MBps: mbps(size, e.meanMs) },
    decodeFromParityRows: { ...d, MBps: mbps(size, d.meanMs) },
    signerVerify4Rows: stats(rowsMs),
    signerVerifyDegreeProof: stats(degreeMs),
  };
  console.log(JSON.stringify(result));
  return result;
}

/** Where the encode time goes for one blob: the three MSM families timed alone. */
async function breakdown(srs: Srs, size: number) {
  const blob = new Uint8Array(crypto.randomBytes(size));
  const enc = await encodeBlob(srs, blob);
  const { cols: C, dataRows: k, codedRows: n } = enc.shape;
  const coeffs = payloadToScalarsLE(blob, k * C);
  const points = Array.from({ length: n }, (_, i) => rowPoint(enc.shape, i));
  const time = async (fn: () => Promise<unknown>) => stats(await timeRuns(1, fn)).meanMs;
  return {
    blobBytes: size,
    commitG1MsmMs: await time(() => commit(srs, coeffs)),
    degreeProofG2MsmMs: await time(() => degreeProof(srs, coeffs, k * C)),
    rowProofsMs: await time(() => rowProofs(srs, coeffs, C, k, points)),
  };
}

async function main() {
  const i = process.argv.indexOf("--ptau");
  const ptau = i >= 0 ? process.argv[i + 1] : path.resolve(__dirname, "../../shared/ptau/dev_pot17.ptau");
  await initDaCore();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "da-bench-"));
  try {
    const file = path.join(tmp, "srs17.bin");
    let started = performance.now();
    await extractSrs(ptau, 2 ** 17, file);
    const extractMs = Math.round(performance.now() - started);
    started = performance.now();
    const srs = await loadSrs(file);
    const loadMs = Math.round(performance.now() - started);
    started = performance.now();
    await loadSrs();
    const loadCommittedMs = Math.round(performance.now() - started);
    const largest = srs.size * 31 - 8;
    const results = {
      srs: {
        size: srs.size,
        fileBytes: fs.statSync(file).size,
        extractMs,
        loadMs,
        loadCommittedS16Ms: loadCommittedMs,
      },
      blobs: [await measure(srs, 64 * 1024, 3), await measure(srs, MiB, 2), await measure(srs, largest, 1)],
      breakdownLargest: await breakdown(srs, largest),
    };
    console.log(`wrote ${writeReport("da-encode", results)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
