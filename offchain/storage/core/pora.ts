import { createBLAKE2b, type IHasher } from "hash-wasm";
import { SECTORS_PER_LOAD, SECTORS_PER_SEAL } from "./constants";
import { keccak256, loadHashers } from "./hash";
import { merkleRoot } from "./merkle";

/**
 * 0G's Proof of Random Access (0g-storage-node `node/miner/src/pora.rs`, `common/zgs_seal`): sealing with a keccak
 * mask chain, the blake2b-512 scratchpad and recall seed, the recall position and the quality of a seal.
 * Numbers in hashed inputs are 32-byte big-endian words, as the contract's abi.encodePacked of uint256 writes them.
 */
export const BYTES_PER_SEAL = SECTORS_PER_SEAL * 256;
export const SEALS_PER_LOAD = SECTORS_PER_LOAD / SECTORS_PER_SEAL;
export const SCRATCHPAD_CELLS = 256;
const SEALS_PER_PAD = 4;

let blake: IHasher | undefined;

/** Compiles the keccak and blake2b WebAssembly hashers; idempotent. */
export async function loadPoraHashers(): Promise<void> {
  await loadHashers();
  if (!blake) blake = await createBLAKE2b(512);
}

/** blake2b-512 of the concatenation of `parts`. */
export function blake2b512(...parts: Uint8Array[]): Uint8Array {
  if (!blake) throw new Error("storage core: blake2b not loaded: await loadPoraHashers() first");
  blake.init();
  for (const p of parts) blake.update(p);
  return blake.digest("binary");
}

/** A number as a 32-byte big-endian word. */
export function word(n: bigint | number): Uint8Array {
  const out = new Uint8Array(32);
  if (typeof n === "number" ? Number.isSafeInteger(n) && n >= 0 : n >= 0n && n <= 0xffffffffffffffffn) {
    // Fast path for what fits in 64 bits (positions, lengths, seal indexes): no per-byte BigInt arithmetic.
    new DataView(out.buffer).setBigUint64(24, BigInt(n));
    return out;
  }
  let v = BigInt(n);
  for (let i = 31; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function toBigInt(bytes: Uint8Array): bigint {
  const v = new DataView(bytes.buffer, bytes.byteOffset, 32);
  return (v.getBigUint64(0) << 192n) | (v.getBigUint64(8) << 128n) | (v.getBigUint64(16) << 64n) | v.getBigUint64(24);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Seals (in place) 4 KiB at flow sector `position`: word ^= mask; next mask = keccak256(sealed word). */
export function seal(
  data: Uint8Array,
  minerId: Uint8Array,
  sealDigest: Uint8Array,
  position: bigint | number,
): Uint8Array {
  if (data.length % 32 !== 0) throw new RangeError("seal: data must be whole 32-byte words");
  let mask = keccak256(concat(minerId, sealDigest, word(position)));
  for (let o = 0; o < data.length; o += 32) {
    for (let i = 0; i < 32; i++) data[o + i] ^= mask[i];
    mask = keccak256(data.subarray(o, o + 32));
  }
  return data;
}

/** Undoes `seal` (in place). */
export function unseal(
  data: Uint8Array,
  minerId: Uint8Array,
  sealDigest: Uint8Array,
  position: bigint | number,
): Uint8Array {
  if (data.length % 32 !== 0) throw new RangeError("unseal: data must be whole 32-byte words");
  let mask = keccak256(concat(minerId, sealDigest, word(position)));
  for (let o = 0; o < data.length; o += 32) {
    const next = keccak256(data.subarray(o, o + 32));
    for (let i = 0; i < 32; i++) data[o + i] ^= mask[i];
    mask = next;
  }
  return data;
}

/** What a miner works on in one epoch. */
export interface PoraWork {
  minerId: Uint8Array;
  nonce: Uint8Array;
  digest: Uint8Array;
  startPosition: bigint;
  mineLength: bigint;
}

/** The 16 KiB scratchpad and the recall seed of a nonce. */
export function scratchpad(w: PoraWork): { pad: Uint8Array; recallSeed: Uint8Array } {
  let d = blake2b512(w.minerId, w.nonce, w.digest, word(w.startPosition), word(w.mineLength));
  const pad = new Uint8Array(SCRATCHPAD_CELLS * 64);
  for (let i = 0; i < SCRATCHPAD_CELLS; i++) {
    d = blake2b512(d);
    pad.set(d, i * 64);
  }
  return { pad, recallSeed: keccak256(d) };
}

/** The load the recall seed selects: its first flow sector. */
export function recallLoadStart(w: PoraWork, recallSeed: Uint8Array): bigint {
  const loads = w.mineLength / BigInt(SECTORS_PER_LOAD);
  return w.startPosition + (toBigInt(recallSeed) % loads) * BigInt(SECTORS_PER_LOAD);
}

/** Sealed data XOR the scratchpad's seal `sealIndex % 4`. */
export function mix(sealed: Uint8Array, pad: Uint8Array, sealIndex: number): Uint8Array {
  const off = (sealIndex % SEALS_PER_PAD) * BYTES_PER_SEAL;
  const out = new Uint8Array(BYTES_PER_SEAL);
  if ((sealed.byteOffset & 3) === 0 && ((pad.byteOffset + off) & 3) === 0) {
    // Word-wise XOR when both views are 4-byte aligned (byte order does not matter for XOR).
    const a = new Uint32Array(sealed.buffer, sealed.byteOffset, BYTES_PER_SEAL / 4);
    const b = new Uint32Array(pad.buffer, pad.byteOffset + off, BYTES_PER_SEAL / 4);
    const o = new Uint32Array(out.buffer);
    for (let i = 0; i < o.length; i++) o[i] = a[i] ^ b[i];
    return out;
  }
  for (let i = 0; i < BYTES_PER_SEAL; i++) out[i] = sealed[i] ^ pad[off + i];
  return out;
}

/** The quality of a mixed seal (lower is better). */
export function quality(w: PoraWork, sealIndex: number, mixed: Uint8Array): bigint {
  const input = qualityInput(w, sealIndex);
  input.set(mixed, QUALITY_HEADER);
  return toBigInt(blake2b512(input).subarray(0, 32));
}

/** Bytes before the mixed seal in a quality input: six words and 64 zero bytes. */
const QUALITY_HEADER = 32 * 6 + 64;

function qualityInput(w: PoraWork, sealIndex: number): Uint8Array {
  // One contiguous input and a single update: per-call overhead into WebAssembly dominates small updates.
  const input = new Uint8Array(QUALITY_HEADER + BYTES_PER_SEAL);
  input.set(word(sealIndex), 0);
  input.set(w.minerId, 32);
  input.set(w.nonce, 64);
  input.set(w.digest, 96);
  input.set(word(w.startPosition), 128);
  input.set(word(w.mineLength), 160);
  return input;
}

/** `quality(w, sealIndex, mix(sealed, pad, sealIndex))` without the intermediate buffer (the miner's hot path). */
export function sealQuality(w: PoraWork, sealIndex: number, sealed: Uint8Array, pad: Uint8Array): bigint {
  const input = qualityInput(w, sealIndex);
  const off = (sealIndex % SEALS_PER_PAD) * BYTES_PER_SEAL;
  for (let i = 0; i < BYTES_PER_SEAL; i++) input[QUALITY_HEADER + i] = sealed[i] ^ pad[off + i];
  return toBigInt(blake2b512(input).subarray(0, 32));
}

/** Merkle root of a seal's 16 sectors. */
export function sealRoot(data: Uint8Array): Uint8Array {
  const leaves: Uint8Array[] = [];
  for (let s = 0; s < SECTORS_PER_SEAL; s++) leaves.push(keccak256(data.subarray(s * 256, s * 256 + 256)));
  return merkleRoot(leaves);
}

/** A found answer (without its merkle proof). */
export interface PoraHit {
  nonce: Uint8Array;
  recallPosition: bigint;
  sealOffset: number;
  sealed: Uint8Array;
  quality: bigint;
}

/**
 * Tries `tries` nonces from `firstNonce` upward: for each, the recalled load's seals (from `loadSealed`, which
 * returns the sealed 4 KiB at a flow position or undefined when the miner does not hold it) are mixed and scored.
 * Returns the first seal whose quality is ≤ `limit`.
 */
export function minePora(
  w: Omit<PoraWork, "nonce">,
  limit: bigint,
  loadSealed: (position: bigint) => Uint8Array | undefined,
  firstNonce = 0n,
  tries = 1000,
): PoraHit | undefined {
  for (let n = 0; n < tries; n++) {
    const nonce = word(firstNonce + BigInt(n));
    const work = { ...w, nonce };
    const { pad, recallSeed } = scratchpad(work);
    const loadStart = recallLoadStart(work, recallSeed);
    for (let s = 0; s < SEALS_PER_LOAD; s++) {
      const position = loadStart + BigInt(s * SECTORS_PER_SEAL);
      const sealed = loadSealed(position);
      if (!sealed) continue;
      const q = sealQuality(work, s, sealed, pad);
      if (q <= limit) return { nonce, recallPosition: position, sealOffset: s, sealed, quality: q };
    }
  }
  return undefined;
}
