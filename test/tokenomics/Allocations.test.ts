// Allocations: the genesis buckets summing to the max supply, and locked vs circulating supply over time. Also
// GenesisVesting (cliff + linear vesting of the native coin) and BudgetVault, the two kinds of holder it reads.
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeBytes32String, parseEther, ZeroAddress } from "ethers";
import { HolderKind } from "../../deploy/modules/tokenomics";
import type { GenesisVesting } from "../../typechain-types";
import {
  BACKERS,
  balance,
  bucketAmount,
  MAX_SUPPLY,
  reach,
  TEAM,
  tokenomicsFixture,
  type TokenomicsFixture,
} from "./helpers";

const REASON = encodeBytes32String("grant-1");

describe("Allocations", function () {
  let f: TokenomicsFixture;
  beforeEach(async function () {
    f = await loadFixture(tokenomicsFixture);
  });

  async function deploy(buckets: unknown[]) {
    const factory = await ethers.getContractFactory("Allocations");
    return upgrades.deployProxy(factory, [f.deployer.address, buckets], { kind: "uups" });
  }
  const holder = (amount: bigint, account = f.stranger.address) => ({ account, kind: HolderKind.Budget, amount });

  describe("initialize", function () {
    it("records the five seed buckets, summing to 1 billion coins", async function () {
      expect(await f.allocations.MAX_SUPPLY()).to.equal(MAX_SUPPLY);
      expect(await f.allocations.bucketCount()).to.equal(5n);
      let total = 0n;
      for (let i = 0; i < 5; i++) total += (await f.allocations.bucket(i))[1];
      expect(total).to.equal(MAX_SUPPLY);
    });

    it("reverts when the buckets do not sum to the max supply", async function () {
      await expect(deploy([{ name: "all", holders: [holder(MAX_SUPPLY - 1n)] }]))
        .to.be.revertedWithCustomError(f.allocations, "AllocationsSupplyMismatch")
        .withArgs(MAX_SUPPLY - 1n, MAX_SUPPLY);
    });

    it("reverts on no buckets, a bucket without holders, or a zero holder", async function () {
      await expect(deploy([])).to.be.revertedWithCustomError(f.allocations, "AllocationsBadBucketCount");
      await expect(deploy([{ name: "x", holders: [] }])).to.be.revertedWithCustomError(
        f.allocations,
        "AllocationsBadHolderCount",
      );
      await expect(deploy([{ name: "x", holders: [holder(MAX_SUPPLY, ZeroAddress)] }]))
        .to.be.revertedWithCustomError(f.allocations, "AllocationsBadHolder")
        .withArgs(0, 0);
      await expect(deploy([{ name: "x", holders: [holder(MAX_SUPPLY), holder(0n)] }]))
        .to.be.revertedWithCustomError(f.allocations, "AllocationsBadHolder")
        .withArgs(0, 1);
    });

    it("accepts one bucket of several holders and emits BucketRecorded", async function () {
      const a = await deploy([{ name: "all", holders: [holder(1n), holder(MAX_SUPPLY - 1n)] }]);
      const [name, amount, holders] = await a.bucket(0);
      expect([name, amount, holders.length]).to.deep.equal(["all", MAX_SUPPLY, 2]);
    });
  });

  describe("bucket", function () {
    it("names each bucket with its share of the supply and its holder contracts", async function () {
      const shares = [
        ["ecosystem", 28n],
        ["backers", 22n],
        ["team", 22n],
        ["alignment", 15n],
        ["community", 13n],
      ] as const;
      for (const [i, [name, pct]] of shares.entries()) {
        const [n, amount] = await f.allocations.bucket(i);
        expect(n).to.equal(name);
        expect(amount).to.equal((MAX_SUPPLY * pct) / 100n);
      }
      const [, , community] = await f.allocations.bucket(4);
      expect(community.map((h) => [h.account, h.kind])).to.deep.equal([
        [await f.distributor.getAddress(), BigInt(HolderKind.Budget)],
      ]);
      const [, , backers] = await f.allocations.bucket(1);
      expect(backers.map((h) => [h.account, h.kind])).to.deep.equal([
        [await f.backersWallet.getAddress(), BigInt(HolderKind.Vesting)],
      ]);
    });

    it("reverts for an unknown bucket", async function () {
      await expect(f.allocations.bucket(5))
        .to.be.revertedWithCustomError(f.allocations, "AllocationsUnknownBucket")
        .withArgs(5);
    });
  });

  describe("lockedAt", function () {
    it("keeps a vesting bucket locked before the cliff, unlocks it linearly after, and fully at the end", async function () {
      const start = await f.backersWallet.start();
      const amount = bucketAmount("backers");
      expect(await f.allocations.lockedAt(1, start + BACKERS.cliff - 1n)).to.equal(amount);
      // At the cliff the part for the time since the start unlocks at once.
      expect(await f.allocations.lockedAt(1, start + BACKERS.cliff)).to.equal(
        amount - (amount * BACKERS.cliff) / BACKERS.duration,
      );
      expect(await f.allocations.lockedAt(1, start + BACKERS.duration / 2n)).to.equal(amount / 2n);
      expect(await f.allocations.lockedAt(1, start + BACKERS.duration)).to.equal(0n);
      expect(await f.allocations.lockedAt(2, start + TEAM.duration - 1n)).to.be.greaterThan(0n);
    });

    it("counts a budget holder's unpaid budget as locked, whatever the time", async function () {
      const amount = bucketAmount("ecosystem");
      expect(await f.allocations.lockedAt(0, 2n ** 60n)).to.equal(amount);
      await f.ecosystem.draw(f.alice.address, parseEther("5"), REASON);
      expect(await f.allocations.lockedAt(0, 0n)).to.equal(amount - parseEther("5"));
    });
  });

  describe("locked", function () {
    it("is lockedAt the current block's time", async function () {
      const start = await f.backersWallet.start();
      await reach(start + BACKERS.duration / 4n);
      const now = BigInt(await time.latest());
      const locked = await f.allocations.locked(1);
      // A call runs in a block at or shortly after the latest one; locked only falls with time.
      expect(locked).to.be.at.most(await f.allocations.lockedAt(1, now));
      expect(locked).to.be.at.least(await f.allocations.lockedAt(1, now + 60n));
      expect(locked).to.be.lessThan(bucketAmount("backers"));
    });
  });

  describe("totalLocked and circulating", function () {
    it("are the vested grants plus what budgets paid out, and always sum to the max supply", async function () {
      const start = await f.backersWallet.start();
      // Nothing has vested at the cliff's eve and no budget has paid anything: all of the supply is locked.
      let locked = 0n;
      for (let i = 0; i < 5; i++) locked += await f.allocations.lockedAt(i, start + BACKERS.cliff - 1n);
      expect(locked).to.equal(MAX_SUPPLY);
      expect((await f.allocations.circulating()) + (await f.allocations.totalLocked())).to.equal(MAX_SUPPLY);

      const [, end] = await f.distributor.schedule();
      await reach(end > start + TEAM.duration ? end : start + TEAM.duration);
      // Backers and team have fully vested; budgets are untouched.
      expect(await f.allocations.circulating()).to.equal(bucketAmount("backers") + bucketAmount("team"));
      await f.distributor.distribute();
      // No validator is registered: the services' 20 % is paid out, the validators' 80 % stays carried (locked).
      const paid = await f.distributor.paidOut();
      expect(paid).to.equal((bucketAmount("community") * 2000n) / 10_000n);
      expect(await f.allocations.circulating()).to.equal(bucketAmount("backers") + bucketAmount("team") + paid);
      expect((await f.allocations.circulating()) + (await f.allocations.totalLocked())).to.equal(MAX_SUPPLY);
    });
  });
});

describe("GenesisVesting", function () {
  let f: TokenomicsFixture;
  const AMOUNT = parseEther("1000");
  const CLIFF = 100n;
  const DURATION = 1000n;
  let wallet: GenesisVesting;
  let start: bigint;
  beforeEach(async function () {
    f = await loadFixture(tokenomicsFixture);
    // A wallet of its own that starts well after now, so the test owns the timeline.
    start = BigInt(await time.latest()) + 100_000n;
    const factory = await ethers.getContractFactory("GenesisVesting");
    wallet = (await factory.deploy(f.alice.address, start, DURATION, CLIFF)) as unknown as GenesisVesting;
    await f.deployer.sendTransaction({ to: await wallet.getAddress(), value: AMOUNT });
  });

  describe("release", function () {
    it("releases nothing before the cliff", async function () {
      expect(await wallet.cliff()).to.equal(start + CLIFF);
      await time.setNextBlockTimestamp(start + CLIFF - 1n);
      const before = await balance(f.alice.address);
      await wallet.connect(f.stranger)["release()"]();
      expect(await balance(f.alice.address)).to.equal(before);
      expect(await wallet["released()"]()).to.equal(0n);
    });

    it("vests linearly after the cliff and pays the beneficiary whoever calls", async function () {
      const before = await balance(f.alice.address);
      // At the cliff, the part for the time since the start becomes releasable at once.
      await time.setNextBlockTimestamp(start + CLIFF);
      await expect(wallet.connect(f.stranger)["release()"]())
        .to.emit(wallet, "EtherReleased")
        .withArgs((AMOUNT * CLIFF) / DURATION);
      await time.setNextBlockTimestamp(start + DURATION / 2n);
      await wallet.connect(f.stranger)["release()"]();
      expect((await balance(f.alice.address)) - before).to.equal(AMOUNT / 2n);
      expect(await wallet["released()"]()).to.equal(AMOUNT / 2n);
    });

    it("releases everything at the end", async function () {
      await time.setNextBlockTimestamp(start + DURATION);
      await wallet.connect(f.stranger)["release()"]();
      expect(await wallet["released()"]()).to.equal(AMOUNT);
      expect(await balance(await wallet.getAddress())).to.equal(0n);
    });

    it("releases the deployed grants to governance's account (the reserve owner on a devnet)", async function () {
      await reach((await f.teamWallet.end()) + 1n);
      const before = await balance(f.ctx.admin!);
      await f.teamWallet.connect(f.stranger)["release()"]();
      expect((await balance(f.ctx.admin!)) - before).to.equal(bucketAmount("team"));
    });
  });

  describe("constructor", function () {
    it("refuses a cliff longer than the duration", async function () {
      const factory = await ethers.getContractFactory("GenesisVesting");
      await expect(factory.deploy(f.alice.address, 0, 10, 11)).to.be.revertedWithCustomError(
        f.backersWallet,
        "InvalidCliffDuration",
      );
    });
  });
});

describe("BudgetVault", function () {
  let f: TokenomicsFixture;
  beforeEach(async function () {
    f = await loadFixture(tokenomicsFixture);
  });

  describe("initialize", function () {
    it("holds its bucket, names it, and gives DRAWER_ROLE to governance for ecosystem only", async function () {
      const role = await f.ecosystem.DRAWER_ROLE();
      expect(await f.ecosystem.name()).to.equal("ecosystem");
      expect(await f.alignment.name()).to.equal("alignment");
      expect(await f.ecosystem.budget()).to.equal(bucketAmount("ecosystem"));
      expect(await f.ecosystem.hasRole(role, f.ctx.admin!)).to.equal(true);
      expect(await f.alignment.hasRole(role, f.ctx.admin!)).to.equal(false);
      expect(await balance(await f.alignment.getAddress())).to.equal(bucketAmount("alignment"));
    });

    it("refuses a zero budget or one above the max supply", async function () {
      const factory = await ethers.getContractFactory("BudgetVault");
      for (const budget of [0n, MAX_SUPPLY + 1n]) {
        await expect(
          upgrades.deployProxy(factory, [f.deployer.address, ZeroAddress, ZeroAddress, "x", budget], { kind: "uups" }),
        )
          .to.be.revertedWithCustomError(f.ecosystem, "BudgetVaultBadBudget")
          .withArgs(budget);
      }
    });
  });

  describe("fund", function () {
    it("refuses coin beyond the budget left", async function () {
      await expect(f.alignment.fund({ value: 1n })).to.be.revertedWithCustomError(f.alignment, "BudgetVaultOverfunded");
      await expect(
        f.stranger.sendTransaction({ to: await f.alignment.getAddress(), value: 1n }),
      ).to.be.revertedWithCustomError(f.alignment, "BudgetVaultOverfunded");
    });

    it("accepts coin again once some was drawn", async function () {
      await f.ecosystem.draw(f.alice.address, 10n, REASON);
      await expect(f.ecosystem.connect(f.stranger).fund({ value: 10n }))
        .to.be.revertedWithCustomError(f.ecosystem, "BudgetVaultOverfunded")
        .withArgs(bucketAmount("ecosystem"), bucketAmount("ecosystem") - 10n);
    });
  });

  describe("draw", function () {
    it("pays the recipient, counts it as paid out and emits Drawn", async function () {
      const before = await balance(f.alice.address);
      await expect(f.ecosystem.draw(f.alice.address, parseEther("3"), REASON))
        .to.emit(f.ecosystem, "Drawn")
        .withArgs(f.deployer.address, f.alice.address, parseEther("3"), REASON);
      expect((await balance(f.alice.address)) - before).to.equal(parseEther("3"));
      expect(await f.ecosystem.paidOut()).to.equal(parseEther("3"));
    });

    it("is refused without DRAWER_ROLE: the alignment vault waits for its rewards contract", async function () {
      await expect(f.alignment.draw(f.alice.address, 1n, REASON)).to.be.revertedWithCustomError(
        f.alignment,
        "AccessControlUnauthorizedAccount",
      );
      await f.alignment.grantRole(await f.alignment.DRAWER_ROLE(), f.bob.address);
      await f.alignment.connect(f.bob).draw(f.alice.address, 1n, REASON);
      expect(await f.alignment.paidOut()).to.equal(1n);
    });

    it("refuses zero, more than the budget left, a zero recipient, and while paused", async function () {
      await expect(f.ecosystem.draw(f.alice.address, 0n, REASON)).to.be.revertedWithCustomError(
        f.ecosystem,
        "BudgetVaultOverBudget",
      );
      await expect(f.ecosystem.draw(f.alice.address, bucketAmount("ecosystem") + 1n, REASON))
        .to.be.revertedWithCustomError(f.ecosystem, "BudgetVaultOverBudget")
        .withArgs(bucketAmount("ecosystem") + 1n, bucketAmount("ecosystem"));
      await expect(f.ecosystem.draw(ZeroAddress, 1n, REASON)).to.be.revertedWithCustomError(
        f.ecosystem,
        "BudgetVaultZeroAddress",
      );
      await f.ecosystem.pause();
      await expect(f.ecosystem.draw(f.alice.address, 1n, REASON)).to.be.revertedWithCustomError(
        f.ecosystem,
        "EnforcedPause",
      );
      expect(await f.ecosystem.paidOut()).to.equal(0n);
    });

    it("refuses a recipient that re-enters draw: nothing is paid twice", async function () {
      const factory = await ethers.getContractFactory("ReentrantDrawerMock");
      const drawer = await factory.deploy(await f.ecosystem.getAddress());
      await f.ecosystem.grantRole(await f.ecosystem.DRAWER_ROLE(), await drawer.getAddress());
      // The inner draw hits the guard, so the payment fails and the whole draw reverts.
      await expect(drawer.drawToSelf(parseEther("1")))
        .to.be.revertedWithCustomError(f.ecosystem, "BudgetVaultPaymentFailed")
        .withArgs(await drawer.getAddress());
      expect(await f.ecosystem.paidOut()).to.equal(0n);
      expect(await balance(await drawer.getAddress())).to.equal(0n);
    });

    it("refuses more than the balance of an unfunded vault, and a recipient that rejects coin", async function () {
      const factory = await ethers.getContractFactory("BudgetVault");
      const v = await upgrades.deployProxy(factory, [f.deployer.address, ZeroAddress, f.deployer.address, "x", 100n], {
        kind: "uups",
      });
      await expect(v.draw(f.alice.address, 1n, REASON))
        .to.be.revertedWithCustomError(v, "BudgetVaultInsufficientBalance")
        .withArgs(1n, 0n);
      await v.fund({ value: 100n });
      // The Allocations proxy has no receive function.
      await expect(v.draw(await f.allocations.getAddress(), 1n, REASON))
        .to.be.revertedWithCustomError(v, "BudgetVaultPaymentFailed")
        .withArgs(await f.allocations.getAddress());
    });
  });
});
