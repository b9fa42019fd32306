// AlignmentRewards as the deploy code sets it up (hardhat params: 600 s epochs, 100 coins each, licenses 1..3 to
// accounts 1..3, rules with threshold 2), drawing from the real AlignmentVault. Reports and rules are in
// AlignmentRewards.rules.test.ts, the slashing path against a real compute provider in
// AlignmentRewards.enforce.test.ts.
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, toBeHex, zeroPadValue } from "ethers";
import type { ReentrantPayee } from "../../typechain-types";
import { alignmentFixture, type AlignmentFixture, EPOCH, nextEpoch, REWARD, ROOT } from "./helpers";

describe("AlignmentRewards", function () {
  let f: AlignmentFixture;
  beforeEach(async function () {
    f = await loadFixture(alignmentFixture);
  });

  async function balance(address: string): Promise<bigint> {
    return ethers.provider.getBalance(address);
  }

  /** Licenses 1..n attest in a fresh epoch; returns it after moving into the next one. */
  async function attestedEpoch(n = 3): Promise<bigint> {
    const e = await nextEpoch(f.rewards);
    const owners = [f.alice, f.bob, f.carol];
    for (let i = 0; i < n; i++) await f.rewards.connect(owners[i]).attest(i + 1, e, ROOT, 10, 1);
    await nextEpoch(f.rewards);
    return e;
  }

  describe("initialize", function () {
    it("records the license, vault, ComputeServing, schedule and reward from the deploy params", async function () {
      const c = f.ctx.record.contracts;
      expect(await f.rewards.license()).to.equal(c.AlignmentLicense.address);
      expect(await f.rewards.vault()).to.equal(c.AlignmentVault.address);
      expect(await f.rewards.computeServing()).to.equal(c.ComputeServing.address);
      const [start, length] = await f.rewards.schedule();
      expect(length).to.equal(EPOCH);
      expect(start).to.be.greaterThan(0n);
      expect(await f.rewards.epochReward()).to.equal(REWARD);
      expect(await f.rewards.contractName()).to.equal("AlignmentRewards");
      await expect(
        f.rewards.initialize(
          f.deployer.address,
          f.deployer.address,
          c.AlignmentLicense.address,
          c.AlignmentVault.address,
          c.ComputeServing.address,
          0,
          EPOCH,
          0,
        ),
      ).to.be.revertedWithCustomError(f.rewards, "InvalidInitialization");
    });

    it("refuses a missing contract, an epoch outside 1 minute..30 days and a reward above the vault's budget", async function () {
      const factory = await ethers.getContractFactory("AlignmentRewards");
      const c = f.ctx.record.contracts;
      const args = (over: Partial<Record<string, unknown>>) => {
        const base: Record<string, unknown> = {
          license: c.AlignmentLicense.address,
          vault: c.AlignmentVault.address,
          serving: c.ComputeServing.address,
          length: EPOCH,
          reward: REWARD,
          ...over,
        };
        return [
          f.deployer.address,
          f.deployer.address,
          base.license,
          base.vault,
          base.serving,
          0,
          base.length,
          base.reward,
        ];
      };
      const deploy = (over: Partial<Record<string, unknown>>) =>
        upgrades.deployProxy(factory, args(over), { kind: "uups" });
      await expect(deploy({ license: f.stranger.address }))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsZeroAddress")
        .withArgs("license");
      await expect(deploy({ vault: ethers.ZeroAddress }))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsZeroAddress")
        .withArgs("vault");
      await expect(deploy({ serving: f.stranger.address }))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsZeroAddress")
        .withArgs("computeServing");
      await expect(deploy({ length: 59 })).to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBadSchedule");
      await expect(deploy({ length: 30 * 24 * 3600 + 1 })).to.be.revertedWithCustomError(
        f.rewards,
        "AlignmentRewardsBadSchedule",
      );
      const budget = await f.vault.budget();
      await expect(deploy({ reward: budget + 1n }))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBadEpochReward")
        .withArgs(budget + 1n, budget);
    });
  });

  describe("currentEpoch", function () {
    it("counts epochs of epochLength from the start and refuses to answer before it", async function () {
      const c = f.ctx.record.contracts;
      const start = BigInt(await time.latest()) + 1000n;
      const later = await upgrades.deployProxy(
        await ethers.getContractFactory("AlignmentRewards"),
        [
          f.deployer.address,
          f.deployer.address,
          c.AlignmentLicense.address,
          c.AlignmentVault.address,
          c.ComputeServing.address,
          start,
          EPOCH,
          REWARD,
        ],
        { kind: "uups" },
      );
      await expect(later.currentEpoch())
        .to.be.revertedWithCustomError(later, "AlignmentRewardsNotStarted")
        .withArgs(start);
      await expect(later.connect(f.alice).attest(1, 0, ROOT, 1, 0)).to.be.revertedWithCustomError(
        later,
        "AlignmentRewardsNotStarted",
      );
      await time.increaseTo(start);
      expect(await later.currentEpoch()).to.equal(0n);
      await time.increaseTo(start + EPOCH - 1n);
      expect(await later.currentEpoch()).to.equal(0n);
      await time.increaseTo(start + 5n * EPOCH);
      expect(await later.currentEpoch()).to.equal(5n);
    });
  });

  describe("attest", function () {
    it("records the attestation of the owner or the operator and fixes the epoch's reward", async function () {
      await f.license.connect(f.bob).setOperator(2, f.operator.address);
      const e = await nextEpoch(f.rewards);
      await expect(f.rewards.connect(f.alice).attest(1, e, ROOT, 40, 3))
        .to.emit(f.rewards, "Attested")
        .withArgs(1n, e, f.alice.address, ROOT, 40n, 3n);
      await f.rewards.connect(f.operator).attest(2, e, ethers.id("other"), 7, 0);
      const a = await f.rewards.attestation(2, e);
      expect([a.reportRoot, a.attester, a.checked, a.failures, a.claimed]).to.deep.equal([
        ethers.id("other"),
        f.operator.address,
        7n,
        0n,
        false,
      ]);
      const t = await f.rewards.epochTotals(e);
      expect([t.reward, t.claimed, t.attestations]).to.deep.equal([REWARD, 0n, 2n]);
    });

    it("keeps an epoch's reward once its first attestation is in; a new reward applies from the next epoch", async function () {
      const e = await nextEpoch(f.rewards);
      await f.rewards.connect(f.alice).attest(1, e, ROOT, 1, 0);
      await f.rewards.setEpochReward(parseEther("7"));
      await f.rewards.connect(f.bob).attest(2, e, ROOT, 1, 0);
      expect((await f.rewards.epochTotals(e)).reward).to.equal(REWARD);
      const next = await nextEpoch(f.rewards);
      await f.rewards.connect(f.alice).attest(1, next, ROOT, 1, 0);
      expect((await f.rewards.epochTotals(next)).reward).to.equal(parseEther("7"));
    });

    it("refuses anyone but the owner or the operator, and an unknown license", async function () {
      const e = await nextEpoch(f.rewards);
      await expect(f.rewards.connect(f.bob).attest(1, e, ROOT, 1, 0))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsNotAuthorized")
        .withArgs(1n, f.bob.address);
      await expect(f.rewards.connect(f.alice).attest(99, e, ROOT, 1, 0)).to.be.revertedWithCustomError(
        f.rewards,
        "AlignmentRewardsNotAuthorized",
      );
      expect((await f.rewards.epochTotals(e)).attestations).to.equal(0n);
    });

    it("refuses an epoch other than the current one, and a second attestation in one epoch", async function () {
      const e = await nextEpoch(f.rewards);
      for (const other of [e - 1n, e + 1n]) {
        await expect(f.rewards.connect(f.alice).attest(1, other, ROOT, 1, 0))
          .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsWrongEpoch")
          .withArgs(other, e);
      }
      await f.rewards.connect(f.alice).attest(1, e, ROOT, 1, 0);
      await expect(f.rewards.connect(f.alice).attest(1, e, ethers.id("again"), 2, 0))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsAlreadyAttested")
        .withArgs(1n, e);
      expect((await f.rewards.attestation(1, e)).reportRoot).to.equal(ROOT);
      expect((await f.rewards.epochTotals(e)).attestations).to.equal(1n);
    });

    it("counts a license once per epoch even after it changes hands", async function () {
      const e = await nextEpoch(f.rewards);
      await f.rewards.connect(f.alice).attest(1, e, ROOT, 1, 0);
      await f.license.connect(f.alice).transferFrom(f.alice.address, f.dave.address, 1);
      await expect(f.rewards.connect(f.dave).attest(1, e, ROOT, 1, 0)).to.be.revertedWithCustomError(
        f.rewards,
        "AlignmentRewardsAlreadyAttested",
      );
    });

    it("refuses a zero report root or more failures than checks", async function () {
      const e = await nextEpoch(f.rewards);
      await expect(f.rewards.connect(f.alice).attest(1, e, ethers.ZeroHash, 1, 0))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBadAttestation")
        .withArgs(1n, 0n);
      await expect(f.rewards.connect(f.alice).attest(1, e, ROOT, 2, 3))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBadAttestation")
        .withArgs(2n, 3n);
      expect((await f.rewards.attestation(1, e)).attester).to.equal(ethers.ZeroAddress);
    });

    it("is refused while paused", async function () {
      const e = await nextEpoch(f.rewards);
      await f.rewards.pause();
      await expect(f.rewards.connect(f.alice).attest(1, e, ROOT, 1, 0)).to.be.revertedWithCustomError(
        f.rewards,
        "EnforcedPause",
      );
    });
  });

  describe("claim", function () {
    it("pays each attester an equal share of the epoch's reward from the vault, to the current owner", async function () {
      const e = await attestedEpoch(3);
      const share = REWARD / 3n;
      expect(await f.rewards.claimable(1, e)).to.equal(share);
      const vaultBefore = await f.vault.paidOut();
      const tx = f.rewards.connect(f.bob).claim(2, [e]);
      await expect(tx).to.emit(f.rewards, "Claimed").withArgs(2n, f.bob.address, [e], share);
      await expect(tx).to.changeEtherBalance(f.bob, share);
      await f.rewards.connect(f.carol).claim(3, [e]);
      // alice's license moved to dave: dave is paid.
      await f.license.connect(f.alice).transferFrom(f.alice.address, f.dave.address, 1);
      const before = await balance(f.alice.address);
      await expect(f.rewards.connect(f.dave).claim(1, [e])).to.changeEtherBalance(f.dave, share);
      expect(await balance(f.alice.address)).to.equal(before);
      const t = await f.rewards.epochTotals(e);
      expect(t.claimed).to.equal(share * 3n);
      expect(t.claimed).to.be.lessThanOrEqual(REWARD);
      expect(await f.rewards.totalClaimed()).to.equal(share * 3n);
      expect((await f.vault.paidOut()) - vaultBefore).to.equal(share * 3n);
      expect(await f.rewards.claimable(1, e)).to.equal(0n);
    });

    it("pays several epochs in one draw; the operator may claim, the owner (or its payee) is paid", async function () {
      const e1 = await attestedEpoch(1);
      await f.rewards.connect(f.alice).attest(1, e1 + 1n, ROOT, 1, 0);
      await nextEpoch(f.rewards);
      await f.license.connect(f.alice).setOperator(1, f.operator.address);
      await expect(f.rewards.connect(f.alice).setPayee(f.dave.address))
        .to.emit(f.rewards, "PayeeSet")
        .withArgs(f.alice.address, f.dave.address);
      expect(await f.rewards.payeeOf(f.alice.address)).to.equal(f.dave.address);
      const tx = f.rewards.connect(f.operator).claim(1, [e1, e1 + 1n]);
      await expect(tx)
        .to.emit(f.vault, "Drawn")
        .withArgs(await f.rewards.getAddress(), f.dave.address, REWARD * 2n, zeroPadValue(toBeHex(1), 32));
      await expect(tx).to.changeEtherBalances([f.dave, f.operator, f.alice], [REWARD * 2n, 0n, 0n]);
    });

    it("refuses an epoch not ended, not attested, already claimed, or named twice", async function () {
      const e = await attestedEpoch(1);
      await f.rewards.connect(f.alice).attest(1, e + 1n, ROOT, 1, 0);
      await expect(f.rewards.connect(f.alice).claim(1, [e + 1n]))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsEpochNotEnded")
        .withArgs(e + 1n, e + 1n);
      await expect(f.rewards.connect(f.bob).claim(2, [e]))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsNotAttested")
        .withArgs(2n, e);
      await expect(f.rewards.connect(f.alice).claim(1, [e, e]))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsAlreadyClaimed")
        .withArgs(1n, e);
      expect((await f.rewards.attestation(1, e)).claimed).to.equal(false);
      await f.rewards.connect(f.alice).claim(1, [e]);
      await expect(f.rewards.connect(f.alice).claim(1, [e]))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsAlreadyClaimed")
        .withArgs(1n, e);
      expect(await f.rewards.totalClaimed()).to.equal(REWARD);
    });

    it("refuses no epochs, more than MAX_CLAIM_EPOCHS, a stranger, and while paused", async function () {
      const e = await attestedEpoch(1);
      await expect(f.rewards.connect(f.alice).claim(1, []))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBadEpochCount")
        .withArgs(0n);
      await expect(f.rewards.connect(f.alice).claim(1, Array(65).fill(e)))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBadEpochCount")
        .withArgs(65n);
      await expect(f.rewards.connect(f.bob).claim(1, [e]))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsNotAuthorized")
        .withArgs(1n, f.bob.address);
      await f.rewards.pause();
      await expect(f.rewards.connect(f.alice).claim(1, [e])).to.be.revertedWithCustomError(f.rewards, "EnforcedPause");
      await f.rewards.unpause();
      await f.rewards.connect(f.alice).claim(1, [e]);
    });

    it("fails as a whole when the vault refuses the draw (no drawer role), leaving the epoch claimable", async function () {
      const e = await attestedEpoch(1);
      await f.vault.revokeRole(await f.vault.DRAWER_ROLE(), await f.rewards.getAddress());
      await expect(f.rewards.connect(f.alice).claim(1, [e])).to.be.revertedWithCustomError(
        f.vault,
        "AccessControlUnauthorizedAccount",
      );
      expect(await f.rewards.claimable(1, e)).to.equal(REWARD);
      expect(await f.rewards.totalClaimed()).to.equal(0n);
    });

    it("refuses a payee that re-enters claim: nothing is paid twice", async function () {
      const e = await attestedEpoch(1);
      const factory = await ethers.getContractFactory("ReentrantPayee");
      const payee = (await factory.deploy(await f.rewards.getAddress())) as unknown as ReentrantPayee;
      const payeeAddress = await payee.getAddress();
      await f.license.connect(f.alice).setOperator(1, payeeAddress);
      await f.rewards.connect(f.alice).setPayee(payeeAddress);
      await payee.claim(1, [e]);
      expect(await payee.reentered()).to.equal(false);
      expect((await payee.lastError()).slice(0, 10)).to.equal(
        f.rewards.interface.getError("ReentrancyGuardReentrantCall")!.selector,
      );
      expect(await balance(payeeAddress)).to.equal(REWARD);
      expect(await f.rewards.totalClaimed()).to.equal(REWARD);
    });

    it("marks a zero-reward epoch claimed without drawing", async function () {
      await f.rewards.setEpochReward(0);
      const e = await attestedEpoch(1);
      const paid = await f.vault.paidOut();
      await expect(f.rewards.connect(f.alice).claim(1, [e]))
        .to.emit(f.rewards, "Claimed")
        .withArgs(1n, f.alice.address, [e], 0n);
      expect(await f.vault.paidOut()).to.equal(paid);
      expect((await f.rewards.attestation(1, e)).claimed).to.equal(true);
    });
  });

  describe("setEpochReward", function () {
    it("sets the reward up to the vault's budget, admin only", async function () {
      await expect(f.rewards.setEpochReward(parseEther("5")))
        .to.emit(f.rewards, "EpochRewardSet")
        .withArgs(parseEther("5"));
      expect(await f.rewards.epochReward()).to.equal(parseEther("5"));
      const budget = await f.vault.budget();
      await expect(f.rewards.setEpochReward(budget + 1n))
        .to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsBadEpochReward")
        .withArgs(budget + 1n, budget);
      await expect(f.rewards.connect(f.alice).setEpochReward(1)).to.be.revertedWithCustomError(
        f.rewards,
        "AccessControlUnauthorizedAccount",
      );
      expect(await f.rewards.epochReward()).to.equal(parseEther("5"));
    });
  });

  describe("upgradeToAndCall", function () {
    it("keeps attestations across an upgrade and refuses another contract's implementation", async function () {
      const e = await nextEpoch(f.rewards);
      await f.rewards.connect(f.alice).attest(1, e, ROOT, 4, 1);
      const address = await f.rewards.getAddress();
      await upgrades.upgradeProxy(address, await ethers.getContractFactory("AlignmentRewards"), {
        kind: "uups",
        redeployImplementation: "always",
      });
      expect((await f.rewards.attestation(1, e)).reportRoot).to.equal(ROOT);
      expect((await f.rewards.epochTotals(e)).attestations).to.equal(1n);
      const other = await (await ethers.getContractFactory("AlignmentLicense")).deploy();
      await expect(f.rewards.upgradeToAndCall(await other.getAddress(), "0x"))
        .to.be.revertedWithCustomError(f.rewards, "ProtocolUpgradeNameMismatch")
        .withArgs("AlignmentRewards", "AlignmentLicense");
      await expect(
        f.rewards.connect(f.alice).upgradeToAndCall(await other.getAddress(), "0x"),
      ).to.be.revertedWithCustomError(f.rewards, "AccessControlUnauthorizedAccount");
    });
  });
});
