// The token:* Hardhat tasks run in-process against the fixture's deployment (its record written to a folder as a
// deployer's would be): supply now and at a past block, release, distribute, genesis alloc.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { formatEther, parseEther } from "ethers";
import { deployTokenomics } from "../../deploy/modules/tokenomics";
import { writeDeployment } from "../../offchain/common/deployments";
import { balance, bucketAmount, MAX_SUPPLY, reach, tokenomicsFixture, withoutTokenomics } from "./helpers";

describe("tokenomics tasks", function () {
  let dir: string;
  let lines: string[];
  const log = console.log;

  async function setup() {
    const f = await loadFixture(tokenomicsFixture);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-token-"));
    await writeDeployment(dir, f.ctx.record);
    lines = [];
    console.log = (line: string) => lines.push(line);
    return f;
  }
  afterEach(function () {
    console.log = log;
  });

  /** The supply table's row for `bucket`: [bucket, allocated, locked, circulating, held]. */
  function row(bucket: string): string[] {
    const line = lines.find((l) => l.startsWith(`${bucket} `));
    if (!line) throw new Error(`no row for ${bucket} in:\n${lines.join("\n")}`);
    return line.split(/\s+/);
  }

  describe("token:supply", function () {
    it("prints each bucket's locked and circulating supply, now and at a past block", async function () {
      const f = await setup();
      // Allocations' own block: nothing vested yet (the cliffs are a minute away) and nothing paid out.
      const deployedAt = f.ctx.record.contracts.Allocations.startBlock;
      const [, end] = await f.distributor.schedule();
      await reach(end);
      await f.distributor.distribute();
      const paid = await f.distributor.paidOut();

      await hre.run("token:supply", { deployments: dir });
      expect(lines[0]).to.match(/^supply at block \d+ \(time \d+\)$/);
      expect(row("community")).to.deep.equal([
        "community",
        formatEther(bucketAmount("community")),
        formatEther(bucketAmount("community") - paid),
        formatEther(paid),
        formatEther(bucketAmount("community") - paid),
      ]);
      expect(row("backers")[3]).to.equal(formatEther(bucketAmount("backers")));
      expect(row("total")[1]).to.equal(formatEther(MAX_SUPPLY));

      lines = [];
      await hre.run("token:supply", { deployments: dir, block: String(deployedAt) });
      expect(lines[0]).to.match(new RegExp(`^supply at block ${deployedAt} `));
      expect(row("community")[3]).to.equal("0.0");
      expect(row("total")[3]).to.equal("0.0");
    });

    it("refuses a block in the future or before Allocations existed", async function () {
      const f = await setup();
      const latest = await hre.ethers.provider.getBlockNumber();
      await expect(hre.run("token:supply", { deployments: dir, block: String(latest + 10) })).to.be.rejectedWith(
        /is not a block number up to the latest/,
      );
      const before = String(f.ctx.record.contracts.Allocations.startBlock - 1);
      await expect(hre.run("token:supply", { deployments: dir, block: before })).to.be.rejectedWith(
        /Allocations was not deployed yet/,
      );
    });
  });

  describe("token:release", function () {
    it("releases every vested wallet the beneficiary owns, and says when nothing is releasable", async function () {
      const f = await setup();
      // A deployment of its own with alice's grants far from their cliff, so the test owns the timeline.
      const ctx = withoutTokenomics(f.ctx, {
        funding: "deployer",
        topUp: true,
        backers: { cliff: 100_000, duration: 200_000, grants: [{ beneficiary: f.alice.address, amount: "1000" }] },
        team: { cliff: 100_000, duration: 400_000, grants: [{ beneficiary: f.alice.address, amount: "3000" }] },
      });
      await deployTokenomics(ctx);
      await writeDeployment(dir, ctx.record);
      await hre.run("token:release", { deployments: dir, account: "4", beneficiary: f.alice.address });
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/nothing releasable yet \(wait for the cliff at \d+\)$/);

      lines = [];
      const wallet = await hre.ethers.getContractAt("GenesisVesting", ctx.record.contracts.BackersVesting1.address);
      await reach((await wallet.end()) + 1n);
      const before = await balance(f.alice.address);
      await hre.run("token:release", { deployments: dir, account: "4", beneficiary: f.alice.address });
      expect(lines[0]).to.match(new RegExp(`released 1000\\.0 to ${f.alice.address} \\(tx `));
      // Half of the team grant (400 000 s) has vested at the backers' end (200 000 s).
      expect(lines[1]).to.match(new RegExp(`released 1500\\.\\d+ to ${f.alice.address} \\(tx `));
      const team = await hre.ethers.getContractAt("GenesisVesting", ctx.record.contracts.TeamVesting1.address);
      const teamReleased = await team["released()"]();
      expect(teamReleased).to.be.closeTo(parseEther("1500"), parseEther("0.1"));
      expect((await balance(f.alice.address)) - before).to.equal(parseEther("1000") + teamReleased);
    });

    it("takes one wallet by record name, and refuses an unknown wallet or a beneficiary without wallets", async function () {
      const f = await setup();
      await reach(await f.backersWallet.end());
      await hre.run("token:release", { deployments: dir, account: "4", wallet: "BackersVestingReserve" });
      expect(lines).to.have.length(1);
      expect(await f.backersWallet["released()"]()).to.equal(bucketAmount("backers"));
      await expect(
        hre.run("token:release", { deployments: dir, wallet: await f.distributor.getAddress() }),
      ).to.be.rejectedWith(/is not a genesis vesting wallet/);
      await expect(hre.run("token:release", { deployments: dir, account: "4" })).to.be.rejectedWith(
        /owns no genesis vesting wallet/,
      );
    });
  });

  describe("token:distribute", function () {
    it("pays out what was released and prints the split; refuses when nothing is due", async function () {
      const f = await setup();
      await time.increase(60);
      await hre.run("token:distribute", { deployments: dir, account: "4" });
      expect(lines.pop()).to.match(/^distributed [\d.]+ newly released: validators 0\.0, storage [\d.]+, DA [\d.]+/);
      expect(await f.distributor.paidOut()).to.be.greaterThan(0n);

      // No validator yet: their share is carried. With one registered, the next call pays it all.
      const [, , , , , , op] = await hre.ethers.getSigners();
      const minSelf = (await f.staking.getParams()).minSelfStake;
      const key = hre.ethers.zeroPadValue("0x01", 48);
      await f.staking.connect(op).registerValidator(key, "v", 0, 100_000, 10_000, { value: minSelf });
      const [, end] = await f.distributor.schedule();
      await reach(end);
      await hre.run("token:distribute", { deployments: dir });
      expect(lines.pop()).to.match(/validators [1-9][\d.]*, storage [\d.]+, DA [\d.]+, carried 0\.0 /);
      expect(await f.distributor.paidOut()).to.equal(bucketAmount("community"));
      await expect(hre.run("token:distribute", { deployments: dir })).to.be.rejectedWith(
        /nothing to distribute: the whole budget was released/,
      );
    });
  });

  describe("token:genesis", function () {
    it("writes a genesis alloc crediting each holder its allocation, summing to the max supply", async function () {
      const f = await setup();
      const out = path.join(dir, "genesis", "alloc.json");
      await hre.run("token:genesis", { deployments: dir, out });
      const { alloc } = JSON.parse(fs.readFileSync(out, "utf8")) as { alloc: Record<string, { balance: string }> };
      const total = Object.values(alloc).reduce((sum, a) => sum + BigInt(a.balance), 0n);
      expect(total).to.equal(MAX_SUPPLY);
      expect(BigInt(alloc[(await f.distributor.getAddress()).toLowerCase()].balance)).to.equal(
        bucketAmount("community"),
      );
      expect(Object.keys(alloc)).to.have.length(5);
      expect(lines.pop()).to.match(/^wrote the genesis alloc for 5 holders \(1000000000\.0 coins\)/);
    });
  });
});
