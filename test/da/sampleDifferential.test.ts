// Differential: the TypeScript encoder's rows, roots, subline proofs and sampling qualities against SampleLib, the
// code DASampler and DAChallenge run. Real encoded blobs of random sizes and shapes, random positions and seeds.
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { hexlify, randomBytes } from "ethers";
import * as core from "../../offchain/da/core";

describe("DA sampling format: TypeScript encoder = SampleLib", function () {
  this.timeout(120_000);
  let srs: core.Srs;

  before(async () => {
    await core.initDaCore();
    srs = await core.loadSrs();
  });

  async function harness() {
    return ethers.deployContract("SampleLibHarness");
  }

  it("accepts every subline proof and computes the same quality, for random blobs and positions", async () => {
    const lib = await harness();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40_000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 4 }),
        fc.nat(),
        fc.nat(),
        async (size, maxDataRows, blowup, line, sub) => {
          const blob = await core.encodeBlob(srs, randomBytes(size), { maxDataRows, blowup });
          const { cols, dataRows, codedRows, rowDomain } = blob.shape;
          const i = line % codedRows;
          const j = sub % (cols / core.SUBLINE_SCALARS);
          const row = blob.rows[i];
          const subline = row.subarray(j * core.SUBLINE_BYTES, (j + 1) * core.SUBLINE_BYTES);
          const proof = core.sublineProof(row, i, j, blob.rowRoots, rowDomain);
          const inclusion = core.rowInclusionProof(blob.rowRoots, rowDomain, i);
          expect(core.sublineProofFromRow(row, j, inclusion)).to.deep.equal(proof);
          const shape: [number, number, number] = [cols, dataRows, codedRows];
          await lib.check(blob.dataRoot, blob.rowsRoot, shape, i, j, subline, proof);

          const seed = hexlify(randomBytes(32));
          const epoch = BigInt(size);
          expect(await lib.quality(seed, epoch, 7n, blob.dataRoot, i, j, subline)).to.equal(
            core.sampleQuality(seed, epoch, 7n, blob.dataRoot, i, j, subline),
          );

          // The neighbour's bytes under this position's proof are refused.
          const other = row.subarray(((j + 1) % (cols / 32)) * 1024, (((j + 1) % (cols / 32)) + 1) * 1024);
          if (Buffer.compare(other, subline) !== 0) {
            await expect(
              lib.check(blob.dataRoot, blob.rowsRoot, shape, i, j, other, proof),
            ).to.be.revertedWithCustomError(lib, "SampleLibInvalidProof");
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
