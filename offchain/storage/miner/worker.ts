// The PoRA worker thread: seals the loads it is given (once per miner id) and tries nonces against them, so the
// node's event loop never runs the hashing. A shared Int32 flag (workerData.stop) ends a pass early.
import { parentPort, workerData } from "node:worker_threads";
import {
  BYTES_PER_SEAL,
  SEALS_PER_LOAD,
  SECTORS_PER_SEAL,
  loadPoraHashers,
  recallLoadStart,
  scratchpad,
  seal,
  sealQuality,
  word,
  type PoraHit,
} from "../core";
import type { FromWorker, LoadJob, MineJob, MineResult, ToWorker } from "./protocol";

interface SealedLoad {
  sealed: Uint8Array;
  held: Uint8Array;
}

/** Sealed loads by first sector, for one miner id. */
const loads = new Map<bigint, SealedLoad>();
let sealedFor = "";

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Seals every held seal of each load with the miner id and keeps it (replacing what was kept for that load). */
export function sealLoads(minerId: Uint8Array, jobs: LoadJob[]): number {
  const id = hex(minerId);
  if (id !== sealedFor) {
    loads.clear();
    sealedFor = id;
  }
  for (const job of jobs) {
    const sealed = new Uint8Array(job.data);
    for (let s = 0; s < SEALS_PER_LOAD; s++) {
      if (!job.held[s]) continue;
      const position = job.start + BigInt(s * SECTORS_PER_SEAL);
      seal(
        sealed.subarray(s * BYTES_PER_SEAL, (s + 1) * BYTES_PER_SEAL),
        minerId,
        job.sealDigests.subarray(s * 32, s * 32 + 32),
        position,
      );
    }
    loads.set(job.start, { sealed, held: new Uint8Array(job.held) });
  }
  return loads.size;
}

/** The core's `minePora` over the kept loads, counting its work and watching the stop flag. */
export function mine(job: MineJob, stop?: Int32Array): MineResult {
  const started = performance.now();
  const result: MineResult = { nonces: 0, skipped: 0, qualities: 0, seconds: 0, stopped: false };
  const base = {
    minerId: job.minerId,
    digest: job.digest,
    startPosition: job.startPosition,
    mineLength: job.mineLength,
  };
  for (let n = 0; n < job.tries; n++) {
    if (stop && Atomics.load(stop, 0) !== 0) {
      result.stopped = true;
      break;
    }
    const nonce = word(job.firstNonce + BigInt(n));
    const work = { ...base, nonce };
    const { pad, recallSeed } = scratchpad(work);
    const loadStart = recallLoadStart(work, recallSeed);
    result.nonces++;
    const load = loads.get(loadStart);
    if (!load) {
      result.skipped++;
      continue;
    }
    let hit: PoraHit | undefined;
    for (let s = 0; s < SEALS_PER_LOAD && !hit; s++) {
      if (!load.held[s]) continue;
      const sealed = load.sealed.subarray(s * BYTES_PER_SEAL, (s + 1) * BYTES_PER_SEAL);
      const q = sealQuality(work, s, sealed, pad);
      result.qualities++;
      if (q <= job.limit) {
        hit = {
          nonce,
          recallPosition: loadStart + BigInt(s * SECTORS_PER_SEAL),
          sealOffset: s,
          sealed: sealed.slice(),
          quality: q,
        };
      }
    }
    if (hit) {
      result.hit = hit;
      break;
    }
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

const port = parentPort;
if (port) {
  const stop = (workerData as { stop?: SharedArrayBuffer } | null)?.stop;
  const flag = stop ? new Int32Array(stop) : undefined;
  const send = (msg: FromWorker) => port.postMessage(msg);
  void loadPoraHashers().then(() => {
    port.on("message", (msg: ToWorker) => {
      try {
        if (msg.type === "seal") send({ type: "sealed", id: msg.id, loads: sealLoads(msg.minerId, msg.loads) });
        else if (msg.type === "forget") {
          for (const s of msg.starts) loads.delete(s);
          send({ type: "forgotten", id: msg.id });
        } else send({ type: "mined", id: msg.id, result: mine(msg.job, flag) });
      } catch (err) {
        send({ type: "failed", id: msg.id, error: err instanceof Error ? err.message : String(err) });
      }
    });
    send({ type: "ready" });
  });
}
