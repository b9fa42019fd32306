import { createKeccak, type IHasher } from "hash-wasm";
import { BYTES_PER_SECTOR, HASH_BYTES } from "./constants";
import { loadSectorTree } from "./sectorTree";

/**
 * keccak256 through hash-wasm, the fastest implementation here. A hasher instance is not re-entrant, so each
 * function runs init/update/digest to completion synchronously: nothing can interleave on one thread.
 * Call `loadHashers()` once (it compiles the WebAssembly module) before any other function of the core.
 */
let keccak: IHasher | undefined;

/** Compiles the WebAssembly hashers; idempotent. Every other function of the core needs it done. */
export async function loadHashers(): Promise<void> {
  if (!keccak) keccak = await createKeccak(256);
  loadSectorTree();
}

function hasher(): IHasher {
  if (!keccak) throw new Error("storage core: hashers not loaded: await loadHashers() before hashing");
  return keccak;
}

/** keccak256 of `data`. */
export function keccak256(data: Uint8Array): Uint8Array {
  const h = hasher();
  h.init();
  h.update(data);
  return h.digest("binary");
}

// One crossing into WebAssembly per parent instead of two: a third faster on the file-root hot path.
const pair = new Uint8Array(2 * HASH_BYTES);

/** keccak256(left ‖ right): a merkle parent (the same as Solidity's `keccak256(abi.encode(left, right))`). */
export function hashPair(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) throw new RangeError("hashPair: hashes are 32 bytes");
  const h = hasher();
  pair.set(left, 0);
  pair.set(right, HASH_BYTES);
  h.init();
  h.update(pair);
  return h.digest("binary");
}

const ZERO_SECTOR = new Uint8Array(BYTES_PER_SECTOR);
const zeroRoots: Uint8Array[] = [];

/**
 * Root of a perfect subtree of `height` whose leaves are all empty sectors: zeros(0) = keccak256 of 256 zero bytes,
 * zeros(h + 1) = keccak256(zeros(h) ‖ zeros(h)). The same values as 0G's `FlowTreeLib.zeros`.
 */
export function zeros(height: number): Uint8Array {
  if (!Number.isInteger(height) || height < 0 || height > 64) throw new RangeError(`zeros: bad height ${height}`);
  if (zeroRoots.length === 0) zeroRoots.push(keccak256(ZERO_SECTOR));
  while (zeroRoots.length <= height) {
    const last = zeroRoots[zeroRoots.length - 1];
    zeroRoots.push(hashPair(last, last));
  }
  return zeroRoots[height];
}

/** The leaf of an empty (all-zero) sector. */
export function emptyLeaf(): Uint8Array {
  return zeros(0);
}

/** 0x-prefixed lowercase hex of a hash. */
export function toHex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** A 32-byte hash from 0x-hex. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (clean.length !== HASH_BYTES * 2 || !/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`not a 32-byte hash: ${hex}`);
  return new Uint8Array(Buffer.from(clean, "hex"));
}

/** Byte-wise equality of two hashes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
