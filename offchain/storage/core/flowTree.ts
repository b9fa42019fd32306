import { SECTORS_PER_SEGMENT } from "./constants";
import { fromHex, hashPair, toHex, zeros } from "./hash";
import type { SubmissionNode } from "./file";

/** Smallest multiple of 2^height that is ≥ length (0G's `nextAlign`). */
export function nextAlign(length: number, height: number): number {
  const unit = 2 ** height;
  return Math.ceil(length / unit) * unit;
}

/** Where a submission of `nodes` starts in a flow of `length` sectors, after 0G's segment rule (`FlowTreeLib.pad`). */
export function submissionStart(length: number, nodes: { height: number }[]): number {
  const size = nodes.reduce((sum, n) => sum + 2 ** n.height, 0);
  let start = nextAlign(length, nodes[0].height);
  const firstSeg = Math.floor(start / SECTORS_PER_SEGMENT);
  const lastSeg = Math.floor((start + size - 1) / SECTORS_PER_SEGMENT);
  // A submission smaller than a segment never straddles two: it moves to the next segment instead.
  if (start % SECTORS_PER_SEGMENT !== 0 && firstSeg !== lastSeg) start = (firstSeg + 1) * SECTORS_PER_SEGMENT;
  return start;
}

/** A proof that a subtree root sits at (height, index) under a flow root: siblings bottom to top. */
export interface FlowProof {
  siblings: string[];
  /** Height of the flow tree the proof climbs to. */
  treeHeight: number;
}

/**
 * The TypeScript twin of the Flow contract's tree: an append-only perfect tree of sectors whose unfilled leaves
 * are empty sectors; subtrees are appended whole at positions aligned to their size, gaps filled with empty
 * subtrees. The root is that of the smallest perfect tree (height H, 2^H ≥ length) over the flow.
 */
export class FlowTree {
  length = 0;
  private readonly nodes = new Map<string, Uint8Array>();

  private static key(height: number, index: number): string {
    return `${height}:${index}`;
  }

  /** Appends one subtree at its aligned position (gap padded with empty subtrees); returns its first sector. */
  insert(root: Uint8Array, height: number): number {
    const start = nextAlign(this.length, height);
    this.padTo(start);
    this.place(root, height, start);
    return start;
  }

  private place(root: Uint8Array, height: number, start: number): void {
    let index = start / 2 ** height;
    let node = root;
    let h = height;
    this.nodes.set(FlowTree.key(h, index), node);
    while (index % 2 === 1) {
      node = hashPair(this.nodes.get(FlowTree.key(h, index - 1))!, node);
      index = (index - 1) / 2;
      h += 1;
      this.nodes.set(FlowTree.key(h, index), node);
    }
    this.length = start + 2 ** height;
  }

  /** Appends a submission's nodes after 0G's segment rule; returns the first sector of the submission. */
  append(nodes: SubmissionNode[]): number {
    const start = submissionStart(this.length, nodes);
    this.padTo(start);
    for (const n of nodes) this.insert(fromHex(n.root), n.height);
    return start;
  }

  private padTo(start: number): void {
    while (this.length < start) {
      let k = 0;
      while (this.length % 2 ** (k + 1) === 0 && this.length + 2 ** (k + 1) <= start) k++;
      this.place(zeros(k), k, this.length);
    }
  }

  /** Height of the flow tree: the smallest H with 2^H ≥ length (0 for an empty flow). */
  height(): number {
    let h = 0;
    while (2 ** h < this.length) h++;
    return h;
  }

  /** The node at (height, index): stored, empty, or hashed from its children when partly filled. */
  node(height: number, index: number): Uint8Array {
    const stored = this.nodes.get(FlowTree.key(height, index));
    if (stored) return stored;
    if (index * 2 ** height >= this.length) return zeros(height);
    if (height === 0) throw new Error(`flow tree: leaf ${index} was never inserted`);
    return hashPair(this.node(height - 1, 2 * index), this.node(height - 1, 2 * index + 1));
  }

  /** The flow root (0x-hex). */
  root(): string {
    return toHex(this.node(this.height(), 0));
  }

  /** Siblings of the node at (height, index) up to the flow root. */
  proof(height: number, index: number): FlowProof {
    const treeHeight = this.height();
    const siblings: string[] = [];
    let i = index;
    for (let h = height; h < treeHeight; h++) {
      siblings.push(toHex(this.node(h, i ^ 1)));
      i >>= 1;
    }
    return { siblings, treeHeight };
  }
}

/** Climbs `siblings` from `leaf` at (height, index) and returns the root they imply. */
export function flowProofRoot(leaf: Uint8Array, index: number, siblings: string[]): Uint8Array {
  let node = leaf;
  let i = index;
  for (const s of siblings) {
    node = i % 2 === 0 ? hashPair(node, fromHex(s)) : hashPair(fromHex(s), node);
    i = Math.floor(i / 2);
  }
  return node;
}
