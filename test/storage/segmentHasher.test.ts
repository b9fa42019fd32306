import { expect } from "chai";
import fc from "fast-check";
import { SegmentHasher, fileRoot, layoutFile, loadHashers } from "../../offchain/storage/core";

const SEGMENT = 256 * 1024;

function bytes(size: number, seed: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 13 + seed) & 0xff;
  return data;
}

describe("[offchain] SegmentHasher", function () {
  this.timeout(120_000);
  let hasher: SegmentHasher;

  before(async () => {
    await loadHashers();
    hasher = await SegmentHasher.start(2);
  });

  after(() => hasher.close());

  it("gives the same layout as layoutFile at segment boundaries", async () => {
    for (const size of [1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 7, 9 * SEGMENT]) {
      const data = bytes(size, size & 0xff);
      const ours = await hasher.layout(data);
      const single = layoutFile(data);
      expect(ours.segmentRoots, `size ${size}`).to.deep.equal(single.segmentRoots);
      expect(ours.root).to.deep.equal(single.root);
    }
  });

  it("gives fileRoot's answer for random files, with one or more threads", async () => {
    const one = await SegmentHasher.start(1);
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 5 * SEGMENT }), fc.nat(255), async (size, seed) => {
          const data = bytes(size, seed);
          const expected = fileRoot(data);
          expect(await hasher.fileRoot(data)).to.equal(expected);
          expect(await one.fileRoot(data)).to.equal(expected);
        }),
        { numRuns: 10 },
      );
    } finally {
      await one.close();
    }
  });

  it("serves concurrent calls", async () => {
    const files = [bytes(2 * SEGMENT + 3, 1), bytes(SEGMENT, 2), bytes(5 * SEGMENT, 3)];
    const roots = await Promise.all(files.map((f) => hasher.fileRoot(f)));
    expect(roots).to.deep.equal(files.map((f) => fileRoot(f)));
  });
});
