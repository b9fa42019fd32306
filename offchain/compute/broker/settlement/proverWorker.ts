// The settlement prover thread: builds the circuit input (witness generation runs here too, inside fullProve) and
// proves, so the broker's HTTP loop never stalls for the seconds a proof takes. One job at a time, in order.
import { parentPort, workerData } from "node:worker_threads";
import path from "node:path";
import * as snarkjs from "snarkjs";
import {
  settlementBatchSize,
  settlementCircuitInput,
  settlementProofWords,
  settlementPublicInputs,
  type SettlementRequest,
} from "../../../zk/settlement";
import type { ProverReply, ProverJob } from "./proverProtocol";

// The witness generator prints failed asserts on its own; the reason goes back to the caller instead.
// eslint-disable-next-line no-console -- silencing, not printing
console.log = console.error = () => undefined;

const dir = (workerData as { artifactsDir: string }).artifactsDir;
const wasm = path.join(dir, "settlement.wasm");
const zkey = path.join(dir, "settlement_final.zkey");
const batchSize = settlementBatchSize(dir);

// snarkjs' typings stop at the logger; fullProve takes wtnsCalcOptions and proverOptions after it.
const fullProve = snarkjs.groth16.fullProve as unknown as (
  ...args: [snarkjs.CircuitInput, string, string, undefined, undefined, { singleThread: boolean }]
) => Promise<{ proof: snarkjs.Groth16Proof; publicSignals: string[] }>;

async function prove(request: SettlementRequest) {
  const input = settlementCircuitInput(request, batchSize);
  // Single-threaded: ffjavascript cannot start its own workers from inside a worker thread.
  const { proof, publicSignals } = await fullProve(input, wasm, zkey, undefined, undefined, {
    singleThread: true,
  });
  const inputs = settlementPublicInputs(input);
  if (publicSignals.length !== inputs.length || publicSignals.some((s, i) => BigInt(s) !== inputs[i])) {
    throw new Error(`the circuit's public signals [${publicSignals.join(", ")}] are not the settlement's`);
  }
  return { proof: settlementProofWords(proof), inputs, lastNonce: input.lastNonce, total: input.total };
}

parentPort!.on("message", (job: ProverJob) => {
  const started = performance.now();
  prove(job.request).then(
    (result) => parentPort!.postMessage({ id: job.id, result, seconds: (performance.now() - started) / 1000 }),
    (error: unknown) =>
      parentPort!.postMessage({
        id: job.id,
        error: String((error as Error)?.message ?? error).split("\n")[0],
      } satisfies ProverReply),
  );
});
parentPort!.postMessage({ ready: true });
