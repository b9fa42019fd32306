import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, ZeroHash } from "ethers";
import {
  DATASET,
  DAY,
  FT_PARAMS,
  MIN_PROVIDER_STAKE,
  ONE,
  SERVICE,
  SPEC,
  fineTuningFixture,
  ledgerFixture,
  ledgerState,
} from "./ledgerHelpers";

describe("FineTuning", function () {
  describe("initialize", function () {
    it("is deployed with the ledger, serving contract and parameters", async function () {
      const f = await loadFixture(ledgerFixture);
      expect(await f.fineTuning.ledger()).to.equal(await f.ledger.getAddress());
      expect(await f.fineTuning.serving()).to.equal(await f.serving.getAddress());
      const p = await f.fineTuning.getParams();
      expect([p.ackWindow, p.penaltyPpm, p.deliveryTimeout]).to.deep.equal([
        BigInt(FT_PARAMS.ackWindow),
        BigInt(FT_PARAMS.penaltyPpm),
        BigInt(FT_PARAMS.deliveryTimeout),
      ]);
      expect(await f.fineTuning.contractName()).to.equal("FineTuning");
      expect(await f.fineTuning.version()).to.equal("1.0.0");
      expect(await f.fineTuning.taskCount()).to.equal(0n);
      await expect(
        f.fineTuning.initialize(f.deployer.address, f.deployer.address, f.ledger, f.serving, FT_PARAMS),
      ).to.be.revertedWithCustomError(f.fineTuning, "InvalidInitialization");
    });

    it("refuses zero addresses", async function () {
      const f = await loadFixture(ledgerFixture);
      const factory = await ethers.getContractFactory("FineTuning");
      const deploy = (ledger: string, serving: string) =>
        upgrades.deployProxy(factory, [f.deployer.address, f.deployer.address, ledger, serving, FT_PARAMS], {
          kind: "uups",
        });
      const ledger = await f.ledger.getAddress();
      await expect(deploy(ZeroAddress, ledger)).to.be.revertedWithCustomError(factory, "FineTuningZeroAddress");
      await expect(deploy(ledger, ZeroAddress)).to.be.revertedWithCustomError(factory, "FineTuningZeroAddress");
    });
  });

  describe("setParams", function () {
    it("sets parameters within bounds (admin only)", async function () {
      const f = await loadFixture(ledgerFixture);
      const params = { ackWindow: 60, penaltyPpm: 1_000_000, deliveryTimeout: 90 * DAY };
      await expect(f.fineTuning.setParams(params)).to.emit(f.fineTuning, "ParamsUpdated");
      expect((await f.fineTuning.getParams()).deliveryTimeout).to.equal(BigInt(90 * DAY));
      await expect(f.fineTuning.connect(f.user).setParams(FT_PARAMS)).to.be.revertedWithCustomError(
        f.fineTuning,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("refuses each parameter out of bounds", async function () {
      const f = await loadFixture(ledgerFixture);
      const bad: [string, object, number][] = [
        ["ackWindow", { ackWindow: 59 }, 59],
        ["ackWindow", { ackWindow: 30 * DAY + 1 }, 30 * DAY + 1],
        ["penaltyPpm", { penaltyPpm: 1_000_001 }, 1_000_001],
        ["deliveryTimeout", { deliveryTimeout: 59 }, 59],
        ["deliveryTimeout", { deliveryTimeout: 90 * DAY + 1 }, 90 * DAY + 1],
      ];
      for (const [name, change, value] of bad) {
        await expect(f.fineTuning.setParams({ ...FT_PARAMS, ...change }))
          .to.be.revertedWithCustomError(f.fineTuning, "FineTuningInvalidParam")
          .withArgs(name, value);
      }
      expect((await f.fineTuning.getParams()).ackWindow).to.equal(BigInt(FT_PARAMS.ackWindow));
    });
  });

  describe("registerService", function () {
    it("registers a staked provider's service", async function () {
      const f = await loadFixture(ledgerFixture);
      await f.stake(f.provider);
      expect(await f.fineTuning.isEligible(f.provider)).to.equal(true);
      await expect(f.fineTuning.connect(f.provider).registerService(SERVICE))
        .to.emit(f.fineTuning, "ServiceUpdated")
        .withArgs(f.provider.address, SERVICE.model, SERVICE.url, SERVICE.pricePerToken);
      const s = await f.fineTuning.getService(f.provider);
      expect([s.model, s.url, s.pricePerToken, s.exists]).to.deep.equal([
        SERVICE.model,
        SERVICE.url,
        SERVICE.pricePerToken,
        true,
      ]);
      expect(s.updatedAt).to.equal(BigInt(await time.latest()));
      expect(await f.fineTuning.providerCount()).to.equal(1n);
      expect(await f.fineTuning.providerAt(0)).to.equal(f.provider.address);
    });

    it("refuses a provider short of stake, a second service, bad fields, and registration while paused", async function () {
      const f = await loadFixture(ledgerFixture);
      await expect(f.fineTuning.connect(f.stranger).registerService(SERVICE))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningInsufficientStake")
        .withArgs(f.stranger.address, 0n, MIN_PROVIDER_STAKE);
      await f.stake(f.provider);
      const staked = await f.staking.serviceStake(f.provider, f.serving);
      await f.requireStake(staked + 1n);
      expect(await f.fineTuning.isEligible(f.provider)).to.equal(false);
      const p = f.fineTuning.connect(f.provider);
      await expect(p.registerService(SERVICE))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningInsufficientStake")
        .withArgs(f.provider.address, staked, staked + 1n);
      await f.requireStake(staked);
      for (const [field, change] of [
        ["model", { model: "" }],
        ["model", { model: "m".repeat(513) }],
        ["url", { url: "" }],
        ["url", { url: "u".repeat(513) }],
      ] as const) {
        await expect(p.registerService({ ...SERVICE, ...change }))
          .to.be.revertedWithCustomError(f.fineTuning, "FineTuningBadServiceField")
          .withArgs(field);
      }
      expect(await f.fineTuning.providerCount()).to.equal(0n);
      await f.fineTuning.pause();
      await expect(p.registerService(SERVICE)).to.be.revertedWithCustomError(f.fineTuning, "EnforcedPause");
      await f.fineTuning.unpause();
      await p.registerService(SERVICE);
      await expect(p.registerService(SERVICE))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningServiceExists")
        .withArgs(f.provider.address);
      expect(await f.fineTuning.providerCount()).to.equal(1n);
    });
  });

  describe("updateService", function () {
    it("replaces the service; refuses without one or without stake", async function () {
      const f = await loadFixture(fineTuningFixture);
      const p = f.fineTuning.connect(f.provider);
      await expect(p.updateService({ ...SERVICE, pricePerToken: 5n }))
        .to.emit(f.fineTuning, "ServiceUpdated")
        .withArgs(f.provider.address, SERVICE.model, SERVICE.url, 5n);
      expect((await f.fineTuning.getService(f.provider)).pricePerToken).to.equal(5n);
      await expect(f.fineTuning.connect(f.stranger).updateService(SERVICE))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningNoService")
        .withArgs(f.stranger.address);
      await f.requireStake(MIN_PROVIDER_STAKE + 1n);
      await expect(p.updateService(SERVICE)).to.be.revertedWithCustomError(f.fineTuning, "FineTuningInsufficientStake");
      expect((await f.fineTuning.getService(f.provider)).pricePerToken).to.equal(5n);
    });
  });

  describe("removeService", function () {
    it("removes the service; refuses without one", async function () {
      const f = await loadFixture(fineTuningFixture);
      await expect(f.fineTuning.connect(f.provider).removeService())
        .to.emit(f.fineTuning, "ServiceRemoved")
        .withArgs(f.provider.address);
      expect((await f.fineTuning.getService(f.provider)).exists).to.equal(false);
      expect(await f.fineTuning.providerCount()).to.equal(0n);
      await expect(f.fineTuning.connect(f.provider).removeService())
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningNoService")
        .withArgs(f.provider.address);
    });
  });

  describe("createTask", function () {
    it("records the task with the current parameters and promises its fee", async function () {
      const f = await loadFixture(fineTuningFixture);
      const at = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(at);
      const deliverBy = at + FT_PARAMS.deliveryTimeout;
      await expect(f.fineTuning.connect(f.user).createTask(f.provider, DATASET, SPEC, ONE))
        .to.emit(f.fineTuning, "TaskCreated")
        .withArgs(1, f.user.address, f.provider.address, DATASET, ONE, deliverBy, SPEC);
      expect(await f.fineTuning.taskCount()).to.equal(1n);
      const t = await f.fineTuning.getTask(1);
      expect([t.user, t.provider, t.status, t.fee, t.datasetRoot, t.spec, t.deliverBy, t.ackDeadline]).to.deep.equal([
        f.user.address,
        f.provider.address,
        1n,
        ONE,
        DATASET,
        SPEC,
        BigInt(deliverBy),
        0n,
      ]);
      expect([t.penaltyPpm, t.ackWindow]).to.deep.equal([BigInt(FT_PARAMS.penaltyPpm), BigInt(FT_PARAMS.ackWindow)]);
      expect(await f.fineTuning.openFees(f.user, f.provider)).to.equal(ONE);
      // Nothing moves until settlement.
      expect(await f.ledger.chargeable(f.user, f.provider)).to.equal(2n * ONE);
    });

    it("refuses a fee beyond the sub-account less the user's other open tasks", async function () {
      const f = await loadFixture(fineTuningFixture);
      const u = f.fineTuning.connect(f.user);
      await u.createTask(f.provider, DATASET, SPEC, ONE + 1n);
      await expect(u.createTask(f.provider, DATASET, SPEC, ONE))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningInsufficientBalance")
        .withArgs(ONE - 1n, ONE);
      await u.createTask(f.provider, DATASET, SPEC, ONE - 1n);
      // A charge elsewhere shrinks the balance below what open tasks promised.
      await f.ledger.connect(f.settler).charge(f.user, f.provider, ONE);
      await expect(u.createTask(f.provider, DATASET, SPEC, 1))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningInsufficientBalance")
        .withArgs(0, 1);
      expect(await f.fineTuning.taskCount()).to.equal(2n);
      expect(await f.fineTuning.openFees(f.user, f.provider)).to.equal(2n * ONE);
    });

    it("refuses no service, a provider short of stake, a zero root or fee, a long spec, and tasks while paused", async function () {
      const f = await loadFixture(fineTuningFixture);
      const before = await ledgerState(f, [f.user], [f.provider]);
      const u = f.fineTuning.connect(f.user);
      await expect(u.createTask(f.stranger, DATASET, SPEC, ONE))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningNoService")
        .withArgs(f.stranger.address);
      await expect(u.createTask(f.provider, ZeroHash, SPEC, ONE)).to.be.revertedWithCustomError(
        f.fineTuning,
        "FineTuningZeroRoot",
      );
      await expect(u.createTask(f.provider, DATASET, SPEC, 0)).to.be.revertedWithCustomError(
        f.fineTuning,
        "FineTuningZeroFee",
      );
      await expect(u.createTask(f.provider, DATASET, "x".repeat(4097), ONE))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningSpecTooLong")
        .withArgs(4097);
      await f.requireStake(MIN_PROVIDER_STAKE + 1n);
      await expect(u.createTask(f.provider, DATASET, SPEC, ONE))
        .to.be.revertedWithCustomError(f.fineTuning, "FineTuningInsufficientStake")
        .withArgs(f.provider.address, MIN_PROVIDER_STAKE, MIN_PROVIDER_STAKE + 1n);
      await f.requireStake(MIN_PROVIDER_STAKE);
      await f.fineTuning.pause();
      await expect(u.createTask(f.provider, DATASET, SPEC, ONE)).to.be.revertedWithCustomError(
        f.fineTuning,
        "EnforcedPause",
      );
      expect(await f.fineTuning.taskCount()).to.equal(0n);
      expect(await f.fineTuning.openFees(f.user, f.provider)).to.equal(0n);
      expect(await ledgerState(f, [f.user], [f.provider])).to.deep.equal(before);
    });
  });
});
