// The enforce path end to end for compute-target rules: licensed nodes report a real compute provider (a validator
// with stake, opted into the compute service), and enforce slashes it through ComputeServing.slashProvider in the real
// Staking. DA and record-only targets are in AlignmentRewards.targets.test.ts.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { kindId, targetId } from "../../deploy/modules/alignment";
import { BAD_SIGNATURE, enforceFixture, EVIDENCE, nextEpoch, OVERBILLING, WRONG_MODEL } from "./helpers";

const COMPUTE = BigInt(targetId("compute"));

describe("AlignmentRewards.enforce", function () {
  async function reported(kind = BAD_SIGNATURE) {
    const f = await loadFixture(enforceFixture);
    const epoch = await nextEpoch(f.rewards);
    await f.rewards.connect(f.alice).report(1, f.provider.address, kind, EVIDENCE);
    await f.rewards.connect(f.bob).report(2, f.provider.address, kind, ethers.id("bob's evidence"));
    return { ...f, epoch };
  }

  it("slashes and jails the provider once the threshold of distinct licenses reported it", async function () {
    const f = await reported();
    const before = (await f.staking.getValidator(f.provider.address)).bonded.stake;
    const tx = f.rewards.connect(f.stranger).enforce(f.provider.address, BAD_SIGNATURE, f.epoch);
    await expect(tx)
      .to.emit(f.rewards, "Enforced")
      .withArgs(f.provider.address, BAD_SIGNATURE, f.epoch, f.stranger.address, COMPUTE, 10_000n, true);
    await expect(tx)
      .to.emit(f.serving, "ProviderSlashed")
      .withArgs(f.provider.address, await f.rewards.getAddress(), 10_000n, BAD_SIGNATURE, true);
    await expect(tx).to.emit(f.staking, "Slashed");
    const after = await f.staking.getValidator(f.provider.address);
    expect(after.bonded.stake).to.equal(before - before / 100n);
    expect(after.jailed).to.equal(true);
    expect([...(await f.rewards.caseOf(f.provider.address, BAD_SIGNATURE, f.epoch))]).to.deep.equal([2n, true]);
  });

  it("slashes without jailing where the rule says so (overbilling)", async function () {
    const f = await reported(OVERBILLING);
    const before = (await f.staking.getValidator(f.provider.address)).bonded.stake;
    await f.rewards.enforce(f.provider.address, OVERBILLING, f.epoch);
    const after = await f.staking.getValidator(f.provider.address);
    expect(after.bonded.stake).to.equal(before - (before * 5_000n) / 1_000_000n);
    expect(after.jailed).to.equal(false);
  });

  it("enforces a case once only", async function () {
    const f = await reported();
    await f.rewards.enforce(f.provider.address, BAD_SIGNATURE, f.epoch);
    const stake = (await f.staking.getValidator(f.provider.address)).bonded.stake;
    await expect(f.rewards.enforce(f.provider.address, BAD_SIGNATURE, f.epoch))
      .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsAlreadyEnforced")
      .withArgs(f.provider.address, BAD_SIGNATURE, f.epoch);
    expect((await f.staking.getValidator(f.provider.address)).bonded.stake).to.equal(stake);
  });

  it("refuses a case below the threshold, another epoch's case, and a kind without a rule", async function () {
    const f = await loadFixture(enforceFixture);
    const epoch = await nextEpoch(f.rewards);
    await f.rewards.connect(f.alice).report(1, f.provider.address, WRONG_MODEL, EVIDENCE);
    await expect(f.rewards.enforce(f.provider.address, WRONG_MODEL, epoch))
      .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBelowThreshold")
      .withArgs(1n, 2n);
    await expect(f.rewards.enforce(f.provider.address, WRONG_MODEL, epoch + 1n))
      .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBelowThreshold")
      .withArgs(0n, 2n);
    const unknown = kindId("COMPUTE_SLOW");
    await expect(f.rewards.enforce(f.provider.address, unknown, epoch))
      .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsUnknownKind")
      .withArgs(unknown);
    expect((await f.staking.getValidator(f.provider.address)).jailed).to.equal(false);
  });

  it("reads the rule when it runs: a raised threshold holds a case back, a removed rule stops it", async function () {
    const f = await reported();
    await f.rewards.setRule(BAD_SIGNATURE, 3, 10_000, true, COMPUTE);
    await expect(f.rewards.enforce(f.provider.address, BAD_SIGNATURE, f.epoch))
      .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBelowThreshold")
      .withArgs(2n, 3n);
    await f.rewards.setRule(BAD_SIGNATURE, 0, 0, false, COMPUTE);
    await expect(f.rewards.enforce(f.provider.address, BAD_SIGNATURE, f.epoch)).to.be.revertedWithCustomError(
      f.rewards,
      "AlignmentRewardsUnknownKind",
    );
  });

  it("passes Staking's refusal on (a slash above the compute service's per-epoch cap) and leaves the case open", async function () {
    const f = await reported();
    // The compute service's cap is 100 000 ppm per epoch (deploy default).
    await f.rewards.setRule(BAD_SIGNATURE, 2, 200_000, true, COMPUTE);
    await expect(f.rewards.enforce(f.provider.address, BAD_SIGNATURE, f.epoch))
      .to.be.revertedWithCustomError(f.staking, "StakingSlashCapExceeded")
      .withArgs(0n, 200_000n, 100_000n);
    expect((await f.rewards.caseOf(f.provider.address, BAD_SIGNATURE, f.epoch)).enforced).to.equal(false);
    await f.rewards.setRule(BAD_SIGNATURE, 2, 10_000, true, COMPUTE);
    await f.rewards.enforce(f.provider.address, BAD_SIGNATURE, f.epoch);
    expect((await f.staking.getValidator(f.provider.address)).jailed).to.equal(true);
  });

  it("is refused without SLASHER_ROLE on ComputeServing, and while paused", async function () {
    const f = await reported();
    await f.rewards.pause();
    await expect(f.rewards.enforce(f.provider.address, BAD_SIGNATURE, f.epoch)).to.be.revertedWithCustomError(
      f.rewards,
      "EnforcedPause",
    );
    await f.rewards.unpause();
    await f.serving.revokeRole(ethers.id("SLASHER_ROLE"), await f.rewards.getAddress());
    await expect(f.rewards.enforce(f.provider.address, BAD_SIGNATURE, f.epoch)).to.be.revertedWithCustomError(
      f.serving,
      "AccessControlUnauthorizedAccount",
    );
    expect((await f.rewards.caseOf(f.provider.address, BAD_SIGNATURE, f.epoch)).enforced).to.equal(false);
  });
});
