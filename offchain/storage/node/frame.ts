/**
 * The binary form of a segment upload (`POST /segments`): the same fields as zgs_uploadSegments' SegmentWithProof,
 * for segments of one file, without the base64 and JSON that cost a node more CPU than checking the segment.
 * Big-endian:
 *
 *   "ZGS1"  root (32)  fileSize (u64)  count (u16)
 *   count × [ index (u32)  lemma count (u8)  lemma (32 each)  path length (u8)  path (1 byte each: 0 or 1)
 *             data length (u32)  data ]
 *
 * Decoding checks every length against the body before reading, and refuses trailing bytes.
 */
import { BYTES_PER_SEGMENT, HASH_BYTES, fromHex, segmentData, segmentProof, toHex, type FileLayout } from "../core";
import { RpcError } from "./errors";

export const FRAME_MAGIC = "ZGS1";
const MAX_FILE_SIZE = 2 ** 48;
const MAX_PROOF = 64;

/** One segment of a frame; `data` is a view into the request body. */
export interface FrameSegment {
  index: number;
  lemma: string[];
  path: boolean[];
  data: Uint8Array;
}

export interface SegmentFrame {
  root: string;
  fileSize: number;
  segments: FrameSegment[];
}

/**
 * A frame as the pieces it is sent in: headers, and each segment's data as the caller's own view (not copied), so
 * a client writes one file's bytes to several nodes without building a body for them. `encodeFrame` joins them.
 */
export function frameParts(frame: SegmentFrame): Uint8Array[] {
  const head = Buffer.allocUnsafe(4 + HASH_BYTES + 8 + 2);
  head.write(FRAME_MAGIC, 0, "latin1");
  head.set(fromHex(frame.root), 4);
  head.writeBigUInt64BE(BigInt(frame.fileSize), 4 + HASH_BYTES);
  head.writeUInt16BE(frame.segments.length, 4 + HASH_BYTES + 8);
  const parts: Uint8Array[] = [head];
  for (const s of frame.segments) {
    const before = Buffer.allocUnsafe(4 + 1 + s.lemma.length * HASH_BYTES + 1 + s.path.length + 4);
    let o = before.writeUInt32BE(s.index, 0);
    o = before.writeUInt8(s.lemma.length, o);
    for (const h of s.lemma) {
      before.set(fromHex(h), o);
      o += HASH_BYTES;
    }
    o = before.writeUInt8(s.path.length, o);
    for (const left of s.path) before[o++] = left ? 1 : 0;
    before.writeUInt32BE(s.data.length, o);
    parts.push(before, s.data);
  }
  return parts;
}

/** Encodes segments of one file; `segments[i].lemma` are 0x hashes. */
export function encodeFrame(frame: SegmentFrame): Buffer {
  return Buffer.concat(frameParts(frame));
}

class Reader {
  private o = 0;
  constructor(private readonly buf: Buffer) {}

  need(n: number, what: string): void {
    if (this.o + n > this.buf.length) {
      throw new RpcError(
        "MALFORMED_FRAME",
        `the body ends inside ${what} (byte ${this.o} of ${this.buf.length}): send a whole ${FRAME_MAGIC} frame`,
      );
    }
  }
  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.o++];
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.o);
    this.o += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.o);
    this.o += 4;
    return v;
  }
  u64(what: string): bigint {
    this.need(8, what);
    const v = this.buf.readBigUInt64BE(this.o);
    this.o += 8;
    return v;
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.o, this.o + n);
    this.o += n;
    return v;
  }
  done(): boolean {
    return this.o === this.buf.length;
  }
}

/** Decodes a frame, refusing (RpcError MALFORMED_FRAME) anything that is not exactly one well-formed frame. */
export function decodeFrame(body: Buffer, maxSegments: number): SegmentFrame {
  const r = new Reader(body);
  if (Buffer.from(r.bytes(4, "the magic")).toString("latin1") !== FRAME_MAGIC) {
    throw new RpcError("MALFORMED_FRAME", `the body does not start with "${FRAME_MAGIC}": not a segment frame`);
  }
  const root = toHex(r.bytes(HASH_BYTES, "the root"));
  const size = r.u64("the file size");
  if (size < 1n || size > BigInt(MAX_FILE_SIZE)) {
    throw new RpcError("MALFORMED_FRAME", `file size ${size} is outside 1..2^48`);
  }
  const count = r.u16("the segment count");
  if (count < 1 || count > maxSegments) {
    throw new RpcError("MALFORMED_FRAME", `${count} segments in one frame: send 1..${maxSegments}`);
  }
  const segments: FrameSegment[] = [];
  for (let i = 0; i < count; i++) {
    const where = `segment ${i} of the frame`;
    const index = r.u32(`${where}'s index`);
    const lemmaCount = r.u8(`${where}'s lemma count`);
    if (lemmaCount < 1 || lemmaCount > MAX_PROOF) {
      throw new RpcError("MALFORMED_FRAME", `${where} has ${lemmaCount} lemma hashes: a proof has 1..${MAX_PROOF}`);
    }
    const lemma: string[] = [];
    for (let j = 0; j < lemmaCount; j++) lemma.push(toHex(r.bytes(HASH_BYTES, `${where}'s lemma`)));
    const pathLength = r.u8(`${where}'s path length`);
    if (pathLength > MAX_PROOF) {
      throw new RpcError("MALFORMED_FRAME", `${where} has a path of ${pathLength}: at most ${MAX_PROOF}`);
    }
    const path: boolean[] = [];
    for (const b of r.bytes(pathLength, `${where}'s path`)) {
      if (b > 1) throw new RpcError("MALFORMED_FRAME", `${where}'s path holds byte ${b}: each step is 0 or 1`);
      path.push(b === 1);
    }
    const data = r.bytes(r.u32(`${where}'s data length`), `${where}'s data`);
    segments.push({ index, lemma, path, data });
  }
  if (!r.done()) throw new RpcError("MALFORMED_FRAME", `bytes follow the frame's ${count} segments`);
  return { root, fileSize: Number(size), segments };
}

/** `frameParts` of segments `indexes` of a file laid out as `layout`: the data parts are views of `data`. */
export function framePartsOf(data: Uint8Array, layout: FileLayout, indexes: number[]): Uint8Array[] {
  return frameParts({
    root: toHex(layout.root),
    fileSize: data.length,
    segments: indexes.map((index) => {
      const proof = segmentProof(layout, index);
      const start = index * BYTES_PER_SEGMENT;
      const whole = start + BYTES_PER_SEGMENT <= data.length;
      // A segment inside the file goes as a view of it; only the last one needs its zero padding copied.
      const bytes = whole ? data.subarray(start, start + BYTES_PER_SEGMENT) : segmentData(data, layout, index);
      return { index, lemma: proof.lemma.map(toHex), path: proof.path, data: bytes };
    }),
  });
}

/** The frame a client sends for segments `indexes` of a file laid out as `layout`, as one buffer. */
export function frameOf(data: Uint8Array, layout: FileLayout, indexes: number[]): Buffer {
  return Buffer.concat(framePartsOf(data, layout, indexes));
}
