/**
 * Upload: the file's submission and root from the core, one Submit on the Flow (reused when one is there already:
 * a retry never pays twice), then its segments to the nodes whose shard keeps them, in parallel, skipping nodes
 * that hold the file already.
 */
import { ZgError } from "../../common/errors";
import type { ChainClient } from "../../common/chain";
import type { Logger } from "../../common/logger";
import { createSubmission, layoutFile, toHex, type FileLayout, type SegmentHasher, type Submission } from "../core";
import { framePartsOf } from "../node/frame";
import { segmentWithProof } from "../node/segments";
import { ensureSubmitted } from "./chain";
import {
  NodeRefused,
  nodeKeeps,
  requestBody,
  sleep,
  type ClientErrorCode,
  type FileInfo,
  type NodeClient,
} from "./nodes";
import { quietProgress, type Progress } from "./progress";
import { replicaStart, selectReplicas } from "./replicas";

export interface UploadOptions {
  logger: Logger;
  progress?: Progress;
  /** Segments per zgs_uploadSegments call. */
  batchSegments: number;
  /** Batches in flight per node. */
  concurrency: number;
  /** How long a node may take to see the Submit. */
  syncTimeoutMs: number;
  /** Lines for the user (stderr): what was paid. */
  notify?: (line: string) => void;
  /** Hashes segment roots on worker threads; without it, on this thread. */
  hasher?: SegmentHasher;
  /** Plain uploads: copies of each segment (see `selectReplicas`); unset, every node gets its shard's segments. */
  replicas?: number;
}

/** One Flow entry: its bytes, layout, submission and root. */
export interface Entry {
  data: Uint8Array;
  layout: FileLayout;
  submission: Submission;
  root: string;
}

export function entryOf(data: Uint8Array, layout = layoutFile(data)): Entry {
  return { data, layout, submission: createSubmission(data, "0x", layout), root: toHex(layout.root) };
}

/** `entryOf`, with the segment roots hashed on the hasher's threads when there is one. */
export async function prepareEntry(data: Uint8Array, hasher?: SegmentHasher): Promise<Entry> {
  return hasher ? entryOf(data, await hasher.layout(data)) : entryOf(data);
}

/** Waits until the node has seen the root's Submit; returns its file info. */
export async function waitForFile(node: NodeClient, root: string, timeoutMs: number): Promise<FileInfo> {
  const deadline = Date.now() + timeoutMs;
  // A node sees a Submit one chain poll after it is mined: ask again soon at first, then every 250 ms.
  for (let wait = 25; ; wait = Math.min(250, wait * 2)) {
    const info = await node.fileInfo(root);
    if (info) return info;
    if (Date.now() > deadline) {
      throw new ZgError<ClientErrorCode>(
        "STORAGE_FILE_UNKNOWN",
        `${node.url} has not seen the Submit of ${root} after ${timeoutMs} ms`,
        {
          hint: "check that the node follows the same chain and deployment (zgs_getStatus), then rerun: nothing is paid twice",
        },
      );
    }
    await sleep(wait);
  }
}

/** What one node needs of one entry: the segments its shard keeps, unless it holds the file already. */
interface Job {
  node: NodeClient;
  entry: Entry;
  indexes: number[];
}

/** Nodes that need the same segments of the same entry: each batch is built and serialized once for all of them. */
interface Group {
  entry: Entry;
  nodes: NodeClient[];
  indexes: number[];
}

async function planJobs(entry: Entry, nodes: NodeClient[], opts: UploadOptions): Promise<Job[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const info = await waitForFile(node, entry.root, opts.syncTimeoutMs);
      if (info.finalized) return { node, entry, indexes: [] };
      const shard = await node.shardConfig();
      const start = info.tx.startEntryIndex ?? 0;
      const indexes: number[] = [];
      for (let i = 0; i < entry.layout.segments; i++) if (nodeKeeps(shard, start, i)) indexes.push(i);
      // A node part-way through this file (an earlier run stopped): send only the segments it lacks.
      if (info.uploadedSegNum > 0) {
        const held = await node.heldSegments(entry.root, indexes);
        opts.logger.info({ node: node.url, root: entry.root, held: held.size }, "resuming: skipping held segments");
        return { node, entry, indexes: indexes.filter((i) => !held.has(i)) };
      }
      return { node, entry, indexes };
    }),
  );
}

function groupJobs(jobs: Job[]): Group[] {
  const groups = new Map<string, Group>();
  for (const j of jobs) {
    if (j.indexes.length === 0) continue;
    const key = `${j.entry.root}/${j.indexes.join(",")}`;
    const g = groups.get(key);
    if (g) g.nodes.push(j.node);
    else groups.set(key, { entry: j.entry, nodes: [j.node], indexes: j.indexes });
  }
  return [...groups.values()];
}

/** A batch's bodies, each built at most once and shared by every node of the group. */
class BatchBodies {
  private frameBody?: Uint8Array[];
  private jsonBody?: string;
  constructor(
    private readonly entry: Entry,
    private readonly indexes: number[],
  ) {}
  frame(): Uint8Array[] {
    return (this.frameBody ??= framePartsOf(this.entry.data, this.entry.layout, this.indexes));
  }
  json(): string {
    return (this.jsonBody ??= requestBody("zgs_uploadSegments", [
      this.indexes.map((i) => segmentWithProof(this.entry.data, this.entry.layout, i)),
    ]));
  }
}

/** The binary frame where the node takes it, zgs_uploadSegments otherwise. */
async function sendBatch(node: NodeClient, root: string, bodies: BatchBodies): Promise<void> {
  try {
    if (node.binaryUploads && (await node.sendFrame(bodies.frame()))) return;
    await node.send<null>("zgs_uploadSegments", bodies.json());
  } catch (err) {
    if (err instanceof NodeRefused) {
      throw new ZgError<ClientErrorCode>(
        "STORAGE_NODE_REFUSED",
        `${node.url} refused segments of ${root}: ${err.message}`,
        {
          hint: "check the node's shard config and request size limit; rerun to resume (nothing is paid twice)",
          cause: err,
        },
      );
    }
    throw err;
  }
}

async function runGroup(group: Group, opts: UploadOptions, progress: Progress): Promise<void> {
  const batches: number[][] = [];
  for (let i = 0; i < group.indexes.length; i += opts.batchSegments) {
    batches.push(group.indexes.slice(i, i + opts.batchSegments));
  }
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      const bodies = new BatchBodies(group.entry, batch);
      await Promise.all(group.nodes.map((node) => sendBatch(node, group.entry.root, bodies)));
      progress.add(batch.length * group.nodes.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, batches.length) }, worker));
}

/**
 * Uploads entries that are already submitted: `targets[i]` are the nodes entry i goes to. Nodes that hold an entry
 * (finalized) are skipped. Returns how many segment uploads were sent.
 */
export async function uploadEntries(entries: Entry[], targets: NodeClient[][], opts: UploadOptions): Promise<number> {
  const progress = opts.progress ?? quietProgress;
  const jobs = (await Promise.all(entries.map((e, i) => planJobs(e, targets[i], opts)))).flat();
  const total = jobs.reduce((n, j) => n + j.indexes.length, 0);
  for (const j of jobs) {
    if (j.indexes.length === 0)
      opts.logger.info({ node: j.node.url, root: j.entry.root }, "node holds the file already");
  }
  progress.start(total, "upload");
  try {
    await Promise.all(groupJobs(jobs).map((g) => runGroup(g, opts, progress)));
  } finally {
    progress.stop();
  }
  for (const j of jobs) {
    if (j.indexes.length > 0 && (await j.node.finalized(j.entry.root)) !== true) {
      throw new ZgError<ClientErrorCode>(
        "STORAGE_NODE_REFUSED",
        `${j.node.url} does not report ${j.entry.root} finalized after the upload`,
        {
          hint: "rerun the upload: it resumes and pays nothing again",
        },
      );
    }
  }
  return total;
}

export interface PlainUploadResult {
  root: string;
  size: number;
  segments: number;
  paid: bigint;
  submitted: boolean;
  txHash: string;
  uploaded: number;
}

/** The nodes that keep `replicas` copies of every segment of `root`, from their shard configs. */
async function replicaNodes(nodes: NodeClient[], root: string, replicas: number): Promise<NodeClient[]> {
  const shards = await Promise.all(nodes.map((node) => node.shardConfig()));
  return selectReplicas(shards, replicas, replicaStart(root, nodes.length)).map((i) => nodes[i]);
}

/**
 * `zg storage upload` without erasure coding: one Flow entry; every node gets the segments of its shard, or with
 * `replicas`, only the nodes that make that many copies.
 */
export async function uploadFile(
  client: ChainClient,
  data: Uint8Array,
  nodes: NodeClient[],
  opts: UploadOptions,
): Promise<PlainUploadResult> {
  const entry = await prepareEntry(data, opts.hasher);
  // Chosen before paying: a --replicas the nodes cannot keep is refused with nothing spent.
  const targets = opts.replicas === undefined ? nodes : await replicaNodes(nodes, entry.root, opts.replicas);
  if (opts.replicas !== undefined)
    opts.logger.info({ root: entry.root, nodes: targets.map((n) => n.url) }, `${opts.replicas} replica(s)`);
  const { records, paid, submitted } = await ensureSubmitted(
    client,
    [{ root: entry.root, submission: entry.submission, paddedSectors: entry.layout.paddedSectors }],
    opts.logger,
    opts.notify,
  );
  const uploaded = await uploadEntries([entry], [targets], opts);
  return {
    root: entry.root,
    size: data.length,
    segments: entry.layout.segments,
    paid,
    submitted: submitted.length > 0,
    txHash: records.get(entry.root.toLowerCase())!.txHash,
    uploaded,
  };
}
