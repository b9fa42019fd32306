import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress } from "ethers";
import {
  DAY,
  GENERATOR,
  HOUR,
  LOCK_TIME,
  MAX_REFUNDS,
  ONE,
  after,
  expectInvariants,
  fund,
  ledgerFixture,
  ledgerState,
  shiftedKey,
  signerKey,
  smallOrderPoints,
} from "./ledgerHelpers";

const FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

describe("ComputeLedger", function () {
  describe("initialize", function () {
    it("is deployed with the lock time, refund limit and roles", async function () {
      const f = await loadFixture(ledgerFixture);
      expect(await f.ledger.lockTime()).to.equal(LOCK_TIME);
      expect(await f.ledger.maxRefunds()).to.equal(MAX_REFUNDS);
      expect(await f.ledger.contractName()).to.equal("ComputeLedger");
      expect(await f.ledger.version()).to.equal("1.0.0");
      expect(await f.ledger.SETTLER_ROLE()).to.equal(ethers.id("SETTLER_ROLE"));
      expect(await f.ledger.hasRole(await f.ledger.SETTLER_ROLE(), await f.fineTuning.getAddress())).to.equal(true);
      expect([...(await f.ledger.totals())]).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
    });

    it("cannot be initialized twice", async function () {
      const f = await loadFixture(ledgerFixture);
      await expect(
        f.ledger.initialize(f.deployer.address, f.deployer.address, LOCK_TIME, MAX_REFUNDS),
      ).to.be.revertedWithCustomError(f.ledger, "InvalidInitialization");
    });

    it("refuses a lock time or refund limit out of bounds", async function () {
      const [deployer] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("ComputeLedger");
      const deploy = (lockTime: number, maxRefunds: number) =>
        upgrades.deployProxy(factory, [deployer.address, deployer.address, lockTime, maxRefunds], { kind: "uups" });
      await expect(deploy(HOUR - 1, 8)).to.be.revertedWithCustomError(factory, "ComputeLedgerBadLockTime");
      await expect(deploy(7 * DAY + 1, 8))
        .to.be.revertedWithCustomError(factory, "ComputeLedgerBadLockTime")
        .withArgs(7 * DAY + 1);
      await expect(deploy(DAY, 0)).to.be.revertedWithCustomError(factory, "ComputeLedgerBadMaxRefunds").withArgs(0);
      await expect(deploy(DAY, 65)).to.be.revertedWithCustomError(factory, "ComputeLedgerBadMaxRefunds").withArgs(65);
      await deploy(HOUR, 1);
      await deploy(7 * DAY, 64);
    });
  });

  describe("createAccount", function () {
    it("stores the key and credits the value", async function () {
      const f = await loadFixture(ledgerFixture);
      const key = signerKey("a");
      const tx = await f.ledger.connect(f.user).createAccount(key, { value: ONE });
      await expect(tx)
        .to.emit(f.ledger, "AccountCreated")
        .withArgs(f.user.address, key)
        .and.to.emit(f.ledger, "Deposited")
        .withArgs(f.user.address, ONE, ONE);
      await expect(tx).to.changeEtherBalances([f.user, f.ledger], [-ONE, ONE]);
      const account = await f.ledger.getAccount(f.user);
      expect(account.balance).to.equal(ONE);
      expect(account.exists).to.equal(true);
      expect([...(await f.ledger.signerKeyOf(f.user))]).to.deep.equal(key);
      expect((await f.ledger.totals()).deposited).to.equal(ONE);
      await expectInvariants(f);
    });

    it("creates an empty account without a deposit event", async function () {
      const f = await loadFixture(ledgerFixture);
      await expect(f.ledger.connect(f.user).createAccount(signerKey("a"))).not.to.emit(f.ledger, "Deposited");
      expect((await f.ledger.getAccount(f.user)).exists).to.equal(true);
    });

    it("accepts a full-order key and a key shifted by a small-order point", async function () {
      const f = await loadFixture(ledgerFixture);
      await f.ledger.connect(f.user).createAccount(GENERATOR);
      await f.ledger.connect(f.other).createAccount(shiftedKey("s"));
    });

    it("refuses a second account", async function () {
      const f = await loadFixture(ledgerFixture);
      await f.ledger.connect(f.user).createAccount(signerKey("a"), { value: ONE });
      const before = await ledgerState(f, [f.user], []);
      await expect(f.ledger.connect(f.user).createAccount(signerKey("b"), { value: ONE }))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerAccountExists")
        .withArgs(f.user.address);
      expect(await ledgerState(f, [f.user], [])).to.deep.equal(before);
    });

    it("refuses keys off the curve, outside the field, or of small order", async function () {
      const f = await loadFixture(ledgerFixture);
      const [x, y] = signerKey("a");
      const bad: [bigint, bigint][] = [
        [0n, 0n],
        [x, y + 1n],
        [x + FIELD, y],
        [x, y + FIELD],
        [1n, 1n],
        ...smallOrderPoints(),
      ];
      for (const key of bad) {
        await expect(f.ledger.connect(f.user).createAccount(key, { value: ONE })).to.be.revertedWithCustomError(
          f.ledger,
          "ComputeLedgerBadSignerKey",
        );
      }
      expect(await ledgerState(f, [f.user], [])).to.deep.equal(await ledgerState(f, [f.stranger], []));
    });

    it("is refused while paused", async function () {
      const f = await loadFixture(ledgerFixture);
      await f.ledger.pause();
      await expect(f.ledger.connect(f.user).createAccount(signerKey("a"))).to.be.revertedWithCustomError(
        f.ledger,
        "EnforcedPause",
      );
    });
  });

  describe("setSignerKey", function () {
    it("replaces the key", async function () {
      const f = await loadFixture(ledgerFixture);
      await f.ledger.connect(f.user).createAccount(signerKey("a"));
      const key = signerKey("b");
      await expect(f.ledger.connect(f.user).setSignerKey(key))
        .to.emit(f.ledger, "SignerKeyChanged")
        .withArgs(f.user.address, key);
      expect([...(await f.ledger.signerKeyOf(f.user))]).to.deep.equal(key);
    });

    it("refuses a bad key and a caller without an account", async function () {
      const f = await loadFixture(ledgerFixture);
      await f.ledger.connect(f.user).createAccount(signerKey("a"));
      await expect(f.ledger.connect(f.user).setSignerKey([0n, 1n])).to.be.revertedWithCustomError(
        f.ledger,
        "ComputeLedgerBadSignerKey",
      );
      expect([...(await f.ledger.signerKeyOf(f.user))]).to.deep.equal(signerKey("a"));
      await expect(f.ledger.connect(f.stranger).setSignerKey(signerKey("c")))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerNoAccount")
        .withArgs(f.stranger.address);
      expect([...(await f.ledger.signerKeyOf(f.stranger))]).to.deep.equal([0n, 0n]);
    });
  });

  describe("deposit", function () {
    it("credits the main account", async function () {
      const f = await loadFixture(ledgerFixture);
      await f.ledger.connect(f.user).createAccount(signerKey("a"), { value: ONE });
      const tx = await f.ledger.connect(f.user).deposit({ value: 2n * ONE });
      await expect(tx)
        .to.emit(f.ledger, "Deposited")
        .withArgs(f.user.address, 2n * ONE, 3n * ONE);
      await expect(tx).to.changeEtherBalances([f.user, f.ledger], [-2n * ONE, 2n * ONE]);
      expect((await f.ledger.getAccount(f.user)).balance).to.equal(3n * ONE);
      await expectInvariants(f);
    });

    it("refuses zero, a caller without an account, and deposits while paused", async function () {
      const f = await loadFixture(ledgerFixture);
      await f.ledger.connect(f.user).createAccount(signerKey("a"), { value: ONE });
      const before = await ledgerState(f, [f.user, f.stranger], []);
      await expect(f.ledger.connect(f.user).deposit()).to.be.revertedWithCustomError(
        f.ledger,
        "ComputeLedgerZeroAmount",
      );
      await expect(f.ledger.connect(f.stranger).deposit({ value: ONE }))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerNoAccount")
        .withArgs(f.stranger.address);
      await f.ledger.pause();
      await expect(f.ledger.connect(f.user).deposit({ value: ONE })).to.be.revertedWithCustomError(
        f.ledger,
        "EnforcedPause",
      );
      expect(await ledgerState(f, [f.user, f.stranger], [])).to.deep.equal(before);
    });
  });

  describe("withdraw", function () {
    it("sends from the main account, also while paused", async function () {
      const f = await loadFixture(ledgerFixture);
      await f.ledger.connect(f.user).createAccount(signerKey("a"), { value: 3n * ONE });
      await f.ledger.pause();
      const tx = await f.ledger.connect(f.user).withdraw(ONE);
      await expect(tx)
        .to.emit(f.ledger, "Withdrawn")
        .withArgs(f.user.address, ONE, 2n * ONE);
      await expect(tx).to.changeEtherBalances([f.user, f.ledger], [ONE, -ONE]);
      await f.ledger.connect(f.user).withdraw(2n * ONE);
      expect((await f.ledger.getAccount(f.user)).balance).to.equal(0n);
      expect((await f.ledger.totals()).withdrawn).to.equal(3n * ONE);
      await expectInvariants(f);
    });

    it("refuses zero, more than the balance, and a caller without an account", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, ONE, ONE);
      const before = await ledgerState(f, [f.user, f.stranger], [f.provider]);
      await expect(f.ledger.connect(f.user).withdraw(0)).to.be.revertedWithCustomError(
        f.ledger,
        "ComputeLedgerZeroAmount",
      );
      await expect(f.ledger.connect(f.user).withdraw(ONE + 1n))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerInsufficientBalance")
        .withArgs(ONE, ONE + 1n);
      await expect(f.ledger.connect(f.stranger).withdraw(1))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerNoAccount")
        .withArgs(f.stranger.address);
      expect(await ledgerState(f, [f.user, f.stranger], [f.provider])).to.deep.equal(before);
    });

    it("refuses a re-entrant withdrawal and reports a refused payment", async function () {
      const f = await loadFixture(ledgerFixture);
      const receiver = await (await ethers.getContractFactory("ComputeReentrantReceiver")).deploy();
      const ledger = await f.ledger.getAddress();
      await receiver.execute(ledger, f.ledger.interface.encodeFunctionData("createAccount", [signerKey("r")]), {
        value: 2n * ONE,
      });
      const withdrawOne = f.ledger.interface.encodeFunctionData("withdraw", [ONE]);
      await receiver.setReentry(ledger, withdrawOne);
      await receiver.execute(ledger, withdrawOne);
      // The re-entered withdrawal was refused by the guard; the outer one paid once.
      expect(f.ledger.interface.parseError(await receiver.lastError())?.name).to.equal("ReentrancyGuardReentrantCall");
      expect((await f.ledger.getAccount(receiver)).balance).to.equal(ONE);
      await receiver.setReentry(ZeroAddress, "0x");
      await receiver.setRefusing(true);
      await expect(receiver.execute(ledger, withdrawOne))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerTransferFailed")
        .withArgs(await receiver.getAddress());
      expect((await f.ledger.getAccount(receiver)).balance).to.equal(ONE);
      await expectInvariants(f);
    });
  });

  describe("transfer", function () {
    it("moves funds into the provider's sub-account", async function () {
      const f = await loadFixture(ledgerFixture);
      await f.ledger.connect(f.user).createAccount(signerKey("a"), { value: 3n * ONE });
      const tx = await f.ledger.connect(f.user).transfer(f.provider, ONE);
      await expect(tx).to.emit(f.ledger, "Transferred").withArgs(f.user.address, f.provider.address, ONE, 0n);
      await expect(tx).to.changeEtherBalances([f.user, f.ledger], [0n, 0n]);
      await f.ledger.connect(f.user).transfer(f.provider, ONE);
      expect((await f.ledger.getAccount(f.user)).balance).to.equal(ONE);
      expect(await f.ledger.chargeable(f.user, f.provider)).to.equal(2n * ONE);
      const t = await f.ledger.totals();
      expect([t.mainBalances, t.subBalances]).to.deep.equal([ONE, 2n * ONE]);
      await expectInvariants(f);
    });

    it("cancels the sub-account's pending refunds", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, ONE, 3n * ONE);
      await f.ledger.connect(f.user).requestRefund(f.provider, ONE);
      await f.ledger.connect(f.user).requestRefund(f.provider, ONE);
      await expect(f.ledger.connect(f.user).transfer(f.provider, 1n))
        .to.emit(f.ledger, "Transferred")
        .withArgs(f.user.address, f.provider.address, 1n, 2n * ONE);
      const sub = await f.ledger.getSubAccount(f.user, f.provider);
      expect([sub.balance, sub.pendingRefund, sub.refunds.length]).to.deep.equal([3n * ONE + 1n, 0n, 0]);
      await after(LOCK_TIME);
      await expect(f.ledger.connect(f.user).processRefunds(f.provider))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerNoUnlockedRefund")
        .withArgs(0);
    });

    it("refuses a bad provider, zero, more than the balance, no account, and transfers while paused", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, ONE, ONE);
      const before = await ledgerState(f, [f.user, f.stranger], [f.provider]);
      const u = f.ledger.connect(f.user);
      await expect(u.transfer(ZeroAddress, 1))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerBadProvider")
        .withArgs(ZeroAddress);
      await expect(u.transfer(f.user, 1))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerBadProvider")
        .withArgs(f.user.address);
      await expect(u.transfer(f.provider, 0)).to.be.revertedWithCustomError(f.ledger, "ComputeLedgerZeroAmount");
      await expect(u.transfer(f.provider, ONE + 1n))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerInsufficientBalance")
        .withArgs(ONE, ONE + 1n);
      await expect(f.ledger.connect(f.stranger).transfer(f.provider, 1))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerNoAccount")
        .withArgs(f.stranger.address);
      await f.ledger.pause();
      await expect(u.transfer(f.provider, 1)).to.be.revertedWithCustomError(f.ledger, "EnforcedPause");
      expect(await ledgerState(f, [f.user, f.stranger], [f.provider])).to.deep.equal(before);
    });
  });

  describe("setLockTime", function () {
    it("changes the lock time of new refunds only", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, 0n, 2n * ONE);
      await f.ledger.connect(f.user).requestRefund(f.provider, ONE);
      await expect(f.ledger.setLockTime(HOUR)).to.emit(f.ledger, "LockTimeChanged").withArgs(HOUR);
      expect(await f.ledger.lockTime()).to.equal(HOUR);
      await f.ledger.connect(f.user).requestRefund(f.provider, ONE);
      await after(HOUR);
      await expect(f.ledger.connect(f.user).processRefunds(f.provider))
        .to.emit(f.ledger, "RefundsProcessed")
        .withArgs(f.user.address, f.provider.address, ONE);
      const sub = await f.ledger.getSubAccount(f.user, f.provider);
      expect(sub.refunds.map((r) => r.amount)).to.deep.equal([ONE]);
    });

    it("refuses a non-admin and a value out of bounds", async function () {
      const f = await loadFixture(ledgerFixture);
      await expect(f.ledger.connect(f.user).setLockTime(HOUR)).to.be.revertedWithCustomError(
        f.ledger,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.ledger.setLockTime(7 * DAY + 1))
        .to.be.revertedWithCustomError(f.ledger, "ComputeLedgerBadLockTime")
        .withArgs(7 * DAY + 1);
      expect(await f.ledger.lockTime()).to.equal(LOCK_TIME);
    });
  });

  describe("upgrade", function () {
    it("keeps balances across an upgrade and refuses a stranger", async function () {
      const f = await loadFixture(ledgerFixture);
      await fund(f, f.user, f.provider, ONE, ONE);
      const factory = await ethers.getContractFactory("ComputeLedger");
      const upgraded = await upgrades.upgradeProxy(await f.ledger.getAddress(), factory, {
        kind: "uups",
        redeployImplementation: "always",
      });
      expect(await upgraded.chargeable(f.user, f.provider)).to.equal(ONE);
      await expect(
        upgrades.upgradeProxy(await f.ledger.getAddress(), factory.connect(f.stranger), {
          kind: "uups",
          redeployImplementation: "always",
        }),
      ).to.be.revertedWithCustomError(f.ledger, "AccessControlUnauthorizedAccount");
    });
  });
});
