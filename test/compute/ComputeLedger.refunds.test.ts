import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress } from "ethers";
import {
  LOCK_TIME,
  MAX_REFUNDS,
  ONE,
  after,
  expectInvariants,
  fund,
  ledgerFixture,
  ledgerState,
} from "./ledgerHelpers";

/** The amounts of the sub-account's pending refunds, oldest first. */
async function refundAmounts(f: Awaited<ReturnType<typeof ledgerFixture>>) {
  const sub = await f.ledger.getSubAccount(f.user, f.provider);
  return { balance: sub.balance, pending: sub.pendingRefund, amounts: sub.refunds.map((r) => r.amount) };
}

describe("ComputeLedger refunds and charges", function () {
  describe("requestRefund", function () {
    it("records a refund that unlocks after the lock time, also while paused", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, 0n, 2n * ONE);
      await f.ledger.pause();
      const at = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(at);
      await expect(f.ledger.connect(f.user).requestRefund(f.provider, ONE))
        .to.emit(f.ledger, "RefundRequested")
        .withArgs(f.user.address, f.provider.address, ONE, at + LOCK_TIME);
      const sub = await f.ledger.getSubAccount(f.user, f.provider);
      expect(sub.balance).to.equal(2n * ONE);
      expect(sub.pendingRefund).to.equal(ONE);
      expect(sub.refunds.map((r) => [r.amount, r.unlockAt])).to.deep.equal([[ONE, BigInt(at + LOCK_TIME)]]);
      expect(await f.ledger.chargeable(f.user, f.provider)).to.equal(2n * ONE);
    });

    it("refuses zero, more than the part not already refunding, and one refund over the limit", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, 0n, 2n * ONE);
      await f.ledger.connect(f.user).requestRefund(f.provider, ONE);
      let before = await ledgerState(f, [f.user], [f.provider]);
      const u = f.ledger.connect(f.user);
      await expect(u.requestRefund(f.provider, 0)).to.be.revertedWithCustomError(f.ledger, "ComputeLedgerZeroAmount");
      await expect(u.requestRefund(f.provider, ONE + 1n))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerInsufficientBalance")
        .withArgs(ONE, ONE + 1n);
      await expect(f.ledger.connect(f.stranger).requestRefund(f.provider, 1))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerInsufficientBalance")
        .withArgs(0, 1);
      expect(await ledgerState(f, [f.user], [f.provider])).to.deep.equal(before);
      for (let i = 1; i < MAX_REFUNDS; i++) await u.requestRefund(f.provider, 1n);
      before = await ledgerState(f, [f.user], [f.provider]);
      await expect(u.requestRefund(f.provider, 1n))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerTooManyRefunds")
        .withArgs(MAX_REFUNDS);
      expect(await ledgerState(f, [f.user], [f.provider])).to.deep.equal(before);
    });
  });

  describe("processRefunds", function () {
    it("returns unlocked refunds to the main account and keeps the rest in order", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, 0n, 10n * ONE);
      const u = f.ledger.connect(f.user);
      await u.requestRefund(f.provider, ONE);
      await after(LOCK_TIME / 2);
      await u.requestRefund(f.provider, 2n * ONE);
      await u.requestRefund(f.provider, 3n * ONE);
      await after(LOCK_TIME / 2);
      await expect(u.processRefunds(f.provider))
        .to.emit(f.ledger, "RefundsProcessed")
        .withArgs(f.user.address, f.provider.address, ONE);
      expect(await refundAmounts(f)).to.deep.equal({
        balance: 9n * ONE,
        pending: 5n * ONE,
        amounts: [2n * ONE, 3n * ONE],
      });
      expect((await f.ledger.getAccount(f.user)).balance).to.equal(ONE);
      await after(LOCK_TIME / 2);
      expect(await u.processRefunds.staticCall(f.provider)).to.equal(5n * ONE);
      await u.processRefunds(f.provider);
      expect(await refundAmounts(f)).to.deep.equal({ balance: 4n * ONE, pending: 0n, amounts: [] });
      expect((await f.ledger.getAccount(f.user)).balance).to.equal(6n * ONE);
      await expectInvariants(f);
    });

    it("processes an unlocked refund behind a locked one after the lock time shrank", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, 0n, 3n * ONE);
      const u = f.ledger.connect(f.user);
      await u.requestRefund(f.provider, ONE);
      await f.ledger.setLockTime(3600);
      await u.requestRefund(f.provider, 2n * ONE);
      await after(3600);
      await expect(u.processRefunds(f.provider))
        .to.emit(f.ledger, "RefundsProcessed")
        .withArgs(f.user.address, f.provider.address, 2n * ONE);
      expect(await refundAmounts(f)).to.deep.equal({ balance: ONE, pending: ONE, amounts: [ONE] });
    });

    it("refuses before any refund unlocked, naming the earliest unlock time", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, 0n, 3n * ONE);
      const u = f.ledger.connect(f.user);
      await u.requestRefund(f.provider, ONE);
      const first = (await f.ledger.getSubAccount(f.user, f.provider)).refunds[0].unlockAt;
      await f.ledger.setLockTime(3600);
      await u.requestRefund(f.provider, ONE);
      const second = (await f.ledger.getSubAccount(f.user, f.provider)).refunds[1].unlockAt;
      expect(second).to.be.lessThan(first);
      const before = await ledgerState(f, [f.user], [f.provider]);
      await expect(u.processRefunds(f.provider))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerNoUnlockedRefund")
        .withArgs(second);
      await expect(f.ledger.connect(f.stranger).processRefunds(f.provider))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerNoUnlockedRefund")
        .withArgs(0);
      expect(await ledgerState(f, [f.user], [f.provider])).to.deep.equal(before);
    });
  });

  describe("charge", function () {
    it("pays the provider from the sub-account", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, 0n, 3n * ONE);
      const s = f.ledger.connect(f.settler);
      expect(await s.charge.staticCall(f.user, f.provider, ONE)).to.equal(ONE);
      const tx = await s.charge(f.user, f.provider, ONE);
      await expect(tx).to.emit(f.ledger, "Charged").withArgs(f.user.address, f.provider.address, ONE, ONE);
      await expect(tx).to.changeEtherBalances([f.provider, f.ledger], [ONE, -ONE]);
      expect(await f.ledger.chargeable(f.user, f.provider)).to.equal(2n * ONE);
      expect((await f.ledger.totals()).paidOut).to.equal(ONE);
      await expectInvariants(f);
    });

    it("pays what the sub-account holds when it is short, and nothing from an empty one", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, ONE, ONE);
      const s = f.ledger.connect(f.settler);
      const tx = await s.charge(f.user, f.provider, 3n * ONE);
      await expect(tx)
        .to.emit(f.ledger, "Charged")
        .withArgs(f.user.address, f.provider.address, 3n * ONE, ONE);
      await expect(tx).to.changeEtherBalances([f.provider, f.ledger], [ONE, -ONE]);
      expect((await f.ledger.getAccount(f.user)).balance).to.equal(ONE);
      const empty = await s.charge(f.stranger, f.provider, ONE);
      await expect(empty).to.emit(f.ledger, "Charged").withArgs(f.stranger.address, f.provider.address, ONE, 0n);
      await expect(empty).to.changeEtherBalances([f.provider, f.ledger], [0n, 0n]);
      await expectInvariants(f);
    });

    it("leaves pending refunds alone while the rest of the balance covers the charge", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, 0n, 5n * ONE);
      await f.ledger.connect(f.user).requestRefund(f.provider, 2n * ONE);
      await f.ledger.connect(f.settler).charge(f.user, f.provider, 3n * ONE);
      expect(await refundAmounts(f)).to.deep.equal({ balance: 2n * ONE, pending: 2n * ONE, amounts: [2n * ONE] });
    });

    it("shrinks pending refunds newest first when it eats into them", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, 0n, 10n * ONE);
      const u = f.ledger.connect(f.user);
      await u.requestRefund(f.provider, 2n * ONE);
      await u.requestRefund(f.provider, 3n * ONE);
      await u.requestRefund(f.provider, ONE);
      // 10 held, 6 refunding; a charge of 7 leaves 3, so 3 of the refunds go: the newest (1) whole, then 2 of the 3.
      await f.ledger.connect(f.settler).charge(f.user, f.provider, 7n * ONE);
      expect(await refundAmounts(f)).to.deep.equal({ balance: 3n * ONE, pending: 3n * ONE, amounts: [2n * ONE, ONE] });
      await f.ledger.connect(f.settler).charge(f.user, f.provider, 2n * ONE);
      expect(await refundAmounts(f)).to.deep.equal({ balance: ONE, pending: ONE, amounts: [ONE] });
      await f.ledger.connect(f.settler).charge(f.user, f.provider, 5n * ONE);
      expect(await refundAmounts(f)).to.deep.equal({ balance: 0n, pending: 0n, amounts: [] });
      await after(LOCK_TIME);
      await expect(u.processRefunds(f.provider))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerNoUnlockedRefund")
        .withArgs(0);
      await expectInvariants(f);
    });

    it("works while paused, and refuses a caller without SETTLER_ROLE", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, 0n, ONE);
      const before = await ledgerState(f, [f.user], [f.provider]);
      await expect(f.ledger.connect(f.stranger).charge(f.user, f.provider, ONE))
        .to.be.revertedWithCustomError(f.ledger, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, await f.ledger.SETTLER_ROLE());
      expect(await ledgerState(f, [f.user], [f.provider])).to.deep.equal(before);
      await f.ledger.pause();
      await expect(f.ledger.connect(f.settler).charge(f.user, f.provider, ONE)).to.changeEtherBalance(f.provider, ONE);
    });

    it("reverts with nothing changed when the provider refuses payment or re-enters", async function () {
      const f = await loadFixture(ledgerFixture);
      const receiver = await (await ethers.getContractFactory("ComputeReentrantReceiver")).deploy();
      await fund(f, f.user, f.provider, ONE, 0n);
      await f.ledger.connect(f.user).transfer(receiver, ONE);
      const before = await ledgerState(f, [f.user], [f.provider]);
      const sub = async () => (await f.ledger.getSubAccount(f.user, receiver)).balance;
      await receiver.setRefusing(true);
      await expect(f.ledger.connect(f.settler).charge(f.user, receiver, ONE))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerTransferFailed")
        .withArgs(await receiver.getAddress());
      await receiver.setRefusing(false);
      const again = f.ledger.interface.encodeFunctionData("charge", [f.user.address, await receiver.getAddress(), 1n]);
      await f.ledger.grantRole(await f.ledger.SETTLER_ROLE(), receiver);
      await receiver.setReentry(await f.ledger.getAddress(), again);
      await f.ledger.connect(f.settler).charge(f.user, receiver, ONE / 2n);
      expect(f.ledger.interface.parseError(await receiver.lastError())?.name).to.equal("ReentrancyGuardReentrantCall");
      expect(await sub()).to.equal(ONE / 2n);
      expect((await ledgerState(f, [f.user], [f.provider]))[2]).to.deep.equal(before[2]);
      await receiver.setReentry(ZeroAddress, "0x");
      await expectInvariants(f);
    });
  });
});
