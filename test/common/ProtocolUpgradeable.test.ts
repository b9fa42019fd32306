import { expect } from "chai";
import hre, { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, ZeroHash, id } from "ethers";
import { createDeployContext, deployAll, deployUups, upgradeUups } from "../../deploy";
import { deployedProtocol, isolated } from "../fixtures";

async function counterFixture() {
  const ctx = await deployedProtocol();
  const [, guardian, stranger] = await ethers.getSigners();
  const address = await deployUups(ctx, "Counter", "UpgradeableCounterV1", [ctx.admin, guardian.address]);
  const counter = await ethers.getContractAt("UpgradeableCounterV1", address);
  return { ctx, counter, guardian, stranger };
}

describe("ProtocolUpgradeable", () => {
  describe("initialize", () => {
    it("gives the admin the admin and upgrader roles and the guardian the pauser role", async () => {
      const { ctx, counter, guardian } = await loadFixture(counterFixture);
      expect(await counter.hasRole(ZeroHash, ctx.admin!)).to.equal(true);
      expect(await counter.hasRole(await counter.UPGRADER_ROLE(), ctx.admin!)).to.equal(true);
      expect(await counter.hasRole(await counter.PAUSER_ROLE(), guardian.address)).to.equal(true);
      expect(await counter.hasRole(await counter.PAUSER_ROLE(), ctx.admin!)).to.equal(false);
    });

    it("grants no pauser role when the guardian is the zero address", async () => {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("UpgradeableCounterV1");
      const counter = await upgrades.deployProxy(factory, [admin.address, ZeroAddress], { kind: "uups" });
      expect(await counter.hasRole(await counter.PAUSER_ROLE(), ZeroAddress)).to.equal(false);
      await expect(counter.pause()).to.be.revertedWithCustomError(counter, "AccessControlUnauthorizedAccount");
    });

    it("reverts when called a second time", async () => {
      const { counter, stranger } = await loadFixture(counterFixture);
      await expect(counter.initialize(stranger.address, stranger.address)).to.be.revertedWithCustomError(
        counter,
        "InvalidInitialization",
      );
    });

    it("reverts on the implementation itself, whose initializers are disabled", async () => {
      const { counter, stranger } = await loadFixture(counterFixture);
      const implementation = await upgrades.erc1967.getImplementationAddress(await counter.getAddress());
      const impl = await ethers.getContractAt("UpgradeableCounterV1", implementation);
      await expect(impl.initialize(stranger.address, stranger.address)).to.be.revertedWithCustomError(
        impl,
        "InvalidInitialization",
      );
    });

    it("reverts when the admin is the zero address", async () => {
      const factory = await ethers.getContractFactory("UpgradeableCounterV1");
      await expect(
        upgrades.deployProxy(factory, [ZeroAddress, ZeroAddress], { kind: "uups" }),
      ).to.be.revertedWithCustomError(factory, "ProtocolZeroAdmin");
    });
  });

  describe("pause / unpause", () => {
    it("lets the guardian pause and only the admin unpause", async () => {
      const { counter, guardian } = await loadFixture(counterFixture);
      await expect(counter.connect(guardian).pause()).to.emit(counter, "Paused").withArgs(guardian.address);
      await expect(counter.increment()).to.be.revertedWithCustomError(counter, "EnforcedPause");
      await expect(counter.connect(guardian).unpause())
        .to.be.revertedWithCustomError(counter, "AccessControlUnauthorizedAccount")
        .withArgs(guardian.address, ZeroHash);
      await expect(counter.unpause()).to.emit(counter, "Unpaused");
      await expect(counter.increment()).to.emit(counter, "Incremented");
    });

    it("reverts when a stranger pauses", async () => {
      const { counter, stranger } = await loadFixture(counterFixture);
      await expect(counter.connect(stranger).pause()).to.be.revertedWithCustomError(
        counter,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("reverts when unpausing a running contract", async () => {
      const { counter } = await loadFixture(counterFixture);
      await expect(counter.unpause()).to.be.revertedWithCustomError(counter, "ExpectedPause");
    });
  });

  describe("upgradeToAndCall", () => {
    it("keeps namespaced state across a compatible upgrade and runs the reinitializer", async () => {
      const { ctx: shared, counter, stranger } = await loadFixture(counterFixture);
      const ctx = isolated(shared);
      await counter.connect(stranger).increment();
      await counter.connect(stranger).increment();
      await upgradeUups(ctx, "Counter", "UpgradeableCounterV2", { fn: "initializeV2", args: [5] });
      const v2 = await ethers.getContractAt("UpgradeableCounterV2", await counter.getAddress());
      expect(await v2.version()).to.equal("2.0.0");
      expect(await v2.count()).to.equal(2n);
      expect(await v2.lastCaller()).to.equal(stranger.address);
      await v2.increment();
      expect(await v2.count()).to.equal(7n);
      expect(ctx.record.contracts.Counter.artifact).to.equal("UpgradeableCounterV2");
    });

    it("is refused by the storage-layout check when a field is inserted before existing ones", async () => {
      const { ctx: shared, counter } = await loadFixture(counterFixture);
      const ctx = isolated(shared);
      await counter.increment();
      const before = await upgrades.erc1967.getImplementationAddress(await counter.getAddress());
      await expect(upgradeUups(ctx, "Counter", "UpgradeableCounterBadLayout")).to.be.rejectedWith(
        /New storage layout is incompatible[\s\S]*Inserted `step`/,
      );
      expect(await counter.count()).to.equal(1n);
      expect(await upgrades.erc1967.getImplementationAddress(await counter.getAddress())).to.equal(before);
    });

    it("reverts when the caller lacks UPGRADER_ROLE", async () => {
      const { counter, stranger } = await loadFixture(counterFixture);
      const v2 = await ethers.deployContract("UpgradeableCounterV2");
      await expect(counter.connect(stranger).upgradeToAndCall(await v2.getAddress(), "0x"))
        .to.be.revertedWithCustomError(counter, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, await counter.UPGRADER_ROLE());
    });

    it("reverts when the new implementation is a contract of another name", async () => {
      const { counter } = await loadFixture(counterFixture);
      const other = await ethers.deployContract("UpgradeableOther");
      await expect(counter.upgradeToAndCall(await other.getAddress(), "0x"))
        .to.be.revertedWithCustomError(counter, "ProtocolUpgradeNameMismatch")
        .withArgs("UpgradeableCounter", "Other");
    });

    it("under a timelock, upgrades only through a queued operation after its delay", async () => {
      const ctx = await createDeployContext(hre, { deploymentsDir: null });
      ctx.params.governance.adminIsDeployer = false;
      ctx.params.governance.timelockDelay = 3600;
      await deployAll(ctx, ["governance"]);
      const timelock = await ethers.getContractAt("ZgTimelock", ctx.record.contracts.ZgTimelock.address);
      expect(ctx.admin).to.equal(await timelock.getAddress());

      const address = await deployUups(ctx, "Counter", "UpgradeableCounterV1", [ctx.admin, ctx.deployerAddress]);
      const counter = await ethers.getContractAt("UpgradeableCounterV1", address);
      const v2 = await ethers.deployContract("UpgradeableCounterV2");
      await expect(counter.upgradeToAndCall(await v2.getAddress(), "0x")).to.be.revertedWithCustomError(
        counter,
        "AccessControlUnauthorizedAccount",
      );

      const data = counter.interface.encodeFunctionData("upgradeToAndCall", [await v2.getAddress(), "0x"]);
      const salt = id("upgrade counter");
      await timelock.schedule(address, 0, data, ZeroHash, salt, 3600);
      await expect(timelock.execute(address, 0, data, ZeroHash, salt)).to.be.revertedWithCustomError(
        timelock,
        "TimelockUnexpectedOperationState",
      );
      await time.increase(3600);
      await timelock.execute(address, 0, data, ZeroHash, salt);
      expect(await counter.version()).to.equal("2.0.0");
    });
  });
});
