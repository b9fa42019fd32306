/**
 * What the miner reads from the node's store: the flow's submissions (in flow order), the 256 KiB loads it holds,
 * and the merkle proof of a held seal up to a mining context's flow root. Positions are flow sectors.
 */
import {
  BYTES_PER_SEAL,
  BYTES_PER_SECTOR,
  FlowTree,
  SEALS_PER_LOAD,
  SECTORS_PER_LOAD,
  SECTORS_PER_SEAL,
  SECTORS_PER_SEGMENT,
  buildLevels,
  flowProofRoot,
  sealRoot,
  sectorLeaves,
  toHex,
} from "../core";
import type { StoredProof, SubmissionRecord } from "../node/store";

/** The store methods the miner uses (the node's StorageStore has them). */
export interface FlowStore {
  submissions(): number;
  submission(seq: number): Promise<SubmissionRecord | undefined>;
  getSegment(root: string, index: number): Promise<Uint8Array | undefined>;
  getProof(root: string, index: number): Promise<StoredProof | undefined>;
}

/** A mining context as the Flow returns it. */
export interface MiningContext {
  epoch: bigint;
  flowRoot: string;
  flowLength: bigint;
  digest: string;
}

/** A held load, unsealed: the data and which of its 64 seals the node holds. */
export interface HeldLoad {
  start: number;
  data: Uint8Array;
  held: Uint8Array;
}

export class FlowView {
  private readonly subs: SubmissionRecord[] = [];

  constructor(private readonly store: FlowStore) {}

  /** Reads submissions recorded since the last call. */
  async refresh(): Promise<void> {
    while (this.subs.length < this.store.submissions()) {
      const s = await this.store.submission(this.subs.length);
      if (!s) break;
      // The padded sectors are the sum of the node sizes (the record's own count is not relied upon).
      this.subs.push({ ...s, sectors: s.nodes.reduce((sum, n) => sum + 2 ** n.height, 0) });
    }
  }

  /**
   * The flow tree of the context (the submissions inside its flow length), or undefined when the node has not
   * recorded all of them yet or its root differs from the context's.
   */
  contextTree(ctx: MiningContext): FlowTree | undefined {
    const tree = new FlowTree();
    for (const s of this.subs) {
      if (s.startPos + s.sectors > Number(ctx.flowLength)) break;
      tree.append(s.nodes);
    }
    if (tree.length !== Number(ctx.flowLength) || tree.root() !== ctx.flowRoot.toLowerCase()) return undefined;
    return tree;
  }

  /** The submission whose padded range holds `position` (the first, for a root submitted twice). */
  private covering(position: number): SubmissionRecord | undefined {
    let lo = 0;
    let hi = this.subs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.subs[mid].startPos <= position) lo = mid + 1;
      else hi = mid;
    }
    const s = this.subs[lo - 1];
    return s && position < s.startPos + s.sectors ? s : undefined;
  }

  /** First sectors of the loads that submissions inside `flowLength` touch, in flow order. */
  loadStarts(flowLength: number): number[] {
    const starts = new Set<number>();
    for (const s of this.subs) {
      if (s.startPos >= flowLength) break;
      const last = Math.min(s.startPos + s.sectors, flowLength) - 1;
      for (let l = Math.floor(s.startPos / SECTORS_PER_LOAD); l <= Math.floor(last / SECTORS_PER_LOAD); l++) {
        starts.add(l * SECTORS_PER_LOAD);
      }
    }
    return [...starts];
  }

  /** The file segment holding flow sector `position`: its submission, index and the sector's offset in it. */
  private where(position: number) {
    const s = this.covering(position);
    if (!s) return undefined;
    const rel = position - s.startPos;
    const index = Math.floor(rel / SECTORS_PER_SEGMENT);
    return { s, rel, index, offset: rel - index * SECTORS_PER_SEGMENT };
  }

  /**
   * The load at `start` as far as the node holds it: a seal is held when it lies inside one submission's padded
   * range, inside the context's flow, and its file segment is stored. Undefined when no seal is held.
   */
  async load(start: number, flowLength: number): Promise<HeldLoad | undefined> {
    const data = new Uint8Array(SECTORS_PER_LOAD * BYTES_PER_SECTOR);
    const held = new Uint8Array(SEALS_PER_LOAD);
    const segments = new Map<string, Uint8Array | undefined>();
    let any = false;
    for (let k = 0; k < SEALS_PER_LOAD; k++) {
      const position = start + k * SECTORS_PER_SEAL;
      if (position + SECTORS_PER_SEAL > flowLength) break;
      const w = this.where(position);
      if (!w || position + SECTORS_PER_SEAL > w.s.startPos + w.s.sectors) continue;
      const key = `${w.s.root}/${w.index}`;
      if (!segments.has(key)) segments.set(key, await this.store.getSegment(w.s.root, w.index));
      const seg = segments.get(key);
      if (!seg) continue;
      const from = w.offset * BYTES_PER_SECTOR;
      // The stored segment is the padded file's: bytes past its end (never past the padded range) are zero.
      data.set(seg.subarray(from, Math.min(from + BYTES_PER_SEAL, seg.length)), k * BYTES_PER_SEAL);
      held[k] = 1;
      any = true;
    }
    return any ? { start, data, held } : undefined;
  }

  /**
   * Siblings of the seal at `position` (its root at height 4) up to the flow root of `tree`: inside its submission
   * node from the stored data (and, above a segment, from the proof its segment was uploaded with), then the flow.
   * Checked against the tree's root with `unsealed` before it is returned.
   */
  async sealProof(position: number, unsealed: Uint8Array, tree: FlowTree): Promise<string[]> {
    const w = this.where(position);
    if (!w) throw new Error(`miner: no submission holds flow sector ${position}`);
    let nodeStart = w.s.startPos;
    let height = -1;
    for (const n of w.s.nodes) {
      if (w.rel < nodeStart - w.s.startPos + 2 ** n.height) {
        height = n.height;
        break;
      }
      nodeStart += 2 ** n.height;
    }
    if (height < 4) throw new Error(`miner: the seal at ${position} is not inside one submission node`);
    const siblings: string[] = [];
    const segmentOf = async (index: number) => {
      const seg = await this.store.getSegment(w.s.root, index);
      if (!seg) throw new Error(`miner: segment ${index} of ${w.s.root} is no longer held`);
      return seg;
    };
    const climb = (levels: Uint8Array[][], index: number, to: number) => {
      let i = index;
      for (let h = 4; h < to; h++) {
        siblings.push(toHex(levels[h][i ^ 1]));
        i >>= 1;
      }
    };
    if (height <= 10) {
      // The node lies inside one file segment.
      const nodeRel = nodeStart - w.s.startPos;
      const index = Math.floor(nodeRel / SECTORS_PER_SEGMENT);
      const seg = await segmentOf(index);
      const leaves = sectorLeaves(seg, nodeRel - index * SECTORS_PER_SEGMENT, 2 ** height);
      climb(buildLevels(leaves), (position - nodeStart) / SECTORS_PER_SEAL, height);
    } else {
      const seg = await segmentOf(w.index);
      climb(buildLevels(sectorLeaves(seg, 0, SECTORS_PER_SEGMENT)), w.offset / SECTORS_PER_SEAL, 10);
      // Segments of a node taller than one are a perfect subtree of the file tree: its first siblings are theirs.
      const stored = await this.store.getProof(w.s.root, w.index);
      if (!stored) throw new Error(`miner: no proof kept for segment ${w.index} of ${w.s.root}`);
      siblings.push(...stored.lemma.slice(1, -1).slice(0, height - 10));
    }
    siblings.push(...tree.proof(height, nodeStart / 2 ** height).siblings);
    const root = toHex(flowProofRoot(sealRoot(unsealed), position / SECTORS_PER_SEAL, siblings));
    if (root !== tree.root())
      throw new Error(`miner: the proof of the seal at ${position} does not reach the flow root`);
    return siblings;
  }
}
