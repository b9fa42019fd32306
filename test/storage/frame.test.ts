// The binary segment frame (POST /segments): round trips, and every malformed body refused with MALFORMED_FRAME.
import { expect } from "chai";
import fc from "fast-check";
import { layoutFile, loadHashers, segmentData, segmentProof, toHex } from "../../offchain/storage/core";
import { RpcError } from "../../offchain/storage/node/errors";
import { decodeFrame, encodeFrame, frameOf, framePartsOf, type SegmentFrame } from "../../offchain/storage/node/frame";
import { checkUpload } from "../../offchain/storage/node/segments";
import { bytes } from "./helpers";

function malformed(body: Buffer, max = 64): string {
  try {
    decodeFrame(body, max);
  } catch (err) {
    expect(err).to.be.instanceOf(RpcError);
    expect((err as RpcError).errorName, (err as Error).message).to.equal("MALFORMED_FRAME");
    return (err as Error).message;
  }
  throw new Error("expected MALFORMED_FRAME");
}

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
const frames: fc.Arbitrary<SegmentFrame> = fc.record({
  root: hash,
  fileSize: fc.integer({ min: 1, max: 2 ** 48 }),
  segments: fc.array(
    fc.record({
      index: fc.nat({ max: 2 ** 32 - 1 }),
      lemma: fc.array(hash, { minLength: 1, maxLength: 64 }),
      path: fc.array(fc.boolean(), { maxLength: 64 }),
      data: fc.uint8Array({ maxLength: 600 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

describe("[offchain] storage segment frame", () => {
  before(loadHashers);

  it("decodes what it encodes, for any segments", () => {
    fc.assert(
      fc.property(frames, (frame) => {
        const back = decodeFrame(encodeFrame(frame), 64);
        expect(back.root).to.equal(frame.root);
        expect(back.fileSize).to.equal(frame.fileSize);
        expect(back.segments.map((s) => ({ ...s, data: Buffer.from(s.data) }))).to.deep.equal(
          frame.segments.map((s) => ({ ...s, data: Buffer.from(s.data) })),
        );
      }),
      { numRuns: 200 },
    );
  });

  it("refuses every strict prefix of a frame and any trailing byte", () => {
    fc.assert(
      fc.property(frames, fc.nat(), (frame, cut) => {
        const body = encodeFrame(frame);
        malformed(body.subarray(0, cut % body.length));
        expect(malformed(Buffer.concat([body, Buffer.from([0])]))).to.match(/bytes follow/);
      }),
      { numRuns: 100 },
    );
  });

  it("refuses a bad magic, size, count, lemma, path and an oversized data length", () => {
    const frame: SegmentFrame = {
      root: toHex(new Uint8Array(32).fill(1)),
      fileSize: 1000,
      segments: [{ index: 0, lemma: [toHex(new Uint8Array(32).fill(2))], path: [], data: new Uint8Array(1024) }],
    };
    const body = encodeFrame(frame);
    const edit = (at: number, write: (b: Buffer) => void) => {
      const copy = Buffer.from(body);
      write(copy.subarray(at));
      return copy;
    };
    expect(malformed(edit(0, (b) => b.write("JSON")))).to.match(/does not start with "ZGS1"/);
    expect(malformed(edit(36, (b) => b.writeBigUInt64BE(0n)))).to.match(/file size 0/);
    expect(malformed(edit(36, (b) => b.writeBigUInt64BE(2n ** 48n + 1n)))).to.match(/outside 1\.\.2\^48/);
    expect(malformed(edit(44, (b) => b.writeUInt16BE(0)))).to.match(/0 segments/);
    expect(malformed(body, 0)).to.match(/send 1\.\.0/);
    expect(malformed(edit(50, (b) => b.writeUInt8(0)))).to.match(/0 lemma hashes/);
    expect(malformed(edit(50, (b) => b.writeUInt8(65)))).to.match(/65 lemma hashes/);
    expect(malformed(edit(83, (b) => b.writeUInt8(65)))).to.match(/a path of 65/);
    expect(malformed(edit(84, (b) => b.writeUInt32BE(0xffffffff)))).to.match(
      /ends inside segment 0 of the frame's data/,
    );
    const withPath = encodeFrame({ ...frame, segments: [{ ...frame.segments[0], path: [true] }] });
    withPath[84] = 2;
    expect(malformed(withPath)).to.match(/path holds byte 2/);
  });

  it("frameOf carries exactly what zgs_uploadSegments does, and its segments pass the node's checks", () => {
    const data = bytes(3 * 256 * 1024 + 999, 21);
    const layout = layoutFile(data);
    const frame = decodeFrame(frameOf(data, layout, [0, 2, 3]), 64);
    expect(frame).to.deep.include({ root: toHex(layout.root), fileSize: data.length });
    frame.segments.forEach((s, i) => {
      const index = [0, 2, 3][i];
      const proof = segmentProof(layout, index);
      expect(s).to.deep.include({ index, lemma: proof.lemma.map(toHex), path: proof.path });
      expect(Buffer.from(s.data)).to.deep.equal(Buffer.from(segmentData(data, layout, index)));
      const upload = { root: frame.root, fileSize: frame.fileSize, index, proof: s, data: s.data };
      expect(checkUpload(upload, data.length).index).to.equal(index);
    });
  });

  it("framePartsOf is frameOf in pieces: whole segments are views of the file, only the padded last one a copy", () => {
    const data = bytes(3 * 256 * 1024 + 999, 22);
    const layout = layoutFile(data);
    const parts = framePartsOf(data, layout, [0, 1, 3]);
    expect(Buffer.concat(parts).equals(frameOf(data, layout, [0, 1, 3]))).to.equal(true);
    expect(parts).to.have.length(1 + 2 * 3);
    expect(parts[2].buffer, "segment 0").to.equal(data.buffer);
    expect(parts[4].buffer, "segment 1").to.equal(data.buffer);
    expect(parts[6].buffer, "segment 3, zero-padded").to.not.equal(data.buffer);
  });
});
