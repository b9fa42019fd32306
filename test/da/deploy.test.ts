import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { DeployContext } from "../../deploy";
import { daParams, daParamsSchema, deployDa, samplerTargetOf } from "../../deploy/modules/da";
import { isolated } from "../fixtures";
import { SAMPLER_ROLE, SLASHER_ROLE, daFixture } from "./helpers";

describe("deploy/modules/da", function () {
  describe("daParamsSchema", function () {
    it("fills defaults and is idempotent", function () {
      const p = daParamsSchema.parse({});
      expect(p).to.deep.equal({
        epochLength: 86400,
        maxQuorumSize: 128,
        blobPrice: "0.001",
        serviceSlashCapPpm: 100_000,
        serviceFeePpm: 50_000,
        samplePeriod: 30,
        sampleEpochs: 3,
        targetAnswersPerRound: 20,
        maxAnswersPerRound: 40,
        roundsPerEpoch: 1440,
        initialDifficulty: 1000,
        baseReward: "0",
        challengeBond: "1",
        challengeWindow: 600,
        challengeSlashPpm: 10_000,
        challengeEpochs: 3,
        challengeJail: false,
      });
      expect(daParamsSchema.parse(p)).to.deep.equal(p);
    });

    it("refuses values the contracts would refuse, and unknown keys", function () {
      for (const bad of [
        { epochLength: 59 },
        { epochLength: 31 * 86400 },
        { maxQuorumSize: 0 },
        { maxQuorumSize: 257 },
        { blobPrice: "-1" },
        { serviceSlashCapPpm: 0 },
        { serviceFeePpm: 500_001 },
        { samplePeriod: 1 },
        { samplePeriod: 257 },
        { sampleEpochs: 0 },
        { targetAnswersPerRound: 0 },
        { targetAnswersPerRound: 10, maxAnswersPerRound: 9 },
        { roundsPerEpoch: 0 },
        { initialDifficulty: 0 },
        { challengeBond: "0" },
        { challengeWindow: 0 },
        { challengeSlashPpm: 100_001 },
        { challengeEpochs: 0 },
        { quorum: 1 },
      ]) {
        expect(daParamsSchema.safeParse(bad).success, JSON.stringify(bad)).to.equal(false);
      }
    });

    it("names the bad field", async function () {
      const f = await loadFixture(daFixture);
      const ctx = { ...f.ctx, params: { ...f.ctx.params, da: { maxQuorumSize: 0 } } } as unknown as DeployContext;
      expect(() => daParams(ctx)).to.throw(/da\.maxQuorumSize/);
    });
  });

  describe("deployDa", function () {
    it("changes nothing when run again", async function () {
      const f = await loadFixture(daFixture);
      const ctx = isolated(f.ctx);
      const before = structuredClone(ctx.record.contracts);
      await deployDa(ctx);
      expect(ctx.record.contracts).to.deep.equal(before);
    });

    it("needs governance and staking first", async function () {
      const f = await loadFixture(daFixture);
      await expect(deployDa({ ...isolated(f.ctx), admin: undefined })).to.be.rejectedWith(/governance module first/);
      const ctx = isolated(f.ctx);
      delete ctx.record.contracts.Staking;
      await expect(deployDa(ctx)).to.be.rejectedWith(/staking module first/);
    });

    it("leaves the Staking service to governance when the deployer is not Staking's admin", async function () {
      const f = await loadFixture(daFixture);
      const logs: string[] = [];
      const ctx: DeployContext = {
        ...isolated(f.ctx),
        deployer: f.stranger,
        deployerAddress: f.stranger.address,
        log: (m: string) => logs.push(m),
      };
      for (const name of ["DASignerRegistry", "DAEntrance", "DASampler", "DAChallenge"])
        delete ctx.record.contracts[name];
      await deployDa(ctx);
      const registry = ctx.record.contracts.DASignerRegistry.address;
      expect(registry).to.not.equal(f.ctx.record.contracts.DASignerRegistry.address);
      expect((await f.staking.getService(registry)).registered).to.equal(false);
      expect(logs.join("\n")).to.match(/governance must register the DA service/);
      expect(await ethers.provider.getCode(ctx.record.contracts.DAEntrance.address)).to.not.equal("0x");
      // The stranger deployed the new contracts, so it wired their roles itself, then handed admin to ctx.admin.
      const entrance = await ethers.getContractAt("DAEntrance", ctx.record.contracts.DAEntrance.address);
      expect(await entrance.hasRole(SAMPLER_ROLE, ctx.record.contracts.DASampler.address)).to.equal(true);
      expect(await entrance.hasRole(ethers.ZeroHash, f.stranger.address)).to.equal(false);
      expect(await entrance.hasRole(ethers.ZeroHash, ctx.admin!)).to.equal(true);
    });

    it("wires the sampler and challenge roles and hands admin and upgrade rights to the admin", async function () {
      const f = await loadFixture(daFixture);
      const admin = f.ctx.admin!;
      expect(await f.entrance.hasRole(SAMPLER_ROLE, await f.sampler.getAddress())).to.equal(true);
      expect(await f.registry.hasRole(SLASHER_ROLE, await f.challenge.getAddress())).to.equal(true);
      for (const c of [f.registry, f.entrance, f.sampler, f.challenge]) {
        expect(await c.hasRole(ethers.ZeroHash, admin)).to.equal(true);
        expect(await c.hasRole(ethers.id("UPGRADER_ROLE"), admin)).to.equal(true);
      }
      expect(await f.sampler.entrance()).to.equal(await f.entrance.getAddress());
      expect(await f.challenge.entrance()).to.equal(await f.entrance.getAddress());
      const p = daParams(f.ctx);
      expect(await f.sampler.samplePeriod()).to.equal(BigInt(p.samplePeriod));
      expect(await f.sampler.qualityTarget()).to.equal(samplerTargetOf(p.initialDifficulty));
      expect((await f.challenge.getParams()).slashPpm).to.equal(BigInt(p.challengeSlashPpm));
    });

    it("logs the role grants governance must make when the deployer is not the contracts' admin", async function () {
      const f = await loadFixture(daFixture);
      const logs: string[] = [];
      const ctx: DeployContext = {
        ...isolated(f.ctx),
        deployer: f.stranger,
        deployerAddress: f.stranger.address,
        log: (m: string) => logs.push(m),
      };
      delete ctx.record.contracts.DASampler;
      await deployDa(ctx);
      expect(logs.join("\n")).to.match(/governance must grant SAMPLER_ROLE/);
    });
  });
});
