/**
 * Erasure coding for the storage client: a file split into k data shards and m parity shards with
 * @ronomon/reed-solomon (Cauchy Reed-Solomon over GF(2^8)); any k of the k + m shards give the file back.
 */
import { ZgError } from "../../common/errors";

// The module ships no types; this is the part of its API the client uses.
interface ReedSolomonModule {
  MAX_K: number;
  MAX_M: number;
  create(k: number, m: number): unknown;
  encode(
    context: unknown,
    sources: number,
    targets: number,
    buffer: Buffer,
    bufferOffset: number,
    bufferSize: number,
    parity: Buffer,
    parityOffset: number,
    paritySize: number,
    callback: (error?: Error) => void,
  ): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ReedSolomon = require("@ronomon/reed-solomon") as ReedSolomonModule;

export type ErasureErrorCode = "STORAGE_BAD_EC_SPEC" | "STORAGE_NOT_ENOUGH_SHARDS";

/** Data and parity shard counts. */
export interface EcSpec {
  k: number;
  m: number;
}

/** The library's limits (README): at most 24 data and 6 parity shards. */
export const MAX_DATA_SHARDS = 24;
export const MAX_PARITY_SHARDS = 6;

/** Parses `k+m` (`2+2`, `10+4`); ZgError STORAGE_BAD_EC_SPEC for anything else. */
export function parseEcSpec(text: string): EcSpec {
  const m = /^\s*(\d{1,3})\s*\+\s*(\d{1,3})\s*$/.exec(text);
  const hint = `write --ec k+m with 1 ≤ k ≤ ${MAX_DATA_SHARDS} data and 1 ≤ m ≤ ${MAX_PARITY_SHARDS} parity shards, e.g. --ec 2+2`;
  if (!m) throw new ZgError("STORAGE_BAD_EC_SPEC", `--ec ${JSON.stringify(text)} is not of the form k+m`, { hint });
  const spec = { k: Number(m[1]), m: Number(m[2]) };
  if (spec.k < 1 || spec.k > MAX_DATA_SHARDS || spec.m < 1 || spec.m > MAX_PARITY_SHARDS) {
    throw new ZgError("STORAGE_BAD_EC_SPEC", `--ec ${spec.k}+${spec.m} is outside the coder's limits`, { hint });
  }
  return spec;
}

/** Bytes per shard for a file of `size` bytes: ceil(size / k) rounded up to a multiple of 8 (the coder's unit). */
export function shardSizeFor(size: number, k: number): number {
  return Math.max(8, Math.ceil(Math.ceil(size / k) / 8) * 8);
}

function run(
  spec: EcSpec,
  sources: number,
  targets: number,
  data: Buffer,
  parity: Buffer,
  shardSize: number,
): Promise<void> {
  const context = ReedSolomon.create(spec.k, spec.m);
  return new Promise((resolve, reject) =>
    ReedSolomon.encode(
      context,
      sources,
      targets,
      data,
      0,
      shardSize * spec.k,
      parity,
      0,
      shardSize * spec.m,
      (error) => (error ? reject(error) : resolve()),
    ),
  );
}

/**
 * Bytes of each shard one coder call takes (manifest version 2): the coder runs faster on stripes than on whole
 * shards. Its parity depends on the stripe (Cauchy bit-matrix packets), so the manifest says which: version 1 files
 * were coded as whole shards, `codingStripe` gives each version's.
 */
export const STRIPE_BYTES = 256 * 1024;

/** The stripe a manifest's shards were coded with: whole shards for version 1, STRIPE_BYTES from version 2. */
export function codingStripe(manifest: { version: number; shardSize: number }): number {
  return manifest.version === 1 ? manifest.shardSize : STRIPE_BYTES;
}

/** Computes the `targets` shards from the `sources` ones (bit masks over 0..k+m-1), stripe by stripe, in place. */
async function codeStriped(
  spec: EcSpec,
  sources: number,
  targets: number,
  shards: Buffer[],
  shardSize: number,
  stripe: number,
): Promise<void> {
  const width = Math.min(stripe, shardSize);
  const data = Buffer.alloc(width * spec.k);
  const parity = Buffer.alloc(width * spec.m);
  for (let offset = 0; offset < shardSize; offset += stripe) {
    const len = Math.min(stripe, shardSize - offset);
    const slot = (i: number) =>
      i < spec.k ? data.subarray(i * len, (i + 1) * len) : parity.subarray((i - spec.k) * len, (i - spec.k + 1) * len);
    for (let i = 0; i < shards.length; i++) if (sources & (1 << i)) shards[i].copy(slot(i), 0, offset, offset + len);
    await run(spec, sources, targets, data, parity, len);
    for (let i = 0; i < shards.length; i++) if (targets & (1 << i)) slot(i).copy(shards[i], offset);
  }
}

/** A zeroed buffer in shared memory: SegmentHasher's threads read it without a copy. */
function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

/** The k data shards of `file`: consecutive `shardSizeFor(size, k)`-byte pieces, the last zero-padded. */
export function splitData(file: Uint8Array, k: number): Buffer[] {
  const shardSize = shardSizeFor(file.length, k);
  const data = sharedBuffer(shardSize * k);
  data.set(file);
  return Array.from({ length: k }, (_, i) => data.subarray(i * shardSize, (i + 1) * shardSize));
}

/** The m parity shards of k data shards (as `splitData` cuts them). */
export async function encodeParity(dataShards: Buffer[], spec: EcSpec, stripe = STRIPE_BYTES): Promise<Buffer[]> {
  const shardSize = dataShards[0].length;
  const shards = [...dataShards];
  for (let i = 0; i < spec.m; i++) shards.push(sharedBuffer(shardSize));
  let sources = 0;
  for (let i = 0; i < spec.k; i++) sources |= 1 << i;
  let targets = 0;
  for (let i = spec.k; i < spec.k + spec.m; i++) targets |= 1 << i;
  await codeStriped(spec, sources, targets, shards, shardSize, stripe);
  return shards.slice(spec.k);
}

/** The k + m shards of `file` (data shards first, the last zero-padded), each `shardSizeFor(size, k)` bytes. */
export async function encodeShards(file: Uint8Array, spec: EcSpec, stripe = STRIPE_BYTES): Promise<Buffer[]> {
  const dataShards = splitData(file, spec.k);
  return [...dataShards, ...(await encodeParity(dataShards, spec, stripe))];
}

/**
 * Rebuilds every shard from any k of them: `shards[i]` is shard i or undefined when missing. Returns all k + m
 * shards. ZgError STORAGE_NOT_ENOUGH_SHARDS when fewer than k are present. `stripe`: see `codingStripe`.
 */
export async function reconstructShards(
  shards: (Uint8Array | undefined)[],
  spec: EcSpec,
  shardSize: number,
  stripe = STRIPE_BYTES,
): Promise<Buffer[]> {
  const n = spec.k + spec.m;
  if (shards.length !== n) throw new RangeError(`reconstructShards: ${shards.length} slots for ${n} shards`);
  const present = shards.flatMap((s, i) => (s ? [i] : []));
  if (present.length < spec.k) {
    throw new ZgError(
      "STORAGE_NOT_ENOUGH_SHARDS",
      `only ${present.length} of ${n} shards are available and ${spec.k} are needed to rebuild the file`,
      { hint: "pass more nodes with --nodes (or start the nodes that are down) and retry" },
    );
  }
  for (const i of present) {
    if (shards[i]!.length !== shardSize)
      throw new RangeError(`shard ${i} has ${shards[i]!.length} bytes, not ${shardSize}`);
  }
  const all = Array.from({ length: n }, () => Buffer.alloc(shardSize));
  let sources = 0;
  for (const i of present.slice(0, spec.k)) {
    all[i].set(shards[i]!);
    sources |= 1 << i;
  }
  let targets = 0;
  for (let i = 0; i < n; i++) if (!(sources & (1 << i))) targets |= 1 << i;
  if (targets !== 0) await codeStriped(spec, sources, targets, all, shardSize, stripe);
  return all;
}

/** The original `size` bytes from any k shards. */
export async function decodeFile(
  shards: (Uint8Array | undefined)[],
  spec: EcSpec,
  shardSize: number,
  size: number,
  stripe = STRIPE_BYTES,
): Promise<Buffer> {
  const all = await reconstructShards(shards, spec, shardSize, stripe);
  return Buffer.concat(all.slice(0, spec.k)).subarray(0, size);
}
