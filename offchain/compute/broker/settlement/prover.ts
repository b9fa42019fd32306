// The prover thread from the scheduler's side: one long-lived worker (loading snarkjs and the TypeScript sources
// once), jobs answered in order. close() terminates it; a job in flight is refused.
import path from "node:path";
import { Worker } from "node:worker_threads";
import {
  SETTLEMENT_ARTIFACTS_DIR,
  SettlementError,
  type SettlementProof,
  type SettlementRequest,
} from "../../../zk/settlement";
import type { ProverJob, ProverReply } from "./proverProtocol";

export interface SettlementProver {
  /** Proves one settlement (1..N receipts of one user); resolves with the proof words and public inputs. */
  prove(request: SettlementRequest): Promise<SettlementProof & { seconds: number }>;
  close(): Promise<void>;
}

type Pending = { resolve(reply: SettlementProof & { seconds: number }): void; reject(err: Error): void };

/** Starts the prover thread and waits until it has loaded the circuit's manifest. */
export async function startSettlementProver(artifactsDir = SETTLEMENT_ARTIFACTS_DIR): Promise<SettlementProver> {
  const script = path.join(__dirname, `proverWorker${path.extname(__filename)}`);
  // Under ts-node the thread needs the same TypeScript loader; compiled code runs as is.
  const execArgv = script.endsWith(".ts") ? ["-r", "ts-node/register/transpile-only"] : [];
  // `mod`: snarkjs loads the web-worker package, which inside any worker thread takes itself for a web worker and
  // runs `workerData.mod`; a no-op data URL keeps it from failing.
  const worker = new Worker(script, { execArgv, workerData: { artifactsDir, mod: "data:,void 0" } });
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
    worker.once("exit", (code) =>
      reject(new SettlementError(`the prover thread exited (code ${code}) before it was ready`)),
    );
  });
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let closed = false;
  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on("message", (reply: ProverReply) => {
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    if (!p) return;
    if ("error" in reply) p.reject(new SettlementError(`the settlement circuit refused this input (${reply.error})`));
    else p.resolve({ ...reply.result, seconds: reply.seconds });
  });
  worker.on("error", (err) => failAll(new SettlementError(`the prover thread failed: ${err.message}`)));
  worker.on("exit", (code) => failAll(new SettlementError(`the prover thread exited (code ${code})`)));

  return {
    prove(request) {
      if (closed) return Promise.reject(new SettlementError("the prover is closed"));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, request } satisfies ProverJob);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await worker.terminate();
    },
  };
}
