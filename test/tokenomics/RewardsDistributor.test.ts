// RewardsDistributor: a linear release of its budget, paid by permissionless `distribute` to validators by
// effective stake (a StakingRewardsMock here, real Staking in the last block) and to the storage and DA base pools.
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, ZeroAddress } from "ethers";
import {
  addValidators,
  balance,
  BPS,
  BUDGET,
  bucketAmount,
  distributorFixture,
  type DistributorFixture,
  REWARDS_DURATION,
  tokenomicsFixture,
  reach,
  WEIGHTS,
} from "./helpers";

describe("RewardsDistributor", function () {
  let f: DistributorFixture;
  beforeEach(async function () {
    f = await loadFixture(distributorFixture);
  });

  async function basePools() {
    const chunk = await ethers.getContractAt("ChunkRewards", f.chunkRewardsAddress);
    const da = await ethers.getContractAt("DASampler", f.daSamplerAddress);
    return { storage: await chunk.basePool(), da: await da.basePool() };
  }

  async function deploy(args: unknown[]) {
    const factory = await ethers.getContractFactory("RewardsDistributor");
    return upgrades.deployProxy(factory, args, { kind: "uups" });
  }

  function initArgs(overrides: Partial<Record<string, unknown>> = {}) {
    const a = {
      admin: f.deployer.address,
      pauser: f.deployer.address,
      staking: f.stranger.address,
      chunk: f.chunkRewardsAddress,
      da: f.daSamplerAddress,
      budget: BUDGET,
      start: 100n,
      end: 200n,
      weights: WEIGHTS,
      ...overrides,
    };
    return [a.admin, a.pauser, a.staking, a.chunk, a.da, a.budget, a.start, a.end, a.weights];
  }

  describe("initialize", function () {
    it("stores the schedule, weights and services", async function () {
      expect(await f.distributor.budget()).to.equal(BUDGET);
      expect(await f.distributor.schedule()).to.deep.equal([f.start, f.end]);
      const w = await f.distributor.weights();
      expect([w.validatorsBps, w.storageBps, w.daBps]).to.deep.equal([8000n, 1500n, 500n]);
      expect(await f.distributor.services()).to.deep.equal([
        await f.mock.getAddress(),
        f.chunkRewardsAddress,
        f.daSamplerAddress,
      ]);
      expect(await f.distributor.contractName()).to.equal("RewardsDistributor");
    });

    it("reverts on a zero Staking address", async function () {
      await expect(deploy(initArgs({ staking: ZeroAddress }))).to.be.revertedWithCustomError(
        f.distributor,
        "RewardsDistributorZeroAddress",
      );
    });

    it("reverts on a schedule that ends before it starts, no budget or a budget above the max supply", async function () {
      for (const o of [{ end: 100n }, { budget: 0n }, { budget: parseEther("1000000001") }]) {
        await expect(deploy(initArgs(o))).to.be.revertedWithCustomError(f.distributor, "RewardsDistributorBadSchedule");
      }
    });

    it("reverts on weights that do not sum to 10000 or a weighted service without an address", async function () {
      const bad = [
        { weights: { validatorsBps: 8000, storageBps: 1000, daBps: 500 } },
        { chunk: ZeroAddress },
        { da: ZeroAddress },
      ];
      for (const o of bad) {
        await expect(deploy(initArgs(o))).to.be.revertedWithCustomError(f.distributor, "RewardsDistributorBadWeights");
      }
      // A service without weight needs no address.
      await deploy(initArgs({ da: ZeroAddress, weights: { validatorsBps: 8500, storageBps: 1500, daBps: 0 } }));
    });

    it("cannot be called twice", async function () {
      await expect(
        f.distributor.initialize(...(initArgs() as Parameters<typeof f.distributor.initialize>)),
      ).to.be.revertedWithCustomError(f.distributor, "InvalidInitialization");
    });
  });

  describe("scheduled", function () {
    it("is 0 until the start, linear between, the budget from the end on", async function () {
      expect(await f.distributor.scheduled(0n)).to.equal(0n);
      expect(await f.distributor.scheduled(f.start)).to.equal(0n);
      expect(await f.distributor.scheduled(f.start + 1n)).to.equal(BUDGET / 1000n);
      expect(await f.distributor.scheduled(f.start + 250n)).to.equal(BUDGET / 4n);
      expect(await f.distributor.scheduled(f.end)).to.equal(BUDGET);
      expect(await f.distributor.scheduled(f.end + 10n ** 9n)).to.equal(BUDGET);
    });
  });

  describe("fund", function () {
    it("refuses coin beyond what the budget still allows, through fund and a plain transfer", async function () {
      await expect(f.distributor.fund({ value: 1n }))
        .to.be.revertedWithCustomError(f.distributor, "RewardsDistributorOverfunded")
        .withArgs(BUDGET + 1n, BUDGET);
      await expect(
        f.stranger.sendTransaction({ to: await f.distributor.getAddress(), value: 1n }),
      ).to.be.revertedWithCustomError(f.distributor, "RewardsDistributorOverfunded");
    });

    it("accepts coin up to the budget and emits Funded", async function () {
      const factory = await ethers.getContractFactory("RewardsDistributor");
      const d = await upgrades.deployProxy(factory, initArgs(), { kind: "uups" });
      await expect(d.fund({ value: BUDGET - 1n }))
        .to.emit(d, "Funded")
        .withArgs(f.deployer.address, BUDGET - 1n);
      await f.stranger.sendTransaction({ to: await d.getAddress(), value: 1n });
      expect(await balance(await d.getAddress())).to.equal(BUDGET);
    });
  });

  describe("due", function () {
    it("is the schedule's progress since the last release", async function () {
      expect(await f.distributor.due()).to.equal(0n);
      await reach(f.start + 100n);
      expect(await f.distributor.due()).to.equal(BUDGET / 10n);
    });

    it("is bounded by the coin held when the distributor is underfunded", async function () {
      const factory = await ethers.getContractFactory("RewardsDistributor");
      const now = BigInt(await time.latest());
      const d = await upgrades.deployProxy(factory, initArgs({ start: now, end: now + 10n }), { kind: "uups" });
      await d.fund({ value: 5n });
      await time.increase(20);
      expect(await d.due()).to.equal(5n);
    });
  });

  describe("distribute", function () {
    it("reverts when nothing was released and nothing is carried", async function () {
      await expect(f.distributor.distribute()).to.be.revertedWithCustomError(
        f.distributor,
        "RewardsDistributorNothingDue",
      );
    });

    it("pays services by weight and validators by effective stake, through anyone's call", async function () {
      const [v1, v2, v3] = await addValidators(f.mock, [parseEther("1"), parseEther("3"), 0n]);
      const before = await basePools();
      await time.setNextBlockTimestamp(f.start + 500n);
      const released = BUDGET / 2n;
      const toStorage = (released * 1500n) / BPS;
      const toDa = (released * 500n) / BPS;
      const pot = released - toStorage - toDa;
      await expect(f.distributor.connect(f.stranger).distribute())
        .to.emit(f.distributor, "Distributed")
        .withArgs(f.stranger.address, released, pot, toStorage, toDa, 0n)
        .and.to.emit(f.distributor, "ValidatorRewarded")
        .withArgs(v2, (pot * 3n) / 4n);
      expect(await f.mock.received(v1)).to.equal(pot / 4n);
      expect(await f.mock.received(v2)).to.equal((pot * 3n) / 4n);
      expect(await f.mock.received(v3)).to.equal(0n);
      const after = await basePools();
      expect(after.storage - before.storage).to.equal(toStorage);
      expect(after.da - before.da).to.equal(toDa);
      expect(await f.distributor.released()).to.equal(released);
      expect(await f.distributor.paidOut()).to.equal(released);
      expect(await balance(await f.distributor.getAddress())).to.equal(BUDGET - released);
    });

    it("releases the whole budget once and nothing after the end", async function () {
      await addValidators(f.mock, [1n]);
      await reach(f.end + 100n);
      await f.distributor.distribute();
      expect(await f.distributor.paidOut()).to.equal(BUDGET);
      expect(await balance(await f.distributor.getAddress())).to.equal(0n);
      await expect(f.distributor.distribute()).to.be.revertedWithCustomError(
        f.distributor,
        "RewardsDistributorNothingDue",
      );
    });

    it("carries the validators' share while none has stake, and pays it with the next release", async function () {
      await time.setNextBlockTimestamp(f.start + 100n);
      const first = BUDGET / 10n;
      const pot1 = first - (first * 2000n) / BPS;
      await expect(f.distributor.distribute())
        .to.emit(f.distributor, "Distributed")
        .withArgs(f.deployer.address, first, 0n, (first * 1500n) / BPS, (first * 500n) / BPS, pot1);
      expect(await f.distributor.carried()).to.equal(pot1);
      expect(await f.distributor.released()).to.equal((await f.distributor.paidOut()) + pot1);

      const [v] = await addValidators(f.mock, [parseEther("1")]);
      await time.setNextBlockTimestamp(f.start + 200n);
      await f.distributor.distribute();
      expect(await f.mock.received(v)).to.equal(pot1 * 2n);
      expect(await f.distributor.carried()).to.equal(0n);
    });

    it("pays what is carried even when nothing new was released", async function () {
      await reach(f.end);
      await f.distributor.distribute();
      const carried = await f.distributor.carried();
      expect(carried).to.be.greaterThan(0n);
      const [v] = await addValidators(f.mock, [1n]);
      await expect(f.distributor.distribute())
        .to.emit(f.distributor, "Distributed")
        .withArgs(f.deployer.address, 0n, carried, 0n, 0n, 0n);
      expect(await f.mock.received(v)).to.equal(carried);
    });

    it("keeps a payment Staking refuses carried, paying the others", async function () {
      const [v1, v2] = await addValidators(f.mock, [1n, 1n]);
      await f.mock.setRefuses(v1, true);
      await time.setNextBlockTimestamp(f.start + 100n);
      await f.distributor.distribute();
      const pot = BUDGET / 10n - ((BUDGET / 10n) * 2000n) / BPS;
      expect(await f.mock.received(v1)).to.equal(0n);
      expect(await f.mock.received(v2)).to.equal(pot / 2n);
      expect(await f.distributor.carried()).to.equal(pot - pot / 2n);
    });

    it("walks a validator list longer than one scan with a cursor", async function () {
      const max = Number(await f.distributor.MAX_VALIDATORS_PER_CALL());
      const validators = await addValidators(
        f.mock,
        Array.from({ length: max + 2 }, () => 1n),
      );
      expect(await f.mock.validatorCount()).to.equal(BigInt(max + 2));
      await time.setNextBlockTimestamp(f.start + 100n);
      await f.distributor.distribute();
      // The first scan covers indices 0..max-1; the next starts at max and wraps around.
      expect(await f.distributor.cursor()).to.equal(BigInt(max));
      expect(await f.mock.received(validators[max])).to.equal(0n);
      expect(await f.mock.received(validators[0])).to.be.greaterThan(0n);
      await time.setNextBlockTimestamp(f.start + 200n);
      await f.distributor.distribute();
      expect(await f.distributor.cursor()).to.equal(BigInt(2 * max) % BigInt(max + 2));
      expect(await f.mock.received(validators[max + 1])).to.be.greaterThan(0n);
      expect(await f.distributor.released()).to.equal(
        (await f.distributor.paidOut()) + (await f.distributor.carried()),
      );
    });

    it("reverts while paused", async function () {
      await reach(f.start + 100n);
      await f.distributor.pause();
      await expect(f.distributor.distribute()).to.be.revertedWithCustomError(f.distributor, "EnforcedPause");
    });
  });

  describe("setWeights", function () {
    it("sets the split and emits WeightsUpdated; only the admin", async function () {
      const w = { validatorsBps: 10_000, storageBps: 0, daBps: 0 };
      await expect(f.distributor.setWeights(w)).to.emit(f.distributor, "WeightsUpdated").withArgs(10_000, 0, 0);
      await expect(f.distributor.connect(f.stranger).setWeights(w)).to.be.revertedWithCustomError(
        f.distributor,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("reverts on weights that do not sum to 10000", async function () {
      await expect(f.distributor.setWeights({ validatorsBps: 1, storageBps: 1, daBps: 1 }))
        .to.be.revertedWithCustomError(f.distributor, "RewardsDistributorBadWeights")
        .withArgs(1, 1, 1);
    });
  });

  describe("setServices", function () {
    it("sets the services and emits ServicesUpdated; only the admin", async function () {
      await f.distributor.setWeights({ validatorsBps: 10_000, storageBps: 0, daBps: 0 });
      await expect(f.distributor.setServices(ZeroAddress, ZeroAddress))
        .to.emit(f.distributor, "ServicesUpdated")
        .withArgs(ZeroAddress, ZeroAddress);
      await expect(
        f.distributor.connect(f.stranger).setServices(ZeroAddress, ZeroAddress),
      ).to.be.revertedWithCustomError(f.distributor, "AccessControlUnauthorizedAccount");
    });

    it("refuses to remove a service that still has a weight", async function () {
      await expect(f.distributor.setServices(ZeroAddress, f.daSamplerAddress)).to.be.revertedWithCustomError(
        f.distributor,
        "RewardsDistributorBadWeights",
      );
      const [, chunk] = await f.distributor.services();
      expect(chunk).to.equal(f.chunkRewardsAddress);
    });
  });

  describe("with the deployed protocol", function () {
    it("pays real validators through Staking by effective stake", async function () {
      const p = await loadFixture(tokenomicsFixture);
      const [, , , , , , op1, op2] = await ethers.getSigners();
      const minSelf = (await p.staking.getParams()).minSelfStake;
      for (const [i, [op, stake]] of (
        [
          [op1, minSelf],
          [op2, minSelf * 3n],
        ] as const
      ).entries()) {
        const key = ethers.zeroPadValue(ethers.toBeHex(1000 + i), 48);
        await p.staking.connect(op).registerValidator(key, `v${i}`, 0, 100_000, 10_000, { value: stake });
      }
      const [start] = await p.distributor.schedule();
      await time.setNextBlockTimestamp(start + REWARDS_DURATION / 2n);
      const tx = p.distributor.distribute();
      const released = bucketAmount("community") / 2n;
      const pot = released - (released * 2000n) / BPS;
      await expect(tx).to.emit(p.staking, "RewardsDistributed");
      await expect(tx)
        .to.emit(p.distributor, "ValidatorRewarded")
        .withArgs(op1.address, pot / 4n);
      await expect(tx)
        .to.emit(p.distributor, "ValidatorRewarded")
        .withArgs(op2.address, (pot * 3n) / 4n);
      // Staking's community tax went to its treasury; the rest raised the validators' bonded stake.
      const [bonded] = await p.staking.totals();
      expect(bonded).to.be.greaterThan(minSelf * 4n);
    });
  });
});
