import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, parseEther } from "ethers";
import {
  CONTRACT_PARAMS,
  DAY,
  REASON,
  SELF_STAKE,
  SERVICE_CAP,
  VIRTUAL_SHARES,
  ppmUp,
  validatorsFixture,
} from "./helpers";

const UNBONDING = 7 * DAY;
const DOUBLE_SIGN = ethers.id("DOUBLE_SIGN");
const DOWNTIME = ethers.id("DOWNTIME");

describe("Staking: shared security", () => {
  describe("registerService", () => {
    it("registers an active service with its per-epoch cap", async () => {
      const { staking, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.registerService(stranger.address, "da", 10_000))
        .to.emit(staking, "ServiceRegistered")
        .withArgs(stranger.address, "da", 10_000);
      const svc = await staking.getService(stranger.address);
      expect([svc.registered, svc.active, svc.maxSlashPpmPerEpoch, svc.name]).to.deep.equal([
        true,
        true,
        10_000n,
        "da",
      ]);
    });

    it("reverts when the service is already registered", async () => {
      const { staking, service } = await loadFixture(validatorsFixture);
      await expect(staking.registerService(service.address, "again", 1))
        .to.be.revertedWithCustomError(staking, "StakingServiceAlreadyRegistered")
        .withArgs(service.address);
    });

    it("reverts for the zero address or a cap of 0 or above 1e6 ppm", async () => {
      const { staking, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.registerService(ZeroAddress, "x", 1)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAddress",
      );
      await expect(staking.registerService(stranger.address, "x", 0))
        .to.be.revertedWithCustomError(staking, "StakingInvalidSlashPpm")
        .withArgs(0);
      await expect(staking.registerService(stranger.address, "x", 1_000_001))
        .to.be.revertedWithCustomError(staking, "StakingInvalidSlashPpm")
        .withArgs(1_000_001);
    });

    it("reverts for a caller without the admin role", async () => {
      const { staking, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(stranger).registerService(stranger.address, "x", 1))
        .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, ethers.ZeroHash);
    });
  });

  describe("deactivateService", () => {
    it("stops the service from slashing and from being opted into", async () => {
      const { staking, service, op1, alice } = await loadFixture(validatorsFixture);
      await expect(staking.deactivateService(service.address))
        .to.emit(staking, "ServiceDeactivated")
        .withArgs(service.address);
      expect((await staking.getService(service.address)).active).to.equal(false);
      expect(await staking.serviceStake(op1.address, service.address)).to.equal(0n);
      await expect(staking.connect(service).slash(op1.address, 1, REASON, false))
        .to.be.revertedWithCustomError(staking, "StakingServiceNotActive")
        .withArgs(service.address);
      await staking.connect(alice).registerValidator("0x01", "", 0, 0, 0, { value: SELF_STAKE });
      await expect(staking.connect(alice).optIn(service.address))
        .to.be.revertedWithCustomError(staking, "StakingServiceNotActive")
        .withArgs(service.address);
      await expect(staking.deactivateService(service.address))
        .to.be.revertedWithCustomError(staking, "StakingServiceNotActive")
        .withArgs(service.address);
    });

    it("reverts for an unregistered service or a caller without the admin role", async () => {
      const { staking, service, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.deactivateService(stranger.address))
        .to.be.revertedWithCustomError(staking, "StakingServiceNotRegistered")
        .withArgs(stranger.address);
      await expect(staking.connect(stranger).deactivateService(service.address)).to.be.revertedWithCustomError(
        staking,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("optIn", () => {
    it("opts the caller's validator in; its effective stake becomes the service's weight", async () => {
      const { staking, op1, stranger } = await loadFixture(validatorsFixture);
      await staking.registerService(stranger.address, "da", 10_000);
      expect(await staking.isOptedIn(op1.address, stranger.address)).to.equal(false);
      expect(await staking.serviceStake(op1.address, stranger.address)).to.equal(0n);
      await expect(staking.connect(op1).optIn(stranger.address))
        .to.emit(staking, "OptedIn")
        .withArgs(op1.address, stranger.address);
      expect(await staking.isOptedIn(op1.address, stranger.address)).to.equal(true);
      expect(await staking.serviceStake(op1.address, stranger.address)).to.equal(SELF_STAKE);
      expect((await staking.getOptIn(op1.address, stranger.address)).optedInAt).to.equal(BigInt(await time.latest()));
    });

    it("reverts when already opted in", async () => {
      const { staking, service, op1 } = await loadFixture(validatorsFixture);
      await expect(staking.connect(op1).optIn(service.address))
        .to.be.revertedWithCustomError(staking, "StakingAlreadyOptedIn")
        .withArgs(op1.address, service.address);
    });

    it("reverts for an unregistered service or a caller that is not an active validator", async () => {
      const { staking, service, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(op1).optIn(stranger.address))
        .to.be.revertedWithCustomError(staking, "StakingServiceNotRegistered")
        .withArgs(stranger.address);
      await expect(staking.connect(stranger).optIn(service.address))
        .to.be.revertedWithCustomError(staking, "StakingUnknownValidator")
        .withArgs(stranger.address);
    });
  });

  describe("optOut", () => {
    it("keeps the validator slashable until unbondingDelay has passed, then lets it opt in again", async () => {
      const { staking, service, op1 } = await loadFixture(validatorsFixture);
      const at = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(at);
      const tx = staking.connect(op1).optOut(service.address);
      const effectiveAt = at + UNBONDING;
      await expect(tx).to.emit(staking, "OptOutRequested").withArgs(op1.address, service.address, effectiveAt);
      expect(await staking.isOptedIn(op1.address, service.address)).to.equal(true);
      await expect(staking.connect(op1).optOut(service.address))
        .to.be.revertedWithCustomError(staking, "StakingOptOutPending")
        .withArgs(op1.address, service.address, effectiveAt);
      await expect(staking.connect(service).slash(op1.address, 1, REASON, false)).to.emit(staking, "Slashed");
      await time.increaseTo(effectiveAt);
      expect(await staking.isOptedIn(op1.address, service.address)).to.equal(false);
      expect(await staking.serviceStake(op1.address, service.address)).to.equal(0n);
      await expect(staking.connect(service).slash(op1.address, 1, REASON, false))
        .to.be.revertedWithCustomError(staking, "StakingNotOptedIn")
        .withArgs(op1.address, service.address);
      await expect(staking.connect(op1).optIn(service.address)).to.emit(staking, "OptedIn");
      expect(await staking.isOptedIn(op1.address, service.address)).to.equal(true);
    });

    it("reverts when not opted in", async () => {
      const { staking, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(op1).optOut(stranger.address))
        .to.be.revertedWithCustomError(staking, "StakingNotOptedIn")
        .withArgs(op1.address, stranger.address);
    });
  });

  describe("slash", () => {
    it("takes the same fraction of bonded stake and of every pending withdrawal into the treasury", async () => {
      const { staking, service, op1, alice, bob } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("50") });
      await staking.connect(bob).delegate(op1.address, { value: parseEther("50") });
      await staking.connect(bob).undelegate(op1.address, parseEther("20") * VIRTUAL_SHARES); // entry 1
      const before = await staking.getValidator(op1.address);
      const entryBefore = await staking.withdrawalValue(1);
      const ppm = 100_000n;
      const bondedCut = ppmUp(before.bonded.stake, ppm);
      const unbondingCut = ppmUp(before.unbonding.stake, ppm);
      const [bonded0, unbonding0, , treasury0] = await staking.totals();
      await expect(staking.connect(service).slash(op1.address, ppm, REASON, false))
        .to.emit(staking, "Slashed")
        .withArgs(op1.address, service.address, REASON, ppm, bondedCut, unbondingCut, 0)
        .and.not.to.emit(staking, "Jailed");
      const after = await staking.getValidator(op1.address);
      expect(after.bonded.stake).to.equal(before.bonded.stake - bondedCut);
      expect(after.bonded.shares).to.equal(before.bonded.shares);
      expect(after.jailed).to.equal(false);
      // The pending entry lost the same 10 % (within rounding).
      expect(await staking.withdrawalValue(1)).to.be.closeTo((entryBefore * 9n) / 10n, 2n);
      const [bonded1, unbonding1, , treasury1] = await staking.totals();
      expect(bonded0 - bonded1).to.equal(bondedCut);
      expect(unbonding0 - unbonding1).to.equal(unbondingCut);
      expect(treasury1 - treasury0).to.equal(bondedCut + unbondingCut);
    });

    it("jails the validator when asked", async () => {
      const { staking, service, op1 } = await loadFixture(validatorsFixture);
      const at = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(at);
      const tx = staking.connect(service).slash(op1.address, 1000, REASON, true);
      const until = at + DAY;
      await expect(tx).to.emit(staking, "Jailed").withArgs(op1.address, until);
      expect(await staking.effectiveStake(op1.address)).to.equal(0n);
      expect(await staking.serviceStake(op1.address, service.address)).to.equal(0n);
    });

    it("can slash an exited validator's pending withdrawals while it is still opted in", async () => {
      const { staking, service, op1 } = await loadFixture(validatorsFixture);
      await staking.connect(op1).undelegate(op1.address, await staking.sharesOf(op1.address, op1.address));
      const entry = await staking.withdrawalValue(1);
      await expect(staking.connect(service).slash(op1.address, 500_000, REASON, true))
        .to.emit(staking, "Slashed")
        .withArgs(op1.address, service.address, REASON, 500_000, 0, ppmUp(entry, 500_000n), 0);
    });

    it("reverts above the service's cap per validator per epoch, and allows it again next epoch", async () => {
      const { staking, service, op1, op2 } = await loadFixture(validatorsFixture);
      await time.increaseTo(Math.ceil((await time.latest()) / DAY) * DAY + 10);
      await staking.connect(service).slash(op1.address, 300_000, REASON, false);
      await expect(staking.connect(service).slash(op1.address, 200_001, REASON, false))
        .to.be.revertedWithCustomError(staking, "StakingSlashCapExceeded")
        .withArgs(300_000, 200_001, SERVICE_CAP);
      // The cap is per validator: another validator has its own budget.
      await staking.connect(service).slash(op2.address, SERVICE_CAP, REASON, false);
      await staking.connect(service).slash(op1.address, 200_000, REASON, false);
      await time.increase(DAY);
      await expect(staking.connect(service).slash(op1.address, SERVICE_CAP, REASON, false)).to.emit(staking, "Slashed");
    });

    it("reverts for a caller that is not a registered service", async () => {
      const { staking, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(stranger).slash(op1.address, 1, REASON, false))
        .to.be.revertedWithCustomError(staking, "StakingServiceNotRegistered")
        .withArgs(stranger.address);
    });

    it("reverts for a validator not opted into the service", async () => {
      const { staking, op1, stranger } = await loadFixture(validatorsFixture);
      await staking.registerService(stranger.address, "da", 10_000);
      await expect(staking.connect(stranger).slash(op1.address, 1, REASON, false))
        .to.be.revertedWithCustomError(staking, "StakingNotOptedIn")
        .withArgs(op1.address, stranger.address);
    });

    it("reverts for a fraction of 0 or above 1e6 ppm, or an unknown validator", async () => {
      const { staking, service, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(service).slash(op1.address, 0, REASON, false))
        .to.be.revertedWithCustomError(staking, "StakingInvalidSlashPpm")
        .withArgs(0);
      await expect(staking.connect(service).slash(op1.address, 1_000_001, REASON, false))
        .to.be.revertedWithCustomError(staking, "StakingInvalidSlashPpm")
        .withArgs(1_000_001);
      await expect(staking.connect(service).slash(stranger.address, 1, REASON, false))
        .to.be.revertedWithCustomError(staking, "StakingUnknownValidator")
        .withArgs(stranger.address);
    });

    it("keeps working while paused", async () => {
      const { staking, service, op1 } = await loadFixture(validatorsFixture);
      await staking.pause();
      await expect(staking.connect(service).slash(op1.address, 1, REASON, false)).to.emit(staking, "Slashed");
    });
  });

  describe("reportDoubleSign", () => {
    it("slashes doubleSignSlashPpm and jails, once per evidence", async () => {
      const { staking, consensus, op1 } = await loadFixture(validatorsFixture);
      const evidence = ethers.id("block 7 signed twice");
      const cut = ppmUp(SELF_STAKE, 50_000n);
      await expect(staking.connect(consensus).reportDoubleSign(op1.address, evidence))
        .to.emit(staking, "DoubleSignReported")
        .withArgs(op1.address, evidence)
        .and.to.emit(staking, "Slashed")
        .withArgs(op1.address, consensus.address, DOUBLE_SIGN, 50_000, cut, 0, 0)
        .and.to.emit(staking, "Jailed");
      expect(await staking.isEvidenceUsed(evidence)).to.equal(true);
      expect(await staking.DOUBLE_SIGN_REASON()).to.equal(DOUBLE_SIGN);
      await expect(staking.connect(consensus).reportDoubleSign(op1.address, evidence))
        .to.be.revertedWithCustomError(staking, "StakingEvidenceAlreadyUsed")
        .withArgs(evidence);
    });

    it("extends, never shortens, a jail already running", async () => {
      const { staking, consensus, op1 } = await loadFixture(validatorsFixture);
      await staking.connect(consensus).reportDoubleSign(op1.address, ethers.id("a"));
      const first = (await staking.getValidator(op1.address)).jailedUntil;
      await staking.setParams({ ...CONTRACT_PARAMS, jailPeriod: 60 });
      await staking.connect(consensus).reportDoubleSign(op1.address, ethers.id("b"));
      expect((await staking.getValidator(op1.address)).jailedUntil).to.equal(first);
    });

    it("reverts for an unknown validator or a caller without CONSENSUS_ROLE", async () => {
      const { staking, consensus, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(consensus).reportDoubleSign(stranger.address, ethers.id("x")))
        .to.be.revertedWithCustomError(staking, "StakingUnknownValidator")
        .withArgs(stranger.address);
      await expect(staking.connect(stranger).reportDoubleSign(op1.address, ethers.id("x")))
        .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, await staking.CONSENSUS_ROLE());
    });
  });

  describe("reportMissedBlocks", () => {
    it("slashes and jails only validators over the threshold, skipping those already jailed", async () => {
      const { staking, consensus, op1, op2, op3 } = await loadFixture(validatorsFixture);
      await staking.connect(consensus).reportDoubleSign(op3.address, ethers.id("e"));
      const cut = ppmUp(SELF_STAKE, 1_000n);
      const tx = staking
        .connect(consensus)
        .reportMissedBlocks(7, [op1.address, op2.address, op3.address], [101, 100, 500]);
      await expect(tx)
        .to.emit(staking, "Slashed")
        .withArgs(op1.address, consensus.address, DOWNTIME, 1_000, cut, 0, 0)
        .and.to.emit(staking, "MissedBlocksReported")
        .withArgs(7, 3, 1);
      expect((await staking.getValidator(op1.address)).jailed).to.equal(true);
      expect((await staking.getValidator(op2.address)).jailed).to.equal(false);
      expect(await staking.isWindowReported(7)).to.equal(true);
      expect(await staking.DOWNTIME_REASON()).to.equal(DOWNTIME);
    });

    it("reverts when the window was already reported", async () => {
      const { staking, consensus, op1 } = await loadFixture(validatorsFixture);
      await staking.connect(consensus).reportMissedBlocks(1, [op1.address], [0]);
      await expect(staking.connect(consensus).reportMissedBlocks(1, [], []))
        .to.be.revertedWithCustomError(staking, "StakingWindowAlreadyReported")
        .withArgs(1);
    });

    it("reverts when the arrays differ in length or name an unknown validator", async () => {
      const { staking, consensus, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(consensus).reportMissedBlocks(1, [op1.address], []))
        .to.be.revertedWithCustomError(staking, "StakingLengthMismatch")
        .withArgs(1, 0);
      await expect(staking.connect(consensus).reportMissedBlocks(1, [stranger.address], [1000]))
        .to.be.revertedWithCustomError(staking, "StakingUnknownValidator")
        .withArgs(stranger.address);
    });

    it("reverts for a caller without CONSENSUS_ROLE", async () => {
      const { staking, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(
        staking.connect(stranger).reportMissedBlocks(1, [op1.address], [1000]),
      ).to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount");
    });
  });
});
