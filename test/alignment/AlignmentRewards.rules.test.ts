// AlignmentRewards' reports and governance rules, as the deploy code sets it up (hardhat params: rules with
// threshold 2, licenses 1..3 to accounts 1..3). Attesting and claiming are in AlignmentRewards.test.ts.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { kindId, targetId } from "../../deploy/modules/alignment";
import { alignmentFixture, type AlignmentFixture, BAD_SIGNATURE, EVIDENCE, nextEpoch, OVERBILLING } from "./helpers";

const [COMPUTE, DA, NONE] = (["compute", "da", "none"] as const).map((t) => BigInt(targetId(t)));

describe("AlignmentRewards reports and rules", function () {
  let f: AlignmentFixture;
  beforeEach(async function () {
    f = await loadFixture(alignmentFixture);
  });

  describe("report", function () {
    it("counts distinct licenses per (service, kind, epoch)", async function () {
      const e = await nextEpoch(f.rewards);
      const service = f.stranger.address;
      await expect(f.rewards.connect(f.alice).report(1, service, BAD_SIGNATURE, EVIDENCE))
        .to.emit(f.rewards, "Reported")
        .withArgs(1n, service, BAD_SIGNATURE, e, EVIDENCE, 1n);
      await f.rewards.connect(f.bob).report(2, service, BAD_SIGNATURE, EVIDENCE);
      await f.rewards.connect(f.bob).report(2, service, OVERBILLING, EVIDENCE);
      expect([...(await f.rewards.caseOf(service, BAD_SIGNATURE, e))]).to.deep.equal([2n, false]);
      expect([...(await f.rewards.caseOf(service, OVERBILLING, e))]).to.deep.equal([1n, false]);
      expect(await f.rewards.hasReported(1, service, BAD_SIGNATURE, e)).to.equal(true);
      expect(await f.rewards.hasReported(3, service, BAD_SIGNATURE, e)).to.equal(false);
      // A new epoch starts a new case.
      const next = await nextEpoch(f.rewards);
      await f.rewards.connect(f.alice).report(1, service, BAD_SIGNATURE, EVIDENCE);
      expect((await f.rewards.caseOf(service, BAD_SIGNATURE, next)).reports).to.equal(1n);
    });

    it("refuses a second report by one license, even after a transfer", async function () {
      const e = await nextEpoch(f.rewards);
      await f.rewards.connect(f.alice).report(1, f.stranger.address, BAD_SIGNATURE, EVIDENCE);
      await expect(f.rewards.connect(f.alice).report(1, f.stranger.address, BAD_SIGNATURE, ethers.id("more")))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsAlreadyReported")
        .withArgs(1n, f.stranger.address, BAD_SIGNATURE, e);
      await f.license.connect(f.alice).transferFrom(f.alice.address, f.dave.address, 1);
      await expect(
        f.rewards.connect(f.dave).report(1, f.stranger.address, BAD_SIGNATURE, EVIDENCE),
      ).to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsAlreadyReported");
      expect((await f.rewards.caseOf(f.stranger.address, BAD_SIGNATURE, e)).reports).to.equal(1n);
    });

    it("refuses a kind without a rule, no evidence, a zero service, a stranger, and while paused", async function () {
      await nextEpoch(f.rewards);
      const unknown = kindId("STORAGE_NOT_SERVING");
      await expect(f.rewards.connect(f.alice).report(1, f.stranger.address, unknown, EVIDENCE))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsUnknownKind")
        .withArgs(unknown);
      await expect(
        f.rewards.connect(f.alice).report(1, f.stranger.address, BAD_SIGNATURE, ethers.ZeroHash),
      ).to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsNoEvidence");
      await expect(f.rewards.connect(f.alice).report(1, ethers.ZeroAddress, BAD_SIGNATURE, EVIDENCE))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsZeroAddress")
        .withArgs("service");
      await expect(f.rewards.connect(f.stranger).report(1, f.stranger.address, BAD_SIGNATURE, EVIDENCE))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsNotAuthorized")
        .withArgs(1n, f.stranger.address);
      await f.rewards.pause();
      await expect(
        f.rewards.connect(f.alice).report(1, f.stranger.address, BAD_SIGNATURE, EVIDENCE),
      ).to.be.revertedWithCustomError(f.rewards, "EnforcedPause");
    });
  });

  describe("setRule", function () {
    it("has the deploy params' rules, each with its target", async function () {
      expect([...(await f.rewards.rule(BAD_SIGNATURE))]).to.deep.equal([2n, 10_000n, true, COMPUTE]);
      expect([...(await f.rewards.rule(kindId("COMPUTE_WRONG_MODEL")))]).to.deep.equal([2n, 10_000n, true, COMPUTE]);
      expect([...(await f.rewards.rule(OVERBILLING))]).to.deep.equal([2n, 5_000n, false, COMPUTE]);
      expect([...(await f.rewards.rule(kindId("DA_DOWN")))]).to.deep.equal([2n, 1_000n, false, DA]);
      expect([...(await f.rewards.rule(kindId("STORAGE_DOWN")))]).to.deep.equal([2n, 0n, false, NONE]);
    });

    it("sets and removes a rule, admin only", async function () {
      const kind = kindId("COMPUTE_SLOW");
      await expect(f.rewards.setRule(kind, 3, 1, false, COMPUTE))
        .to.emit(f.rewards, "RuleSet")
        .withArgs(kind, 3n, 1n, false, COMPUTE);
      expect([...(await f.rewards.rule(kind))]).to.deep.equal([3n, 1n, false, COMPUTE]);
      await f.rewards.setRule(kind, 0, 0, false, COMPUTE);
      expect([...(await f.rewards.rule(kind))]).to.deep.equal([0n, 0n, false, COMPUTE]);
      for (const target of [COMPUTE, DA, NONE]) {
        await expect(f.rewards.connect(f.alice).setRule(kind, 1, 0, false, target)).to.be.revertedWithCustomError(
          f.rewards,
          "AccessControlUnauthorizedAccount",
        );
      }
    });

    it("refuses a threshold above the license cap, a ppm outside 1..1e6, and a removal with terms", async function () {
      const kind = kindId("COMPUTE_SLOW");
      for (const [threshold, ppm, jail, target] of [
        [17, 1, false, COMPUTE],
        [17, 0, false, NONE],
        [1, 0, false, COMPUTE],
        [1, 1_000_001, false, COMPUTE],
        [0, 1, false, COMPUTE],
        [0, 0, true, COMPUTE],
        [0, 0, false, DA],
        [0, 0, false, NONE],
      ] as const) {
        await expect(f.rewards.setRule(kind, threshold, ppm, jail, target))
          .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBadRule")
          .withArgs(kind, threshold, ppm, jail, target);
      }
      expect((await f.rewards.rule(kind)).threshold).to.equal(0n);
    });
  });
});
