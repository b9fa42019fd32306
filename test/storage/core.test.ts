import { expect } from "chai";
import fc from "fast-check";
import { keccak256 as ethersKeccak, ZeroHash } from "ethers";
import {
  BYTES_PER_SECTOR,
  FlowTree,
  buildLevels,
  createSubmission,
  emptyLeaf,
  fileRoot,
  flowProofRoot,
  fromHex,
  layoutFile,
  loadHashers,
  paddedSectors,
  proofAt,
  proofRoot,
  sectorLeaf,
  sectorProof,
  segmentData,
  segmentProof,
  splitHeights,
  submissionRoot,
  submissionStart,
  toHex,
  verifyProof,
  zeros,
} from "../../offchain/storage/core";
import { refFileRoot, refFlowRoot, refPadded, refSubmissionNodes, refTreeRoot } from "./reference";

function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Sizes at every padding boundary a small test can afford: around powers of two and multiples of nextPow2/16. */
const boundarySectors = [1, 2, 3, 4, 5, 15, 16, 17, 18, 31, 33, 63, 65, 1023, 1024, 1025, 1152, 1153, 2047, 2049];

describe("storage core", () => {
  before(loadHashers);

  describe("zeros", () => {
    it("matches 0G's FlowTreeLib.zeros constants", () => {
      expect(toHex(zeros(0))).to.equal("0xd397b3b043d87fcd6fad1291ff0bfd16401c274896d8c63a923727f077b8e0b5");
      expect(toHex(zeros(1))).to.equal("0xf73e6947d7d1628b9976a6e40d7b278a8a16405e96324a68df45b12a51b7cfde");
      expect(toHex(zeros(10))).to.equal("0xe68d02859bb6211cec64f52368b77d422de3b8eac34bf615942b814b643301b5");
      expect(toHex(zeros(63))).to.equal("0xb48a92d40b61dc995ceecee4cded6415050dcece448b1e0b5e5b6a0e6981f3ef");
      expect(toHex(emptyLeaf())).to.equal(ethersKeccak(new Uint8Array(256)));
    });
    it("refuses a height outside 0..64", () => {
      expect(() => zeros(65)).to.throw(RangeError);
      expect(() => zeros(-1)).to.throw(RangeError);
    });
  });

  describe("padding and split", () => {
    it("pads as 0G's computePaddedSize does", () => {
      const cases: [number, number][] = [
        [1, 1],
        [2, 2],
        [3, 3],
        [5, 5],
        [7, 7],
        [9, 9],
        [16, 16],
        [17, 18],
        [18, 18],
        [19, 20],
        [33, 36],
        [1025, 1152],
        [1152, 1152],
        [1153, 1280],
        [2049, 2304],
        [(1 << 20) + 1, (1 << 20) + (1 << 17)],
      ];
      for (const [sectors, padded] of cases) expect(paddedSectors(sectors), `${sectors}`).to.equal(padded);
    });
    it("splits into strictly decreasing heights, at most four", () => {
      expect(splitHeights(18)).to.deep.equal([4, 1]);
      expect(splitHeights(1152)).to.deep.equal([10, 7]);
      expect(splitHeights(7)).to.deep.equal([2, 1, 0]);
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 40 }), (sectors) => {
          const padded = paddedSectors(sectors);
          expect(padded).to.equal(refPadded(sectors));
          const heights = splitHeights(padded);
          expect(heights.length).to.be.within(1, 4);
          expect(heights.reduce((s, h) => s + 2 ** h, 0)).to.equal(padded);
          for (let i = 1; i < heights.length; i++) expect(heights[i]).to.be.lessThan(heights[i - 1]);
          expect(heights[0] - heights[heights.length - 1]).to.be.lessThan(4);
        }),
      );
    });
    it("refuses an empty file", () => {
      expect(() => layoutFile(new Uint8Array(0))).to.throw(/at least one byte/);
    });
  });

  describe("file root and submission", () => {
    it("a one-sector file's root is its zero-padded sector's keccak", () => {
      const data = bytes(100);
      const padded = new Uint8Array(256);
      padded.set(data);
      expect(fileRoot(data)).to.equal(ethersKeccak(padded));
      expect(createSubmission(data).nodes).to.deep.equal([{ root: ethersKeccak(padded), height: 0 }]);
    });
    it("two sectors: parent of both leaves", () => {
      const data = bytes(300, 7);
      const a = ethersKeccak(data.subarray(0, 256));
      const b2 = new Uint8Array(256);
      b2.set(data.subarray(256));
      const expected = ethersKeccak(Buffer.concat([fromHex(a), fromHex(ethersKeccak(b2))]));
      expect(fileRoot(data)).to.equal(expected);
    });
    it("agrees with the naive reference at every padding boundary", () => {
      for (const sectors of boundarySectors) {
        for (const delta of [-255, 0]) {
          const data = bytes(sectors * BYTES_PER_SECTOR + delta, sectors);
          expect(fileRoot(data), `${sectors} sectors`).to.equal(refFileRoot(data));
          expect(createSubmission(data).nodes, `${sectors} sectors`).to.deep.equal(refSubmissionNodes(data));
        }
      }
    });
    it("agrees with the reference for random files (property)", () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 40_000 }), (data) => {
          expect(fileRoot(data)).to.equal(refFileRoot(data));
          const sub = createSubmission(data, "0x01");
          expect(sub.nodes).to.deep.equal(refSubmissionNodes(data));
          expect(sub.length).to.equal(BigInt(data.length));
          expect(toHex(submissionRoot(sub.nodes))).to.equal(fileRoot(data));
        }),
        { numRuns: 40 },
      );
    });
    it("the file root is the right fold of the submission nodes across segments", () => {
      for (const sectors of [1025, 1153, 2049, 3073, 4097]) {
        const data = bytes(sectors * 256 - 3, sectors);
        expect(toHex(submissionRoot(createSubmission(data).nodes))).to.equal(fileRoot(data));
      }
    });
    it("the last segment's bytes are zero-padded to its sectors", () => {
      const data = bytes(1030 * 256 + 1, 3);
      const layout = layoutFile(data);
      expect(layout.segments).to.equal(2);
      const seg = segmentData(data, layout, 1);
      expect(seg.length).to.equal((layout.paddedSectors - 1024) * 256);
      expect(toHex(layout.segmentRoots[1])).to.equal(
        refTreeRoot(
          Array.from({ length: seg.length / 256 }, (_, i) => ethersKeccak(seg.subarray(i * 256, i * 256 + 256))),
        ),
      );
      expect(() => segmentData(data, layout, 2)).to.throw(RangeError);
    });
  });

  describe("proofs", () => {
    it("every leaf of promote-odd trees of 1..40 leaves proves, at its position only", () => {
      for (let n = 1; n <= 40; n++) {
        const leaves = Array.from({ length: n }, (_, i) => fromHex(ethersKeccak(new Uint8Array([i, n]))));
        const levels = buildLevels(leaves);
        const root = levels[levels.length - 1][0];
        expect(toHex(root)).to.equal(refTreeRoot(leaves.map(toHex)));
        for (let i = 0; i < n; i++) {
          const proof = proofAt(levels, i);
          expect(verifyProof(root, leaves[i], i, n, proof), `${i}/${n}`).to.equal(true);
          if (n > 1) {
            expect(verifyProof(root, leaves[i], (i + 1) % n, n, proof)).to.equal(false);
            expect(verifyProof(root, leaves[(i + 1) % n], i, n, proof)).to.equal(false);
            const bad = { lemma: [...proof.lemma], path: [...proof.path] };
            bad.lemma[1] = fromHex(ZeroHash);
            expect(verifyProof(root, leaves[i], i, n, bad)).to.equal(false);
            expect(verifyProof(root, leaves[i], i, n, { lemma: proof.lemma.slice(1), path: proof.path })).to.equal(
              false,
            );
          }
        }
      }
      expect(() => proofAt(buildLevels([zeros(0)]), 1)).to.throw(RangeError);
      expect(() => buildLevels([])).to.throw(/at least one leaf/);
    });
    it("segment and sector proofs climb to the file root", () => {
      const data = bytes(3000 * 256 + 17, 11);
      const layout = layoutFile(data);
      for (let s = 0; s < layout.segments; s++) {
        expect(verifyProof(layout.root, layout.segmentRoots[s], s, layout.segments, segmentProof(layout, s))).to.equal(
          true,
        );
      }
      for (const i of [0, 1, 1023, 1024, 2047, 2999, 3000, layout.paddedSectors - 1]) {
        const proof = sectorProof(data, layout, i);
        expect(toHex(proof.lemma[0])).to.equal(toHex(sectorLeaf(data, i)));
        expect(toHex(proofRoot(proof))).to.equal(toHex(layout.root));
      }
      expect(() => sectorProof(data, layout, layout.paddedSectors)).to.throw(RangeError);
      const single = layoutFile(bytes(10));
      expect(sectorProof(bytes(10), single, 0)).to.deep.equal({ lemma: [single.root], path: [] });
    });
  });

  describe("flow tree", () => {
    it("matches a brute-force flow of all leaves, with 0G's alignment and segment rule", () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 2100 }), { minLength: 1, maxLength: 5 }), (sizes) => {
          const tree = new FlowTree();
          const leaves: string[] = [];
          const empty = toHex(emptyLeaf());
          for (const sectors of sizes) {
            const data = bytes(sectors * 256, sectors);
            const sub = createSubmission(data);
            const expectedStart = submissionStart(tree.length, sub.nodes);
            const start = tree.append(sub.nodes);
            expect(start).to.equal(expectedStart);
            expect(start % 2 ** sub.nodes[0].height).to.equal(0);
            if (start % 1024 !== 0) expect(Math.floor(start / 1024)).to.equal(Math.floor((tree.length - 1) / 1024));
            while (leaves.length < start) leaves.push(empty);
            const padded = paddedSectors(sectors);
            for (let i = 0; i < padded; i++) leaves.push(toHex(sectorLeaf(data, i)));
            expect(tree.length).to.equal(leaves.length);
            expect(tree.root()).to.equal(refFlowRoot(leaves, empty));
            let offset = start;
            for (const node of sub.nodes) {
              const index = offset / 2 ** node.height;
              const proof = tree.proof(node.height, index);
              expect(toHex(flowProofRoot(fromHex(node.root), index, proof.siblings))).to.equal(tree.root());
              offset += 2 ** node.height;
            }
          }
        }),
        { numRuns: 12 },
      );
    });
    it("an empty flow's root is the empty leaf", () => {
      expect(new FlowTree().root()).to.equal(toHex(zeros(0)));
    });
  });
});
