/**
 * The checks every uploaded segment passes before it is stored (pure: no I/O). A segment is 0G's SegmentWithProof:
 * the file root, the segment's bytes, its index, a proof of its root in the file tree and the file's size.
 */
import { z } from "zod";
import {
  BYTES_PER_SECTOR,
  BYTES_PER_SEGMENT,
  SECTORS_PER_SEGMENT,
  fromHex,
  numSplits,
  paddedSectors,
  sectorCount,
  sectorTreeRoot,
  segmentData,
  segmentProof,
  segmentSectors,
  toHex,
  verifyProof,
  type FileLayout,
  type MerkleProof,
} from "../core";
import { RpcError } from "./errors";
import type { ShardConfig } from "./options";

const HASH = /^0x[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const hashSchema = z.string().regex(HASH, "must be a 0x-prefixed 32-byte hex hash");

/** JSON form of a segment upload (0G's SegmentWithProof). */
export const segmentWithProofSchema = z.strictObject({
  root: hashSchema,
  data: z.string().regex(BASE64, "must be base64"),
  index: z.number().int().min(0),
  proof: z.strictObject({ lemma: z.array(hashSchema).min(1).max(64), path: z.array(z.boolean()).max(64) }),
  fileSize: z
    .number()
    .int()
    .min(1)
    .max(2 ** 48),
});
export type SegmentWithProofJson = z.output<typeof segmentWithProofSchema>;

/** A file's shape as far as segments go, derived from its byte size. */
export interface FileShape {
  size: number;
  sectors: number;
  paddedSectors: number;
  segments: number;
}

export function fileShape(size: number): FileShape {
  const sectors = sectorCount(size);
  const padded = paddedSectors(sectors);
  return { size, sectors, paddedSectors: padded, segments: numSplits(padded, SECTORS_PER_SEGMENT) };
}

/** Bytes segment `index` of a file must carry: its sectors of the padded file (the last one may be shorter). */
export function expectedSegmentBytes(shape: FileShape, index: number): number {
  return segmentSectors(shape.paddedSectors, index) * BYTES_PER_SECTOR;
}

/** The flow segment a file segment lands on: 0G's shard position. */
export function flowSegment(startPos: number, index: number): number {
  return Math.floor(startPos / SECTORS_PER_SEGMENT) + index;
}

export function inShard(shard: ShardConfig, startPos: number, index: number): boolean {
  return flowSegment(startPos, index) % shard.numShards === shard.shardId;
}

export function refuseOutsideShard(shard: ShardConfig, startPos: number, index: number): void {
  if (!inShard(shard, startPos, index)) {
    const position = flowSegment(startPos, index);
    throw new RpcError(
      "NOT_IN_SHARD",
      `segment ${index} sits at flow segment ${position}, shard ${position % shard.numShards} of ${shard.numShards}; ` +
        `this node keeps shard ${shard.shardId}: upload it to a node of that shard (see zgs_getShardConfig)`,
    );
  }
}

/** A checked segment: its bytes, ready to store. */
export interface CheckedSegment {
  root: string;
  index: number;
  data: Uint8Array;
  shape: FileShape;
}

/** A segment as it arrives, from either transport (JSON with base64 data, or a binary frame). */
export interface SegmentUpload {
  root: string;
  index: number;
  fileSize: number;
  proof: { lemma: string[]; path: boolean[] };
  data: Uint8Array;
}

/** The JSON form decoded: its base64 data as bytes. */
export function fromJson(seg: SegmentWithProofJson): SegmentUpload {
  return { ...seg, data: new Uint8Array(Buffer.from(seg.data, "base64")) };
}

/**
 * Checks a segment against its claimed file: index in range, exact length for that index, zeros past the file's
 * end, and a proof that the padded segment's root sits at `index` under `root`. Throws RpcError otherwise.
 * `knownSize`, when the file's Submit is seen, must equal the claimed fileSize.
 */
export function checkUpload(seg: SegmentUpload, knownSize?: number): CheckedSegment {
  if (knownSize !== undefined && knownSize !== seg.fileSize) {
    throw new RpcError(
      "SIZE_MISMATCH",
      `fileSize ${seg.fileSize} differs from the submitted file's ${knownSize} bytes: send the size that was submitted`,
    );
  }
  const shape = fileShape(seg.fileSize);
  if (seg.index >= shape.segments) {
    throw new RpcError(
      "INDEX_OUT_OF_RANGE",
      `segment index ${seg.index} is outside the file: a file of ${seg.fileSize} bytes has segments 0..${shape.segments - 1}`,
    );
  }
  const { data } = seg;
  const expected = expectedSegmentBytes(shape, seg.index);
  if (data.length !== expected) {
    throw new RpcError(
      "BAD_DATA_LENGTH",
      `segment ${seg.index} must carry ${expected} bytes (its sectors of the padded file, zero-filled past the end), not ${data.length}`,
    );
  }
  const fileEndInSegment = seg.fileSize - seg.index * BYTES_PER_SEGMENT;
  if (fileEndInSegment < data.length) {
    for (let i = Math.max(0, fileEndInSegment); i < data.length; i++) {
      if (data[i] !== 0) {
        throw new RpcError(
          "BAD_PADDING",
          `byte ${i} of segment ${seg.index} is past the file's end (${seg.fileSize} bytes) and must be zero`,
        );
      }
    }
  }
  const proof: MerkleProof = { lemma: seg.proof.lemma.map(fromHex), path: seg.proof.path };
  const segRoot = sectorTreeRoot(data, 0, data.length / BYTES_PER_SECTOR);
  if (!verifyProof(fromHex(seg.root), segRoot, seg.index, shape.segments, proof)) {
    throw new RpcError(
      "BAD_PROOF",
      `the proof does not place segment ${seg.index}'s root under ${seg.root}: the data, index, proof or root is wrong`,
    );
  }
  return { root: seg.root.toLowerCase(), index: seg.index, data, shape };
}

/** `checkUpload` of the JSON form. */
export function checkSegment(seg: SegmentWithProofJson, knownSize?: number): CheckedSegment {
  return checkUpload(fromJson(seg), knownSize);
}

/** The upload of segment `index` of `data` (what a client sends to zgs_uploadSegment). */
export function segmentWithProof(data: Uint8Array, layout: FileLayout, index: number): SegmentWithProofJson {
  const proof = segmentProof(layout, index);
  return {
    root: toHex(layout.root),
    data: Buffer.from(segmentData(data, layout, index)).toString("base64"),
    index,
    proof: { lemma: proof.lemma.map(toHex), path: proof.path },
    fileSize: data.length,
  };
}
