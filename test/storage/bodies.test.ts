import { Readable } from "node:stream";
import { expect } from "chai";
import fc from "fast-check";
import { BodyBuffers } from "../../offchain/storage/node/bodies";

const MiB = 1024 * 1024;

function chunked(bytes: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let o = 0; o < bytes.length; o += size) parts.push(bytes.subarray(o, o + size));
  return Readable.from(parts, { objectMode: false });
}

describe("[offchain] storage node request bodies (BodyBuffers)", function () {
  it("reads any body in any chunking, declared or not, to the same bytes", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 40_000 }),
        fc.integer({ min: 1, max: 9000 }),
        fc.boolean(),
        async (bytes, chunk, declare) => {
          const bodies = new BodyBuffers(8 * MiB);
          const data = Buffer.from(bytes);
          const body = await bodies.read(chunked(data, chunk), declare ? data.length : undefined, 64 * 1024);
          expect(Buffer.compare(body, data)).to.equal(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("grows past its first buffer when a body outgrows it", async function () {
    const data = Buffer.alloc(9 * MiB + 5, 3);
    data[data.length - 1] = 9;
    const body = await new BodyBuffers(0).read(chunked(data, 64 * 1024), undefined, 16 * MiB);
    expect(body.length).to.equal(data.length);
    expect(Buffer.compare(body, data)).to.equal(0);
  });

  it("hands a released buffer to the next body, and a body still lent to nobody else", async function () {
    const bodies = new BodyBuffers(8 * MiB);
    const first = await bodies.read(chunked(Buffer.alloc(1000, 1), 100), 1000, MiB);
    const second = await bodies.read(chunked(Buffer.alloc(1000, 2), 100), 1000, MiB);
    expect(first.buffer).to.not.equal(second.buffer);
    expect(first.every((b) => b === 1)).to.equal(true);
    bodies.release(first);
    expect(bodies.held(), "a declared 1000 bytes take a 1 MiB buffer").to.equal(MiB);
    bodies.release(first); // twice: ignored
    bodies.release(Buffer.alloc(10)); // not one of its bodies: ignored
    expect(bodies.held()).to.equal(MiB);
    const third = await bodies.read(chunked(Buffer.alloc(500, 3), 100), 500, MiB);
    expect(third.buffer).to.equal(first.buffer);
    expect(bodies.held()).to.equal(0);
    expect(second.every((b) => b === 2)).to.equal(true);
  });

  it("keeps at most keepBytes free", async function () {
    const bodies = new BodyBuffers(1.5 * MiB);
    const a = await bodies.read(chunked(Buffer.alloc(10), 10), 10, MiB);
    const b = await bodies.read(chunked(Buffer.alloc(10), 10), 10, MiB);
    bodies.release(a);
    bodies.release(b);
    expect(bodies.held()).to.equal(MiB);
  });

  it("refuses a body over the limit, declared (before reading) or sent, with fastify's 413 error", async function () {
    const bodies = new BodyBuffers(8 * MiB);
    const declared = bodies.read(chunked(Buffer.alloc(10), 10), MiB + 1, MiB);
    await expect(declared).to.be.rejected.then((err: { code: string; statusCode: number }) => {
      expect(err.code).to.equal("FST_ERR_CTP_BODY_TOO_LARGE");
      expect(err.statusCode).to.equal(413);
    });
    const stream = chunked(Buffer.alloc(MiB + 100, 1), 64 * 1024);
    const sent = bodies.read(stream, undefined, MiB);
    await expect(sent).to.be.rejected.then((err: { code: string }) =>
      expect(err.code).to.equal("FST_ERR_CTP_BODY_TOO_LARGE"),
    );
    expect(bodies.held(), "the refused body's buffer is free again").to.equal(4 * MiB);
  });

  it("fails with the stream's error", async function () {
    const stream = new Readable({ read() {} });
    const reading = new BodyBuffers(8 * MiB).read(stream, undefined, MiB);
    stream.push(Buffer.alloc(10));
    stream.destroy(new Error("socket hang up"));
    await expect(reading).to.be.rejectedWith(/socket hang up/);
  });
});
