import { expect } from "chai";
import fc from "fast-check";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { id } from "ethers";
import { PRICE, storageFixture, submissionOf } from "./helpers";

const MAX = 2n ** 256n - 1n;

describe("storage access control, pausing and bounds", () => {
  describe("initialize", () => {
    it("every proxy refuses a second initialization; only the admin sets market parameters", async () => {
      const f = await loadFixture(storageFixture);
      const a = f.deployer.address;
      await expect(f.flow.initialize(a, a, a, 10)).to.be.revertedWithCustomError(f.flow, "InvalidInitialization");
      await expect(f.market.initialize(a, a, a, 1, 0)).to.be.revertedWithCustomError(f.market, "InvalidInitialization");
      await expect(f.rewards.initialize(a, a, 1, 0)).to.be.revertedWithCustomError(f.rewards, "InvalidInitialization");
      await expect(f.mine.initialize(a, a, a, a, 1, 1)).to.be.revertedWithCustomError(f.mine, "InvalidInitialization");
      await expect(f.market.connect(f.stranger).setServiceFee(1)).to.be.revertedWithCustomError(
        f.market,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("Mine", () => {
    it("refuses bad initial parameters, non-admin settings and answers while paused", async () => {
      const f = await loadFixture(storageFixture);
      const factory = await ethers.getContractFactory("Mine");
      const flow = await f.flow.getAddress();
      const rewards = await f.rewards.getAddress();
      const bad = [
        [ethers.ZeroAddress, rewards, 1, 1],
        [flow, ethers.ZeroAddress, 1, 1],
        [flow, rewards, 0, 1],
        [flow, rewards, 1, 0],
      ];
      for (const args of bad) {
        await expect(
          upgrades.deployProxy(factory, [f.deployer.address, f.deployer.address, ...args], { kind: "uups" }),
        ).to.be.revertedWithCustomError(factory, "MineInvalidParams");
      }
      await expect(f.mine.connect(f.stranger).setTargetAnswers(3)).to.be.revertedWithCustomError(
        f.mine,
        "AccessControlUnauthorizedAccount",
      );
      await f.mine.connect(f.deployer).pause();
      const answer = {
        epoch: 0,
        minerId: ethers.ZeroHash,
        nonce: ethers.ZeroHash,
        startPosition: 0,
        mineLength: 1024,
        recallPosition: 0,
        sealOffset: 0,
        sealedData: new Array(128).fill(ethers.ZeroHash),
        merkleProof: [],
      };
      await expect(f.mine.submit(answer)).to.be.revertedWithCustomError(f.mine, "EnforcedPause");
    });
  });

  describe("Difficulty.adjust (property)", () => {
    it("moves toward the wanted answers and stays within ×2 / ÷2", async () => {
      const harness = await (await ethers.getContractFactory("PoraHarness")).deploy();
      const target = fc.oneof(
        fc.bigInt({ min: 1n, max: MAX }),
        fc.constantFrom(1n, 2n, 3n, MAX, MAX / 2n, MAX / 2n + 1n),
      );
      await fc.assert(
        fc.asyncProperty(
          target,
          fc.integer({ min: 1, max: 50 }),
          fc.integer({ min: 0, max: 120 }),
          async (old, wanted, previous) => {
            const next = await harness.adjust(old, wanted, previous);
            const floor = old / 2n === 0n ? 1n : old / 2n;
            const ceiling = old * 2n > MAX ? MAX : old * 2n;
            let expected = previous === 0 ? ceiling : (old * BigInt(wanted)) / BigInt(previous);
            if (expected < floor) expected = floor;
            if (expected > ceiling) expected = ceiling;
            expect(next).to.equal(expected);
          },
        ),
        { numRuns: 60 },
      );
    });
  });

  describe("Flow", () => {
    it("refuses batches while paused and pays no refund to nobody", async () => {
      const f = await loadFixture(storageFixture);
      await f.flow.connect(f.deployer).pause();
      await expect(f.flow.batchSubmit([submissionOf(10)], { value: PRICE })).to.be.revertedWithCustomError(
        f.flow,
        "EnforcedPause",
      );
      await f.flow.connect(f.deployer).unpause();
      await expect(f.flow.connect(f.alice).withdrawRefund()).to.be.revertedWithCustomError(f.flow, "FlowNoRefund");
      expect(
        await f.flow.verifyFlowProof(ethers.ZeroHash, ethers.ZeroHash, 0, new Array(256).fill(ethers.ZeroHash)),
      ).to.equal(false);
    });
    it("an exact payment sends nothing back", async () => {
      const f = await loadFixture(storageFixture);
      await expect(f.flow.connect(f.alice).submit(submissionOf(10), { value: PRICE })).to.not.emit(
        f.flow,
        "RefundDeferred",
      );
      expect(await f.flow.rootAfter(0)).to.not.equal(ethers.ZeroHash);
    });
    it("forgets roots that left the 256-entry ring", async function () {
      this.timeout(900_000); // 257 submissions: slow only under coverage instrumentation
      const f = await loadFixture(storageFixture);
      const sub = submissionOf(1);
      await f.flow.connect(f.alice).batchSubmit(new Array(129).fill(sub), { value: PRICE * 129n });
      await f.flow.connect(f.alice).batchSubmit(new Array(128).fill(sub), { value: PRICE * 128n });
      expect(await f.flow.rootAfter(0)).to.equal(ethers.ZeroHash);
      expect(await f.flow.rootAfter(1)).to.not.equal(ethers.ZeroHash);
      expect(await f.flow.rootAfter(256)).to.equal(await f.flow.root());
    });
  });

  describe("ChunkRewards", () => {
    it("only the mine credits rewards; a beneficiary that refuses value cannot be paid", async () => {
      const f = await loadFixture(storageFixture);
      await expect(f.rewards.connect(f.stranger).claimMineReward(0, f.stranger.address)).to.be.revertedWithCustomError(
        f.rewards,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.rewards.connect(f.stranger).setBaseReward(1)).to.be.revertedWithCustomError(
        f.rewards,
        "AccessControlUnauthorizedAccount",
      );
      const rejecter = await (await ethers.getContractFactory("FlowRefundRejecter")).deploy();
      await f.rewards.connect(f.deployer).grantRole(id("MINE_ROLE"), f.deployer.address);
      await f.rewards.connect(f.alice).donate({ value: 10n ** 16n });
      await f.rewards.connect(f.deployer).claimMineReward(0, await rejecter.getAddress());
      const data = f.rewards.interface.encodeFunctionData("withdraw");
      await expect(rejecter.forward(await f.rewards.getAddress(), data)).to.be.revertedWithCustomError(
        f.rewards,
        "ChunkRewardsTransferFailed",
      );
      await rejecter.setAccept(true);
      await expect(rejecter.forward(await f.rewards.getAddress(), data)).to.emit(f.rewards, "RewardWithdrawn");
    });
  });
});
