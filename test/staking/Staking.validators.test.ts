import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import {
  COMMISSION,
  DAY,
  MAX_CHANGE,
  MAX_COMMISSION,
  SELF_STAKE,
  VIRTUAL_SHARES,
  pubKey,
  stakingFixture,
  validatorsFixture,
} from "./helpers";

describe("Staking: validators", () => {
  describe("registerValidator", () => {
    it("registers the caller with its self-stake as the first delegation", async () => {
      const { staking, op1 } = await loadFixture(stakingFixture);
      const shares = SELF_STAKE * VIRTUAL_SHARES;
      await expect(
        staking.connect(op1).registerValidator(pubKey(0), "one", COMMISSION, MAX_COMMISSION, MAX_CHANGE, {
          value: SELF_STAKE,
        }),
      )
        .to.emit(staking, "ValidatorRegistered")
        .withArgs(op1.address, pubKey(0), COMMISSION, MAX_COMMISSION, MAX_CHANGE, SELF_STAKE, shares)
        .and.to.emit(staking, "DescriptionUpdated")
        .withArgs(op1.address, "one");
      const v = await staking.getValidator(op1.address);
      expect(v.status).to.equal(1n);
      expect(v.jailed).to.equal(false);
      expect(v.bonded.stake).to.equal(SELF_STAKE);
      expect(v.bonded.shares).to.equal(shares);
      expect(v.consensusPubKey).to.equal(ethers.hexlify(pubKey(0)));
      expect(v.commissionPpm).to.equal(BigInt(COMMISSION));
      expect(await staking.sharesOf(op1.address, op1.address)).to.equal(shares);
      expect(await staking.validatorCount()).to.equal(1n);
      expect(await staking.validatorAt(0)).to.equal(op1.address);
      expect(await staking.activeValidatorCount()).to.equal(1n);
      expect(await staking.effectiveStake(op1.address)).to.equal(SELF_STAKE);
      expect(await ethers.provider.getBalance(await staking.getAddress())).to.equal(SELF_STAKE);
    });

    it("reverts when the operator already registered", async () => {
      const { staking, op1 } = await loadFixture(validatorsFixture);
      await expect(staking.connect(op1).registerValidator(pubKey(9), "", 0, 0, 0, { value: SELF_STAKE }))
        .to.be.revertedWithCustomError(staking, "StakingValidatorAlreadyRegistered")
        .withArgs(op1.address);
    });

    it("reverts when the public key is empty or longer than 128 bytes", async () => {
      const { staking, op1 } = await loadFixture(stakingFixture);
      await expect(staking.connect(op1).registerValidator("0x", "", 0, 0, 0, { value: SELF_STAKE }))
        .to.be.revertedWithCustomError(staking, "StakingInvalidPubKey")
        .withArgs(0);
      await expect(staking.connect(op1).registerValidator(ethers.randomBytes(129), "", 0, 0, 0, { value: SELF_STAKE }))
        .to.be.revertedWithCustomError(staking, "StakingInvalidPubKey")
        .withArgs(129);
    });

    it("reverts when another validator holds the public key", async () => {
      const { staking, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(stranger).registerValidator(pubKey(0), "", 0, 0, 0, { value: SELF_STAKE }))
        .to.be.revertedWithCustomError(staking, "StakingPubKeyInUse")
        .withArgs(op1.address);
    });

    it("reverts when the description is longer than 256 bytes", async () => {
      const { staking, op1 } = await loadFixture(stakingFixture);
      await expect(staking.connect(op1).registerValidator(pubKey(0), "x".repeat(257), 0, 0, 0, { value: SELF_STAKE }))
        .to.be.revertedWithCustomError(staking, "StakingDescriptionTooLong")
        .withArgs(257, 256);
    });

    it("reverts when the validator's maximum commission is above the global maximum", async () => {
      const { staking, op1 } = await loadFixture(stakingFixture);
      await expect(staking.connect(op1).registerValidator(pubKey(0), "", 0, 500_001, 0, { value: SELF_STAKE }))
        .to.be.revertedWithCustomError(staking, "StakingCommissionAboveMax")
        .withArgs(500_001, 500_000);
    });

    it("reverts when the commission is above the validator's maximum", async () => {
      const { staking, op1 } = await loadFixture(stakingFixture);
      await expect(staking.connect(op1).registerValidator(pubKey(0), "", 200_001, 200_000, 0, { value: SELF_STAKE }))
        .to.be.revertedWithCustomError(staking, "StakingCommissionAboveMax")
        .withArgs(200_001, 200_000);
    });

    it("reverts when the maximum daily change is above the validator's maximum", async () => {
      const { staking, op1 } = await loadFixture(stakingFixture);
      await expect(staking.connect(op1).registerValidator(pubKey(0), "", 0, 1000, 1001, { value: SELF_STAKE }))
        .to.be.revertedWithCustomError(staking, "StakingCommissionAboveMax")
        .withArgs(1001, 1000);
    });

    it("reverts when maxValidators are active", async () => {
      const { staking, alice, bob } = await loadFixture(validatorsFixture);
      await staking.connect(alice).registerValidator(pubKey(3), "", 0, 0, 0, { value: SELF_STAKE });
      await expect(staking.connect(bob).registerValidator(pubKey(4), "", 0, 0, 0, { value: SELF_STAKE }))
        .to.be.revertedWithCustomError(staking, "StakingTooManyValidators")
        .withArgs(4);
    });

    it("frees a slot when a validator exits", async () => {
      const { staking, op1, alice, bob } = await loadFixture(validatorsFixture);
      await staking.connect(alice).registerValidator(pubKey(3), "", 0, 0, 0, { value: SELF_STAKE });
      await staking.connect(op1).undelegate(op1.address, await staking.sharesOf(op1.address, op1.address));
      await expect(staking.connect(bob).registerValidator(pubKey(4), "", 0, 0, 0, { value: SELF_STAKE })).to.emit(
        staking,
        "ValidatorRegistered",
      );
      expect(await staking.activeValidatorCount()).to.equal(4n);
      expect(await staking.validatorCount()).to.equal(5n);
    });

    it("reverts when the self-stake is below minSelfStake", async () => {
      const { staking, op1 } = await loadFixture(stakingFixture);
      const low = parseEther("10") - 1n;
      await expect(staking.connect(op1).registerValidator(pubKey(0), "", 0, 0, 0, { value: low }))
        .to.be.revertedWithCustomError(staking, "StakingSelfStakeTooLow")
        .withArgs(low, parseEther("10"));
    });

    it("reverts when the self-stake is above maxEffectiveStake", async () => {
      const { staking, op1 } = await loadFixture(stakingFixture);
      const high = parseEther("1000") + 1n;
      await expect(staking.connect(op1).registerValidator(pubKey(0), "", 0, 0, 0, { value: high }))
        .to.be.revertedWithCustomError(staking, "StakingStakeCapExceeded")
        .withArgs(high, parseEther("1000"));
    });

    it("reverts while paused", async () => {
      const { staking, op1 } = await loadFixture(stakingFixture);
      await staking.pause();
      await expect(
        staking.connect(op1).registerValidator(pubKey(0), "", 0, 0, 0, { value: SELF_STAKE }),
      ).to.be.revertedWithCustomError(staking, "EnforcedPause");
    });
  });

  describe("setCommission", () => {
    it("changes the rate by at most the daily maximum once a day has passed", async () => {
      const { staking, op1 } = await loadFixture(validatorsFixture);
      await time.increase(DAY);
      await expect(staking.connect(op1).setCommission(COMMISSION + MAX_CHANGE))
        .to.emit(staking, "CommissionUpdated")
        .withArgs(op1.address, COMMISSION, COMMISSION + MAX_CHANGE);
      expect((await staking.getValidator(op1.address)).commissionPpm).to.equal(BigInt(COMMISSION + MAX_CHANGE));
      await time.increase(DAY);
      await expect(staking.connect(op1).setCommission(COMMISSION))
        .to.emit(staking, "CommissionUpdated")
        .withArgs(op1.address, COMMISSION + MAX_CHANGE, COMMISSION);
    });

    it("reverts within 24 hours of registration or of the last change", async () => {
      const { staking, op1 } = await loadFixture(validatorsFixture);
      const registeredAt = (await staking.getValidator(op1.address)).lastCommissionChangeAt;
      await expect(staking.connect(op1).setCommission(COMMISSION + 1))
        .to.be.revertedWithCustomError(staking, "StakingCommissionChangeTooSoon")
        .withArgs(registeredAt + BigInt(DAY));
    });

    it("reverts when the change is larger than the daily maximum", async () => {
      const { staking, op1 } = await loadFixture(validatorsFixture);
      await time.increase(DAY);
      await expect(staking.connect(op1).setCommission(COMMISSION - MAX_CHANGE - 1))
        .to.be.revertedWithCustomError(staking, "StakingCommissionChangeTooLarge")
        .withArgs(MAX_CHANGE + 1, MAX_CHANGE);
    });

    it("reverts when the rate is above the validator's maximum", async () => {
      const { staking, op1 } = await loadFixture(validatorsFixture);
      await expect(staking.connect(op1).setCommission(MAX_COMMISSION + 1))
        .to.be.revertedWithCustomError(staking, "StakingCommissionAboveMax")
        .withArgs(MAX_COMMISSION + 1, MAX_COMMISSION);
    });

    it("reverts for an unknown or exited validator", async () => {
      const { staking, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(stranger).setCommission(0))
        .to.be.revertedWithCustomError(staking, "StakingUnknownValidator")
        .withArgs(stranger.address);
      await staking.connect(op1).undelegate(op1.address, await staking.sharesOf(op1.address, op1.address));
      await expect(staking.connect(op1).setCommission(0))
        .to.be.revertedWithCustomError(staking, "StakingValidatorNotActive")
        .withArgs(op1.address);
    });
  });

  describe("setDescription", () => {
    it("emits the new description", async () => {
      const { staking, op1 } = await loadFixture(validatorsFixture);
      await expect(staking.connect(op1).setDescription("new"))
        .to.emit(staking, "DescriptionUpdated")
        .withArgs(op1.address, "new");
    });

    it("reverts when the description is too long or the caller is not a validator", async () => {
      const { staking, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(op1).setDescription("y".repeat(300)))
        .to.be.revertedWithCustomError(staking, "StakingDescriptionTooLong")
        .withArgs(300, 256);
      await expect(staking.connect(stranger).setDescription("x")).to.be.revertedWithCustomError(
        staking,
        "StakingUnknownValidator",
      );
    });
  });

  describe("unjail", () => {
    async function jailedFixture() {
      const f = await validatorsFixture();
      await f.staking.connect(f.consensus).reportDoubleSign(f.op1.address, ethers.id("evidence"));
      return f;
    }

    it("lifts the jail once the jail period is over", async () => {
      const { staking, op1, alice } = await loadFixture(jailedFixture);
      expect(await staking.effectiveStake(op1.address)).to.equal(0n);
      await time.increase(DAY);
      await expect(staking.connect(op1).unjail()).to.emit(staking, "Unjailed").withArgs(op1.address);
      expect((await staking.getValidator(op1.address)).jailed).to.equal(false);
      expect(await staking.effectiveStake(op1.address)).to.equal(
        (await staking.getValidator(op1.address)).bonded.stake,
      );
      await expect(staking.connect(alice).delegate(op1.address, { value: parseEther("1") })).to.emit(
        staking,
        "Delegated",
      );
    });

    it("reverts before the jail period is over", async () => {
      const { staking, op1 } = await loadFixture(jailedFixture);
      const until = (await staking.getValidator(op1.address)).jailedUntil;
      await expect(staking.connect(op1).unjail())
        .to.be.revertedWithCustomError(staking, "StakingStillJailed")
        .withArgs(op1.address, until);
    });

    it("reverts when the validator is not jailed", async () => {
      const { staking, op1 } = await loadFixture(validatorsFixture);
      await expect(staking.connect(op1).unjail())
        .to.be.revertedWithCustomError(staking, "StakingNotJailed")
        .withArgs(op1.address);
    });

    it("reverts until the operator tops its self-stake back up to minSelfStake", async () => {
      const { staking, service, op1 } = await loadFixture(validatorsFixture);
      // Take the self-stake down to 10 tokens (the minimum), then slash 10 %.
      const held = await staking.sharesOf(op1.address, op1.address);
      await staking.connect(op1).undelegate(op1.address, (held * 9n) / 10n);
      await staking.connect(service).slash(op1.address, 100_000, ethers.id("x"), true);
      await time.increase(DAY);
      const selfStake = await staking.sharesToStake(op1.address, await staking.sharesOf(op1.address, op1.address));
      await expect(staking.connect(op1).unjail())
        .to.be.revertedWithCustomError(staking, "StakingSelfStakeTooLow")
        .withArgs(selfStake, parseEther("10"));
      // The operator may delegate to its own jailed validator; nobody else may.
      await staking.connect(op1).delegate(op1.address, { value: parseEther("2") });
      await expect(staking.connect(op1).unjail()).to.emit(staking, "Unjailed");
    });

    it("reverts for an exited validator", async () => {
      const { staking, op1 } = await loadFixture(jailedFixture);
      await staking.connect(op1).undelegate(op1.address, await staking.sharesOf(op1.address, op1.address));
      await time.increase(DAY);
      await expect(staking.connect(op1).unjail())
        .to.be.revertedWithCustomError(staking, "StakingValidatorNotActive")
        .withArgs(op1.address);
    });
  });

  describe("views", () => {
    it("effectiveStake caps bonded stake at maxEffectiveStake and is 0 for unknown validators", async () => {
      const { staking, op1, alice, stranger } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("900") });
      // Rewards compound above the cap: the excess weighs nothing.
      await staking.distributeRewards(op1.address, { value: parseEther("50") });
      expect((await staking.getValidator(op1.address)).bonded.stake).to.be.greaterThan(parseEther("1000"));
      expect(await staking.effectiveStake(op1.address)).to.equal(parseEther("1000"));
      expect(await staking.effectiveStake(stranger.address)).to.equal(0n);
    });

    it("getValidator of an unknown address has status None", async () => {
      const { staking, stranger } = await loadFixture(stakingFixture);
      expect((await staking.getValidator(stranger.address)).status).to.equal(0n);
    });
  });
});
