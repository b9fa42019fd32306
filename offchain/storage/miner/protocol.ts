/** Messages between the miner and its PoRA worker thread (structured clone: bigints and typed arrays pass as is). */
import type { PoraHit } from "../core";

/** One held 256 KiB load, unsealed: the worker seals it once per miner id and keeps it. */
export interface LoadJob {
  /** First flow sector of the load (a multiple of 1024). */
  start: bigint;
  /** 256 KiB of flow data (seals not held may be anything). */
  data: Uint8Array;
  /** Per seal (64 × 32 bytes): the digest of the first context covering it (`Flow.contextCovering`). */
  sealDigests: Uint8Array;
  /** Per seal: 1 when the node holds it (and may answer with it), 0 otherwise. */
  held: Uint8Array;
}

export interface MineJob {
  minerId: Uint8Array;
  digest: Uint8Array;
  startPosition: bigint;
  mineLength: bigint;
  /** Quality bound: target × mineLength / span (the contract's limit). */
  limit: bigint;
  firstNonce: bigint;
  tries: number;
}

export type ToWorker =
  | { type: "seal"; id: number; minerId: Uint8Array; loads: LoadJob[] }
  | { type: "mine"; id: number; job: MineJob }
  | { type: "forget"; id: number; starts: bigint[] };

export interface MineResult {
  hit?: PoraHit;
  /** Nonces tried (a scratchpad each). */
  nonces: number;
  /** Nonces whose recalled load the node did not hold (skipped after the scratchpad). */
  skipped: number;
  /** Qualities computed (blake2b-512 of 4352 bytes each): the miner's hashes. */
  qualities: number;
  seconds: number;
  /** True when the stop flag ended the pass. */
  stopped: boolean;
}

export type FromWorker =
  | { type: "ready" }
  | { type: "sealed"; id: number; loads: number }
  | { type: "forgotten"; id: number }
  | { type: "mined"; id: number; result: MineResult }
  | { type: "failed"; id: number; error: string };
