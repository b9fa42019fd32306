import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, ZeroHash } from "ethers";
import { createDeployContext, deployAll } from "../../deploy";
import { loadDeployParams, PARAMS_DIR } from "../../deploy/params";
import { deployedProtocol } from "../fixtures";

function paramsFile(extra: Record<string, unknown>): string {
  const devnet = JSON.parse(fs.readFileSync(path.join(PARAMS_DIR, "hardhat.json"), "utf8"));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "zg-gov-deploy-")), "params.json");
  fs.writeFileSync(file, JSON.stringify({ ...devnet, ...extra }));
  return file;
}

describe("deployGovernor (deploy/modules/governor.ts)", () => {
  it("gives the configured proposers and executors their roles and leaves the deployer none", async () => {
    await loadFixture(deployedProtocol);
    const [, guardian, executor] = await ethers.getSigners();
    const file = paramsFile({
      governance: {
        timelockDelay: 600,
        adminIsDeployer: false,
        proposers: [guardian.address],
        executors: [executor.address],
      },
    });
    const ctx = await createDeployContext(hre, { deploymentsDir: null, paramsFile: file });
    await deployAll(ctx);
    const timelock = await ethers.getContractAt("ZgTimelock", ctx.record.contracts.ZgTimelock.address);
    const governor = ctx.record.contracts.ZgGovernor.address;
    const [proposer, canceller, exec] = [
      await timelock.PROPOSER_ROLE(),
      await timelock.CANCELLER_ROLE(),
      await timelock.EXECUTOR_ROLE(),
    ];
    for (const account of [governor, guardian.address]) {
      expect(await timelock.hasRole(proposer, account)).to.equal(true);
      expect(await timelock.hasRole(canceller, account)).to.equal(true);
    }
    expect(await timelock.hasRole(exec, executor.address)).to.equal(true);
    expect(await timelock.hasRole(exec, ZeroAddress)).to.equal(false);
    for (const role of [ZeroHash, proposer, canceller, exec]) {
      expect(await timelock.hasRole(role, ctx.deployerAddress)).to.equal(false);
    }
    expect(await timelock.getMinDelay()).to.equal(600n);
    const votes = await ethers.getContractAt("StakeVotes", ctx.record.contracts.StakeVotes.address);
    expect(await votes.hasRole(ZeroHash, await timelock.getAddress())).to.equal(true);
    expect(await votes.hasRole(ZeroHash, ctx.deployerAddress)).to.equal(false);
  });

  it("skips itself, saying so, until Staking exists, and leaves the timelock in its set-up state", async () => {
    await loadFixture(deployedProtocol);
    const lines: string[] = [];
    const ctx = await createDeployContext(hre, {
      deploymentsDir: null,
      paramsFile: paramsFile({ governance: { timelockDelay: 600, adminIsDeployer: false } }),
      log: (line) => lines.push(line),
    });
    await deployAll(ctx, ["governance"]);
    expect(ctx.record.contracts.ZgGovernor).to.equal(undefined);
    expect(lines.join("\n")).to.match(/governor: skipped until ZgTimelock and Staking are deployed/);
    const timelock = await ethers.getContractAt("ZgTimelock", ctx.record.contracts.ZgTimelock.address);
    expect(await timelock.getMinDelay()).to.equal(0n);
    expect(await timelock.hasRole(ZeroHash, ctx.deployerAddress)).to.equal(true);
  });

  it("refuses a governor section out of bounds before sending anything", () => {
    expect(() => loadDeployParams("x", paramsFile({ governor: { quorumPercent: 0 } }))).to.throw(
      /governor\.quorumPercent/,
    );
    expect(() => loadDeployParams("x", paramsFile({ governor: { votingPeriod: 0 } }))).to.throw(
      /governor\.votingPeriod/,
    );
    expect(() => loadDeployParams("x", paramsFile({ governor: { proposalThreshold: "-1" } }))).to.throw(
      /governor\.proposalThreshold/,
    );
    const defaults = loadDeployParams("some-mainnet").governor;
    expect(defaults).to.deep.equal({
      votingDelay: 7200,
      votingPeriod: 50_400,
      proposalThreshold: "10000",
      quorumPercent: 10,
    });
  });
});
