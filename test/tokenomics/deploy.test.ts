// The tokenomics deploy module: what it deploys, wires and funds, its params section, and re-runs.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { encodeBytes32String, id, parseEther, ZeroHash } from "ethers";
import type { DeployContext } from "../../deploy";
import { loadDeployParams } from "../../deploy/params";
import {
  deployTokenomics,
  HolderKind,
  TOKENOMICS,
  tokenomicsParamsSchema,
  type TokenomicsDeployParams,
} from "../../deploy/modules/tokenomics";
import { isolated } from "../fixtures";
import {
  BACKERS,
  balance,
  bucketAmount,
  REWARDS_DURATION,
  TEAM,
  tokenomicsFixture,
  withoutTokenomics,
} from "./helpers";

describe("tokenomics deploy module", function () {
  describe("deployTokenomics", function () {
    it("records every holder in Allocations and funds each with its allocation (hardhat: from the deployer)", async function () {
      const f = await loadFixture(tokenomicsFixture);
      const c = f.ctx.record.contracts;
      const expected: Record<string, [string, HolderKind]> = {
        ecosystem: [c.EcosystemVault.address, HolderKind.Budget],
        backers: [c.BackersVestingReserve.address, HolderKind.Vesting],
        team: [c.TeamVestingReserve.address, HolderKind.Vesting],
        alignment: [c.AlignmentVault.address, HolderKind.Budget],
        community: [c.RewardsDistributor.address, HolderKind.Budget],
      };
      for (let i = 0; i < 5; i++) {
        const [name, amount, holders] = await f.allocations.bucket(i);
        expect(holders.map((h) => [h.account, Number(h.kind)])).to.deep.equal([expected[name]]);
        expect(await balance(holders[0].account)).to.equal(amount);
      }
    });

    it("gives governance the admin and upgrade roles and the guardian the pause role", async function () {
      const f = await loadFixture(tokenomicsFixture);
      for (const contract of [f.distributor, f.ecosystem, f.alignment, f.allocations]) {
        expect(await contract.hasRole(ZeroHash, f.ctx.admin!)).to.equal(true);
        expect(await contract.hasRole(id("UPGRADER_ROLE"), f.ctx.admin!)).to.equal(true);
      }
      for (const contract of [f.distributor, f.ecosystem, f.alignment]) {
        expect(await contract.hasRole(id("PAUSER_ROLE"), f.ctx.pauser!)).to.equal(true);
      }
    });

    it("wires the distributor to Staking, ChunkRewards and DASampler with the params' schedule and weights", async function () {
      const f = await loadFixture(tokenomicsFixture);
      const c = f.ctx.record.contracts;
      expect(await f.distributor.services()).to.deep.equal([
        c.Staking.address,
        c.ChunkRewards.address,
        c.DASampler.address,
      ]);
      const [start, end] = await f.distributor.schedule();
      expect(end - start).to.equal(REWARDS_DURATION);
      const w = await f.distributor.weights();
      expect([w.validatorsBps, w.storageBps, w.daBps]).to.deep.equal([8000n, 1000n, 1000n]);
      expect(await f.distributor.budget()).to.equal(bucketAmount("community"));
    });

    it("gives each vesting wallet the params' cliff and duration and governance the unassigned rest", async function () {
      const f = await loadFixture(tokenomicsFixture);
      for (const [wallet, terms] of [
        [f.backersWallet, BACKERS],
        [f.teamWallet, TEAM],
      ] as const) {
        const start = await wallet.start();
        expect(await wallet.cliff()).to.equal(start + terms.cliff);
        expect(await wallet.duration()).to.equal(terms.duration);
        expect(await wallet.owner()).to.equal(f.ctx.admin);
      }
    });

    it("changes nothing when run again, and does not refill a holder that paid out", async function () {
      const f = await loadFixture(tokenomicsFixture);
      await f.ecosystem.draw(f.alice.address, parseEther("7"), encodeBytes32String("g"));
      const ctx = isolated(f.ctx);
      const before = JSON.stringify(ctx.record.contracts);
      await deployTokenomics(ctx);
      expect(JSON.stringify(ctx.record.contracts)).to.equal(before);
      expect(await balance(await f.ecosystem.getAddress())).to.equal(bucketAmount("ecosystem") - parseEther("7"));
    });

    it("deploys one wallet per grant and a reserve for the rest, topping the deployer up for the funding", async function () {
      const f = await loadFixture(tokenomicsFixture);
      const ctx = withoutTokenomics(f.ctx, {
        funding: "deployer",
        topUp: true,
        backers: { cliff: 10, duration: 100, grants: [{ beneficiary: f.alice.address, amount: "1000" }] },
        team: { grants: [{ beneficiary: f.bob.address, amount: "220000000" }] },
      });
      const deployerBefore = await balance(ctx.deployerAddress);
      await deployTokenomics(ctx);
      const c = ctx.record.contracts;
      const alice = await ethers.getContractAt("GenesisVesting", c.BackersVesting1.address);
      expect(await alice.owner()).to.equal(f.alice.address);
      expect(await balance(c.BackersVesting1.address)).to.equal(parseEther("1000"));
      expect(await balance(c.BackersVestingReserve.address)).to.equal(bucketAmount("backers") - parseEther("1000"));
      // The team's one grant is the whole bucket: no reserve.
      expect(c.TeamVestingReserve).to.equal(undefined);
      expect(await balance(c.TeamVesting1.address)).to.equal(bucketAmount("team"));
      const allocations = await ethers.getContractAt("Allocations", c.Allocations.address);
      const [, , backers] = await allocations.bucket(1);
      expect(backers.map((h) => h.account)).to.deep.equal([c.BackersVesting1.address, c.BackersVestingReserve.address]);
      // The top-up covered the funding: the deployer lost only gas.
      const spent = deployerBefore - (await balance(ctx.deployerAddress));
      expect(spent).to.be.greaterThan(0n);
      expect(spent).to.be.lessThan(parseEther("1"));
    });

    it("sends nothing with funding genesis", async function () {
      const f = await loadFixture(tokenomicsFixture);
      const ctx = withoutTokenomics(f.ctx, {
        funding: "genesis",
        backers: { cliff: 100_000, duration: 200_000 },
        team: { cliff: 100_000, duration: 200_000 },
      });
      await deployTokenomics(ctx);
      for (const name of Object.values(TOKENOMICS)) {
        expect(await balance(ctx.record.contracts[name].address)).to.equal(0n);
      }
      // Locked supply is computed from the allocations, so the registry reads the same before genesis funds exist.
      const allocations = await ethers.getContractAt("Allocations", ctx.record.contracts.Allocations.address);
      expect(await allocations.circulating()).to.equal(0n);
    });

    it("refuses topUp on a network other than hardhat and localhost", async function () {
      const f = await loadFixture(tokenomicsFixture);
      const ctx = withoutTokenomics(f.ctx, { funding: "deployer", topUp: true });
      const elsewhere = { ...ctx, hre: { ...hre, network: { ...hre.network, name: "mainnet" } } } as DeployContext;
      await expect(deployTokenomics(elsewhere)).to.be.rejectedWith(/topUp works on hardhat and localhost only/);
      expect(elsewhere.record.contracts.Allocations).to.equal(undefined);
    });

    it("needs staking, storage and DA first", async function () {
      const f = await loadFixture(tokenomicsFixture);
      const ctx = isolated(f.ctx);
      delete ctx.record.contracts.DASampler;
      await expect(deployTokenomics(ctx)).to.be.rejectedWith(/needs DASampler: run the da module first/);
    });
  });

  describe("tokenomicsParamsSchema", function () {
    const parse = (raw: unknown) => tokenomicsParamsSchema.safeParse(raw);

    it("defaults to genesis funding, a one-year cliff and the seed schedule", function () {
      const p = parse({}).data as TokenomicsDeployParams;
      expect(p.funding).to.equal("genesis");
      expect(p.topUp).to.equal(false);
      expect(p.backers.cliff).to.equal(365 * 24 * 3600);
      expect(p.rewards.validatorsBps + p.rewards.storageBps + p.rewards.daBps).to.equal(10_000);
      expect(parse(p).success).to.equal(true);
    });

    it("refuses weights that do not sum to 10000, grants beyond a bucket, a cliff past the duration", function () {
      const bad = [
        { rewards: { validatorsBps: 1 } },
        { backers: { grants: [{ beneficiary: "0x" + "1".repeat(40), amount: "220000000.000000000000000001" }] } },
        { team: { cliff: 10, duration: 5 } },
        { topUp: true },
        { funding: "mint" },
        { unknown: 1 },
      ];
      for (const raw of bad) expect(parse(raw).success, JSON.stringify(raw)).to.equal(false);
    });

    it("reads the hardhat and localhost sections", function () {
      for (const network of ["hardhat", "localhost"]) {
        const p = loadDeployParams(network).tokenomics;
        expect(p.funding).to.equal("deployer");
        expect(p.topUp).to.equal(true);
      }
    });
  });
});
