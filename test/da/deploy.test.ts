import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { DeployContext } from "../../deploy";
import { daParams, daParamsSchema, deployDa } from "../../deploy/modules/da";
import { isolated } from "../fixtures";
import { daFixture } from "./helpers";

describe("deploy/modules/da", function () {
  describe("daParamsSchema", function () {
    it("fills defaults and is idempotent", function () {
      const p = daParamsSchema.parse({});
      expect(p).to.deep.equal({
        epochLength: 86400,
        maxQuorumSize: 128,
        blobPrice: "0.001",
        serviceSlashCapPpm: 100_000,
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
      delete ctx.record.contracts.DASignerRegistry;
      delete ctx.record.contracts.DAEntrance;
      await deployDa(ctx);
      const registry = ctx.record.contracts.DASignerRegistry.address;
      expect(registry).to.not.equal(f.ctx.record.contracts.DASignerRegistry.address);
      expect((await f.staking.getService(registry)).registered).to.equal(false);
      expect(logs.join("\n")).to.match(/governance must register the DA service/);
      expect(await ethers.provider.getCode(ctx.record.contracts.DAEntrance.address)).to.not.equal("0x");
    });
  });
});
