/**
 * The data root of a blob and its proofs (`docs/da-encoding.md`, "Data root" and "Sampling answer"): subline roots
 * by the 0G storage rule, row roots, the rows root over R leaves, the data root naming the shape, row and subline
 * inclusion proofs, and the sampling quality. Synchronous keccak from the storage core: `await loadHashers()` first.
 */
import { hashPair, keccak256, toHex, fromHex } from "../../storage/core/hash";
import { DaEncodingError, isPowerOfTwo, log2, SCALAR_BYTES, type Shape } from "./field";

export const SUBLINE_BYTES = 1024;
export const SECTOR_BYTES = 256;
/** Scalars per subline. */
export const SUBLINE_SCALARS = SUBLINE_BYTES / SCALAR_BYTES;
const ZERO_LEAF = new Uint8Array(32);

/** H(H(k(s₀), k(s₁)), H(k(s₂), k(s₃))) over the four 256-byte sectors of a 1024-byte subline. */
export function sublineRootBytes(subline: Uint8Array): Uint8Array {
  if (subline.length !== SUBLINE_BYTES) throw new DaEncodingError(`a subline is 1024 bytes, got ${subline.length}`);
  const k = (s: number) => keccak256(subline.subarray(s * SECTOR_BYTES, (s + 1) * SECTOR_BYTES));
  return hashPair(hashPair(k(0), k(1)), hashPair(k(2), k(3)));
}

/** All levels of a perfect binary merkle tree, leaves first; the last level holds the root. */
function merkleLevels(leaves: Uint8Array[]): Uint8Array[][] {
  if (!isPowerOfTwo(leaves.length)) throw new DaEncodingError(`a perfect tree needs 2^h leaves, got ${leaves.length}`);
  const levels = [leaves];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const up: Uint8Array[] = [];
    for (let i = 0; i < below.length; i += 2) up.push(hashPair(below[i], below[i + 1]));
    levels.push(up);
  }
  return levels;
}

function siblings(levels: Uint8Array[][], position: number): string[] {
  const out: string[] = [];
  let p = position;
  for (let h = 0; h < levels.length - 1; h++, p >>= 1) out.push(toHex(levels[h][p ^ 1]));
  return out;
}

function climb(leaf: Uint8Array, position: number, path: string[]): Uint8Array {
  let node = leaf;
  let p = position;
  for (const s of path) {
    const sib = fromHex(s);
    node = p & 1 ? hashPair(sib, node) : hashPair(node, sib);
    p >>= 1;
  }
  return node;
}

function rowLevels(row: Uint8Array): Uint8Array[][] {
  if (row.length === 0 || row.length % SUBLINE_BYTES !== 0 || !isPowerOfTwo(row.length / SUBLINE_BYTES)) {
    throw new DaEncodingError(`a row is 32·C bytes with C a power of two ≥ 32, got ${row.length} bytes`);
  }
  const leaves: Uint8Array[] = [];
  for (let o = 0; o < row.length; o += SUBLINE_BYTES) leaves.push(sublineRootBytes(row.subarray(o, o + SUBLINE_BYTES)));
  return merkleLevels(leaves);
}

/** Root of the 1024-byte subline (0x-hex). */
export function sublineRoot(subline: Uint8Array): string {
  return toHex(sublineRootBytes(subline));
}

/** Row root: the perfect merkle tree over the row's C/32 subline roots. */
export function rowRoot(row: Uint8Array): string {
  const levels = rowLevels(row);
  return toHex(levels[levels.length - 1][0]);
}

function rowsLevels(rowRoots: string[], rowDomain: number): Uint8Array[][] {
  if (rowRoots.length > rowDomain) throw new DaEncodingError(`${rowRoots.length} rows do not fit R = ${rowDomain}`);
  const leaves = rowRoots.map(fromHex);
  while (leaves.length < rowDomain) leaves.push(ZERO_LEAF);
  return merkleLevels(leaves);
}

/** Rows root: the perfect merkle tree over R leaves, the n row roots then bytes32(0). */
export function rowsRoot(rowRoots: string[], rowDomain: number): string {
  const levels = rowsLevels(rowRoots, rowDomain);
  return toHex(levels[levels.length - 1][0]);
}

/** keccak256(abi.encode(rowsRoot, C, k, n)). */
export function dataRoot(rowsRootHex: string, cols: number, dataRows: number, codedRows: number): string {
  const word = (x: number) => {
    const w = new Uint8Array(32);
    new DataView(w.buffer).setBigUint64(24, BigInt(x), false);
    return w;
  };
  const enc = new Uint8Array(128);
  enc.set(fromHex(rowsRootHex), 0);
  enc.set(word(cols), 32);
  enc.set(word(dataRows), 64);
  enc.set(word(codedRows), 96);
  return toHex(keccak256(enc));
}

/** The data root of a shape: `dataRoot(rowsRoot, C, k, n)`. */
export function dataRootOf(rowsRootHex: string, shape: Shape): string {
  return dataRoot(rowsRootHex, shape.cols, shape.dataRows, shape.codedRows);
}

/** Siblings from row root `index` up to the rows root (log2 R of them, bottom first). */
export function rowInclusionProof(rowRoots: string[], rowDomain: number, index: number): string[] {
  if (!Number.isInteger(index) || index < 0 || index >= rowRoots.length) throw new DaEncodingError(`no row ${index}`);
  return siblings(rowsLevels(rowRoots, rowDomain), index);
}

/** Whether row root `index` is under `rowsRoot`; with `shape`, also that index < n and the path is log2 R long. */
export function verifyRowInclusion(
  rowRootHex: string,
  index: number,
  proof: string[],
  rowsRootHex: string,
  shape?: Shape,
): boolean {
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** proof.length) return false;
  if (shape && (index >= shape.codedRows || proof.length !== log2(shape.rowDomain))) return false;
  return toHex(climb(fromHex(rowRootHex), index, proof)) === rowsRootHex.toLowerCase();
}

/**
 * Subline proof of subline `j` of row `index`: log2(C/32) siblings inside the row, then log2 R between rows,
 * bottom first. Leaf position = index·(C/32) + j; bit h says whether the level-h node is a right child.
 */
export function sublineProof(
  row: Uint8Array,
  index: number,
  j: number,
  rowRoots: string[],
  rowDomain: number,
): string[] {
  const levels = rowLevels(row);
  if (!Number.isInteger(j) || j < 0 || j >= levels[0].length) throw new DaEncodingError(`no subline ${j} in the row`);
  if (toHex(levels[levels.length - 1][0]) !== rowRoots[index]?.toLowerCase()) {
    throw new DaEncodingError(`row ${index} does not match its row root`);
  }
  return [...siblings(levels, j), ...rowInclusionProof(rowRoots, rowDomain, index)];
}

/** Whether `subline` is subline j of row `index` under `rowsRoot` for a blob with C columns. */
export function verifySublineProof(
  subline: Uint8Array,
  index: number,
  j: number,
  cols: number,
  proof: string[],
  rowsRootHex: string,
): boolean {
  const perRow = cols / SUBLINE_SCALARS;
  if (!isPowerOfTwo(perRow) || !Number.isInteger(j) || j < 0 || j >= perRow) return false;
  if (!Number.isInteger(index) || index < 0 || proof.length < log2(perRow)) return false;
  const position = index * perRow + j;
  if (position >= 2 ** proof.length) return false;
  return toHex(climb(sublineRootBytes(subline), position, proof)) === rowsRootHex.toLowerCase();
}

/**
 * uint256(keccak256(abi.encodePacked(seed, uint64 epoch, uint64 quorumId, dataRoot, uint32 lineIndex,
 * uint32 sublineIndex, subline))).
 */
export function sampleQuality(
  seed: string,
  epoch: bigint,
  quorumId: bigint,
  dataRootHex: string,
  lineIndex: number,
  sublineIndex: number,
  subline: Uint8Array,
): bigint {
  if (subline.length !== SUBLINE_BYTES) throw new DaEncodingError(`a subline is 1024 bytes, got ${subline.length}`);
  const buf = new Uint8Array(32 + 8 + 8 + 32 + 4 + 4 + SUBLINE_BYTES);
  const view = new DataView(buf.buffer);
  buf.set(fromHex(seed), 0);
  if (epoch < 0n || epoch >= 1n << 64n || quorumId < 0n || quorumId >= 1n << 64n) {
    throw new DaEncodingError("epoch and quorumId are uint64");
  }
  view.setBigUint64(32, epoch, false);
  view.setBigUint64(40, quorumId, false);
  buf.set(fromHex(dataRootHex), 48);
  view.setUint32(80, lineIndex, false);
  view.setUint32(84, sublineIndex, false);
  buf.set(subline, 88);
  return BigInt(toHex(keccak256(buf)));
}

/** The quorum member (position in the epoch's quorum) that alone may answer for line `lineIndex`. */
export function assignedMember(lineIndex: number, quorumSize: number): number {
  if (!Number.isInteger(quorumSize) || quorumSize < 1) throw new DaEncodingError(`bad quorum size ${quorumSize}`);
  return lineIndex % quorumSize;
}

/**
 * Subline j's proof from what a signer keeps: the row itself and the row's inclusion proof (the signer does not
 * hold the other rows, so it cannot call `sublineProof`).
 */
export function sublineProofFromRow(row: Uint8Array, j: number, inclusion: string[]): string[] {
  const levels = rowLevels(row);
  if (!Number.isInteger(j) || j < 0 || j >= levels[0].length) throw new DaEncodingError(`no subline ${j} in the row`);
  return [...siblings(levels, j), ...inclusion];
}
