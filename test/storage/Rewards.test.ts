import { expect } from "chai";
import fc from "fast-check";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { id, parseEther } from "ethers";
import { PRICE, SECTORS_PER_CHUNK, storageFixture, submissionOf } from "./helpers";

const MARKET_ROLE = id("MARKET_ROLE");
const MINE_ROLE = id("MINE_ROLE");
const LIFETIME = 1000n;

/** Rewards with a test account acting as market and as mine, so fills can land anywhere in the flow. */
async function ledgerFixture() {
  const f = await storageFixture();
  const [, , , , , , marketActor, mineActor] = await ethers.getSigners();
  await f.rewards.connect(f.deployer).grantRole(MARKET_ROLE, marketActor.address);
  await f.rewards.connect(f.deployer).grantRole(MINE_ROLE, mineActor.address);
  return { ...f, marketActor, mineActor };
}

describe("Market", () => {
  describe("charge", () => {
    it("splits the fee: service fee to the treasury, the rest to the chunk of the sectors", async () => {
      const { flow, market, rewards, alice } = await loadFixture(storageFixture);
      await flow.connect(alice).submit(submissionOf(256 * 1024), { value: PRICE * 1024n });
      const fee = PRICE * 1024n;
      expect(await market.treasuryBalance()).to.equal(fee / 10n);
      expect((await rewards.chunk(0)).total).to.equal(fee - fee / 10n);
      expect(await rewards.totalFilled()).to.equal(fee - fee / 10n);
      expect(await flow.fee(1024)).to.equal(fee);
      expect(await market.fee(1024)).to.equal(fee);
    });
    it("reverts for anyone but the Flow", async () => {
      const { market, stranger } = await loadFixture(storageFixture);
      await expect(market.connect(stranger).charge(0, 1, { value: 1 })).to.be.revertedWithCustomError(
        market,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("setPricePerSector / setServiceFee", () => {
    it("admin changes the price; Flow charges the new price", async () => {
      const { flow, market, deployer, alice } = await loadFixture(storageFixture);
      await expect(market.connect(deployer).setPricePerSector(5)).to.emit(market, "PriceChanged").withArgs(5n);
      expect(await market.pricePerSector()).to.equal(5n);
      await expect(flow.connect(alice).submit(submissionOf(10), { value: 4 })).to.be.revertedWithCustomError(
        flow,
        "FlowInsufficientFee",
      );
      await expect(market.connect(alice).setPricePerSector(1)).to.be.revertedWithCustomError(
        market,
        "AccessControlUnauthorizedAccount",
      );
    });
    it("bounds the service fee at 50 %", async () => {
      const { market, deployer } = await loadFixture(storageFixture);
      await expect(market.connect(deployer).setServiceFee(500_000)).to.emit(market, "ServiceFeeChanged");
      expect(await market.serviceFeePpm()).to.equal(500_000n);
      await expect(market.connect(deployer).setServiceFee(500_001)).to.be.revertedWithCustomError(
        market,
        "MarketInvalidParams",
      );
    });
    it("refuses bad initial parameters", async () => {
      const { ctx } = await loadFixture(storageFixture);
      const factory = await ethers.getContractFactory("Market");
      const rewards = ctx.record.contracts.ChunkRewards.address;
      await expect(
        upgrades.deployProxy(factory, [ctx.admin!, ctx.admin!, ethers.ZeroAddress, 1, 0], { kind: "uups" }),
      ).to.be.revertedWithCustomError(factory, "MarketInvalidParams");
      await expect(
        upgrades.deployProxy(factory, [ctx.admin!, ctx.admin!, rewards, 1, 500_001], { kind: "uups" }),
      ).to.be.revertedWithCustomError(factory, "MarketInvalidParams");
    });
  });

  describe("withdrawTreasury", () => {
    it("pays the treasury's share and no more", async () => {
      const { flow, market, deployer, alice, treasury } = await loadFixture(storageFixture);
      await flow.connect(alice).submit(submissionOf(256 * 1024), { value: PRICE * 1024n });
      const owed = await market.treasuryBalance();
      await expect(market.connect(deployer).withdrawTreasury(treasury.address, owed + 1n))
        .to.be.revertedWithCustomError(market, "MarketInsufficientTreasury")
        .withArgs(owed + 1n, owed);
      await expect(market.connect(deployer).withdrawTreasury(ethers.ZeroAddress, 1)).to.be.revertedWithCustomError(
        market,
        "MarketInvalidParams",
      );
      await expect(market.connect(deployer).withdrawTreasury(treasury.address, owed)).to.changeEtherBalances(
        [treasury, market],
        [owed, -owed],
      );
      await expect(market.connect(alice).withdrawTreasury(alice.address, 0)).to.be.revertedWithCustomError(
        market,
        "AccessControlUnauthorizedAccount",
      );
      const rejecter = await (await ethers.getContractFactory("FlowRefundRejecter")).deploy();
      await flow.connect(alice).submit(submissionOf(256 * 1024), { value: PRICE * 1024n });
      await expect(
        market.connect(deployer).withdrawTreasury(await rejecter.getAddress(), 1),
      ).to.be.revertedWithCustomError(market, "MarketTransferFailed");
      expect(await market.contractName()).to.equal("Market");
      expect(await market.version()).to.equal("1.0.0");
      expect(await market.rewards()).to.not.equal(ethers.ZeroAddress);
    });
  });
});

describe("ChunkRewards", () => {
  describe("fillReward", () => {
    it("splits across pricing chunks in proportion to sectors and starts passed chunks", async () => {
      const { rewards, marketActor } = await loadFixture(ledgerFixture);
      const start = SECTORS_PER_CHUNK - 1000n;
      const tx = rewards.connect(marketActor).fillReward(start, 4000n, { value: 4000n * 7n });
      await expect(tx)
        .to.emit(rewards, "ChunkStarted")
        .withArgs(0n, (t: bigint) => t > 0n);
      expect((await rewards.chunk(0)).total).to.equal(7000n);
      expect((await rewards.chunk(1)).total).to.equal(21000n);
      expect(await rewards.startedChunks()).to.equal(1n);
      expect((await rewards.chunk(1)).startTime).to.equal(0n);
      await expect(rewards.connect(marketActor).fillReward(0, 0)).to.be.revertedWithCustomError(
        rewards,
        "ChunkRewardsEmptyFill",
      );
    });
    it("reverts for anyone but the market", async () => {
      const { rewards, stranger } = await loadFixture(ledgerFixture);
      await expect(rewards.connect(stranger).fillReward(0, 1)).to.be.revertedWithCustomError(
        rewards,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("claimMineReward / withdraw", () => {
    it("releases linearly once started and pays by pull, base reward from the pool", async () => {
      const { rewards, marketActor, mineActor, deployer, miner, alice } = await loadFixture(ledgerFixture);
      await rewards.connect(alice).donate({ value: parseEther("0.0015") });
      await rewards.connect(marketActor).fillReward(0, SECTORS_PER_CHUNK, { value: 1_000_000n });
      const started = (await rewards.chunk(0)).startTime;
      await time.setNextBlockTimestamp(started + LIFETIME / 4n);
      await expect(rewards.connect(mineActor).claimMineReward(0, miner.address))
        .to.emit(rewards, "MineRewardCredited")
        .withArgs(0n, miner.address, 250_000n, parseEther("0.001"));
      await time.setNextBlockTimestamp(started + LIFETIME * 2n);
      await rewards.connect(mineActor).claimMineReward(0, miner.address);
      expect(await rewards.owed(miner.address)).to.equal(1_000_000n + parseEther("0.0015"));
      expect(await rewards.basePool()).to.equal(0n);
      await expect(rewards.connect(miner).withdraw()).to.changeEtherBalance(miner, 1_000_000n + parseEther("0.0015"));
      await expect(rewards.connect(miner).withdraw()).to.be.revertedWithCustomError(rewards, "ChunkRewardsNothingOwed");
      await expect(rewards.connect(mineActor).claimMineReward(0, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        rewards,
        "ChunkRewardsInvalidParams",
      );
      await expect(rewards.connect(deployer).setBaseReward(5)).to.emit(rewards, "BaseRewardChanged").withArgs(5n);
      expect(await rewards.baseReward()).to.equal(5n);
      expect(await rewards.lifetime()).to.equal(LIFETIME);
      expect(await rewards.released(7)).to.equal(0n);
      expect(await rewards.contractName()).to.equal("ChunkRewards");
      expect(await rewards.version()).to.equal("1.0.0");
    });
    it("refuses bad initial parameters and failed payouts", async () => {
      const { ctx } = await loadFixture(ledgerFixture);
      const factory = await ethers.getContractFactory("ChunkRewards");
      for (const life of [0, 100 * 365 * 86400 + 1]) {
        await expect(
          upgrades.deployProxy(factory, [ctx.admin!, ctx.admin!, life, 0], { kind: "uups" }),
        ).to.be.revertedWithCustomError(factory, "ChunkRewardsInvalidParams");
      }
    });
  });

  describe("ledger (property)", () => {
    it("fees in = released + still locked + treasury, and the balance covers every debt", async () => {
      const { flow, market, rewards, alice, mineActor, miner, deployer } = await loadFixture(ledgerFixture);
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              fc.record({ kind: fc.constant("submit" as const), size: fc.integer({ min: 1, max: 600_000 }) }),
              fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 600 }) }),
              fc.record({ kind: fc.constant("claim" as const), chunk: fc.integer({ min: 0, max: 1 }) }),
              fc.record({ kind: fc.constant("treasury" as const) }),
            ),
            { minLength: 1, maxLength: 8 },
          ),
          async (ops) => {
            for (const op of ops) {
              if (op.kind === "submit") {
                const sub = submissionOf(op.size, op.size);
                const sectors = sub.nodes.reduce((s, n) => s + 2 ** n.height, 0);
                await flow.connect(alice).submit(sub, { value: PRICE * BigInt(sectors) + 3n });
              } else if (op.kind === "wait") {
                await time.increase(op.seconds);
              } else if (op.kind === "claim") {
                await rewards.connect(mineActor).claimMineReward(op.chunk, miner.address);
              } else {
                await market.connect(deployer).withdrawTreasury(deployer.address, await market.treasuryBalance());
              }
            }
            const totalFees = await market.totalFees();
            const filled = await rewards.totalFilled();
            let chunkTotals = 0n;
            for (let i = 0; i < 2; i++) {
              const c = await rewards.chunk(i);
              const rel = await rewards.released(i);
              expect(c.distributed).to.be.at.most(rel);
              expect(rel).to.be.at.most(c.total);
              // total = distributed (credited to miners) + released-but-unclaimed + still locked
              chunkTotals += c.distributed + (rel - c.distributed) + (c.total - rel);
            }
            expect(chunkTotals).to.equal(filled);
            const treasuryPaid = totalFees - filled - (await market.treasuryBalance());
            expect(filled + (await market.treasuryBalance()) + treasuryPaid).to.equal(totalFees);
            expect(treasuryPaid).to.be.at.least(0n);
            // What the rewards contract holds covers the unclaimed chunk value, the base pool and what it owes.
            let unclaimed = 0n;
            for (let i = 0; i < 2; i++) {
              const c = await rewards.chunk(i);
              unclaimed += c.total - c.distributed;
            }
            const balance = await ethers.provider.getBalance(await rewards.getAddress());
            expect(balance).to.equal(unclaimed + (await rewards.basePool()) + (await rewards.owed(miner.address)));
            expect(await ethers.provider.getBalance(await flow.getAddress())).to.equal(0n);
          },
        ),
        { numRuns: 15 },
      );
    });
  });
});
