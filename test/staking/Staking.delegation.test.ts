import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import {
  CONTRACT_PARAMS,
  DAY,
  MAX_REDELEGATIONS_PER_DELEGATOR,
  MAX_REDELEGATIONS_PER_VALIDATOR,
  PPM,
  SELF_STAKE,
  VIRTUAL_SHARES,
  ppmUp,
  pubKey,
  stakingFixture,
  toShares,
  toStake,
  validatorsFixture,
} from "./helpers";

const UNBONDING = 7 * DAY;

async function withActorFixture() {
  const f = await validatorsFixture();
  const actor = await ethers.deployContract("StakingActorMock", [await f.staking.getAddress()]);
  return { ...f, actor };
}

describe("Staking: delegation", () => {
  describe("delegate", () => {
    it("mints shares at the current price and adds the value to bonded stake", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      const amount = parseEther("5");
      await expect(staking.connect(alice).delegate(op1.address, { value: amount }))
        .to.emit(staking, "Delegated")
        .withArgs(alice.address, op1.address, amount, amount * VIRTUAL_SHARES);
      expect(await staking.sharesOf(alice.address, op1.address)).to.equal(amount * VIRTUAL_SHARES);
      const [bonded] = await staking.totals();
      expect(bonded).to.equal(SELF_STAKE * 3n + amount);
    });

    it("mints fewer shares per token after rewards raised the price (rounded down)", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await staking.distributeRewards(op1.address, { value: parseEther("7") });
      const pool = (await staking.getValidator(op1.address)).bonded;
      const amount = parseEther("3") + 7n;
      const expected = toShares(amount, pool);
      await expect(staking.connect(alice).delegate(op1.address, { value: amount }))
        .to.emit(staking, "Delegated")
        .withArgs(alice.address, op1.address, amount, expected);
      expect(expected).to.be.lessThan(amount * VIRTUAL_SHARES);
    });

    it("reverts for dust below minDelegation", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await expect(staking.connect(alice).delegate(op1.address, { value: parseEther("1") - 1n }))
        .to.be.revertedWithCustomError(staking, "StakingAmountTooSmall")
        .withArgs(parseEther("1") - 1n, parseEther("1"));
    });

    it("reverts for an unknown validator", async () => {
      const { staking, alice, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(alice).delegate(stranger.address, { value: parseEther("1") }))
        .to.be.revertedWithCustomError(staking, "StakingUnknownValidator")
        .withArgs(stranger.address);
    });

    it("reverts for an exited validator", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await staking.connect(op1).undelegate(op1.address, await staking.sharesOf(op1.address, op1.address));
      await expect(staking.connect(alice).delegate(op1.address, { value: parseEther("1") }))
        .to.be.revertedWithCustomError(staking, "StakingValidatorNotActive")
        .withArgs(op1.address);
    });

    it("reverts for a jailed validator", async () => {
      const { staking, consensus, op1, alice } = await loadFixture(validatorsFixture);
      await staking.connect(consensus).reportDoubleSign(op1.address, ethers.id("e"));
      await expect(staking.connect(alice).delegate(op1.address, { value: parseEther("1") }))
        .to.be.revertedWithCustomError(staking, "StakingValidatorJailed")
        .withArgs(op1.address);
    });

    it("reverts when bonded stake would pass maxEffectiveStake", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await expect(staking.connect(alice).delegate(op1.address, { value: parseEther("900") + 1n }))
        .to.be.revertedWithCustomError(staking, "StakingStakeCapExceeded")
        .withArgs(parseEther("1000") + 1n, parseEther("1000"));
    });

    it("reverts when the amount would mint no share", async () => {
      const { staking, op1, alice } = await loadFixture(stakingFixture);
      // One-gwei minimums and a tiny self-stake, then a huge reward: one share is worth more than a gwei.
      await staking.setParams({
        ...CONTRACT_PARAMS,
        minDelegation: 10n ** 9n,
        minSelfStake: 10n ** 9n,
        maxEffectiveStake: parseEther("1000000"),
        communityTaxPpm: 0,
      });
      await staking.connect(op1).registerValidator(pubKey(0), "", 0, 0, 0, { value: 10n ** 9n });
      await staking.distributeRewards(op1.address, { value: parseEther("2000") });
      const pool = (await staking.getValidator(op1.address)).bonded;
      await expect(staking.connect(alice).delegate(op1.address, { value: 10n ** 9n }))
        .to.be.revertedWithCustomError(staking, "StakingAmountTooSmall")
        .withArgs(10n ** 9n, toStake(1n, pool) + 1n);
    });

    it("makes a first-deposit inflation attack cost the attacker more than it takes", async () => {
      // The attacker owns the first shares (an operator cannot go below minSelfStake) and donates through rewards
      // to push the share price up before the victim's deposit is rounded down.
      const { staking, op1, alice } = await loadFixture(stakingFixture);
      await staking.setParams({ ...CONTRACT_PARAMS, communityTaxPpm: 0, maxEffectiveStake: parseEther("100000") });
      await staking.connect(op1).registerValidator(pubKey(0), "", 0, 0, 0, { value: parseEther("10") });
      const donation = parseEther("100");
      await staking.distributeRewards(op1.address, { value: donation });
      const victim = parseEther("50");
      await staking.connect(alice).delegate(op1.address, { value: victim });
      const pool = (await staking.getValidator(op1.address)).bonded;
      const victimValue = toStake(await staking.sharesOf(alice.address, op1.address), pool);
      // The victim keeps its deposit to within rounding (a share is worth about 0.11 wei here).
      expect(victim - victimValue).to.be.lessThanOrEqual(1n);
    });

    it("reverts while paused", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await staking.pause();
      await expect(
        staking.connect(alice).delegate(op1.address, { value: parseEther("1") }),
      ).to.be.revertedWithCustomError(staking, "EnforcedPause");
    });
  });

  describe("undelegate", () => {
    it("burns shares into a withdrawal entry that completes after the unbonding delay", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("10") });
      const shares = parseEther("4") * VIRTUAL_SHARES;
      const at = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(at);
      const tx = staking.connect(alice).undelegate(op1.address, shares);
      const completion = at + UNBONDING;
      await expect(tx)
        .to.emit(staking, "Undelegated")
        .withArgs(alice.address, op1.address, 1n, shares, parseEther("4"), completion);
      const entry = await staking.getWithdrawal(1);
      expect(entry.owner).to.equal(alice.address);
      expect(entry.validator).to.equal(op1.address);
      expect(entry.completionTime).to.equal(BigInt(completion));
      expect(entry.claimed).to.equal(false);
      expect(await staking.withdrawalValue(1)).to.equal(parseEther("4"));
      const [bonded, unbonding] = await staking.totals();
      expect(bonded).to.equal(SELF_STAKE * 3n + parseEther("6"));
      expect(unbonding).to.equal(parseEther("4"));
    });

    it("lets the operator undelegate down to minSelfStake", async () => {
      const { staking, op1 } = await loadFixture(validatorsFixture);
      const held = await staking.sharesOf(op1.address, op1.address);
      await expect(staking.connect(op1).undelegate(op1.address, (held * 9n) / 10n)).to.emit(staking, "Undelegated");
      expect((await staking.getValidator(op1.address)).status).to.equal(1n);
    });

    it("reverts when the operator's self-stake would fall below minSelfStake", async () => {
      const { staking, op1 } = await loadFixture(validatorsFixture);
      const held = await staking.sharesOf(op1.address, op1.address);
      const remaining = held / 10n - 1n;
      const pool = (await staking.getValidator(op1.address)).bonded;
      const burned = held - remaining;
      const after = { stake: pool.stake - toStake(burned, pool), shares: pool.shares - burned };
      await expect(staking.connect(op1).undelegate(op1.address, burned))
        .to.be.revertedWithCustomError(staking, "StakingSelfStakeTooLow")
        .withArgs(toStake(remaining, after), parseEther("10"));
    });

    it("exits the validator when the operator takes out all of its self-stake", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("5") });
      await expect(staking.connect(op1).undelegate(op1.address, await staking.sharesOf(op1.address, op1.address)))
        .to.emit(staking, "ValidatorExited")
        .withArgs(op1.address);
      expect((await staking.getValidator(op1.address)).status).to.equal(2n);
      expect(await staking.effectiveStake(op1.address)).to.equal(0n);
      expect(await staking.activeValidatorCount()).to.equal(2n);
      // Delegators of an exited validator still leave normally.
      await expect(
        staking.connect(alice).undelegate(op1.address, await staking.sharesOf(alice.address, op1.address)),
      ).to.emit(staking, "Undelegated");
    });

    it("lets an operator slashed to nothing exit, with an entry worth 0", async () => {
      const { staking, op1, stranger } = await loadFixture(validatorsFixture);
      await staking.registerService(stranger.address, "everything", 1_000_000);
      await staking.connect(op1).optIn(stranger.address);
      await staking.connect(stranger).slash(op1.address, 1_000_000, ethers.id("all"), true);
      const held = await staking.sharesOf(op1.address, op1.address);
      await expect(staking.connect(op1).undelegate(op1.address, held / 2n))
        .to.be.revertedWithCustomError(staking, "StakingSelfStakeTooLow")
        .withArgs(0, parseEther("10"));
      await expect(staking.connect(op1).undelegate(op1.address, held))
        .to.emit(staking, "ValidatorExited")
        .and.to.emit(staking, "Undelegated");
      expect(await staking.withdrawalValue(1)).to.equal(0n);
    });

    it("reverts for zero shares", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await expect(staking.connect(alice).undelegate(op1.address, 0)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroShares",
      );
    });

    it("reverts for more shares than held", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("1") });
      const held = await staking.sharesOf(alice.address, op1.address);
      await expect(staking.connect(alice).undelegate(op1.address, held + 1n))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientShares")
        .withArgs(held + 1n, held);
    });

    it("reverts when the shares are worth 0 wei", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("1") });
      await expect(staking.connect(alice).undelegate(op1.address, 1n))
        .to.be.revertedWithCustomError(staking, "StakingAmountTooSmall")
        .withArgs(0, 1);
    });

    it("reverts for an unknown validator", async () => {
      const { staking, alice, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.connect(alice).undelegate(stranger.address, 1n))
        .to.be.revertedWithCustomError(staking, "StakingUnknownValidator")
        .withArgs(stranger.address);
    });

    it("still works while paused, so a pause never traps bonded stake", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("10") });
      await staking.pause();
      const shares = await staking.sharesOf(alice.address, op1.address);
      await expect(staking.connect(alice).undelegate(op1.address, shares)).to.emit(staking, "Undelegated");
    });
  });

  describe("withdraw", () => {
    async function undelegatedFixture() {
      const f = await withActorFixture();
      const { staking, op1, alice } = f;
      await staking.connect(alice).delegate(op1.address, { value: parseEther("10") });
      await staking.connect(alice).undelegate(op1.address, parseEther("4") * VIRTUAL_SHARES); // entry 1
      await staking.connect(alice).undelegate(op1.address, parseEther("2") * VIRTUAL_SHARES); // entry 2
      return f;
    }

    it("pays matured entries to their owner", async () => {
      const { staking, op1, alice } = await loadFixture(undelegatedFixture);
      await time.increase(UNBONDING);
      const v1 = await staking.withdrawalValue(1);
      const v2 = await staking.withdrawalValue(2);
      const tx = staking.connect(alice).withdraw([1, 2]);
      await expect(tx)
        .to.emit(staking, "Withdrawn")
        .withArgs(1, alice.address, op1.address, v1)
        .and.to.emit(staking, "Withdrawn")
        .withArgs(2, alice.address, op1.address, v2);
      await expect(tx).to.changeEtherBalances([alice, staking], [v1 + v2, -(v1 + v2)]);
      expect((await staking.getWithdrawal(1)).claimed).to.equal(true);
      expect(await staking.withdrawalValue(1)).to.equal(0n);
      // Only rounding dust stays in the unbonding pool.
      const [, unbonding] = await staking.totals();
      expect(unbonding).to.be.lessThanOrEqual(2n);
    });

    it("reverts before the entry completes", async () => {
      const { staking, alice } = await loadFixture(undelegatedFixture);
      const entry = await staking.getWithdrawal(1);
      await time.setNextBlockTimestamp(entry.completionTime - 1n);
      await expect(staking.connect(alice).withdraw([1]))
        .to.be.revertedWithCustomError(staking, "StakingWithdrawalNotReady")
        .withArgs(1, entry.completionTime);
    });

    it("reverts when the entry was already claimed, also within one batch", async () => {
      const { staking, alice } = await loadFixture(undelegatedFixture);
      await time.increase(UNBONDING);
      await expect(staking.connect(alice).withdraw([2, 2]))
        .to.be.revertedWithCustomError(staking, "StakingWithdrawalAlreadyClaimed")
        .withArgs(2);
      await staking.connect(alice).withdraw([1]);
      await expect(staking.connect(alice).withdraw([1]))
        .to.be.revertedWithCustomError(staking, "StakingWithdrawalAlreadyClaimed")
        .withArgs(1);
    });

    it("reverts when another account claims the entry", async () => {
      const { staking, alice, bob } = await loadFixture(undelegatedFixture);
      await time.increase(UNBONDING);
      await expect(staking.connect(bob).withdraw([1]))
        .to.be.revertedWithCustomError(staking, "StakingNotEntryOwner")
        .withArgs(1, alice.address);
    });

    it("reverts for an unknown entry and for an empty batch", async () => {
      const { staking, alice } = await loadFixture(undelegatedFixture);
      await expect(staking.connect(alice).withdraw([3]))
        .to.be.revertedWithCustomError(staking, "StakingWithdrawalNotFound")
        .withArgs(3);
      await expect(staking.connect(alice).withdraw([])).to.be.revertedWithCustomError(staking, "StakingEmptyBatch");
    });

    it("keeps working while paused", async () => {
      const { staking, alice } = await loadFixture(undelegatedFixture);
      await staking.pause();
      await time.increase(UNBONDING);
      await expect(staking.connect(alice).withdraw([1])).to.emit(staking, "Withdrawn");
    });

    it("pays entries what slashes during the delay left of them", async () => {
      const { staking, service, op1, alice } = await loadFixture(undelegatedFixture);
      const before = await staking.withdrawalValue(1);
      await staking.connect(service).slash(op1.address, 250_000, ethers.id("fault"), false);
      await time.increase(UNBONDING);
      const value = await staking.withdrawalValue(1);
      expect(value).to.be.lessThanOrEqual((before * 3n) / 4n);
      expect(value).to.be.greaterThanOrEqual((before * 3n) / 4n - 2n);
      await expect(staking.connect(alice).withdraw([1]))
        .to.emit(staking, "Withdrawn")
        .withArgs(1, alice.address, op1.address, value);
    });

    it("pays nothing, and sends nothing, for an entry slashed to zero", async () => {
      const { staking, op1, alice, stranger } = await loadFixture(undelegatedFixture);
      await staking.registerService(stranger.address, "everything", 1_000_000);
      await staking.connect(op1).optIn(stranger.address);
      await staking.connect(stranger).slash(op1.address, 1_000_000, ethers.id("all"), true);
      await time.increase(UNBONDING);
      const tx = staking.connect(alice).withdraw([1]);
      await expect(tx).to.emit(staking, "Withdrawn").withArgs(1, alice.address, op1.address, 0);
      await expect(tx).to.changeEtherBalance(alice, 0);
    });

    it("reverts with StakingTransferFailed when the owner refuses the value", async () => {
      const { staking, op1, actor } = await loadFixture(undelegatedFixture);
      await actor.delegate(op1.address, { value: parseEther("2") });
      await actor.undelegate(op1.address, parseEther("1") * VIRTUAL_SHARES); // entry 3
      await actor.setMode(1, "0x");
      await time.increase(UNBONDING);
      const value = await staking.withdrawalValue(3);
      await expect(actor.withdraw([3]))
        .to.be.revertedWithCustomError(staking, "StakingTransferFailed")
        .withArgs(await actor.getAddress(), value);
    });

    it("refuses re-entry from the recipient", async () => {
      const { staking, op1, actor } = await loadFixture(undelegatedFixture);
      await actor.delegate(op1.address, { value: parseEther("2") });
      await actor.undelegate(op1.address, parseEther("1") * VIRTUAL_SHARES); // entry 3
      await actor.undelegate(op1.address, parseEther("1") * VIRTUAL_SHARES); // entry 4
      await actor.setMode(2, staking.interface.encodeFunctionData("withdraw", [[4]]));
      await time.increase(UNBONDING);
      await expect(actor.withdraw([3])).to.emit(staking, "Withdrawn");
      const selector = staking.interface.getError("ReentrancyGuardReentrantCall")!.selector;
      expect(await actor.reentryError()).to.equal(selector);
      expect((await staking.getWithdrawal(4)).claimed).to.equal(false);
    });
  });

  describe("redelegate", () => {
    it("moves value at once and locks the new shares for the unbonding delay", async () => {
      const { staking, op1, op2, alice } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("10") });
      const shares = parseEther("6") * VIRTUAL_SHARES;
      const at = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(at);
      const tx = staking.connect(alice).redelegate(op1.address, op2.address, shares);
      const completion = at + UNBONDING;
      await expect(tx)
        .to.emit(staking, "Redelegated")
        .withArgs(alice.address, op1.address, op2.address, 1n, shares, parseEther("6"), shares, completion);
      expect(await staking.sharesOf(alice.address, op2.address)).to.equal(shares);
      expect(await staking.lockedShares(alice.address, op2.address)).to.equal(shares);
      const r = await staking.getRedelegation(1);
      expect([r.delegator, r.src, r.dst, r.shares]).to.deep.equal([alice.address, op1.address, op2.address, shares]);
      const [bonded, unbonding] = await staking.totals();
      expect(bonded).to.equal(SELF_STAKE * 3n + parseEther("10"));
      expect(unbonding).to.equal(0n);
    });

    it("refuses to undelegate or redelegate locked shares until the lock ends", async () => {
      const { staking, op1, op2, op3, alice } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("10") });
      await staking.connect(alice).delegate(op2.address, { value: parseEther("1") });
      const free = await staking.sharesOf(alice.address, op2.address);
      const shares = parseEther("6") * VIRTUAL_SHARES;
      await staking.connect(alice).redelegate(op1.address, op2.address, shares);
      await expect(staking.connect(alice).undelegate(op2.address, free + 1n))
        .to.be.revertedWithCustomError(staking, "StakingSharesLocked")
        .withArgs(free + 1n, free);
      await expect(staking.connect(alice).redelegate(op2.address, op3.address, free + 1n))
        .to.be.revertedWithCustomError(staking, "StakingSharesLocked")
        .withArgs(free + 1n, free);
      await expect(staking.connect(alice).undelegate(op2.address, free)).to.emit(staking, "Undelegated");
      await time.increase(UNBONDING);
      expect(await staking.lockedShares(alice.address, op2.address)).to.equal(0n);
      await expect(staking.connect(alice).undelegate(op2.address, shares)).to.emit(staking, "Undelegated");
      // The matured entry was pruned from the delegator's list and deleted.
      expect((await staking.getRedelegation(1)).delegator).to.equal(ethers.ZeroAddress);
    });

    it("does not let a slash of the source be escaped: the locked shares lose the same fraction", async () => {
      const { staking, service, op1, op2, alice, bob } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("10") });
      await staking.connect(bob).delegate(op2.address, { value: parseEther("10") });
      const shares = parseEther("10") * VIRTUAL_SHARES;
      await staking.connect(alice).redelegate(op1.address, op2.address, shares);
      const dstBefore = (await staking.getValidator(op2.address)).bonded;
      const bobValueBefore = toStake(await staking.sharesOf(bob.address, op2.address), dstBefore);
      const ppm = 100_000n;
      const burned = ppmUp(shares, ppm);
      const burnedValue = toStake(burned, dstBefore);
      const srcStake = (await staking.getValidator(op1.address)).bonded.stake;
      await expect(staking.connect(service).slash(op1.address, ppm, ethers.id("fault"), false))
        .to.emit(staking, "RedelegationSlashed")
        .withArgs(1, op2.address, alice.address, burned, burnedValue)
        .and.to.emit(staking, "Slashed")
        .withArgs(op1.address, service.address, ethers.id("fault"), ppm, ppmUp(srcStake, ppm), 0, burnedValue);
      expect(await staking.sharesOf(alice.address, op2.address)).to.equal(shares - burned);
      expect(await staking.lockedShares(alice.address, op2.address)).to.equal(shares - burned);
      expect((await staking.getRedelegation(1)).shares).to.equal(shares - burned);
      // Other delegators of the destination lose nothing.
      const dstAfter = (await staking.getValidator(op2.address)).bonded;
      expect(toStake(await staking.sharesOf(bob.address, op2.address), dstAfter)).to.be.greaterThanOrEqual(
        bobValueBefore,
      );
      // A matured redelegation no longer answers for the source.
      await time.increase(UNBONDING);
      await expect(staking.connect(service).slash(op1.address, ppm, ethers.id("later"), false)).not.to.emit(
        staking,
        "RedelegationSlashed",
      );
      expect(await staking.sharesOf(alice.address, op2.address)).to.equal(shares - burned);
    });

    it("reverts when source and destination are the same", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await expect(staking.connect(alice).redelegate(op1.address, op1.address, 1n)).to.be.revertedWithCustomError(
        staking,
        "StakingSameValidator",
      );
    });

    it("reverts when the destination is jailed, unknown or the value is below minDelegation", async () => {
      const { staking, consensus, op1, op2, alice, stranger } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("10") });
      await expect(staking.connect(alice).redelegate(op1.address, stranger.address, 1n))
        .to.be.revertedWithCustomError(staking, "StakingUnknownValidator")
        .withArgs(stranger.address);
      await expect(staking.connect(alice).redelegate(op1.address, op2.address, VIRTUAL_SHARES))
        .to.be.revertedWithCustomError(staking, "StakingAmountTooSmall")
        .withArgs(1n, parseEther("1"));
      await staking.connect(consensus).reportDoubleSign(op2.address, ethers.id("e"));
      await expect(staking.connect(alice).redelegate(op1.address, op2.address, parseEther("1") * VIRTUAL_SHARES))
        .to.be.revertedWithCustomError(staking, "StakingValidatorJailed")
        .withArgs(op2.address);
    });

    it("reverts when the delegator has MAX_REDELEGATIONS_PER_DELEGATOR unmatured redelegations", async () => {
      const { staking, op1, op2, alice } = await loadFixture(validatorsFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("100") });
      const shares = parseEther("1") * VIRTUAL_SHARES;
      for (let i = 0; i < MAX_REDELEGATIONS_PER_DELEGATOR; i++) {
        await staking.connect(alice).redelegate(op1.address, op2.address, shares);
      }
      await expect(staking.connect(alice).redelegate(op1.address, op2.address, shares))
        .to.be.revertedWithCustomError(staking, "StakingTooManyRedelegations")
        .withArgs(alice.address, MAX_REDELEGATIONS_PER_DELEGATOR);
      await time.increase(UNBONDING);
      await expect(staking.connect(alice).redelegate(op1.address, op2.address, shares)).to.emit(staking, "Redelegated");
    });

    it("reverts when the source has MAX_REDELEGATIONS_PER_VALIDATOR unmatured redelegations", async () => {
      const { staking, op1, op2, alice, bob, carol } = await loadFixture(validatorsFixture);
      const shares = parseEther("1") * VIRTUAL_SHARES;
      for (const d of [alice, bob, carol]) await staking.connect(d).delegate(op1.address, { value: parseEther("20") });
      for (let i = 0; i < MAX_REDELEGATIONS_PER_VALIDATOR; i++) {
        await staking.connect(i % 2 === 0 ? alice : bob).redelegate(op1.address, op2.address, shares);
      }
      await expect(staking.connect(carol).redelegate(op1.address, op2.address, shares))
        .to.be.revertedWithCustomError(staking, "StakingTooManyRedelegations")
        .withArgs(op1.address, MAX_REDELEGATIONS_PER_VALIDATOR);
    });

    it("lets the operator move all of its self-stake, which exits the validator", async () => {
      const { staking, op1, op2 } = await loadFixture(validatorsFixture);
      const held = await staking.sharesOf(op1.address, op1.address);
      await expect(staking.connect(op1).redelegate(op1.address, op2.address, held))
        .to.emit(staking, "ValidatorExited")
        .withArgs(op1.address);
    });

    it("reverts while paused", async () => {
      const { staking, op1, op2 } = await loadFixture(validatorsFixture);
      await staking.pause();
      await expect(staking.connect(op1).redelegate(op1.address, op2.address, 1n)).to.be.revertedWithCustomError(
        staking,
        "EnforcedPause",
      );
    });
  });

  describe("rounding", () => {
    it("never pays out more than went in: a full round trip loses at most a few wei", async () => {
      const { staking, op1, alice } = await loadFixture(validatorsFixture);
      await staking.distributeRewards(op1.address, { value: 12345678901234567n });
      const amount = parseEther("3") + 999n;
      await staking.connect(alice).delegate(op1.address, { value: amount });
      const shares = await staking.sharesOf(alice.address, op1.address);
      const value = await staking.sharesToStake(op1.address, shares);
      expect(value).to.be.lessThanOrEqual(amount);
      expect(amount - value).to.be.lessThan(PPM);
    });
  });
});
