import { expect } from "chai";
import crypto from "node:crypto";
import { AbiCoder, concat, keccak256, solidityPackedKeccak256, ZeroHash } from "ethers";
import {
  assignedMember,
  dataRoot,
  encodeBlob,
  initDaCore,
  loadSrs,
  rowsRoot,
  sampleQuality,
  sublineProof,
  sublineRoot,
  verifySublineProof,
  type EncodedBlob,
} from "../../offchain/da/core";

// An independent reference of the spec's "Data root" section: ethers' keccak, plain loops, no shared code.
const H = (a: string, b: string) => keccak256(concat([a, b]));

function refSublineRoot(s: Uint8Array): string {
  const k = (i: number) => keccak256(s.subarray(256 * i, 256 * i + 256));
  return H(H(k(0), k(1)), H(k(2), k(3)));
}

function refTree(leaves: string[]): string[][] {
  const levels = [leaves];
  while (levels[levels.length - 1].length > 1) {
    const l = levels[levels.length - 1];
    levels.push(l.filter((_, i) => i % 2 === 0).map((x, i) => H(x, l[2 * i + 1])));
  }
  return levels;
}

function refSublineLeaves(enc: EncodedBlob): string[] {
  const perRow = enc.shape.cols / 32;
  const leaves: string[] = [];
  for (let i = 0; i < enc.rows.length; i++) {
    for (let j = 0; j < perRow; j++) leaves.push(refSublineRoot(enc.rows[i].subarray(1024 * j, 1024 * j + 1024)));
  }
  return leaves;
}

/** The spec's tree over sublines: row trees, then the rows tree with zero leaves for rows n..R−1. */
function refRowsRoot(enc: EncodedBlob): { rowsRoot: string; proof: (pos: number) => string[] } {
  const perRow = enc.shape.cols / 32;
  const leaves = refSublineLeaves(enc);
  const rowTrees: (string[][] | undefined)[] = [];
  for (let i = 0; i < enc.shape.rowDomain; i++) {
    rowTrees.push(i < enc.rows.length ? refTree(leaves.slice(i * perRow, (i + 1) * perRow)) : undefined);
  }
  const rowsTree = refTree(rowTrees.map((t) => (t ? t[t.length - 1][0] : ZeroHash)));
  const path = (levels: string[][], p: number) => levels.slice(0, -1).map((l, h) => l[(p >> h) ^ 1]);
  return {
    rowsRoot: rowsTree[rowsTree.length - 1][0],
    proof: (pos) => [
      ...path(rowTrees[Math.floor(pos / perRow)]!, pos % perRow),
      ...path(rowsTree, Math.floor(pos / perRow)),
    ],
  };
}

describe("DA encoder roots (differential against a naive reference)", function () {
  this.timeout(60_000);
  const encoded: EncodedBlob[] = [];

  before(async function () {
    await initDaCore();
    const srs = await loadSrs();
    // C = 32 (one subline per row, n = 3, R = 4) and C = 64 (two sublines per row, n = 15, R = 16).
    for (const size of [100, 7929]) encoded.push(await encodeBlob(srs, new Uint8Array(crypto.randomBytes(size))));
  });

  it("data root = keccak256(abi.encode(rowsRoot, C, k, n)) over the same tree", function () {
    for (const enc of encoded) {
      const ref = refRowsRoot(enc);
      const { cols, dataRows, codedRows, rowDomain } = enc.shape;
      expect(enc.rowsRoot).to.equal(ref.rowsRoot);
      expect(rowsRoot(enc.rowRoots, rowDomain)).to.equal(ref.rowsRoot);
      const abi = AbiCoder.defaultAbiCoder().encode(
        ["bytes32", "uint256", "uint256", "uint256"],
        [ref.rowsRoot, cols, dataRows, codedRows],
      );
      expect(enc.dataRoot).to.equal(keccak256(abi));
      expect(dataRoot(enc.rowsRoot, cols, dataRows, codedRows)).to.equal(keccak256(abi));
    }
  });

  it("every subline proof equals the reference path and verifies; a wrong position or subline does not", function () {
    for (const enc of encoded) {
      const ref = refRowsRoot(enc);
      const { cols: C, rowDomain } = enc.shape;
      const perRow = C / 32;
      enc.rows.forEach((row, i) => {
        for (let j = 0; j < perRow; j++) {
          const subline = row.subarray(1024 * j, 1024 * (j + 1));
          expect(sublineRoot(subline)).to.equal(refSublineRoot(subline));
          const proof = sublineProof(row, i, j, enc.rowRoots, rowDomain);
          expect(proof).to.deep.equal(ref.proof(i * perRow + j));
          expect(proof).to.have.length(Math.log2(perRow) + Math.log2(rowDomain));
          expect(verifySublineProof(subline, i, j, C, proof, enc.rowsRoot)).to.equal(true);
          expect(verifySublineProof(subline, i ^ 1, j, C, proof, enc.rowsRoot)).to.equal(false);
          const flipped = Uint8Array.from(subline);
          flipped[1023] ^= 0x80;
          expect(verifySublineProof(flipped, i, j, C, proof, enc.rowsRoot)).to.equal(false);
        }
      });
    }
  });

  it("sample quality is keccak256(abi.encodePacked(...)) as the sampler computes it", function () {
    const enc = encoded[1];
    const seed = keccak256("0x1234");
    const subline = enc.rows[4].subarray(1024, 2048);
    const expected = solidityPackedKeccak256(
      ["bytes32", "uint64", "uint64", "bytes32", "uint32", "uint32", "bytes"],
      [seed, 77n, 3n, enc.dataRoot, 4, 1, subline],
    );
    expect(sampleQuality(seed, 77n, 3n, enc.dataRoot, 4, 1, subline)).to.equal(BigInt(expected));
    expect(() => sampleQuality(seed, 1n << 64n, 3n, enc.dataRoot, 4, 1, subline)).to.throw(/uint64/);
  });

  it("assigns line i to member i mod quorum size", function () {
    expect([0, 1, 5, 6, 13].map((i) => assignedMember(i, 6))).to.deep.equal([0, 1, 5, 0, 1]);
    expect(() => assignedMember(1, 0)).to.throw(/quorum size/);
  });
});
