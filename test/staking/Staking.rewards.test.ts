import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, parseEther } from "ethers";
import { COMMISSION, PPM, SELF_STAKE, pubKey, toStake, validatorsFixture } from "./helpers";

const TAX = 20_000n;

async function rewardedFixture() {
  const f = await validatorsFixture();
  await f.staking.connect(f.stranger).distributeRewards(f.op1.address, { value: parseEther("10") });
  const actor = await ethers.deployContract("StakingActorMock", [await f.staking.getAddress()]);
  return { ...f, actor };
}

describe("Staking: rewards", () => {
  describe("distributeRewards", () => {
    it("takes the community tax, then the commission, and gives the rest to the delegators", async () => {
      const { staking, op1, alice, stranger } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("100") });
      const amount = parseEther("10") + 3n;
      const tax = (amount * TAX) / PPM;
      const commission = ((amount - tax) * BigInt(COMMISSION)) / PPM;
      const rest = amount - tax - commission;
      const before = (await staking.getValidator(op1.address)).bonded;
      await expect(staking.connect(stranger).distributeRewards(op1.address, { value: amount }))
        .to.emit(staking, "RewardsDistributed")
        .withArgs(op1.address, stranger.address, amount, tax, commission, rest);
      const after = (await staking.getValidator(op1.address)).bonded;
      expect(after.stake).to.equal(before.stake + rest);
      expect(after.shares).to.equal(before.shares);
      expect(await staking.commissionOwed(op1.address)).to.equal(commission);
      const [, , totalCommission, treasury] = await staking.totals();
      expect(totalCommission).to.equal(commission);
      expect(treasury).to.equal(tax);
      // Auto-compounding: alice's equal share of the pool grew by half of the delegators' part.
      const aliceValue = toStake(await staking.sharesOf(alice.address, op1.address), after);
      expect(aliceValue).to.be.closeTo(parseEther("100") + rest / 2n, 2n);
    });

    it("reverts for a jailed validator: a jailed validator earns nothing", async () => {
      const { staking, consensus, op1 } = await loadFixture(validatorsFixture);
      await staking.connect(consensus).reportDoubleSign(op1.address, ethers.id("e"));
      await expect(staking.distributeRewards(op1.address, { value: 1n }))
        .to.be.revertedWithCustomError(staking, "StakingValidatorJailed")
        .withArgs(op1.address);
    });

    it("reverts for a zero reward, an unknown or an exited validator", async () => {
      const { staking, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.distributeRewards(op1.address))
        .to.be.revertedWithCustomError(staking, "StakingAmountTooSmall")
        .withArgs(0, 1);
      await expect(staking.distributeRewards(stranger.address, { value: 1n }))
        .to.be.revertedWithCustomError(staking, "StakingUnknownValidator")
        .withArgs(stranger.address);
      await staking.connect(op1).undelegate(op1.address, await staking.sharesOf(op1.address, op1.address));
      await expect(staking.distributeRewards(op1.address, { value: 1n }))
        .to.be.revertedWithCustomError(staking, "StakingValidatorNotActive")
        .withArgs(op1.address);
    });

    it("reverts while paused", async () => {
      const { staking, op1 } = await loadFixture(validatorsFixture);
      await staking.pause();
      await expect(staking.distributeRewards(op1.address, { value: 1n })).to.be.revertedWithCustomError(
        staking,
        "EnforcedPause",
      );
    });
  });

  describe("claimCommission", () => {
    it("pays the operator its commission once", async () => {
      const { staking, op1 } = await loadFixture(rewardedFixture);
      const owed = await staking.commissionOwed(op1.address);
      expect(owed).to.be.greaterThan(0n);
      const tx = staking.connect(op1).claimCommission();
      await expect(tx).to.emit(staking, "CommissionClaimed").withArgs(op1.address, owed);
      await expect(tx).to.changeEtherBalances([op1, staking], [owed, -owed]);
      expect(await staking.commissionOwed(op1.address)).to.equal(0n);
      await expect(staking.connect(op1).claimCommission()).to.be.revertedWithCustomError(
        staking,
        "StakingNothingToClaim",
      );
    });

    it("keeps working while paused", async () => {
      const { staking, op1 } = await loadFixture(rewardedFixture);
      await staking.pause();
      await expect(staking.connect(op1).claimCommission()).to.emit(staking, "CommissionClaimed");
    });

    it("reverts with StakingTransferFailed when the operator refuses the value", async () => {
      const { staking, actor } = await loadFixture(rewardedFixture);
      const validator = await actor.getAddress();
      await actor.registerValidator(pubKey(7), COMMISSION, { value: SELF_STAKE });
      await staking.distributeRewards(validator, { value: parseEther("1") });
      const owed = await staking.commissionOwed(validator);
      await actor.setMode(1, "0x");
      await expect(actor.claimCommission())
        .to.be.revertedWithCustomError(staking, "StakingTransferFailed")
        .withArgs(validator, owed);
      await actor.setMode(0, "0x");
      await expect(actor.claimCommission()).to.emit(staking, "CommissionClaimed").withArgs(validator, owed);
    });

    it("refuses re-entry from the operator", async () => {
      const { staking, actor } = await loadFixture(rewardedFixture);
      const validator = await actor.getAddress();
      await actor.registerValidator(pubKey(7), COMMISSION, { value: SELF_STAKE });
      await staking.distributeRewards(validator, { value: parseEther("1") });
      await staking.distributeRewards(validator, { value: parseEther("1") });
      const owed = await staking.commissionOwed(validator);
      await actor.setMode(2, staking.interface.encodeFunctionData("claimCommission"));
      await expect(actor.claimCommission()).to.emit(staking, "CommissionClaimed").withArgs(validator, owed);
      expect(await actor.reentryError()).to.equal(staking.interface.getError("ReentrancyGuardReentrantCall")!.selector);
    });
  });

  describe("withdrawTreasury", () => {
    it("pays the whole treasury balance to the recipient", async () => {
      const { staking, deployer, stranger } = await loadFixture(rewardedFixture);
      const [, , , owed] = await staking.totals();
      expect(owed).to.equal((parseEther("10") * TAX) / PPM);
      const tx = staking.withdrawTreasury(stranger.address);
      await expect(tx).to.emit(staking, "TreasuryWithdrawn").withArgs(stranger.address, deployer.address, owed);
      await expect(tx).to.changeEtherBalances([stranger, staking], [owed, -owed]);
      await expect(staking.withdrawTreasury(stranger.address)).to.be.revertedWithCustomError(
        staking,
        "StakingNothingToClaim",
      );
    });

    it("reverts for the zero address", async () => {
      const { staking } = await loadFixture(rewardedFixture);
      await expect(staking.withdrawTreasury(ZeroAddress)).to.be.revertedWithCustomError(staking, "StakingZeroAddress");
    });

    it("reverts when the recipient refuses the value", async () => {
      const { staking, actor } = await loadFixture(rewardedFixture);
      await actor.setMode(1, "0x");
      const [, , , owed] = await staking.totals();
      await expect(staking.withdrawTreasury(await actor.getAddress()))
        .to.be.revertedWithCustomError(staking, "StakingTransferFailed")
        .withArgs(await actor.getAddress(), owed);
    });

    it("refuses re-entry from the recipient", async () => {
      const { staking, actor } = await loadFixture(rewardedFixture);
      const recipient = await actor.getAddress();
      await staking.grantRole(await staking.TREASURY_ROLE(), recipient);
      await actor.setMode(2, staking.interface.encodeFunctionData("withdrawTreasury", [recipient]));
      const [, , , owed] = await staking.totals();
      await expect(actor.withdrawTreasury()).to.emit(staking, "TreasuryWithdrawn").withArgs(recipient, recipient, owed);
      expect(await actor.reentryError()).to.equal(staking.interface.getError("ReentrancyGuardReentrantCall")!.selector);
    });

    it("reverts without TREASURY_ROLE", async () => {
      const { staking, stranger } = await loadFixture(rewardedFixture);
      await expect(staking.connect(stranger).withdrawTreasury(stranger.address))
        .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, await staking.TREASURY_ROLE());
    });
  });
});
