import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createDeployContext, deployAll } from "../../deploy";
import { loadDeployParams } from "../../deploy/params";
import { readDeployment } from "../../offchain/common/deployments";
import { deployedProtocol } from "../fixtures";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "zg-deploy-"));
}

describe("deploy", () => {
  describe("deployAll", () => {
    it("records every contract with its address, code and start block", async () => {
      const ctx = await loadFixture(deployedProtocol);
      const names = Object.keys(ctx.record.contracts);
      expect(names).to.include.members(["ZgTimelock", "ReceiptVerifier"]);
      for (const name of names) {
        const entry = ctx.record.contracts[name];
        expect(await ethers.provider.getCode(entry.address), name).to.not.equal("0x");
        const receipt = await ethers.provider.getTransactionReceipt(entry.txHash);
        expect(receipt?.blockNumber, name).to.equal(entry.startBlock);
        expect(receipt?.contractAddress, name).to.equal(entry.address);
      }
    });

    it("gives the deployer admin rights on a devnet and sets the timelock's delay from params", async () => {
      const ctx = await loadFixture(deployedProtocol);
      expect(ctx.admin).to.equal(ctx.deployerAddress);
      const timelock = await ethers.getContractAt("ZgTimelock", ctx.record.contracts.ZgTimelock.address);
      expect(await timelock.getMinDelay()).to.equal(BigInt(ctx.params.governance.timelockDelay));
      expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), ctx.deployerAddress)).to.equal(true);
      expect(await timelock.hasRole(await timelock.EXECUTOR_ROLE(), ethers.ZeroAddress)).to.equal(true);
      expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), ctx.deployerAddress)).to.equal(false);
    });

    it("writes the record to disk and changes nothing when run again", async () => {
      await loadFixture(deployedProtocol);
      const dir = tempDir();
      const first = await createDeployContext(hre, { deploymentsDir: dir });
      await deployAll(first);
      const blockAfterFirst = await ethers.provider.getBlockNumber();
      const onDisk = await readDeployment(dir, first.chainId);
      expect(onDisk.contracts).to.deep.equal(JSON.parse(JSON.stringify(first.record.contracts)));

      const second = await createDeployContext(hre, { deploymentsDir: dir });
      await deployAll(second);
      expect(await ethers.provider.getBlockNumber()).to.equal(blockAfterFirst);
      expect(second.record.contracts).to.deep.equal(onDisk.contracts);
    });

    it("resumes a deployment cut short, deploying only what is missing", async () => {
      await loadFixture(deployedProtocol);
      const dir = tempDir();
      const partial = await createDeployContext(hre, { deploymentsDir: dir });
      await deployAll(partial, ["governance"]);
      const timelock = partial.record.contracts.ZgTimelock.address;
      const rest = await createDeployContext(hre, { deploymentsDir: dir });
      await deployAll(rest);
      expect(rest.record.contracts.ZgTimelock.address).to.equal(timelock);
      expect(rest.record.contracts.ReceiptVerifier).to.not.equal(undefined);
    });

    it("refuses a record whose contracts have no code, and deploys anew with fresh", async () => {
      await loadFixture(deployedProtocol);
      const dir = tempDir();
      const ctx = await createDeployContext(hre, { deploymentsDir: dir });
      ctx.record.contracts.ZgTimelock = {
        address: "0x000000000000000000000000000000000000dEaD",
        artifact: "ZgTimelock",
        kind: "plain",
        startBlock: 1,
        txHash: ethers.ZeroHash,
      };
      await ctx.save();
      const stale = await createDeployContext(hre, { deploymentsDir: dir });
      await expect(deployAll(stale)).to.be.rejectedWith(
        /no code there: the chain was reset; deploy again with --fresh/,
      );
      const fresh = await createDeployContext(hre, { deploymentsDir: dir, fresh: true });
      await deployAll(fresh);
      expect(fresh.record.contracts.ZgTimelock.address).to.not.equal("0x000000000000000000000000000000000000dEaD");
    });

    it("reverts on an unknown module name", async () => {
      const ctx = await createDeployContext(hre, { deploymentsDir: null });
      await expect(deployAll(ctx, ["stakin"])).to.be.rejectedWith(/unknown deploy module\(s\) stakin: choose from/);
    });
  });

  describe("loadDeployParams", () => {
    it("gives a network without a params file the production defaults", () => {
      const params = loadDeployParams("some-mainnet");
      expect(params.governance.adminIsDeployer).to.equal(false);
      expect(params.governance.timelockDelay).to.equal(172800);
    });

    it("names the path of a typo in a params file", () => {
      const file = path.join(tempDir(), "bad.json");
      fs.writeFileSync(file, JSON.stringify({ governance: { timelockDelai: 5 } }));
      expect(() => loadDeployParams("x", file)).to.throw(/bad\.json: governance: Unrecognized key: "timelockDelai"/);
    });

    it("reads every domain's section, compute and market included", () => {
      const file = path.join(tempDir(), "sections.json");
      fs.writeFileSync(file, JSON.stringify({ compute: {}, market: {}, inft: {}, storage: {}, da: {}, staking: {} }));
      const params = loadDeployParams("x", file);
      expect(params).to.include.keys("compute", "market", "inft", "storage", "da", "staking");
      fs.writeFileSync(file, JSON.stringify({ compute: { minProviderStake: "0" } }));
      expect(() => loadDeployParams("x", file)).to.throw(/compute\.minProviderStake/);
    });

    it("refuses a missing params file", () => {
      expect(() => loadDeployParams("x", "/nonexistent/params.json")).to.throw(/does not exist/);
    });
  });
});
