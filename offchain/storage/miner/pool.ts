import path from "node:path";
import { Worker } from "node:worker_threads";
import type { FromWorker, LoadJob, MineJob, MineResult, ToWorker } from "./protocol";

type Pending = { resolve(msg: FromWorker): void; reject(err: Error): void };
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

/**
 * The PoRA worker thread, from the node's side: one job at a time is what the miner sends, but calls queue safely.
 * `stopPass()` raises the shared stop flag so a running pass returns at its next nonce; `close()` terminates it.
 */
export class MinerWorker {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly stopFlag: Int32Array;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    stop: SharedArrayBuffer,
  ) {
    this.stopFlag = new Int32Array(stop);
    worker.on("message", (msg: FromWorker) => {
      if (msg.type === "ready") return;
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (!p) return;
      if (msg.type === "failed") p.reject(new Error(`miner worker: ${msg.error}`));
      else p.resolve(msg);
    });
    const fail = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`miner worker exited (code ${code})`)));
  }

  /** Starts the thread and waits until its hashers are compiled. */
  static async start(): Promise<MinerWorker> {
    const script = path.join(__dirname, `worker${path.extname(__filename)}`);
    // Under ts-node the thread needs the same TypeScript loader; compiled code runs as is.
    const execArgv = script.endsWith(".ts") ? ["-r", "ts-node/register/transpile-only"] : [];
    const stop = new SharedArrayBuffer(4);
    const worker = new Worker(script, { execArgv, workerData: { stop } });
    await new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`miner worker exited (code ${code}) before it was ready`)));
    });
    return new MinerWorker(worker, stop);
  }

  private call(msg: WithoutId<ToWorker>): Promise<FromWorker> {
    if (this.closed) return Promise.reject(new Error("miner worker: closed"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id } as ToWorker);
    });
  }

  /** Seals and keeps the loads (for `minerId`; a new id drops what was kept); resolves with the loads kept. */
  async seal(minerId: Uint8Array, loads: LoadJob[]): Promise<number> {
    const msg = await this.call({ type: "seal", minerId, loads });
    return msg.type === "sealed" ? msg.loads : 0;
  }

  /** Drops kept loads (they are no longer held, or their held seals changed). */
  async forget(starts: bigint[]): Promise<void> {
    await this.call({ type: "forget", starts });
  }

  /** Tries `job.tries` nonces from `job.firstNonce`; stops at the first quality ≤ `job.limit`. */
  async mine(job: MineJob): Promise<MineResult> {
    Atomics.store(this.stopFlag, 0, 0);
    const msg = await this.call({ type: "mine", job });
    if (msg.type !== "mined") throw new Error(`miner worker: unexpected answer ${msg.type}`);
    return msg.result;
  }

  /** Ends the running pass at its next nonce (its result says `stopped`). */
  stopPass(): void {
    Atomics.store(this.stopFlag, 0, 1);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopPass();
    await this.worker.terminate();
  }
}
