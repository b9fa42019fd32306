import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, ZeroHash, encodeBytes32String, parseEther } from "ethers";
import { upgradeUups, type DeployContext } from "../../deploy";
import { deployStaking, stakingParams, stakingParamsSchema, toContractParams } from "../../deploy/modules/staking";
import { deployedProtocol, isolated } from "../fixtures";
import { CONTRACT_PARAMS, SELF_STAKE, stakingFixture, validatorsFixture } from "./helpers";

const MAX = ethers.MaxUint256;
const DAY = 24n * 3600n;

/** Every bound `setParams` checks: [field, a value out of bounds, minimum, maximum]. */
const OUT_OF_BOUNDS: [keyof typeof CONTRACT_PARAMS, bigint, bigint, bigint][] = [
  ["minDelegation", 10n ** 9n - 1n, 10n ** 9n, MAX],
  ["minSelfStake", parseEther("1") - 1n, parseEther("1"), MAX],
  ["maxEffectiveStake", parseEther("10") - 1n, parseEther("10"), MAX],
  ["unbondingDelay", 59n, 60n, 365n * DAY],
  ["unbondingDelay", 365n * DAY + 1n, 60n, 365n * DAY],
  ["jailPeriod", 59n, 60n, 365n * DAY],
  ["jailPeriod", 365n * DAY + 1n, 60n, 365n * DAY],
  ["epochLength", 59n, 60n, 30n * DAY],
  ["epochLength", 30n * DAY + 1n, 60n, 30n * DAY],
  ["maxValidators", 0n, 1n, 10_000n],
  ["maxValidators", 10_001n, 1n, 10_000n],
  ["maxCommissionPpm", 1_000_001n, 0n, 1_000_000n],
  ["communityTaxPpm", 500_001n, 0n, 500_000n],
  ["doubleSignSlashPpm", 0n, 1n, 1_000_000n],
  ["doubleSignSlashPpm", 1_000_001n, 1n, 1_000_000n],
  ["downtimeSlashPpm", 0n, 1n, 100_000n],
  ["downtimeSlashPpm", 100_001n, 1n, 100_000n],
  ["downtimeThreshold", 0n, 1n, 2n ** 32n - 1n],
];

describe("Staking: administration", () => {
  describe("initialize", () => {
    it("gives the admin the admin, upgrader and treasury roles and the consensus account its role", async () => {
      const { ctx, staking, consensus } = await loadFixture(stakingFixture);
      const admin = ctx.admin!;
      expect(await staking.hasRole(ZeroHash, admin)).to.equal(true);
      expect(await staking.hasRole(await staking.UPGRADER_ROLE(), admin)).to.equal(true);
      expect(await staking.hasRole(await staking.TREASURY_ROLE(), admin)).to.equal(true);
      expect(await staking.hasRole(await staking.PAUSER_ROLE(), ctx.pauser!)).to.equal(true);
      expect(await staking.hasRole(await staking.CONSENSUS_ROLE(), consensus.address)).to.equal(true);
      expect(await staking.contractName()).to.equal("Staking");
      expect(await staking.version()).to.equal("1.0.0");
    });

    it("stores the parameters and emits ParamsUpdated", async () => {
      const { staking, stranger } = await loadFixture(stakingFixture);
      const factory = await ethers.getContractFactory("Staking");
      const init = [stranger.address, ZeroAddress, ZeroAddress, CONTRACT_PARAMS];
      const fresh = await upgrades.deployProxy(factory, init, { kind: "uups" });
      await expect(fresh.deploymentTransaction())
        .to.emit(fresh, "ParamsUpdated")
        .withArgs(Object.values(CONTRACT_PARAMS));
      expect(await fresh.hasRole(await staking.CONSENSUS_ROLE(), ZeroAddress)).to.equal(false);
      const stored = (await staking.getParams()) as unknown as Record<string, bigint>;
      for (const [field, value] of Object.entries(CONTRACT_PARAMS))
        expect(stored[field], field).to.equal(BigInt(value));
    });

    it("reverts when called a second time", async () => {
      const { staking, stranger } = await loadFixture(stakingFixture);
      await expect(
        staking.initialize(stranger.address, stranger.address, stranger.address, CONTRACT_PARAMS),
      ).to.be.revertedWithCustomError(staking, "InvalidInitialization");
    });

    it("reverts when the admin is the zero address", async () => {
      const factory = await ethers.getContractFactory("Staking");
      await expect(
        upgrades.deployProxy(factory, [ZeroAddress, ZeroAddress, ZeroAddress, CONTRACT_PARAMS], { kind: "uups" }),
      ).to.be.revertedWithCustomError(factory, "ProtocolZeroAdmin");
    });
  });

  describe("setParams", () => {
    it("replaces every parameter and emits ParamsUpdated", async () => {
      const { staking } = await loadFixture(stakingFixture);
      const next = { ...CONTRACT_PARAMS, unbondingDelay: 3600, maxValidators: 7 };
      await expect(staking.setParams(next)).to.emit(staking, "ParamsUpdated");
      const stored = await staking.getParams();
      expect(stored.unbondingDelay).to.equal(3600n);
      expect(stored.maxValidators).to.equal(7n);
    });

    for (const [field, value, minimum, maximum] of OUT_OF_BOUNDS) {
      it(`reverts when ${field} is ${value < minimum ? "below" : "above"} its bound`, async () => {
        const { staking } = await loadFixture(stakingFixture);
        await expect(staking.setParams({ ...CONTRACT_PARAMS, [field]: value }))
          .to.be.revertedWithCustomError(staking, "StakingParamOutOfBounds")
          .withArgs(encodeBytes32String(field), value, minimum, maximum);
      });
    }

    it("reverts for a caller without the admin role", async () => {
      const { staking, stranger } = await loadFixture(stakingFixture);
      await expect(staking.connect(stranger).setParams(CONTRACT_PARAMS))
        .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, ZeroHash);
    });
  });

  describe("pause / unpause", () => {
    it("lets the pauser stop value entering and the admin restart it", async () => {
      const { staking, op1, stranger } = await loadFixture(validatorsFixture);
      await expect(staking.pause()).to.emit(staking, "Paused");
      await expect(staking.connect(stranger).unpause()).to.be.revertedWithCustomError(
        staking,
        "AccessControlUnauthorizedAccount",
      );
      await expect(staking.unpause()).to.emit(staking, "Unpaused");
      await expect(staking.connect(stranger).delegate(op1.address, { value: SELF_STAKE })).to.emit(
        staking,
        "Delegated",
      );
    });
  });

  describe("upgradeToAndCall", () => {
    it("keeps validators, delegations and balances across an upgrade", async () => {
      const { ctx: shared, staking, op1 } = await loadFixture(validatorsFixture);
      const ctx = isolated(shared);
      const before = await staking.getValidator(op1.address);
      const balance = await ethers.provider.getBalance(await staking.getAddress());
      // The plugin checks the layout against the deployed one before it switches.
      await upgradeUups(ctx, "Staking", "Staking");
      expect(await staking.getValidator(op1.address)).to.deep.equal(before);
      expect(await staking.sharesOf(op1.address, op1.address)).to.equal(before.bonded.shares);
      expect(await ethers.provider.getBalance(await staking.getAddress())).to.equal(balance);
    });
  });

  describe("deployStaking (deploy/modules/staking.ts)", () => {
    it("deploys with the documented defaults when the params file has no staking section", async () => {
      const base = await loadFixture(deployedProtocol);
      const ctx = { ...isolated(base), params: { ...base.params, staking: {} } } as DeployContext;
      delete ctx.record.contracts.Staking;
      await deployStaking(ctx);
      const staking = await ethers.getContractAt("Staking", ctx.record.contracts.Staking.address);
      const defaults = toContractParams(stakingParamsSchema.parse({}));
      expect((await staking.getParams()).minSelfStake).to.equal(parseEther("1000"));
      expect((await staking.getParams()).unbondingDelay).to.equal(BigInt(defaults.unbondingDelay));
      expect(await staking.hasRole(await staking.CONSENSUS_ROLE(), ctx.deployerAddress)).to.equal(true);
      // A second run reuses the recorded proxy.
      await deployStaking(ctx);
      expect(ctx.record.contracts.Staking.address).to.equal(await staking.getAddress());
    });

    it("refuses a staking section out of bounds before sending anything", async () => {
      const base = await loadFixture(deployedProtocol);
      const ctx = { ...isolated(base), params: { ...base.params, staking: { minDelegation: "0.0000000001" } } };
      expect(() => stakingParams(ctx as DeployContext)).to.throw(/staking\.minDelegation: minDelegation must be/);
      const bad = { ...ctx, params: { ...base.params, staking: { unbondingDelay: 1 } } } as DeployContext;
      await expect(deployStaking(bad)).to.be.rejectedWith(/staking\.unbondingDelay/);
      const noAdmin = { ...isolated(base), admin: undefined } as DeployContext;
      await expect(deployStaking(noAdmin)).to.be.rejectedWith(/needs ctx.admin/);
    });
  });

  describe("custom errors", () => {
    it("every error of IStakingErrors is reached by a test in test/staking", () => {
      const source = fs.readFileSync(
        path.join(__dirname, "../../contracts/staking/interfaces/IStakingErrors.sol"),
        "utf8",
      );
      const errors = [...source.matchAll(/error (Staking\w+)\(/g)].map((m) => m[1]);
      expect(errors.length).to.be.greaterThan(40);
      const tests = fs
        .readdirSync(__dirname)
        .filter((f) => f.endsWith(".test.ts"))
        .map((f) => fs.readFileSync(path.join(__dirname, f), "utf8"))
        .join("\n");
      const missing = errors.filter((e) => !tests.includes(`"${e}"`));
      expect(missing, `errors never expected by a test: ${missing.join(", ")}`).to.deep.equal([]);
    });
  });
});
