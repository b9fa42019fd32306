/**
 * What a storage node keeps on disk, in one LevelDB (classic-level):
 *
 *   c                 sync cursor: the last block whose Flow events are applied
 *   s/<seq>           a submission (index, data root, startPos, sectors, size, nodes, tx, block)
 *   e/<epoch>         a mining context seen in NewEpoch
 *   f/<root>          a file: its size and, once its Submit is seen, its submission and startPos
 *   g/<root>/<index>  the segment is held: empty, its bytes are in segments/<root>.seg (stores written before the
 *                     data files hold the bytes here, and are still read)
 *   q/<root>/<index>  the proof it was uploaded with (0G's lemma/path, hex)
 *
 * Every change is one synchronous batch (LevelDB's write-ahead log, fsynced before the call returns), so a segment
 * is acknowledged only once its bytes are synced to its data file (segmentFiles.ts) and its marker is on disk with
 * its file record, and `kill -9` at any moment leaves either the whole batch or none of it: nothing acknowledged is
 * lost and no half-written state exists. Writes run one at a time.
 */
import fs from "node:fs";
import path from "node:path";
import { ClassicLevel } from "classic-level";
import { FlowTree, type SubmissionNode } from "../core";
import { RpcError } from "./errors";
import type { ShardConfig } from "./options";
import { SegmentFiles, type SegmentWrite } from "./segmentFiles";
import {
  expectedSegmentBytes,
  fileShape,
  inShard,
  refuseOutsideShard,
  type CheckedSegment,
  type FileShape,
} from "./segments";

export interface SubmissionRecord {
  seq: number;
  root: string;
  startPos: number;
  /** Padded sectors the file occupies in the flow. */
  sectors: number;
  /** The file's size in bytes (the submission's length). */
  size: number;
  nodes: SubmissionNode[];
  tx: string;
  block: number;
}

export interface EpochRecord {
  epoch: number;
  flowRoot: string;
  flowLength: number;
  digest: string;
  block: number;
}

export interface FileRecord {
  root: string;
  size: number;
  /** First submission of this root; undefined while the file's segments are pending. */
  seq?: number;
  startPos?: number;
}

interface FileState {
  record: FileRecord;
  shape: FileShape;
  held: Set<number>;
}

export interface PutResult {
  /** False when the segment was already held (the call changes nothing). */
  stored: boolean;
  /** True when the file's Submit is not seen yet. */
  pending: boolean;
  /** True when this write completed the file. */
  finalized: boolean;
}

export interface ApplyResult {
  submissions: SubmissionRecord[];
  /** Files whose pending segments became stored, and how many were dropped as not fitting the submission. */
  adopted: { root: string; kept: number; dropped: number }[];
  finalized: string[];
  /** Submissions whose startPos in the event differs from where the node's flow tree put them (should never be). */
  misplaced: { seq: number; event: number; node: number }[];
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const enc = (value: unknown) => Buffer.from(JSON.stringify(value));
const dec = <T>(buf: Uint8Array) => JSON.parse(Buffer.from(buf).toString("utf8")) as T;
const segKey = (root: string, index: number) => `g/${root}/${pad(index, 10)}`;
const proofKey = (root: string, index: number) => `q/${root}/${pad(index, 10)}`;
const HELD = new Uint8Array(0);

export interface StoredProof {
  lemma: string[];
  path: boolean[];
}

export class StorageStore {
  private writes: Promise<unknown> = Promise.resolve();
  readonly flow = new FlowTree();
  private pending = 0;
  private submissionCount = 0;
  private lastSubmission: SubmissionRecord | undefined;

  private constructor(
    private readonly db: ClassicLevel<string, Uint8Array>,
    private readonly segmentFiles: SegmentFiles,
    private readonly shard: ShardConfig,
    private readonly maxPendingBytes: number,
    private cursorBlock: number,
    private readonly files: Map<string, FileState>,
  ) {}

  /**
   * Opens (creating) the store under `dir`; LevelDB's lock refuses a second node on the same directory.
   * `directWrites`: segment bytes go to disk with O_DIRECT where the filesystem takes it (segmentFiles.ts).
   */
  static async open(
    dir: string,
    shard: ShardConfig,
    maxPendingBytes: number,
    directWrites = true,
  ): Promise<StorageStore> {
    fs.mkdirSync(dir, { recursive: true });
    const db = new ClassicLevel<string, Uint8Array>(path.join(dir, "storage.db"), { valueEncoding: "view" });
    await db.open();
    const cursor = await db.get("c");
    const files = new Map<string, FileState>();
    for await (const [key, value] of db.iterator({ gte: "f/", lt: "f0" })) {
      const record = dec<FileRecord>(value);
      files.set(key.slice(2), { record, shape: fileShape(record.size), held: new Set() });
    }
    for await (const key of db.keys({ gte: "g/", lt: "g0" })) {
      const [, root, index] = key.split("/");
      files.get(root)?.held.add(Number(index));
    }
    const segmentFiles = SegmentFiles.open(path.join(dir, "segments"), directWrites);
    const store = new StorageStore(db, segmentFiles, shard, maxPendingBytes, cursor ? dec<number>(cursor) : -1, files);
    for await (const value of db.values({ gte: "s/", lt: "s0" })) {
      const s = dec<SubmissionRecord>(value);
      store.flow.append(s.nodes);
      store.submissionCount++;
      store.lastSubmission = s;
    }
    for (const f of files.values()) if (f.record.seq === undefined) store.pending += store.heldBytes(f);
    return store;
  }

  /** Serializes writes: a read-check-write of one call never interleaves with another's. */
  private queue<T>(fn: () => Promise<T>): Promise<T> {
    const done = this.writes.then(fn);
    this.writes = done.catch(() => undefined);
    return done;
  }

  private heldBytes(f: FileState): number {
    let bytes = 0;
    for (const i of f.held) bytes += Math.min(f.shape.size - i * 256 * 1024, 256 * 1024);
    return bytes;
  }

  /** Segments of a file this node keeps (all of them without sharding). */
  expectedSegments(f: { shape: FileShape; record: FileRecord }): number {
    if (this.shard.numShards === 1 || f.record.startPos === undefined) return f.shape.segments;
    let n = 0;
    for (let i = 0; i < f.shape.segments; i++) if (inShard(this.shard, f.record.startPos, i)) n++;
    return n;
  }

  private isFinalized(f: FileState): boolean {
    return f.record.seq !== undefined && f.held.size === this.expectedSegments(f);
  }

  cursor(): number {
    return this.cursorBlock;
  }

  pendingBytes(): number {
    return this.pending;
  }

  submissions(): number {
    return this.submissionCount;
  }

  /** Whether segment bytes go to disk with O_DIRECT. */
  writesDirect(): boolean {
    return this.segmentFiles.writesDirect;
  }

  latestSubmission(): SubmissionRecord | undefined {
    return this.lastSubmission;
  }

  /** The file size the node knows for `root` (submitted, or fixed by the first pending upload). */
  knownSize(root: string): number | undefined {
    return this.files.get(root.toLowerCase())?.record.size;
  }

  file(root: string): { record: FileRecord; shape: FileShape; held: number; finalized: boolean } | undefined {
    const f = this.files.get(root.toLowerCase());
    if (!f) return undefined;
    return { record: f.record, shape: f.shape, held: f.held.size, finalized: this.isFinalized(f) };
  }

  async submission(seq: number): Promise<SubmissionRecord | undefined> {
    const v = await this.db.get(`s/${pad(seq, 12)}`);
    return v === undefined ? undefined : dec<SubmissionRecord>(v);
  }

  async getSegment(root: string, index: number): Promise<Uint8Array | undefined> {
    const key = root.toLowerCase();
    const marker = await this.db.get(segKey(key, index));
    if (marker === undefined || marker.length > 0) return marker;
    const f = this.files.get(key);
    return f && this.segmentFiles.read(key, index, expectedSegmentBytes(f.shape, index));
  }

  async getProof(root: string, index: number): Promise<StoredProof | undefined> {
    const v = await this.db.get(proofKey(root.toLowerCase(), index));
    return v === undefined ? undefined : dec<StoredProof>(v);
  }

  /** Stores a checked segment (with the proof it came with), or holds it pending its Submit, in one synced batch. */
  async putSegment(seg: CheckedSegment, proof: StoredProof): Promise<PutResult> {
    const { results, error } = await this.putSegments([{ seg, proof }]);
    if (error) throw error;
    return results[0];
  }

  /**
   * Stores segments in order in one synced batch: one fsync for the lot. A segment the node refuses (size, shard,
   * pending budget) ends the batch there: the ones before it are written and returned with the error.
   */
  putSegments(items: { seg: CheckedSegment; proof: StoredProof }[]): Promise<{ results: PutResult[]; error?: Error }> {
    return this.queue(async () => {
      const batch = this.db.batch();
      const results: PutResult[] = [];
      const added: { state: FileState; index: number; bytes: number; submitted: boolean; fresh: boolean }[] = [];
      const fresh = new Map<string, FileState>();
      const taken = new Set<string>();
      const writes: SegmentWrite[] = [];
      let pending = this.pending;
      let error: Error | undefined;
      for (const { seg, proof } of items) {
        try {
          const existing = fresh.get(seg.root) ?? this.files.get(seg.root);
          if (existing && existing.record.size !== seg.shape.size) {
            throw new RpcError(
              "SIZE_MISMATCH",
              `fileSize ${seg.shape.size} differs from the ${existing.record.size} bytes known for ${seg.root}`,
            );
          }
          const state = existing ?? {
            record: { root: seg.root, size: seg.shape.size },
            shape: seg.shape,
            held: new Set(),
          };
          const submitted = state.record.seq !== undefined;
          if (submitted) refuseOutsideShard(this.shard, state.record.startPos!, seg.index);
          const key = segKey(seg.root, seg.index);
          if (state.held.has(seg.index) || taken.has(key)) {
            results.push({ stored: false, pending: !submitted, finalized: false });
            continue;
          }
          const bytes = Math.min(seg.shape.size - seg.index * 256 * 1024, seg.data.length);
          if (!submitted && pending + bytes > this.maxPendingBytes) {
            throw new RpcError(
              "PENDING_FULL",
              `the node already holds ${pending} bytes for files whose Submit it has not seen (limit ` +
                `${this.maxPendingBytes}): submit the file to the Flow first, or retry once it is mined`,
            );
          }
          writes.push({ root: seg.root, index: seg.index, data: seg.data });
          batch.put(key, HELD);
          batch.put(proofKey(seg.root, seg.index), enc(proof));
          if (!existing) {
            batch.put(`f/${seg.root}`, enc(state.record));
            fresh.set(seg.root, state);
          }
          taken.add(key);
          if (!submitted) pending += bytes;
          added.push({ state, index: seg.index, bytes, submitted, fresh: !existing });
          results.push({ stored: true, pending: !submitted, finalized: false });
        } catch (err) {
          error = err as Error;
          break;
        }
      }
      try {
        await this.segmentFiles.write(writes);
      } catch (err) {
        await batch.close();
        throw err;
      }
      if (batch.length > 0) await batch.write({ sync: true });
      else await batch.close();
      for (const [root, state] of fresh) this.files.set(root, state);
      let r = 0;
      for (const a of added) {
        while (!results[r].stored) r++;
        a.state.held.add(a.index);
        if (!a.submitted) this.pending += a.bytes;
        results[r++].finalized = this.isFinalized(a.state);
      }
      return { results, error };
    });
  }

  /**
   * Applies the Flow events of blocks up to `toBlock` (all confirmed) and moves the cursor there, in one batch.
   * Pending segments of a file whose Submit arrives are kept when they fit it (size and shard), dropped otherwise.
   */
  applyBlocks(submissions: SubmissionRecord[], epochs: EpochRecord[], toBlock: number): Promise<ApplyResult> {
    return this.queue(async () => {
      const batch = this.db.batch();
      const result: ApplyResult = { submissions, adopted: [], finalized: [], misplaced: [] };
      const updates: { state: FileState; dropped: number[]; fresh: boolean; pendingFreed: number }[] = [];
      const seen = new Map<string, FileState>();
      for (const s of submissions) {
        batch.put(`s/${pad(s.seq, 12)}`, enc(s));
        const current = seen.get(s.root) ?? this.files.get(s.root);
        if (current?.record.seq !== undefined) continue; // a resubmitted root: the first submission stands
        const record: FileRecord = { root: s.root, size: s.size, seq: s.seq, startPos: s.startPos };
        const dropped: number[] = [];
        let pendingFreed = 0;
        if (current) {
          pendingFreed = this.heldBytes(current);
          for (const i of current.held) {
            if (current.record.size !== s.size || !inShard(this.shard, s.startPos, i)) dropped.push(i);
          }
          for (const i of dropped) {
            batch.del(segKey(s.root, i));
            batch.del(proofKey(s.root, i));
          }
        }
        batch.put(`f/${s.root}`, enc(record));
        const state: FileState = {
          record,
          shape: fileShape(s.size),
          held: new Set(current && current.record.size === s.size ? current.held : []),
        };
        for (const i of dropped) state.held.delete(i);
        seen.set(s.root, state);
        updates.push({ state, dropped, fresh: !current, pendingFreed });
      }
      for (const e of epochs) batch.put(`e/${pad(e.epoch, 12)}`, enc(e));
      batch.put("c", enc(toBlock));
      await batch.write({ sync: true });

      for (const s of submissions) {
        const start = this.flow.append(s.nodes);
        if (start !== s.startPos) result.misplaced.push({ seq: s.seq, event: s.startPos, node: start });
        this.submissionCount++;
        this.lastSubmission = s;
      }
      for (const u of updates) {
        this.files.set(u.state.record.root, u.state);
        this.pending -= u.pendingFreed;
        if (!u.fresh)
          result.adopted.push({ root: u.state.record.root, kept: u.state.held.size, dropped: u.dropped.length });
        if (this.isFinalized(u.state)) result.finalized.push(u.state.record.root);
      }
      this.cursorBlock = toBlock;
      return result;
    });
  }

  close(): Promise<void> {
    return this.writes.then(() => this.db.close());
  }
}
