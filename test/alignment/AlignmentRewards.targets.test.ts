// Rule targets: a DA-target rule slashes a real staked DA signer through DASignerRegistry.slashSigner (the registry is
// the DA service in Staking), a None-target rule only records the case (storage nodes have no stake), and setRule /
// setDaRegistry validate per target. Compute-target enforcement is in AlignmentRewards.enforce.test.ts.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ALIGNMENT, kindId, targetId } from "../../deploy/modules/alignment";
import { daFixture, makeSigner, SLASHER_ROLE } from "../da/helpers";
import { alignmentFixture, EVIDENCE, nextEpoch, ownRewards } from "./helpers";

const [COMPUTE, DA, NONE] = (["compute", "da", "none"] as const).map((t) => BigInt(targetId(t)));
/** The devnet rules (deploy/params/hardhat.json): DA_DOWN → DA, 1000 ppm, no jail; STORAGE_DOWN → None. */
const DA_DOWN = kindId("DA_DOWN");
const STORAGE_DOWN = kindId("STORAGE_DOWN");
const DA_PPM = 1_000n;
const PPM = 1_000_000n;
/** Staking's cut: ppm of the stake, rounded up. */
const cut = (stake: bigint, ppm: bigint) => (stake * ppm + PPM - 1n) / PPM;

/** The protocol with a registered DA signer (a validator with stake, opted into the DA service) and the alignment contracts. */
async function daTargetFixture() {
  const f = await daFixture();
  const signer = await makeSigner(f, 0);
  const c = f.ctx.record.contracts;
  // Licenses 1..3 belong to accounts 1..3; the stranger holds none.
  const [, alice, bob, carol, , stranger] = await ethers.getSigners();
  return {
    ...f,
    signer,
    alice,
    bob,
    carol,
    stranger,
    rewards: await ethers.getContractAt("AlignmentRewards", c[ALIGNMENT.rewards].address),
    serving: await ethers.getContractAt("ComputeServing", c.ComputeServing.address),
  };
}

type Fixture = Awaited<ReturnType<typeof daTargetFixture>>;

/** Licenses 1 and 2 report `service` for `kind` in a fresh epoch. */
async function reported(f: Fixture, service: string, kind: string): Promise<bigint> {
  const epoch = await nextEpoch(f.rewards);
  await f.rewards.connect(f.alice).report(1, service, kind, EVIDENCE);
  await f.rewards.connect(f.bob).report(2, service, kind, ethers.id("bob's evidence"));
  return epoch;
}

describe("AlignmentRewards targets", function () {
  describe("enforce (target DA)", function () {
    it("slashes the reported DA signer through DASignerRegistry.slashSigner by exactly the rule's ppm, no jail", async function () {
      const f = await loadFixture(daTargetFixture);
      const epoch = await reported(f, f.signer.address, DA_DOWN);
      const before = (await f.staking.getValidator(f.signer.address)).bonded.stake;
      const tx = f.rewards.connect(f.stranger).enforce(f.signer.address, DA_DOWN, epoch);
      await expect(tx)
        .to.emit(f.rewards, "Enforced")
        .withArgs(f.signer.address, DA_DOWN, epoch, f.stranger.address, DA, DA_PPM, false);
      await expect(tx)
        .to.emit(f.registry, "SignerSlashed")
        .withArgs(f.signer.address, await f.rewards.getAddress(), DA_PPM, DA_DOWN, false);
      await expect(tx).to.emit(f.staking, "Slashed");
      await expect(tx).not.to.emit(f.serving, "ProviderSlashed");
      const after = await f.staking.getValidator(f.signer.address);
      expect(after.bonded.stake).to.equal(before - cut(before, DA_PPM));
      expect(after.jailed).to.equal(false);
      expect([...(await f.rewards.caseOf(f.signer.address, DA_DOWN, epoch))]).to.deep.equal([2n, true]);
      await expect(f.rewards.enforce(f.signer.address, DA_DOWN, epoch))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsAlreadyEnforced")
        .withArgs(f.signer.address, DA_DOWN, epoch);
      expect((await f.staking.getValidator(f.signer.address)).bonded.stake).to.equal(after.bonded.stake);
    });

    it("jails the signer when the rule says so", async function () {
      const f = await loadFixture(daTargetFixture);
      await f.rewards.setRule(DA_DOWN, 2, 20_000, true, DA);
      const epoch = await reported(f, f.signer.address, DA_DOWN);
      const before = (await f.staking.getValidator(f.signer.address)).bonded.stake;
      await expect(f.rewards.enforce(f.signer.address, DA_DOWN, epoch))
        .to.emit(f.registry, "SignerSlashed")
        .withArgs(f.signer.address, await f.rewards.getAddress(), 20_000n, DA_DOWN, true);
      const after = await f.staking.getValidator(f.signer.address);
      expect(after.bonded.stake).to.equal(before - cut(before, 20_000n));
      expect(after.jailed).to.equal(true);
    });

    it("passes the registry's refusals on (not a signer, no SLASHER_ROLE) and leaves the case open", async function () {
      const f = await loadFixture(daTargetFixture);
      // A DA-target case against an address that never registered a signer.
      const epoch = await reported(f, f.stranger.address, DA_DOWN);
      await expect(f.rewards.enforce(f.stranger.address, DA_DOWN, epoch))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryUnknownSigner")
        .withArgs(f.stranger.address);
      expect((await f.rewards.caseOf(f.stranger.address, DA_DOWN, epoch)).enforced).to.equal(false);
      await f.rewards.connect(f.alice).report(1, f.signer.address, DA_DOWN, EVIDENCE);
      await f.rewards.connect(f.bob).report(2, f.signer.address, DA_DOWN, EVIDENCE);
      await f.registry.revokeRole(SLASHER_ROLE, await f.rewards.getAddress());
      await expect(f.rewards.enforce(f.signer.address, DA_DOWN, epoch)).to.be.revertedWithCustomError(
        f.registry,
        "AccessControlUnauthorizedAccount",
      );
      expect((await f.rewards.caseOf(f.signer.address, DA_DOWN, epoch)).enforced).to.equal(false);
      expect((await f.staking.getValidator(f.signer.address)).jailed).to.equal(false);
    });

    it("goes to the target current when enforce runs: a DA case re-targeted to None is recorded, not slashed", async function () {
      const f = await loadFixture(daTargetFixture);
      const epoch = await reported(f, f.signer.address, DA_DOWN);
      await f.rewards.setRule(DA_DOWN, 2, 0, false, NONE);
      const before = await f.staking.getValidator(f.signer.address);
      await expect(f.rewards.enforce(f.signer.address, DA_DOWN, epoch))
        .to.emit(f.rewards, "Enforced")
        .withArgs(f.signer.address, DA_DOWN, epoch, f.deployer.address, NONE, 0n, false);
      expect((await f.staking.getValidator(f.signer.address)).bonded.stake).to.equal(before.bonded.stake);
    });
  });

  describe("enforce (target None)", function () {
    it("records a storage case once its threshold is reached: Enforced, no slash anywhere, a second enforce refused", async function () {
      const f = await loadFixture(daTargetFixture);
      // A storage node's id (no stake, no registry); the DA signer is reported too, to show None never slashes.
      const storageNode = ethers.getAddress(ethers.dataSlice(ethers.id("http://storage-0:5678"), 12));
      for (const service of [storageNode, f.signer.address]) {
        const epoch = await reported(f, service, STORAGE_DOWN);
        const stake = (await f.staking.getValidator(f.signer.address)).bonded.stake;
        const tx = f.rewards.connect(f.stranger).enforce(service, STORAGE_DOWN, epoch);
        await expect(tx)
          .to.emit(f.rewards, "Enforced")
          .withArgs(service, STORAGE_DOWN, epoch, f.stranger.address, NONE, 0n, false);
        await expect(tx).not.to.emit(f.staking, "Slashed");
        await expect(tx).not.to.emit(f.registry, "SignerSlashed");
        await expect(tx).not.to.emit(f.serving, "ProviderSlashed");
        expect([...(await f.rewards.caseOf(service, STORAGE_DOWN, epoch))]).to.deep.equal([2n, true]);
        expect((await f.staking.getValidator(f.signer.address)).bonded.stake).to.equal(stake);
        await expect(f.rewards.enforce(service, STORAGE_DOWN, epoch))
          .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsAlreadyEnforced")
          .withArgs(service, STORAGE_DOWN, epoch);
      }
      expect((await f.staking.getValidator(f.signer.address)).jailed).to.equal(false);
    });

    it("still needs the threshold and an open rule", async function () {
      const f = await loadFixture(daTargetFixture);
      const epoch = await nextEpoch(f.rewards);
      await f.rewards.connect(f.alice).report(1, f.stranger.address, STORAGE_DOWN, EVIDENCE);
      await expect(f.rewards.enforce(f.stranger.address, STORAGE_DOWN, epoch))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBelowThreshold")
        .withArgs(1n, 2n);
      await f.rewards.connect(f.bob).report(2, f.stranger.address, STORAGE_DOWN, EVIDENCE);
      await f.rewards.setRule(STORAGE_DOWN, 0, 0, false, COMPUTE);
      await expect(f.rewards.enforce(f.stranger.address, STORAGE_DOWN, epoch))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsUnknownKind")
        .withArgs(STORAGE_DOWN);
      expect((await f.rewards.caseOf(f.stranger.address, STORAGE_DOWN, epoch)).enforced).to.equal(false);
    });
  });

  describe("report", function () {
    it("keeps its authorization for every target: only a license's owner or operator, not while paused", async function () {
      const f = await loadFixture(daTargetFixture);
      const epoch = await nextEpoch(f.rewards);
      for (const kind of [DA_DOWN, STORAGE_DOWN]) {
        await expect(f.rewards.connect(f.stranger).report(1, f.signer.address, kind, EVIDENCE))
          .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsNotAuthorized")
          .withArgs(1n, f.stranger.address);
        await expect(f.rewards.connect(f.alice).report(2, f.signer.address, kind, EVIDENCE))
          .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsNotAuthorized")
          .withArgs(2n, f.alice.address);
        expect((await f.rewards.caseOf(f.signer.address, kind, epoch)).reports).to.equal(0n);
      }
      await f.rewards.pause();
      await expect(
        f.rewards.connect(f.alice).report(1, f.signer.address, DA_DOWN, EVIDENCE),
      ).to.be.revertedWithCustomError(f.rewards, "EnforcedPause");
      await f.rewards.unpause();
      await f.rewards.connect(f.alice).report(1, f.signer.address, DA_DOWN, EVIDENCE);
      await f.rewards.connect(f.bob).report(2, f.signer.address, DA_DOWN, EVIDENCE);
      await f.rewards.pause();
      await expect(f.rewards.enforce(f.signer.address, DA_DOWN, epoch)).to.be.revertedWithCustomError(
        f.rewards,
        "EnforcedPause",
      );
    });
  });

  describe("setRule", function () {
    it("takes each target with valid terms and emits the target", async function () {
      const f = await loadFixture(alignmentFixture);
      const kind = kindId("SOME_FAULT");
      for (const [ppm, jail, target] of [
        [1n, true, COMPUTE],
        [1_000_000n, false, DA],
        [0n, false, NONE],
      ] as const) {
        await expect(f.rewards.setRule(kind, 16, ppm, jail, target))
          .to.emit(f.rewards, "RuleSet")
          .withArgs(kind, 16n, ppm, jail, target);
        expect([...(await f.rewards.rule(kind))]).to.deep.equal([16n, ppm, jail, target]);
      }
    });

    it("refuses None with a slash or a jail, DA or Compute without a ppm in 1..1e6, and an unknown target", async function () {
      const f = await loadFixture(alignmentFixture);
      const kind = kindId("SOME_FAULT");
      await f.rewards.setRule(kind, 3, 7, true, DA);
      for (const [ppm, jail, target] of [
        [1, false, NONE],
        [0, true, NONE],
        [0, false, DA],
        [1_000_001, false, DA],
        [0, true, COMPUTE],
      ] as const) {
        await expect(f.rewards.setRule(kind, 2, ppm, jail, target))
          .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBadRule")
          .withArgs(kind, 2n, ppm, jail, target);
      }
      // Not a Target: the ABI decoder refuses it.
      await expect(f.rewards.setRule(kind, 2, 0, false, 3)).to.be.reverted;
      expect([...(await f.rewards.rule(kind))]).to.deep.equal([3n, 7n, true, DA]);
    });

    it("refuses a DA rule until the DA registry is set", async function () {
      const f = await loadFixture(alignmentFixture);
      const { rewards } = await ownRewards(f, 1000n, 10n);
      const kind = kindId("DA_DOWN");
      expect(await rewards.daRegistry()).to.equal(ethers.ZeroAddress);
      await expect(rewards.setRule(kind, 2, 1000, false, DA))
        .to.be.revertedWithCustomError(rewards, "AlignmentRewardsNoDaRegistry")
        .withArgs(kind);
      await rewards.setRule(kind, 2, 0, false, NONE);
      await rewards.setDaRegistry(f.ctx.record.contracts.DASignerRegistry.address);
      await rewards.setRule(kind, 2, 1000, false, DA);
      expect((await rewards.rule(kind)).target).to.equal(DA);
    });
  });

  describe("setDaRegistry", function () {
    it("is set to the deployed DASignerRegistry on a devnet, admin only, and refuses an address without code", async function () {
      const f = await loadFixture(alignmentFixture);
      const registry = f.ctx.record.contracts.DASignerRegistry.address;
      expect(await f.rewards.daRegistry()).to.equal(registry);
      const other = await f.license.getAddress();
      await expect(f.rewards.setDaRegistry(other)).to.emit(f.rewards, "DaRegistrySet").withArgs(other);
      expect(await f.rewards.daRegistry()).to.equal(other);
      for (const bad of [ethers.ZeroAddress, f.stranger.address]) {
        await expect(f.rewards.setDaRegistry(bad))
          .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsZeroAddress")
          .withArgs("daRegistry");
      }
      await expect(f.rewards.connect(f.alice).setDaRegistry(registry)).to.be.revertedWithCustomError(
        f.rewards,
        "AccessControlUnauthorizedAccount",
      );
      expect(await f.rewards.daRegistry()).to.equal(other);
    });
  });
});
