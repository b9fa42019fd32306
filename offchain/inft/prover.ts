// The ZK-mode prover off the caller's thread: a worker thread runs snarkjs' fullProve so a node that serves
// requests (an oracle, a CLI with a progress bar) keeps its event loop free while a proof is made (~1 s).
// The worker is plain JavaScript (snarkjs is a JS package), so it runs the same under ts-node and compiled code.
import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type * as snarkjs from "snarkjs";
import { InftError } from "./data";
import { INFT_ARTIFACTS_DIR, type InftCircuitInput } from "./zk";

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
// The witness generator prints failed asserts itself; the error message goes back to the caller instead.
console.log = console.error = () => {};
const snarkjs = require(workerData.snarkjs);
snarkjs.groth16
  // Single-threaded inside the worker: ffjavascript cannot start its own workers from a worker thread.
  .fullProve(workerData.input, workerData.wasm, workerData.zkey, undefined, undefined, { singleThread: true })
  .then((result) => parentPort.postMessage({ result }))
  .catch((error) => parentPort.postMessage({ error: String((error && error.message) || error).split("\\n")[0] }))
  .finally(() => globalThis.curve_bn128 && globalThis.curve_bn128.terminate());
`;

/**
 * Proves an inft key transfer in a worker thread with the committed wasm and zkey; resolves to the same
 * `{ proof, publicSignals }` as `proveKeyTransfer`. Aborting `signal` terminates the worker.
 */
export async function proveKeyTransferInWorker(
  input: InftCircuitInput,
  options: { artifactsDir?: string; signal?: AbortSignal } = {},
): Promise<{ proof: snarkjs.Groth16Proof; publicSignals: string[] }> {
  const dir = options.artifactsDir ?? INFT_ARTIFACTS_DIR;
  const wasm = path.join(dir, "inft.wasm");
  const zkey = path.join(dir, "inft_final.zkey");
  for (const file of [wasm, zkey]) {
    if (!fs.existsSync(file)) throw new InftError(`${file} is missing; run npm run circuits:setup -- inft`);
  }
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // `mod`: snarkjs loads the web-worker package, which, inside any worker thread, takes itself for a web worker
    // and runs `workerData.mod`; a no-op data URL keeps it from failing.
    workerData: { input, wasm, zkey, snarkjs: require.resolve("snarkjs"), mod: "data:,void 0" },
  });
  return new Promise((resolve, reject) => {
    const abort = () => {
      void worker.terminate();
      reject(new InftError("proving was aborted"));
    };
    if (options.signal?.aborted) return abort();
    options.signal?.addEventListener("abort", abort, { once: true });
    worker.once(
      "message",
      (message: { result?: { proof: snarkjs.Groth16Proof; publicSignals: string[] }; error?: string }) => {
        options.signal?.removeEventListener("abort", abort);
        if (message.result) resolve(message.result);
        else reject(new InftError(`the inft circuit refused this input (${message.error})`));
      },
    );
    worker.once("error", (error) => reject(new InftError(`the prover worker failed: ${error.message}`)));
  });
}
