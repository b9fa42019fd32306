// A SegmentHasher thread: computes the roots of a range of segments of data it shares with the main thread.
import { parentPort } from "node:worker_threads";
import { HASH_BYTES } from "./constants";
import { segmentRoot } from "./file";
import { loadHashers } from "./hash";

export interface SegmentJob {
  id: number;
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
  padded: number;
  from: number;
  to: number;
}

const port = parentPort;
if (port) {
  void loadHashers().then(() => port.postMessage({ ready: true }));
  port.on("message", (job: SegmentJob) => {
    const data = new Uint8Array(job.buffer, job.byteOffset, job.length);
    const roots = new Uint8Array((job.to - job.from) * HASH_BYTES);
    for (let s = job.from; s < job.to; s++) roots.set(segmentRoot(data, job.padded, s), (s - job.from) * HASH_BYTES);
    port.postMessage({ id: job.id, roots }, [roots.buffer]);
  });
}
