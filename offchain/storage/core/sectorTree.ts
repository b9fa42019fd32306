import fs from "node:fs";
import path from "node:path";
import { BYTES_PER_SECTOR, HASH_BYTES, SECTORS_PER_SEGMENT } from "./constants";

/**
 * The root of a segment's sector tree in one WebAssembly call (`wasm/sectorTree.ts`, built by `npm run wasm:build`
 * into `sectorTree.wasm` beside this file). The same tree as `merkleRoot(sectorLeaves(...))` at half the CPU: the
 * per-hash calls into a general hasher, not keccak itself, were half the cost of checking a segment.
 */
interface SectorTreeExports {
  memory: { buffer: ArrayBuffer };
  input(): number;
  maxSectors(): number;
  root(sectors: number): number;
}

// The project's lib (ES2022, no DOM) declares no WebAssembly: the two constructors used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

let tree: { exports: SectorTreeExports; input: number } | undefined;

/** Instantiates the module; idempotent and synchronous (it is 2 KB). `loadHashers` calls it. */
export function loadSectorTree(): void {
  if (tree) return;
  const bytes = fs.readFileSync(path.join(__dirname, "sectorTree.wasm"));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: {
      abort: () => {
        throw new Error("sectorTree: aborted");
      },
    },
  });
  const exports = instance.exports as unknown as SectorTreeExports;
  if (exports.maxSectors() !== SECTORS_PER_SEGMENT) throw new Error("sectorTree.wasm: built for another segment size");
  tree = { exports, input: exports.input() };
}

/**
 * Root of the promote-odd keccak256 tree over the leaves of sectors [from, from + count) of `data` zero-padded to
 * whole sectors (sectors past its end are all zeros). At most one segment (1024 sectors) per call.
 */
export function sectorTreeRoot(data: Uint8Array, from: number, count: number): Uint8Array {
  if (!tree) throw new Error("storage core: hashers not loaded: await loadHashers() before hashing");
  if (!Number.isInteger(count) || count < 1 || count > SECTORS_PER_SEGMENT)
    throw new RangeError(`sectorTreeRoot: ${count} sectors (1 to ${SECTORS_PER_SEGMENT})`);
  if (!Number.isInteger(from) || from < 0) throw new RangeError(`sectorTreeRoot: bad first sector ${from}`);
  const { exports, input } = tree;
  const memory = new Uint8Array(exports.memory.buffer);
  const start = Math.min(data.length, from * BYTES_PER_SECTOR);
  const end = Math.min(data.length, (from + count) * BYTES_PER_SECTOR);
  memory.set(data.subarray(start, end), input);
  memory.fill(0, input + (end - start), input + count * BYTES_PER_SECTOR);
  const at = exports.root(count);
  return memory.slice(at, at + HASH_BYTES);
}
