// An independent reference of the sampled part of docs/da-encoding.md (format v1), written with ethers' keccak
// only: subline roots, row roots, the rows root, the data root, subline proofs and the sampling quality. The row
// bytes are arbitrary here (no Reed-Solomon): the contracts check the merkle format, not the code.
import { AbiCoder, concat, getBytes, hexlify, keccak256, solidityPacked, toBeHex } from "ethers";

export const SUBLINE_BYTES = 1024;
const SECTOR_BYTES = 256;
const ZERO = toBeHex(0, 32);

/** keccak256(left ‖ right). */
export function hashPair(left: string, right: string): string {
  return keccak256(concat([left, right]));
}

/** H(H(k(s0), k(s1)), H(k(s2), k(s3))) over the four 256-byte sectors of a 1024-byte subline. */
export function sublineRoot(data: Uint8Array): string {
  if (data.length !== SUBLINE_BYTES) throw new Error(`a subline is ${SUBLINE_BYTES} bytes, got ${data.length}`);
  const k = [0, 1, 2, 3].map((s) => keccak256(data.subarray(s * SECTOR_BYTES, (s + 1) * SECTOR_BYTES)));
  return hashPair(hashPair(k[0], k[1]), hashPair(k[2], k[3]));
}

/** Every level of a perfect binary tree, leaves first; `leaves.length` must be a power of two. */
function levels(leaves: string[]): string[][] {
  const out = [leaves];
  while (out[out.length - 1].length > 1) {
    const prev = out[out.length - 1];
    const next: string[] = [];
    for (let i = 0; i < prev.length; i += 2) next.push(hashPair(prev[i], prev[i + 1]));
    out.push(next);
  }
  return out;
}

function siblings(tree: string[][], index: number): string[] {
  const path: string[] = [];
  for (let h = 0; h < tree.length - 1; h++) path.push(tree[h][(index >> h) ^ 1]);
  return path;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** keccak256(abi.encode(rowsRoot, cols, dataRows, codedRows)). */
export function dataRootOf(rowsRoot: string, cols: number, dataRows: number, codedRows: number): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["bytes32", "uint256", "uint256", "uint256"],
      [rowsRoot, cols, dataRows, codedRows],
    ),
  );
}

/** uint256(keccak256(abi.encodePacked(seed, uint64 epoch, uint64 quorumId, dataRoot, uint32 line, uint32 subline, data))). */
export function quality(
  seed: string,
  epoch: bigint,
  quorumId: bigint,
  dataRoot: string,
  lineIndex: number,
  sublineIndex: number,
  data: Uint8Array,
): bigint {
  return BigInt(
    keccak256(
      solidityPacked(
        ["bytes32", "uint64", "uint64", "bytes32", "uint32", "uint32", "bytes"],
        [seed, epoch, quorumId, dataRoot, lineIndex, sublineIndex, data],
      ),
    ),
  );
}

/** A blob's coded rows with their merkle trees. */
export interface SampledBlob {
  cols: number;
  dataRows: number;
  codedRows: number;
  rows: Uint8Array[];
  rowsRoot: string;
  dataRoot: string;
  /** The 1024 bytes of subline `j` of row `i`. */
  subline(i: number, j: number): Uint8Array;
  /** The siblings from subline (i, j)'s root up to the rows root, bottom first. */
  proof(i: number, j: number): string[];
}

/** Deterministic pseudo-random bytes: keccak256(seed ‖ counter) blocks. */
export function fakeBytes(seed: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let off = 0, c = 0; off < length; off += 32, c++) {
    out.set(getBytes(keccak256(solidityPacked(["string", "uint256"], [seed, c]))).subarray(0, length - off), off);
  }
  return out;
}

/** A blob of `codedRows` rows of `cols` scalars (32 bytes each) filled with bytes derived from `seed`. */
export function makeBlob(cols: number, dataRows: number, codedRows: number, seed = "blob"): SampledBlob {
  const perRow = cols / 32;
  const rows = Array.from({ length: codedRows }, (_, i) => fakeBytes(`${seed}/${i}`, 32 * cols));
  const rowTrees = rows.map((row) =>
    levels(
      Array.from({ length: perRow }, (_, j) => sublineRoot(row.subarray(j * SUBLINE_BYTES, (j + 1) * SUBLINE_BYTES))),
    ),
  );
  const rowRoots = rowTrees.map((t) => t[t.length - 1][0]);
  const R = nextPow2(codedRows);
  const rowsTree = levels([...rowRoots, ...Array<string>(R - codedRows).fill(ZERO)]);
  const rowsRoot = rowsTree[rowsTree.length - 1][0];
  return {
    cols,
    dataRows,
    codedRows,
    rows,
    rowsRoot,
    dataRoot: dataRootOf(rowsRoot, cols, dataRows, codedRows),
    subline: (i, j) => rows[i].slice(j * SUBLINE_BYTES, (j + 1) * SUBLINE_BYTES),
    proof: (i, j) => [...siblings(rowTrees[i], j), ...siblings(rowsTree, i)],
  };
}

/** The `SampleAnswer` struct for subline (i, j) of `blob`. */
export function answerOf(blob: SampledBlob, epoch: bigint, quorumId: bigint, i: number, j: number) {
  return {
    dataRoot: blob.dataRoot,
    epoch,
    quorumId,
    rowsRoot: blob.rowsRoot,
    cols: blob.cols,
    dataRows: blob.dataRows,
    codedRows: blob.codedRows,
    lineIndex: i,
    sublineIndex: j,
    data: hexlify(blob.subline(i, j)),
    proof: blob.proof(i, j),
  };
}
