import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { HASH_BYTES, SECTORS_PER_SEGMENT } from "./constants";
import { layoutFile, numSplits, paddedSectors, sectorCount, type FileLayout } from "./file";
import { toHex } from "./hash";
import type { SegmentJob } from "./segmentWorker";

/**
 * Computes file layouts with segment roots hashed on several threads: segments are independent, so a file's
 * leaves and segment trees (all but a few hundred of its hashes) split evenly across cores. The result is the
 * same as `layoutFile`; start it once and reuse it, since each thread compiles its own hasher.
 */
export class SegmentHasher {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(roots: Uint8Array): void; reject(err: Error): void }>();

  private constructor(private readonly workers: Worker[]) {
    for (const worker of workers) {
      worker.on("message", (msg: { id?: number; roots?: Uint8Array }) => {
        if (msg.id === undefined || !msg.roots) return;
        this.pending.get(msg.id)?.resolve(msg.roots);
        this.pending.delete(msg.id);
      });
      // A thread that dies takes its jobs with it: fail every open call rather than hang.
      worker.on("error", (err) => {
        for (const job of this.pending.values()) job.reject(err);
        this.pending.clear();
      });
    }
  }

  /** Starts `threads` workers (default: one per core) and waits until each has loaded its hasher. */
  static async start(threads = os.availableParallelism()): Promise<SegmentHasher> {
    const script = path.join(__dirname, `segmentWorker${path.extname(__filename)}`);
    // Under ts-node the worker needs the same TypeScript loader; compiled code runs as is.
    const execArgv = script.endsWith(".ts") ? ["-r", "ts-node/register/transpile-only"] : [];
    const workers = Array.from({ length: Math.max(1, threads) }, () => new Worker(script, { execArgv }));
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once("message", () => resolve());
            worker.once("error", reject);
          }),
      ),
    );
    return new SegmentHasher(workers);
  }

  /** `layoutFile(data)`, with the segment roots hashed in parallel. */
  async layout(data: Uint8Array): Promise<FileLayout> {
    const padded = paddedSectors(sectorCount(data.length));
    const segments = numSplits(padded, SECTORS_PER_SEGMENT);
    const shared = toShared(data);
    const per = Math.ceil(segments / this.workers.length);
    const parts = this.workers.map((worker, w) => {
      const from = Math.min(segments, w * per);
      const to = Math.min(segments, from + per);
      if (from === to) return Promise.resolve(new Uint8Array(0));
      const id = this.nextId++;
      const job: SegmentJob = {
        id,
        buffer: shared.buffer,
        byteOffset: shared.byteOffset,
        length: shared.length,
        padded,
        from,
        to,
      };
      return new Promise<Uint8Array>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        worker.postMessage(job);
      });
    });
    const roots: Uint8Array[] = [];
    for (const part of await Promise.all(parts)) {
      for (let o = 0; o < part.length; o += HASH_BYTES) roots.push(part.subarray(o, o + HASH_BYTES));
    }
    return layoutFile(data, roots);
  }

  /** `fileRoot(data)`, in parallel. */
  async fileRoot(data: Uint8Array): Promise<string> {
    return toHex((await this.layout(data)).root);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** The data in shared memory, copied only when it is not there already. */
function toShared(data: Uint8Array): Uint8Array<SharedArrayBuffer> {
  if (data.buffer instanceof SharedArrayBuffer) return data as Uint8Array<SharedArrayBuffer>;
  const shared = new Uint8Array(new SharedArrayBuffer(data.length));
  shared.set(data);
  return shared;
}
