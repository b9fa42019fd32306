import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { parseEther } from "ethers";
import { BLOB_PRICE, certificate, certificateHash, commitmentOf, quorumFixture, root } from "./helpers";

const STAKES = [1n, 2n, 3n, 5n, 8n, 13n].map((n) => parseEther(String(n * 10n)));
const TOTAL = STAKES.reduce((a, b) => a + b, 0n);

async function unevenQuorum() {
  return quorumFixture(STAKES.length, STAKES);
}

describe("DAEntrance (property)", function () {
  it("accepts a certificate exactly when the signers hold at least 2/3 of the weight", async function () {
    const f = await loadFixture(unevenQuorum);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.subarray([0, 1, 2, 3, 4, 5]), async (absent) => {
        const dataRoot = root(1000 + n++);
        await f.entrance.submitOriginalData([dataRoot], { value: BLOB_PRICE });
        const signed = TOTAL - absent.reduce((a, i) => a + STAKES[i], 0n);
        const cert = certificate(f.signers, absent, dataRoot, f.epoch, 0n, commitmentOf(n));
        const call = f.entrance.submitVerifiedCommitRoots([cert]);
        if (signed > 0n && 3n * signed >= 2n * TOTAL) {
          await expect(call).to.emit(f.entrance, "CommitRootVerified");
          expect(await f.entrance.certificateHash(dataRoot, f.epoch, 0)).to.equal(
            certificateHash(cert.commitment, cert.nonSignerPubkeys),
          );
        } else {
          await expect(call)
            .to.be.revertedWithCustomError(f.entrance, "DAEntranceInsufficientSignedWeight")
            .withArgs(signed, TOTAL);
        }
      }),
      { numRuns: 30 },
    );
  });
});
