import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroHash, id } from "ethers";
import { deployStorage, storageParams, storageParamsSchema } from "../../deploy/modules/storage";
import { deployedProtocol, isolated } from "../fixtures";

describe("storage deploy module", () => {
  it("hands admin, upgrade and treasury rights to governance and keeps none for the deployer", async () => {
    const base = await loadFixture(deployedProtocol);
    const ctx = isolated(base);
    for (const name of ["Flow", "Market", "ChunkRewards", "Mine"]) delete ctx.record.contracts[name];
    const timelock = ctx.record.contracts.ZgTimelock.address;
    ctx.admin = timelock;
    await deployStorage(ctx);
    const c = (name: string) => ethers.getContractAt("AccessControlUpgradeable", ctx.record.contracts[name].address);
    for (const name of ["Flow", "Market", "ChunkRewards", "Mine"]) {
      const contract = await c(name);
      expect(await contract.hasRole(ZeroHash, timelock), name).to.equal(true);
      expect(await contract.hasRole(id("UPGRADER_ROLE"), timelock), name).to.equal(true);
      expect(await contract.hasRole(ZeroHash, ctx.deployerAddress), name).to.equal(false);
    }
    expect(await (await c("Market")).hasRole(id("FLOW_ROLE"), ctx.record.contracts.Flow.address)).to.equal(true);
    expect(await (await c("ChunkRewards")).hasRole(id("MINE_ROLE"), ctx.record.contracts.Mine.address)).to.equal(true);
    // Running it again changes nothing.
    const before = JSON.stringify(ctx.record.contracts);
    await deployStorage(ctx);
    expect(JSON.stringify(ctx.record.contracts)).to.equal(before);
  });

  it("fills defaults and refuses bad parameters with the field's name", async () => {
    const base = await loadFixture(deployedProtocol);
    expect(storageParamsSchema.parse({})).to.deep.include({ blocksPerEpoch: 1200, serviceFeePpm: 50_000 });
    const bad = { ...base, params: { ...base.params, storage: { serviceFeePpm: 600_000 } } };
    expect(() => storageParams(bad as typeof base)).to.throw(/storage\.serviceFeePpm/);
    await expect(deployStorage({ ...base, admin: undefined })).to.be.rejectedWith(/governance module first/);
  });
});
