// Settlement circuit: proof time for N = 1, 2, 4, 8, 16 receipts per proof (sizes other than the committed one are
// built and set up in build/bench-settlement/, never committed), and SettlementBatchVerifier.verifyBatch gas for
// k = 1, 2, 4, 8 proofs, with the gas per settled request.
// Run: npm run bench:settlement  (writes bench/reports/settlement.json; BENCH_RUNS proofs per size, default 3;
// BENCH_SIZES=1,2,4 to measure fewer sizes)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ethers } from "hardhat";
import * as snarkjs from "snarkjs";
import { compileCircom, constraintInfo, DEFAULT_PTAU, REPO_ROOT } from "../scripts/circuits/lib";
import { receiptPublicKey, signReceipt } from "../offchain/zk/receipt";
import {
  proveSettlement,
  SETTLEMENT_ARTIFACTS_DIR,
  SETTLEMENT_BATCH_SIZE,
  type SettlementProof,
  type SettlementRequest,
} from "../offchain/zk/settlement";
import { releaseSnarkjsWorkers } from "../offchain/zk/workers";
import { stats, timeRuns, writeReport } from "./report";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? "1,2,4,8,16").split(",").map(Number);
const BATCHES = [1, 2, 4, 8];
const PROJECTED_N = 64;
const WORK_DIR = path.join(REPO_ROOT, "build", "bench-settlement");
const PROVIDER = 0x3c44cdddb6a900fa2b585dd299e03d12fa4293bcn;
const KEY = Buffer.alloc(32, 9);
const silent: snarkjs.Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A full settlement of `count` receipts for `user`, starting after prevNonce. */
function request(user: bigint, prevNonce: bigint, count: number): SettlementRequest {
  const receipts = Array.from({ length: count }, (_, i) => {
    const bill = { user, provider: PROVIDER, nonce: prevNonce + 1n + BigInt(i), fee: 10n ** 15n, requestHash: 42n };
    const { R8, S } = signReceipt(KEY, bill);
    return { nonce: bill.nonce, fee: bill.fee, requestHash: bill.requestHash, R8x: R8[0], R8y: R8[1], S };
  });
  return { user, provider: PROVIDER, publicKey: receiptPublicKey(KEY), prevNonce, receipts };
}

/**
 * Artifacts for SettleBatch(n) in build/bench-settlement/<n>/ laid out like the committed ones (wasm, zkey, a
 * manifest with the private input count), from a temporary main file. One contribution, no beacon: bench keys only.
 */
async function artifactsFor(n: number) {
  if (n === SETTLEMENT_BATCH_SIZE) return { dir: SETTLEMENT_ARTIFACTS_DIR, setupMs: null, compileMs: null };
  const dir = path.join(WORK_DIR, String(n));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const main = path.join(dir, "main_settlement.circom");
  const template = path.relative(dir, path.join(REPO_ROOT, "circuits", "settlement", "settlement.circom"));
  const signals = "user, provider, Ax, Ay, prevNonce, lastNonce, total";
  fs.writeFileSync(
    main,
    `pragma circom 2.1.0;\ninclude "${template}";\ncomponent main {public [${signals}]} = SettleBatch(${n});\n`,
  );
  let compileMs = performance.now();
  const built = compileCircom(main, path.join(dir, "out"));
  compileMs = performance.now() - compileMs;
  const info = await constraintInfo(built.r1cs);
  let setupMs = performance.now();
  const zkey0 = path.join(dir, "settlement_0000.zkey");
  await snarkjs.zKey.newZKey(built.r1cs, DEFAULT_PTAU, zkey0, silent);
  const entropy = Math.random().toString(36);
  await snarkjs.zKey.contribute(zkey0, path.join(dir, "settlement_final.zkey"), "bench", entropy, silent);
  setupMs = performance.now() - setupMs;
  fs.rmSync(zkey0);
  fs.copyFileSync(built.wasm, path.join(dir, "settlement.wasm"));
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ constraints: info }));
  return { dir, setupMs: Math.round(setupMs), compileMs: Math.round(compileMs) };
}

async function proofTimes() {
  const results = [];
  for (const n of SIZES) {
    const { dir, setupMs, compileMs } = await artifactsFor(n);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as {
      constraints: { constraints: number; requiredPower: number };
    };
    await proveSettlement(request(1n, 0n, n), dir); // warm-up: builds snarkjs' curve and worker threads once
    const prove = await timeRuns(RUNS, (i) => proveSettlement(request(BigInt(i + 2), 0n, n), dir));
    const p50 = stats(prove).p50Ms;
    results.push({
      n,
      constraints: manifest.constraints.constraints,
      ptauPower: manifest.constraints.requiredPower,
      zkeyBytes: fs.statSync(path.join(dir, "settlement_final.zkey")).size,
      compileMs,
      setupMs,
      prove: stats(prove),
      proveMsPerReceipt: Math.round((p50 / n) * 100) / 100,
    });
    console.log(`N = ${n}: ${manifest.constraints.constraints} constraints, proof p50 ${p50} ms`);
    if (dir !== SETTLEMENT_ARTIFACTS_DIR) fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** Gas of a transaction's data: 16 per non-zero byte, 4 per zero byte. */
function calldataGas(data: string): number {
  const bytes = ethers.getBytes(data);
  return bytes.reduce((gas, b) => gas + (b === 0 ? 4 : 16), 0);
}

async function verifierGas() {
  const verifier = await ethers.deployContract("SettlementBatchVerifier");
  const single = await ethers.deployContract("SettlementVerifier");
  const proofs: SettlementProof[] = [];
  const n = SETTLEMENT_BATCH_SIZE;
  for (let i = 0; i < Math.max(...BATCHES); i++) proofs.push(await proveSettlement(request(BigInt(100 + i), 0n, n)));
  const rows = [];
  for (const k of BATCHES) {
    const ps = proofs.slice(0, k).map((p) => p.proof);
    const xs = proofs.slice(0, k).map((p) => p.inputs);
    if (!(await verifier.verifyBatch(ps, xs))) throw new Error(`verifyBatch refused ${k} real proofs`);
    const txGas = Number(await verifier.verifyBatch.estimateGas(ps, xs));
    const data = verifier.interface.encodeFunctionData("verifyBatch", [ps, xs]);
    const executionGas = txGas - 21_000 - calldataGas(data);
    rows.push({
      k,
      txGas,
      calldataGas: calldataGas(data),
      executionGas,
      executionGasPerProof: Math.round(executionGas / k),
      gasPerRequest: {
        [`n${n}`]: Math.round(executionGas / (k * n)),
        [`n${PROJECTED_N}`]: Math.round(executionGas / (k * PROJECTED_N)),
      },
    });
    console.log(`k = ${k}: verifyBatch ${txGas} gas (execution ${executionGas})`);
  }
  const p = proofs[0].proof;
  const singleGas = await single.verifyProof.estimateGas(
    [p[0], p[1]],
    [
      [p[2], p[3]],
      [p[4], p[5]],
    ],
    [p[6], p[7]],
    proofs[0].inputs,
  );
  return { committedN: n, projectedN: PROJECTED_N, batches: rows, singleVerifyProofTxGas: Number(singleGas) };
}

async function main() {
  // Proof times are wall times: other work on the machine inflates them, so the report says how busy it was.
  const loadBefore = os.loadavg()[0];
  const proving = await proofTimes();
  const gas = await verifierGas();
  const file = writeReport("settlement", {
    runsPerSize: RUNS,
    loadAverage1m: { before: loadBefore, after: os.loadavg()[0] },
    ptau: path.basename(DEFAULT_PTAU),
    proving,
    verifyBatch: gas,
    notes: [
      "verifyBatch gas does not depend on N: every proof has 7 public inputs whatever N is, so gasPerRequest for N = 64 is the same execution gas divided by k*64.",
      "executionGas = estimateGas - 21000 - calldata gas (what a call from ComputeServing.settleZk pays on top of its own calldata).",
      "setupMs for sizes other than the committed N is Groth16 setup plus one contribution (no beacon, no verification) on the dev ptau; the committed key's steps are in the setup script's output.",
    ],
  });
  console.log(fs.readFileSync(file, "utf8"));
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  await releaseSnarkjsWorkers();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
