// The alignment deploy module: what it deploys, mints and wires on a devnet, what it leaves to governance on a real
// chain (the deployer not admin), re-runs, and its params section.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { id, ZeroHash } from "ethers";
import { createDeployContext, deployAll } from "../../deploy";
import {
  ALIGNMENT,
  alignmentParamsSchema,
  type AlignmentDeployParams,
  deployAlignment,
  DRAWER_ROLE,
  kindId,
  SLASHER_ROLE,
  targetId,
} from "../../deploy/modules/alignment";
import { loadDeployParams, PARAMS_DIR } from "../../deploy/params";
import { deployedProtocol, isolated } from "../fixtures";
import { alignmentFixture, BAD_SIGNATURE, EPOCH, MAX_LICENSES, REWARD } from "./helpers";

function paramsFile(extra: Record<string, unknown>): string {
  const devnet = JSON.parse(fs.readFileSync(path.join(PARAMS_DIR, "hardhat.json"), "utf8"));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "zg-alignment-deploy-")), "params.json");
  fs.writeFileSync(file, JSON.stringify({ ...devnet, ...extra }));
  return file;
}

describe("alignment deploy module", function () {
  describe("deployAlignment", function () {
    it("deploys both contracts, mints the licensees, sets the DA registry and the rules, grants DRAWER_ROLE and both SLASHER_ROLEs (devnet)", async function () {
      const f = await loadFixture(alignmentFixture);
      const rewards = await f.rewards.getAddress();
      const registry = await ethers.getContractAt("DASignerRegistry", f.ctx.record.contracts.DASignerRegistry.address);
      expect(await f.vault.hasRole(DRAWER_ROLE, rewards)).to.equal(true);
      expect(await f.serving.hasRole(SLASHER_ROLE, rewards)).to.equal(true);
      expect(await registry.hasRole(SLASHER_ROLE, rewards)).to.equal(true);
      expect(await f.rewards.daRegistry()).to.equal(await registry.getAddress());
      expect((await f.rewards.rule(kindId("DA_DOWN"))).target).to.equal(BigInt(targetId("da")));
      expect((await f.rewards.rule(kindId("STORAGE_DOWN"))).target).to.equal(BigInt(targetId("none")));
      expect(await f.license.totalMinted()).to.equal(3n);
      expect(await f.license.maxLicenses()).to.equal(MAX_LICENSES);
      expect((await f.rewards.schedule())[1]).to.equal(EPOCH);
      expect(await f.rewards.epochReward()).to.equal(REWARD);
      expect((await f.rewards.rule(BAD_SIGNATURE)).threshold).to.equal(2n);
      for (const contract of [f.license, f.rewards]) {
        expect(await contract.hasRole(ZeroHash, f.ctx.admin!)).to.equal(true);
        expect(await contract.hasRole(id("UPGRADER_ROLE"), f.ctx.admin!)).to.equal(true);
        expect(await contract.hasRole(id("PAUSER_ROLE"), f.ctx.pauser!)).to.equal(true);
        // The governor module shares devnet admin rights with the timelock, so proposals work there too.
        expect(await contract.hasRole(ZeroHash, f.ctx.record.contracts.ZgTimelock.address)).to.equal(true);
      }
    });

    it("changes nothing when run again", async function () {
      const f = await loadFixture(alignmentFixture);
      const ctx = isolated(f.ctx);
      const before = JSON.stringify(ctx.record.contracts);
      const block = await ethers.provider.getBlockNumber();
      await deployAlignment(ctx);
      expect(JSON.stringify(ctx.record.contracts)).to.equal(before);
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      expect(await f.license.totalMinted()).to.equal(3n);
    });

    it("on a real chain hands admin to the timelock and logs the grants governance must make", async function () {
      await loadFixture(deployedProtocol);
      const lines: string[] = [];
      const file = paramsFile({ governance: { timelockDelay: 600, adminIsDeployer: false } });
      const ctx = await createDeployContext(hre, { deploymentsDir: null, paramsFile: file, log: (l) => lines.push(l) });
      await deployAll(ctx);
      const c = ctx.record.contracts;
      const rewards = c[ALIGNMENT.rewards].address;
      const log = lines.join("\n");
      expect(log).to.include(
        `governance must grant DRAWER_ROLE: ${c.AlignmentVault.address}.grantRole(${DRAWER_ROLE}, ${rewards})`,
      );
      expect(log).to.include(
        `governance must grant SLASHER_ROLE: ${c.ComputeServing.address}.grantRole(${SLASHER_ROLE}, ${rewards})`,
      );
      expect(log).to.include(
        `governance must grant SLASHER_ROLE: ${c.DASignerRegistry.address}.grantRole(${SLASHER_ROLE}, ${rewards})`,
      );
      const registry = await ethers.getContractAt("DASignerRegistry", c.DASignerRegistry.address);
      expect(await registry.hasRole(SLASHER_ROLE, rewards)).to.equal(false);
      const vault = await ethers.getContractAt("BudgetVault", c.AlignmentVault.address);
      expect(await vault.hasRole(DRAWER_ROLE, rewards)).to.equal(false);
      const license = await ethers.getContractAt("AlignmentLicense", c[ALIGNMENT.license].address);
      const rewardsContract = await ethers.getContractAt("AlignmentRewards", rewards);
      // Minted and configured while the deployer still administered them, then handed over.
      expect(await license.totalMinted()).to.equal(3n);
      expect((await rewardsContract.rule(BAD_SIGNATURE)).threshold).to.equal(2n);
      expect(await rewardsContract.daRegistry()).to.equal(c.DASignerRegistry.address);
      expect((await rewardsContract.rule(kindId("DA_DOWN"))).threshold).to.equal(2n);
      for (const contract of [license, rewardsContract]) {
        expect(await contract.hasRole(ZeroHash, c.ZgTimelock.address)).to.equal(true);
        expect(await contract.hasRole(ZeroHash, ctx.deployerAddress)).to.equal(false);
        expect(await contract.hasRole(id("UPGRADER_ROLE"), ctx.deployerAddress)).to.equal(false);
      }
      // A re-run (a changed rule, say) cannot act any more and says what governance must do.
      lines.length = 0;
      const changed = {
        ...ctx,
        params: {
          ...ctx.params,
          alignment: {
            ...ctx.params.alignment,
            rules: [
              { kind: "COMPUTE_SLOW", threshold: 1, slashPpm: 1, jail: false, target: "compute" as const },
              { kind: "STORAGE_DOWN", threshold: 2, slashPpm: 0, jail: false, target: "none" as const },
              { kind: "DA_DOWN", threshold: 2, slashPpm: 0, jail: false, target: "none" as const },
            ],
          },
        },
      };
      await deployAlignment(changed);
      const relog = lines.join("\n");
      expect(relog).to.include(
        `governance must set the COMPUTE_SLOW rule: ${rewards}.setRule(${kindId("COMPUTE_SLOW")}, 1, 1, false, 0) (target compute)`,
      );
      // Unchanged rules are skipped; a changed target counts as a change.
      expect(relog).not.to.include("STORAGE_DOWN");
      expect(relog).to.include(
        `governance must set the DA_DOWN rule: ${rewards}.setRule(${kindId("DA_DOWN")}, 2, 0, false, 2) (target none)`,
      );
      expect((await rewardsContract.rule(kindId("COMPUTE_SLOW"))).threshold).to.equal(0n);
    });

    it("needs the alignment vault, ComputeServing and DASignerRegistry first", async function () {
      const f = await loadFixture(alignmentFixture);
      const ctx = isolated(f.ctx);
      delete ctx.record.contracts[ALIGNMENT.license];
      delete ctx.record.contracts.AlignmentVault;
      await expect(deployAlignment(ctx)).to.be.rejectedWith(/needs AlignmentVault: run the tokenomics module first/);
      const ctx2 = isolated(f.ctx);
      delete ctx2.record.contracts.ComputeServing;
      await expect(deployAlignment(ctx2)).to.be.rejectedWith(/needs ComputeServing: run the compute module first/);
      const ctx3 = isolated(f.ctx);
      delete ctx3.record.contracts.DASignerRegistry;
      await expect(deployAlignment(ctx3)).to.be.rejectedWith(/needs DASignerRegistry: run the da module first/);
    });
  });

  describe("alignmentParamsSchema", function () {
    const parse = (raw: unknown) => alignmentParamsSchema.safeParse(raw);

    it("defaults to 1000 licenses, daily epochs, 80000 coins per epoch and one rule per compute kind", function () {
      const p = parse({}).data as AlignmentDeployParams;
      expect(p.maxLicenses).to.equal(1000);
      expect(p.epochLength).to.equal(86_400);
      expect(p.epochReward).to.equal("80000");
      expect(p.licensees).to.deep.equal([]);
      expect(p.rules.map((r) => r.kind)).to.deep.equal([
        "COMPUTE_BAD_SIGNATURE",
        "COMPUTE_WRONG_MODEL",
        "COMPUTE_OVERBILLING",
      ]);
      expect(p.rules.every((r) => r.target === "compute")).to.equal(true);
      // A rule without a target slashes through ComputeServing, as before targets existed.
      const rule = { kind: "COMPUTE_X", threshold: 1, slashPpm: 1, jail: false };
      expect(parse({ rules: [rule] }).data?.rules[0].target).to.equal("compute");
      expect(parse(p).success).to.equal(true);
    });

    it("refuses values the contracts would refuse, before any transaction", function () {
      const rule = { kind: "COMPUTE_X", threshold: 1, slashPpm: 1, jail: false };
      const bad = [
        { maxLicenses: 0 },
        { maxLicenses: 100_001 },
        { epochLength: 59 },
        { epochLength: 30 * 86_400 + 1 },
        { epochReward: "150000000.000000000000000001" },
        { epochReward: "-1" },
        { maxLicenses: 1, licensees: ["0x" + "1".repeat(40), "0x" + "2".repeat(40)] },
        { licensees: ["0x123"] },
        { maxLicenses: 2, rules: [{ ...rule, threshold: 3 }] },
        { rules: [rule, rule] },
        { rules: [{ ...rule, slashPpm: 0 }] },
        { rules: [{ ...rule, slashPpm: 1_000_001 }] },
        { rules: [{ ...rule, kind: "lower_case" }] },
        { rules: [{ ...rule, kind: "A".repeat(32) }] },
        { rules: [{ ...rule, target: "storage" }] },
        { rules: [{ ...rule, target: "none" }] },
        { rules: [{ ...rule, target: "none", slashPpm: 0, jail: true }] },
        { rules: [{ ...rule, target: "da", slashPpm: 0 }] },
        { unknown: 1 },
      ];
      for (const raw of bad) expect(parse(raw).success, JSON.stringify(raw)).to.equal(false);
      for (const target of ["da", "compute"]) expect(parse({ rules: [{ ...rule, target }] }).success).to.equal(true);
      expect(parse({ rules: [{ ...rule, target: "none", slashPpm: 0 }] }).success).to.equal(true);
      expect(() => loadDeployParams("x", paramsFile({ alignment: { epochLength: 1 } }))).to.throw(
        /alignment\.epochLength/,
      );
    });

    it("reads the hardhat and localhost sections", function () {
      for (const network of ["hardhat", "localhost"]) {
        const p = loadDeployParams(network).alignment;
        expect(p.maxLicenses).to.equal(16);
        expect(p.licensees).to.have.length(3);
        expect(p.rules.every((r) => r.threshold === 2)).to.equal(true);
        const targets = Object.fromEntries(p.rules.map((r) => [r.kind, r.target]));
        expect(targets).to.include({ COMPUTE_WRONG_MODEL: "compute", DA_DOWN: "da", STORAGE_DOWN: "none" });
      }
    });
  });
});
