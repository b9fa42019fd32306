// Receipt circuit: compile, witness, proof, off-chain verify and on-chain verify gas.
// Run: npm run bench:receipt [-- --runs N]  (writes bench/reports/receipt.json)
import { toGroth16Calldata } from "../offchain/zk/groth16";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ethers } from "hardhat";
import * as snarkjs from "snarkjs";
import { compileCircom, selectCircuits } from "../scripts/circuits/lib";
import {
  RECEIPT_ARTIFACTS_DIR,
  proveReceipt,
  receiptCircuitInput,
  receiptPublicKey,
  signReceipt,
} from "../offchain/zk/receipt";
import { releaseSnarkjsWorkers } from "../offchain/zk/workers";
import { stats, timeRuns, writeReport } from "./report";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);

async function main() {
  const [circuit] = selectCircuits(["receipt"]);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-receipt-"));
  let r1cs = "";
  const compile = await timeRuns(1, async () => (r1cs = compileCircom(circuit.main, outDir).r1cs));
  const info = await snarkjs.r1cs.info(r1cs);

  const key = Buffer.alloc(32, 7);
  const inputs = Array.from({ length: RUNS }, (_, nonce) => {
    const receipt = { user: 0x1234n, provider: 0x5678n, nonce: BigInt(nonce), fee: 10n ** 15n, requestHash: 42n };
    return receiptCircuitInput(receipt, receiptPublicKey(key), signReceipt(key, receipt));
  });
  const wasm = path.join(RECEIPT_ARTIFACTS_DIR, "receipt.wasm");
  const witness = await timeRuns(RUNS, (i) => snarkjs.wtns.calculate(inputs[i], wasm, { type: "mem" }));
  const proofs: Awaited<ReturnType<typeof proveReceipt>>[] = [];
  await proveReceipt(inputs[0]); // warm-up: builds snarkjs' curve and worker threads once
  const prove = await timeRuns(RUNS, async (i) => proofs.push(await proveReceipt(inputs[i])));
  const vkey = JSON.parse(fs.readFileSync(path.join(RECEIPT_ARTIFACTS_DIR, "verification_key.json"), "utf8"));
  const verify = await timeRuns(RUNS, (i) => snarkjs.groth16.verify(vkey, proofs[i].publicSignals, proofs[i].proof));

  const verifier = await ethers.deployContract("ReceiptVerifier");
  const { a, b, c, pub } = toGroth16Calldata(proofs[0].proof, proofs[0].publicSignals);
  const gas = await verifier.verifyProof.estimateGas(a, b, c, pub);

  const file = writeReport("receipt", {
    constraints: Number(info.nConstraints),
    compileMs: Math.round(compile[0]),
    witness: stats(witness),
    prove: stats(prove),
    verifyOffchain: stats(verify),
    verifyProofGas: Number(gas),
    zkeyBytes: fs.statSync(path.join(RECEIPT_ARTIFACTS_DIR, "receipt_final.zkey")).size,
  });
  console.log(fs.readFileSync(file, "utf8"));
  fs.rmSync(outDir, { recursive: true, force: true });
  await releaseSnarkjsWorkers();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
