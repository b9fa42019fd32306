/**
 * The node's JSON-RPC methods, in the spirit of 0G's `zgs_` namespace (0g-storage-node `node/rpc/src/zgs/api.rs`),
 * and the admin ones (`admin_*`, served only on the loopback admin server).
 */
import fs from "node:fs";
import { z } from "zod";
import { BYTES_PER_SECTOR, SECTORS_PER_SEGMENT, buildLevels, proofAt, sectorLeaves, toHex } from "../core";
import { RpcError } from "./errors";
import type { StorageNodeMetrics } from "./metrics";
import type { ShardConfig } from "./options";
import { decodeFrame, encodeFrame } from "./frame";
import type { BinaryGetRoute, BinaryRoute, RpcMethods } from "./server";
import {
  checkUpload,
  fromJson,
  hashSchema,
  segmentWithProofSchema,
  type CheckedSegment,
  type SegmentUpload,
  type SegmentWithProofJson,
} from "./segments";
import type { StorageStore, StoredProof } from "./store";
import type { ChainSync } from "./sync";
import type { Logger } from "../../common/logger";

export interface RpcDeps {
  store: StorageStore;
  sync: ChainSync;
  shard: ShardConfig;
  metrics: StorageNodeMetrics;
  logger: Logger;
  identity: { chainId: number; flow: string };
  /** The store's directory; zgs_getStatus reports the free space of its file system. */
  dataDir: string;
  /** Most segments in one zgs_uploadSegments call. */
  maxBatch: number;
}

const index = z.number().int().min(0);

/** Bytes an unprivileged writer can still use on the store's file system; null where statfs is unsupported. */
async function freeBytes(dir: string): Promise<number | null> {
  try {
    const s = await fs.promises.statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/**
 * Checks then stores segments in order, in one synced write. One bad segment refuses the call from that one on;
 * the ones before it are stored (they were valid), as 0G's node does.
 */
export async function uploadSegments(deps: RpcDeps, segs: SegmentUpload[]): Promise<number> {
  const { store, metrics, logger } = deps;
  const items: { seg: CheckedSegment; proof: StoredProof }[] = [];
  let refused: unknown;
  for (const seg of segs) {
    try {
      items.push({
        seg: checkUpload(seg, store.knownSize(seg.root)),
        proof: { lemma: seg.proof.lemma.map((h) => h.toLowerCase()), path: seg.proof.path },
      });
    } catch (err) {
      refused = err;
      break;
    }
  }
  const { results, error } = await store.putSegments(items);
  results.forEach((result, i) => {
    const checked = items[i].seg;
    if (result.stored) {
      metrics.segmentsStored.inc();
      metrics.bytesStored.inc(checked.data.length);
    }
    if (result.finalized) {
      metrics.filesFinalized.inc();
      logger.info({ root: checked.root, segments: checked.shape.segments }, "file finalized");
    }
  });
  metrics.pendingBytes.set(store.pendingBytes());
  if (error ?? refused) throw error ?? refused;
  return results.filter((r) => r.stored).length;
}

/** A held segment with the proof it was uploaded with; null when the node does not hold it. */
async function heldSegment(store: StorageStore, root: string, index: number) {
  const f = store.file(root);
  if (!f) return null;
  const [data, proof] = await Promise.all([store.getSegment(root, index), store.getProof(root, index)]);
  if (!data || !proof) return null;
  return { root: f.record.root, data, index, proof, fileSize: f.record.size };
}

export function zgsMethods(deps: RpcDeps): RpcMethods {
  const { store, sync, shard } = deps;

  const fileInfo = async (root: string) => {
    const f = store.file(root);
    if (!f || f.record.seq === undefined) return null;
    const sub = await store.submission(f.record.seq);
    return {
      tx: {
        seq: f.record.seq,
        dataMerkleRoot: f.record.root,
        startEntryIndex: f.record.startPos,
        size: f.record.size,
        sectors: sub?.sectors,
        txHash: sub?.tx,
        blockNumber: sub?.block,
      },
      finalized: f.finalized,
      isCached: false,
      uploadedSegNum: f.held,
      segments: f.shape.segments,
      shardSegments: store.expectedSegments(f),
    };
  };

  return {
    zgs_getStatus: {
      params: z.tuple([]),
      handler: async () => {
        const s = sync.status();
        return {
          connectedPeers: 0,
          logSyncHeight: s.syncedBlock,
          nextTxSeq: s.submissions,
          flowRoot: s.flowRoot,
          flowLength: s.flowLength,
          networkIdentity: { chainId: deps.identity.chainId, flowAddress: deps.identity.flow },
          freeBytes: await freeBytes(deps.dataDir),
        };
      },
    },
    zgs_uploadSegment: {
      params: z.tuple([segmentWithProofSchema]),
      handler: async ([seg]) => {
        await uploadSegments(deps, [fromJson(seg as SegmentWithProofJson)]);
        return null;
      },
    },
    zgs_uploadSegments: {
      params: z.tuple([z.array(segmentWithProofSchema).min(1).max(deps.maxBatch)]),
      handler: async ([segs]) => {
        await uploadSegments(deps, (segs as SegmentWithProofJson[]).map(fromJson));
        return null;
      },
    },
    zgs_downloadSegment: {
      params: z.tuple([hashSchema, index, index]),
      handler: async ([root, start, end]) => {
        const [from, to] = [start as number, end as number];
        if (to <= from || to - from > SECTORS_PER_SEGMENT) {
          throw new RpcError(
            "INVALID_PARAMS",
            `ask for 1..${SECTORS_PER_SEGMENT} sectors: endIndex (exclusive) must be above startIndex and at most ${SECTORS_PER_SEGMENT} past it`,
          );
        }
        const f = store.file(root as string);
        if (!f || to > f.shape.paddedSectors) return null;
        const out = new Uint8Array((to - from) * BYTES_PER_SECTOR);
        for (let seg = Math.floor(from / SECTORS_PER_SEGMENT); seg * SECTORS_PER_SEGMENT < to; seg++) {
          const data = await store.getSegment(root as string, seg);
          if (!data) return null;
          const segStart = seg * SECTORS_PER_SEGMENT;
          const a = Math.max(from, segStart) - segStart;
          const b = Math.min(to, segStart + data.length / BYTES_PER_SECTOR) - segStart;
          out.set(data.subarray(a * BYTES_PER_SECTOR, b * BYTES_PER_SECTOR), (segStart + a - from) * BYTES_PER_SECTOR);
        }
        return Buffer.from(out).toString("base64");
      },
    },
    zgs_downloadSegmentWithProof: {
      params: z.tuple([hashSchema, index]),
      handler: async ([root, i]) => {
        const seg = await heldSegment(store, root as string, i as number);
        return seg && { ...seg, data: Buffer.from(seg.data).toString("base64") };
      },
    },
    zgs_getFileInfo: { params: z.tuple([hashSchema]), handler: async ([root]) => fileInfo(root as string) },
    zgs_checkFileFinalized: {
      params: z.tuple([hashSchema]),
      handler: async ([root]) => {
        const f = store.file(root as string);
        return f && f.record.seq !== undefined ? f.finalized : null;
      },
    },
    zgs_getShardConfig: {
      params: z.tuple([]),
      handler: async () => ({ shardId: shard.shardId, numShard: shard.numShards }),
    },
    zgs_getSectorProof: {
      params: z.tuple([hashSchema, index]),
      handler: async ([root, sector]) => {
        const f = store.file(root as string);
        const s = sector as number;
        if (!f) return null;
        if (s >= f.shape.paddedSectors) {
          throw new RpcError(
            "INDEX_OUT_OF_RANGE",
            `sector ${s} is outside the padded file (0..${f.shape.paddedSectors - 1})`,
          );
        }
        const seg = Math.floor(s / SECTORS_PER_SEGMENT);
        const [data, outer] = await Promise.all([
          store.getSegment(root as string, seg),
          store.getProof(root as string, seg),
        ]);
        if (!data || !outer) return null;
        const inner = proofAt(
          buildLevels(sectorLeaves(data, 0, data.length / BYTES_PER_SECTOR)),
          s % SECTORS_PER_SEGMENT,
        );
        const innerSiblings = inner.path.length === 0 ? [] : inner.lemma.slice(1, -1).map(toHex);
        const outerSiblings = outer.path.length === 0 ? [] : outer.lemma.slice(1, -1);
        const path = [...inner.path, ...outer.path];
        if (path.length === 0) return { lemma: [f.record.root], path };
        return { lemma: [toHex(inner.lemma[0]), ...innerSiblings, ...outerSiblings, f.record.root], path };
      },
    },
  };
}

/** `POST /segments`: zgs_uploadSegments with a binary body (see frame.ts); answers how many segments were new. */
export function segmentRoutes(deps: RpcDeps): BinaryRoute[] {
  return [
    {
      path: "/segments",
      method: "zgs_uploadSegmentFrame",
      handler: async (body) => {
        const frame = decodeFrame(body, deps.maxBatch);
        const stored = await uploadSegments(
          deps,
          frame.segments.map((s) => ({
            root: frame.root,
            fileSize: frame.fileSize,
            index: s.index,
            proof: { lemma: s.lemma, path: s.path },
            data: s.data,
          })),
        );
        return { stored };
      },
    },
  ];
}

/** `GET /segments/<root>/<index>`: zgs_downloadSegmentWithProof as a one-segment frame; 204 when not held. */
export function segmentDownloadRoutes(deps: RpcDeps): BinaryGetRoute[] {
  return [
    {
      path: "/segments/:root/:index",
      method: "zgs_downloadSegmentFrame",
      handler: async ({ root, index }) => {
        const parsedRoot = hashSchema.safeParse(root);
        const i = /^\d{1,10}$/.test(index) ? Number(index) : NaN;
        if (!parsedRoot.success || !(i <= 0xffffffff)) {
          throw new RpcError(
            "INVALID_PARAMS",
            `GET /segments/<root>/<index> takes a 0x-prefixed 32-byte root and a segment index, not ${root}/${index}`,
          );
        }
        const seg = await heldSegment(deps.store, root, i);
        if (!seg) return null;
        return encodeFrame({
          root: seg.root,
          fileSize: seg.fileSize,
          segments: [{ index: i, lemma: seg.proof.lemma, path: seg.proof.path, data: seg.data }],
        });
      },
    },
  ];
}

export function adminMethods(deps: RpcDeps): RpcMethods {
  return {
    admin_getSyncStatus: {
      params: z.tuple([]),
      handler: async () => ({
        ...deps.sync.status(),
        cursor: deps.store.cursor(),
        pendingBytes: deps.store.pendingBytes(),
        shard: deps.shard,
      }),
    },
  };
}
