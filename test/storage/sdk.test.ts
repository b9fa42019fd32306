// The storage core against 0G's own TypeScript SDK (@0glabs/0g-ts-sdk, what 0G's clients upload with): the same
// bytes must give the same file root and the same submission.
import { expect } from "chai";
import fc from "fast-check";
import { MemData } from "@0glabs/0g-ts-sdk";
import { createSubmission, fileRoot, loadHashers } from "../../offchain/storage/core";

const SECTOR = 256;
const SEGMENT = 1024 * SECTOR;

async function sdkView(data: Uint8Array) {
  const file = new MemData(data);
  const [tree, treeError] = await file.merkleTree();
  if (treeError || !tree) throw treeError ?? new Error("no tree");
  const [submission, error] = await file.createSubmission("0x");
  if (error || !submission) throw error ?? new Error("no submission");
  return {
    root: tree.rootHash(),
    length: Number(submission.length),
    nodes: submission.nodes.map((n) => ({ root: String(n.root), height: Number(n.height) })),
  };
}

function ourView(data: Uint8Array) {
  const submission = createSubmission(data);
  return {
    root: fileRoot(data),
    length: Number(submission.length),
    nodes: submission.nodes.map((n) => ({ root: n.root, height: n.height })),
  };
}

function bytes(size: number, seed: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return data;
}

describe("[offchain] storage core vs @0glabs/0g-ts-sdk", function () {
  this.timeout(180_000);
  before(() => loadHashers());

  it("agrees on root and submission at every padding and segment boundary", async () => {
    const sizes = [1, 255, 256, 257, 4095, 4096, 4097, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT + 17];
    sizes.push(3 * SEGMENT + SECTOR, 16 * SEGMENT, 17 * SEGMENT + 5, 33 * SEGMENT - 1);
    for (const [i, size] of sizes.entries()) {
      const data = bytes(size, i);
      expect(ourView(data), `size ${size}`).to.deep.equal(await sdkView(data));
    }
  });

  it("agrees on random files", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 * SEGMENT }),
        fc.integer({ min: 0, max: 255 }),
        async (size, seed) => {
          const data = bytes(size, seed);
          expect(ourView(data)).to.deep.equal(await sdkView(data));
        },
      ),
      { numRuns: 15 },
    );
  });
});
