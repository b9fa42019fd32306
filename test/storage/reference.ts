import { concat, getBytes, keccak256 } from "ethers";

/**
 * A deliberately naive reference of 0G's client algorithms written from their description, with ethers' keccak:
 * the core library (hash-wasm, different structure) must agree with it byte for byte.
 */
const SECTOR = 256;

export function refPadded(sectors: number): number {
  let pow = 1;
  while (pow < sectors) pow *= 2;
  if (pow === sectors) return pow;
  const unit = pow >= 16 ? pow / 16 : 1;
  return Math.ceil(sectors / unit) * unit;
}

/** 0G's queue-based build: pair the leaves (odd last kept), then pair from the queue front, rotating an odd one. */
export function refTreeRoot(leaves: string[]): string {
  const queue: string[] = [];
  for (let i = 0; i < leaves.length; i += 2) {
    queue.push(i === leaves.length - 1 ? leaves[i] : keccak256(concat([leaves[i], leaves[i + 1]])));
  }
  while (queue.length > 1) {
    const n = queue.length;
    for (let i = 0; i < Math.floor(n / 2); i++) {
      const [l, r] = queue.splice(0, 2);
      queue.push(keccak256(concat([l, r])));
    }
    if (n % 2 === 1) queue.push(queue.shift()!);
  }
  return queue[0];
}

function refLeaves(data: Uint8Array, padded: number): string[] {
  const buf = new Uint8Array(padded * SECTOR);
  buf.set(data);
  const leaves: string[] = [];
  for (let i = 0; i < padded; i++) leaves.push(keccak256(buf.subarray(i * SECTOR, (i + 1) * SECTOR)));
  return leaves;
}

/** File root: segment roots (1024 sectors each, last one shorter) then a tree over them. */
export function refFileRoot(data: Uint8Array): string {
  const padded = refPadded(Math.ceil(data.length / SECTOR));
  const leaves = refLeaves(data, padded);
  const segRoots: string[] = [];
  for (let i = 0; i < padded; i += 1024) segRoots.push(refTreeRoot(leaves.slice(i, i + 1024)));
  return refTreeRoot(segRoots);
}

/** Submission nodes: split the padded count into powers of two, largest first; each node a perfect tree. */
export function refSubmissionNodes(data: Uint8Array): { root: string; height: number }[] {
  const padded = refPadded(Math.ceil(data.length / SECTOR));
  const leaves = refLeaves(data, padded);
  const nodes: { root: string; height: number }[] = [];
  let offset = 0;
  for (let h = 63; h >= 0; h--) {
    const size = 2 ** h;
    if (Math.floor(padded / size) % 2 === 1) {
      nodes.push({ root: refTreeRoot(leaves.slice(offset, offset + size)), height: h });
      offset += size;
    }
  }
  return nodes;
}

/** Flow root by brute force: all leaves of the flow listed (empty leaf where nothing was written). */
export function refFlowRoot(leaves: string[], emptyLeaf: string): string {
  let height = 0;
  while (2 ** height < leaves.length) height++;
  let level = [...leaves];
  while (level.length < 2 ** height) level.push(emptyLeaf);
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(keccak256(concat([level[i], level[i + 1]])));
    level = next;
  }
  return level.length === 0 ? emptyLeaf : level[0];
}

export { getBytes };
