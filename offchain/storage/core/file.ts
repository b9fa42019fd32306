import { BYTES_PER_SECTOR, BYTES_PER_SEGMENT, SECTORS_PER_SEGMENT, SEGMENT_HEIGHT } from "./constants";
import { hashPair, keccak256, toHex, zeros } from "./hash";
import { buildLevels, merkleRoot, proofAt, type MerkleProof } from "./merkle";
import { sectorTreeRoot } from "./sectorTree";

/** One subtree of a submission: its root and height (log2 of its sectors). */
export interface SubmissionNode {
  root: string;
  height: number;
}

/** What Flow.submit takes: the byte length, free-form tags and the subtrees in strictly decreasing height. */
export interface Submission {
  length: bigint;
  tags: string;
  nodes: SubmissionNode[];
}

/** ceil(total / unit) for total ≥ 1 (0g-ts-sdk `numSplits`). */
export function numSplits(total: number, unit: number): number {
  return Math.floor((total - 1) / unit) + 1;
}

/** Smallest power of two ≥ n (n ≥ 1). */
export function nextPow2(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`nextPow2: ${n} is not a positive integer`);
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Sectors that hold `size` bytes (the last one zero-padded). */
export function sectorCount(size: number): number {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`a file must hold at least one byte, not ${size}`);
  return numSplits(size, BYTES_PER_SECTOR);
}

/**
 * 0G's padding rule (0g-ts-sdk `computePaddedSize`): a power of two stays; otherwise the sector count is rounded
 * up to a multiple of nextPow2 / 16 (at least 1), so a file splits into at most 4 subtrees.
 */
export function paddedSectors(sectors: number): number {
  const pow = nextPow2(sectors);
  if (pow === sectors) return pow;
  const unit = pow >= 16 ? pow / 16 : 1;
  return numSplits(sectors, unit) * unit;
}

/** Heights of the subtrees a padded file splits into: its binary decomposition, largest first. */
export function splitHeights(padded: number): number[] {
  const heights: number[] = [];
  let rest = padded;
  let size = nextPow2(padded);
  let height = Math.log2(size);
  while (rest > 0) {
    if (rest >= size) {
      rest -= size;
      heights.push(height);
    }
    size /= 2;
    height -= 1;
  }
  return heights;
}

/** Leaf of sector `index` of `data` padded with zeros (an all-zero sector gives the empty leaf without hashing). */
export function sectorLeaf(data: Uint8Array, index: number): Uint8Array {
  const start = index * BYTES_PER_SECTOR;
  if (start >= data.length) return zeros(0);
  const end = start + BYTES_PER_SECTOR;
  if (end <= data.length) return keccak256(data.subarray(start, end));
  const sector = new Uint8Array(BYTES_PER_SECTOR);
  sector.set(data.subarray(start));
  return keccak256(sector);
}

/** Leaves of sectors [from, from + count) of the zero-padded data. */
export function sectorLeaves(data: Uint8Array, from: number, count: number): Uint8Array[] {
  const leaves: Uint8Array[] = new Array(count);
  for (let i = 0; i < count; i++) leaves[i] = sectorLeaf(data, from + i);
  return leaves;
}

/** Everything about a file that its submission, root and proofs need. */
export interface FileLayout {
  size: number;
  sectors: number;
  paddedSectors: number;
  segments: number;
  segmentRoots: Uint8Array[];
  /** Levels of the tree over segment roots (promote-odd); the last holds the file root. */
  levels: Uint8Array[][];
  root: Uint8Array;
}

/** Sectors of segment `index` of a file of `padded` sectors (the last segment may be shorter). */
export function segmentSectors(padded: number, index: number): number {
  return Math.min(SECTORS_PER_SEGMENT, padded - index * SECTORS_PER_SEGMENT);
}

/** Root of segment `index` of the zero-padded data: a promote-odd tree over its sector leaves. */
export function segmentRoot(data: Uint8Array, padded: number, index: number): Uint8Array {
  return sectorTreeRoot(data, index * SECTORS_PER_SEGMENT, segmentSectors(padded, index));
}

/**
 * Lays out `data` as 0G's clients do: zero-padded to `paddedSectors`, cut into segments of 1024 sectors whose roots
 * are promote-odd trees over sector leaves, and a promote-odd tree over the segment roots gives the file root.
 * `segmentRoots`, when given, are taken as computed elsewhere (SegmentHasher's threads).
 */
export function layoutFile(data: Uint8Array, segmentRoots?: Uint8Array[]): FileLayout {
  const sectors = sectorCount(data.length);
  const padded = paddedSectors(sectors);
  const segments = numSplits(padded, SECTORS_PER_SEGMENT);
  const roots = segmentRoots ?? Array.from({ length: segments }, (_, s) => segmentRoot(data, padded, s));
  if (roots.length !== segments) throw new Error(`layoutFile: ${roots.length} segment roots for ${segments} segments`);
  const levels = buildLevels(roots);
  return {
    size: data.length,
    sectors,
    paddedSectors: padded,
    segments,
    segmentRoots: roots,
    levels,
    root: levels[levels.length - 1][0],
  };
}

/** The file root 0G's clients compute for `data` (0x-hex). */
export function fileRoot(data: Uint8Array): string {
  return toHex(layoutFile(data).root);
}

/** Root of the perfect subtree of `2^height` sectors starting at sector `offset` (aligned to its size). */
function subtreeRoot(data: Uint8Array, layout: FileLayout, offset: number, height: number): Uint8Array {
  if (height >= SEGMENT_HEIGHT) {
    const first = offset / SECTORS_PER_SEGMENT;
    return merkleRoot(layout.segmentRoots.slice(first, first + 2 ** (height - SEGMENT_HEIGHT)));
  }
  return sectorTreeRoot(data, offset, 2 ** height);
}

/** The submission of `data` for Flow.submit: one node per subtree of the padded file, largest first. */
export function createSubmission(data: Uint8Array, tags = "0x", layout: FileLayout = layoutFile(data)): Submission {
  const nodes: SubmissionNode[] = [];
  let offset = 0;
  for (const height of splitHeights(layout.paddedSectors)) {
    nodes.push({ root: toHex(subtreeRoot(data, layout, offset, height)), height });
    offset += 2 ** height;
  }
  return { length: BigInt(data.length), tags, nodes };
}

/**
 * The file root implied by a submission's nodes: keccak folds them right to left (root = n0 ‖ (n1 ‖ (n2 ‖ …))),
 * which is the promote-odd tree's shape over a padded file. The Flow contract computes the same.
 */
export function submissionRoot(nodes: { root: string | Uint8Array }[]): Uint8Array {
  const bytes = nodes.map((n) => (typeof n.root === "string" ? Buffer.from(n.root.slice(2), "hex") : n.root));
  let acc: Uint8Array = new Uint8Array(bytes[bytes.length - 1]);
  for (let i = bytes.length - 2; i >= 0; i--) acc = hashPair(bytes[i], acc);
  return acc;
}

/** The bytes of segment `index` as uploaded: the file's bytes, zero-padded to the segment's sector count. */
export function segmentData(data: Uint8Array, layout: FileLayout, index: number): Uint8Array {
  if (!Number.isInteger(index) || index < 0 || index >= layout.segments) {
    throw new RangeError(`segment ${index} is outside the file (0..${layout.segments - 1})`);
  }
  const out = new Uint8Array(segmentSectors(layout.paddedSectors, index) * BYTES_PER_SECTOR);
  const start = index * BYTES_PER_SEGMENT;
  if (start < data.length) out.set(data.subarray(start, Math.min(start + out.length, data.length)));
  return out;
}

/** Proof of segment `index`'s root in the file tree (0G format). */
export function segmentProof(layout: FileLayout, index: number): MerkleProof {
  return proofAt(layout.levels, index);
}

/**
 * Proof of sector `index`'s leaf up to the file root: its path inside the segment tree, then the segment's path in
 * the file tree. Check it with `proofRoot` (a composite tree, so `verifyProof`'s position rule does not apply).
 */
export function sectorProof(data: Uint8Array, layout: FileLayout, index: number): MerkleProof {
  if (!Number.isInteger(index) || index < 0 || index >= layout.paddedSectors) {
    throw new RangeError(`sector ${index} is outside the padded file (0..${layout.paddedSectors - 1})`);
  }
  const seg = Math.floor(index / SECTORS_PER_SEGMENT);
  const inner = proofAt(
    buildLevels(sectorLeaves(data, seg * SECTORS_PER_SEGMENT, segmentSectors(layout.paddedSectors, seg))),
    index % SECTORS_PER_SEGMENT,
  );
  const outer = segmentProof(layout, seg);
  const leaf = inner.lemma[0];
  const innerSiblings = inner.path.length === 0 ? [] : inner.lemma.slice(1, -1);
  const outerSiblings = outer.path.length === 0 ? [] : outer.lemma.slice(1, -1);
  const path = [...inner.path, ...outer.path];
  if (path.length === 0) return { lemma: [layout.root], path };
  return { lemma: [leaf, ...innerSiblings, ...outerSiblings, layout.root], path };
}
