/**
 * Download of one Flow entry: every segment with its proof from any node that has it, each proof checked against
 * the root (core verifyProof, through the node's own segment checks), nodes serving bad data skipped and reported,
 * then the file root of the reassembled bytes checked.
 */
import fs from "node:fs";
import path from "node:path";
import { ZgError, errorText } from "../../common/errors";
import type { Logger } from "../../common/logger";
import { BYTES_PER_SEGMENT, fileRoot } from "../core";
import { decodeFrame } from "../node/frame";
import { checkUpload, fileShape, fromJson, type SegmentUpload } from "../node/segments";
import { nodeKeeps, type ClientErrorCode, type FileInfo, type NodeClient, type ShardConfig } from "./nodes";
import { quietProgress, type Progress } from "./progress";

export interface DownloadOptions {
  logger: Logger;
  progress?: Progress;
  /** Segments fetched at once. */
  concurrency: number;
}

/** A node that answered with something that failed the checks, and why. */
export interface BadNode {
  url: string;
  reason: string;
}

export interface Downloaded {
  data: Buffer;
  /** Segments served per node URL. */
  served: Record<string, number>;
  bad: BadNode[];
  unreachable: string[];
}

interface Source {
  node: NodeClient;
  info: FileInfo;
  shard: ShardConfig;
}

/** Nodes that know the root (with its info and shard), and the ones that did not answer. */
export async function sourcesFor(
  root: string,
  nodes: NodeClient[],
): Promise<{ sources: Source[]; unreachable: string[] }> {
  const unreachable: string[] = [];
  const found = await Promise.all(
    nodes.map(async (node): Promise<Source | undefined> => {
      try {
        const info = await node.fileInfo(root);
        if (!info) return undefined;
        return { node, info, shard: await node.shardConfig() };
      } catch (err) {
        unreachable.push(`${node.url} (${errorText(err)})`);
        return undefined;
      }
    }),
  );
  return { sources: found.filter((s): s is Source => s !== undefined), unreachable };
}

/** A segment as the node sent it: a frame (binary route) or 0G's JSON; null when not held. */
async function fetchOne(node: NodeClient, root: string, index: number) {
  if (node.binaryDownloads) {
    const frame = await node.downloadFrame(root, index);
    if (frame !== undefined) return frame;
  }
  return node.downloadSegmentWithProof(root, index);
}

/** The one segment of a downloaded frame; a malformed frame throws (the node served bad data). */
function fromFrame(body: Uint8Array): SegmentUpload {
  const frame = decodeFrame(Buffer.from(body.buffer, body.byteOffset, body.length), 1);
  const [s] = frame.segments;
  return {
    root: frame.root,
    fileSize: frame.fileSize,
    index: s.index,
    proof: { lemma: s.lemma, path: s.path },
    data: s.data,
  };
}

/** Downloads and checks one entry; ZgError STORAGE_DOWNLOAD_FAILED naming the segment no node could serve. */
export async function downloadEntry(root: string, nodes: NodeClient[], opts: DownloadOptions): Promise<Downloaded> {
  const { sources, unreachable } = await sourcesFor(root, nodes);
  if (sources.length === 0) {
    throw new ZgError<ClientErrorCode>("STORAGE_FILE_UNKNOWN", `no node of ${nodes.length} knows ${root}`, {
      hint:
        unreachable.length > 0
          ? `unreachable: ${unreachable.join("; ")}; start them or pass other nodes`
          : "check the root, and that the nodes follow the chain it was submitted on",
    });
  }
  const size = sources[0].info.tx.size;
  const shape = fileShape(size);
  const data = Buffer.alloc(size);
  const served: Record<string, number> = {};
  const bad: BadNode[] = [];
  const badUrls = new Set<string>();
  const progress = opts.progress ?? quietProgress;

  const fetchSegment = async (index: number) => {
    const reasons: string[] = [];
    const candidates = sources.filter(
      (s) => !badUrls.has(s.node.url) && nodeKeeps(s.shard, s.info.tx.startEntryIndex ?? 0, index),
    );
    for (const s of candidates) {
      if (badUrls.has(s.node.url)) continue;
      let answer;
      try {
        answer = await fetchOne(s.node, root, index);
      } catch (err) {
        reasons.push(`${s.node.url}: ${errorText(err)}`);
        continue;
      }
      if (answer === null) {
        reasons.push(`${s.node.url}: not held`);
        continue;
      }
      try {
        const seg = answer instanceof Uint8Array ? fromFrame(answer) : fromJson(answer);
        if (seg.root.toLowerCase() !== root.toLowerCase() || seg.index !== index)
          throw new Error("answered for another root or index");
        const checked = checkUpload(seg, size);
        // Segments past the file's end (padding of the padded file) carry only zeros: nothing to copy.
        const start = index * BYTES_PER_SEGMENT;
        if (start < size) data.set(checked.data.subarray(0, Math.min(checked.data.length, size - start)), start);
        served[s.node.url] = (served[s.node.url] ?? 0) + 1;
        return;
      } catch (err) {
        const reason = `segment ${index}: ${errorText(err)}`;
        // Segments fetched in parallel may find the same node bad: it is reported once.
        if (!badUrls.has(s.node.url)) {
          opts.logger.warn({ node: s.node.url, root, index, reason }, "node served bad data: skipping it");
          badUrls.add(s.node.url);
          bad.push({ url: s.node.url, reason });
        }
        reasons.push(`${s.node.url}: bad data`);
      }
    }
    throw new ZgError<ClientErrorCode>(
      "STORAGE_DOWNLOAD_FAILED",
      `no node served segment ${index} of ${root} correctly (${reasons.join("; ") || "none keeps it"})`,
      {
        hint: "pass more nodes with --nodes, or finish the upload (it resumes without paying again)",
      },
    );
  };

  progress.start(shape.segments, "download");
  try {
    let next = 0;
    const worker = async () => {
      while (next < shape.segments) {
        await fetchSegment(next++);
        progress.add(1);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, shape.segments) }, worker));
  } finally {
    progress.stop();
  }
  const got = fileRoot(data);
  if (got.toLowerCase() !== root.toLowerCase()) {
    throw new ZgError<ClientErrorCode>(
      "STORAGE_DOWNLOAD_FAILED",
      `the reassembled bytes have root ${got}, not ${root}`,
      {
        hint: "a node served inconsistent data; retry with other nodes",
      },
    );
  }
  return { data, served, bad, unreachable };
}

/** Writes `data` to `file` atomically: a temporary file beside it, fsynced, then renamed over it. */
export function writeAtomic(file: string, data: Uint8Array): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
