import { expect } from "chai";
import { ethers, network, upgrades } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import { BLOB_PRICE, SERVICE_FEE_PPM, daFixture, nextEpoch, root } from "./helpers";
import { answerOf } from "./sampleReference";
import {
  MAX,
  BASE_REWARD,
  PARAMS,
  adjust,
  sampledFixture,
  thinBaseFixture,
  freshRound,
  candidates,
  roundWith,
  answer,
} from "./samplerHelpers";

describe("DASampler", function () {
  describe("initialize", function () {
    it("is deployed through deploy/ with the entrance, the period, the target and the parameters", async function () {
      const f = await loadFixture(daFixture);
      expect(await f.sampler.entrance()).to.equal(await f.entrance.getAddress());
      expect(await f.sampler.samplePeriod()).to.equal(16n);
      expect(await f.sampler.qualityTarget()).to.equal(MAX / 2n);
      const p = await f.sampler.getParams();
      expect([
        p.sampleEpochs,
        p.targetAnswersPerRound,
        p.maxAnswersPerRound,
        p.roundsPerEpoch,
        p.baseReward,
      ]).to.deep.equal([2n, 2n, 4n, 2n, BASE_REWARD]);
      expect(await f.sampler.contractName()).to.equal("DASampler");
      expect(await f.sampler.version()).to.equal("1.0.0");
    });

    it("cannot be initialized twice", async function () {
      const f = await loadFixture(daFixture);
      await expect(
        f.sampler.initialize(f.deployer.address, f.deployer.address, await f.entrance.getAddress(), 16, 1n, PARAMS),
      ).to.be.revertedWithCustomError(f.sampler, "InvalidInitialization");
    });

    it("refuses a zero entrance, a period outside 2..256 and a zero target", async function () {
      const f = await loadFixture(daFixture);
      const factory = await ethers.getContractFactory("DASampler");
      const entrance = await f.entrance.getAddress();
      const deploy = (e: string, period: number, target: bigint) =>
        upgrades.deployProxy(factory, [f.deployer.address, f.deployer.address, e, period, target, PARAMS], {
          kind: "uups",
        });
      await expect(deploy(ethers.ZeroAddress, 16, 1n)).to.be.revertedWithCustomError(factory, "DASamplerZeroAddress");
      for (const period of [1, 257]) {
        await expect(deploy(entrance, period, 1n))
          .to.be.revertedWithCustomError(factory, "DASamplerInvalidParam")
          .withArgs("samplePeriod", period);
      }
      await expect(deploy(entrance, 16, 0n))
        .to.be.revertedWithCustomError(factory, "DASamplerInvalidParam")
        .withArgs("initialTarget", 0);
    });
  });

  describe("setParams", function () {
    it("sets the parameters; only the admin", async function () {
      const f = await loadFixture(daFixture);
      const next = { ...PARAMS, sampleEpochs: 5, maxAnswersPerRound: 9 };
      await expect(f.sampler.setParams(next)).to.emit(f.sampler, "ParamsUpdated");
      expect((await f.sampler.getParams()).maxAnswersPerRound).to.equal(9n);
      await expect(f.sampler.connect(f.stranger).setParams(PARAMS)).to.be.revertedWithCustomError(
        f.sampler,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("refuses each parameter out of bounds with its name", async function () {
      const f = await loadFixture(daFixture);
      const bad: [string, Partial<typeof PARAMS>, number][] = [
        ["sampleEpochs", { sampleEpochs: 0 }, 0],
        ["sampleEpochs", { sampleEpochs: 1001 }, 1001],
        ["targetAnswersPerRound", { targetAnswersPerRound: 0 }, 0],
        ["targetAnswersPerRound", { targetAnswersPerRound: 1_000_001, maxAnswersPerRound: 1_000_001 }, 1_000_001],
        ["maxAnswersPerRound", { maxAnswersPerRound: 1 }, 1],
        ["maxAnswersPerRound", { maxAnswersPerRound: 1_000_001 }, 1_000_001],
        ["roundsPerEpoch", { roundsPerEpoch: 0 }, 0],
      ];
      for (const [name, change, value] of bad) {
        await expect(f.sampler.setParams({ ...PARAMS, ...change }))
          .to.be.revertedWithCustomError(f.sampler, "DASamplerInvalidParam")
          .withArgs(name, value);
      }
    });
  });

  describe("startRound", function () {
    it("fixes the seed to the hash of the round's first block and emits RoundStarted", async function () {
      const f = await loadFixture(sampledFixture);
      const period = await f.sampler.samplePeriod();
      const now = BigInt(await ethers.provider.getBlockNumber());
      const start = (now / period + 1n) * period;
      await mine(Number(start - now));
      const tx = f.sampler.startRound();
      const hash = (await ethers.provider.getBlock(Number(start)))!.hash!;
      const round = start / period;
      await expect(tx)
        .to.emit(f.sampler, "RoundStarted")
        .withArgs(round, hash, MAX / 2n, MAX / 2n);
      expect(await f.sampler.currentRound()).to.equal(round);
      const info = await f.sampler.getRound(round);
      expect(info.seed).to.equal(hash);
      expect(info.target).to.equal(MAX / 2n);
      expect(info.answers).to.equal(0n);
    });

    it("reverts with DASamplerRoundStarted when the seed is already fixed", async function () {
      const f = await loadFixture(sampledFixture);
      const { round } = await freshRound(f);
      await expect(f.sampler.startRound())
        .to.be.revertedWithCustomError(f.sampler, "DASamplerRoundStarted")
        .withArgs(round);
    });

    it("reverts with DASamplerSeedUnavailable in the round's first block, whose hash is not known yet", async function () {
      const f = await loadFixture(sampledFixture);
      const period = await f.sampler.samplePeriod();
      const now = BigInt(await ethers.provider.getBlockNumber());
      const start = (now / period + 1n) * period;
      await mine(Number(start - now - 1n));
      await expect(f.sampler.startRound())
        .to.be.revertedWithCustomError(f.sampler, "DASamplerSeedUnavailable")
        .withArgs(start / period);
      // The same in a submission: it would start the round.
      await mine(period - 1n);
      await expect(f.sampler.connect(f.signers[0].account).submitSamplingResponse(answerOf(f.blob, f.epoch, 0n, 0, 0)))
        .to.be.revertedWithCustomError(f.sampler, "DASamplerSeedUnavailable")
        .withArgs(start / period + 1n);
    });

    it("never uses the genesis hash: round 0 has no seed", async function () {
      const f = await loadFixture(daFixture);
      const factory = await ethers.getContractFactory("DASampler");
      const period = 256;
      if ((await ethers.provider.getBlockNumber()) >= period - 2) this.skip();
      const fresh = await upgrades.deployProxy(
        factory,
        [f.deployer.address, f.deployer.address, await f.entrance.getAddress(), period, 1n, PARAMS],
        { kind: "uups" },
      );
      await expect(fresh.startRound()).to.be.revertedWithCustomError(fresh, "DASamplerSeedUnavailable").withArgs(0);
    });

    it("moves the target toward the goal from the last started round's answers (×2 / ÷2 bounds)", async function () {
      const f = await loadFixture(sampledFixture);
      // Round A: no answers → the next round doubles the target.
      const a = await freshRound(f);
      const b = await freshRound(f);
      expect(b.target).to.equal(adjust(a.target, 2n, 0n));
      // Let every answer pass so the count is ours to choose: four answers (2 × goal) halve the target.
      await f.sampler.setParams({ ...PARAMS, maxAnswersPerRound: 8 });
      const c = await freshRound(f);
      const passing = candidates(f, f.blob, c.seed, f.epoch).filter((x) => x.q <= c.target);
      for (const x of passing.slice(0, 4)) {
        await f.sampler.connect(x.signer.account).submitSamplingResponse(answer(f, x));
      }
      const counted = BigInt(Math.min(4, passing.length));
      const d = await freshRound(f);
      expect(d.target).to.equal(adjust(c.target, 2n, counted));
      expect(await f.sampler.qualityTarget()).to.equal(d.target);
    });

    it("reverts when paused", async function () {
      const f = await loadFixture(sampledFixture);
      await f.sampler.pause();
      await expect(f.sampler.startRound()).to.be.revertedWithCustomError(f.sampler, "EnforcedPause");
    });
  });

  describe("rewards", function () {
    it("bounds the pool share by what is left and the base reward by the base pool", async function () {
      const fresh = await loadFixture(thinBaseFixture);
      // The whole pool per answer (1 answer × 1 round), the base pool 1.5 base rewards.
      await fresh.sampler.setParams({ ...PARAMS, targetAnswersPerRound: 1, maxAnswersPerRound: 4, roundsPerEpoch: 1 });
      for (let tries = 0; tries < 20; tries++) {
        const r = await freshRound(fresh);
        const passing = candidates(fresh, fresh.blob, r.seed, fresh.epoch).filter((x) => x.q <= r.target);
        if (passing.length < 2) continue;
        const pool = BLOB_PRICE - (BLOB_PRICE * SERVICE_FEE_PPM) / 1_000_000n;
        await expect(fresh.sampler.connect(passing[0].signer.account).submitSamplingResponse(answer(fresh, passing[0])))
          .to.emit(fresh.sampler, "AnswerRewarded")
          .withArgs(
            passing[0].signer.address,
            r.round,
            fresh.blob.dataRoot,
            fresh.epoch,
            0,
            passing[0].line,
            passing[0].sub,
            pool,
            BASE_REWARD,
          );
        await expect(fresh.sampler.connect(passing[1].signer.account).submitSamplingResponse(answer(fresh, passing[1])))
          .to.emit(fresh.sampler, "AnswerRewarded")
          .withArgs(
            passing[1].signer.address,
            r.round,
            fresh.blob.dataRoot,
            fresh.epoch,
            0,
            passing[1].line,
            passing[1].sub,
            0,
            BASE_REWARD / 2n,
          );
        expect(await fresh.sampler.basePool()).to.equal(0n);
        return;
      }
      throw new Error("no round with two passing positions");
    });

    it("keeps fees in = claimed + owed + pools + base pool from fees + service fees + unreleased fees", async function () {
      const f = await loadFixture(sampledFixture);
      const funded = parseEther("1");
      let answers = 0;
      for (let tries = 0; tries < 6; tries++) {
        const r = await freshRound(f);
        for (const c of candidates(f, f.blob, r.seed, f.epoch)
          .filter((x) => x.q <= r.target)
          .slice(0, 2)) {
          await f.sampler.connect(c.signer.account).submitSamplingResponse(answer(f, c));
          answers++;
        }
      }
      expect(answers).to.be.greaterThan(0);
      // One signer claims; later epochs' fees stay in the entrance until released.
      let claimed = 0n;
      for (const s of f.signers) {
        const owed = await f.sampler.owed(s.address);
        if (owed === 0n) continue;
        await f.sampler.connect(s.account).claim();
        claimed = owed;
        break;
      }
      await f.entrance.connect(f.payer).submitOriginalData([root(77)], { value: BLOB_PRICE });
      const feesIn = 2n * BLOB_PRICE;
      let owed = 0n;
      for (const s of f.signers) owed += await f.sampler.owed(s.address);
      const pool = (await f.sampler.epochPool(f.epoch)).remaining;
      const basePool = await f.sampler.basePool();
      const service = await f.entrance.serviceFees();
      const [unreleased] = await f.entrance.epochFees(await f.registry.currentEpoch());
      const baseSpent = BASE_REWARD * BigInt(answers);
      // Every reward is pool share + base reward; the base part came from the funded base pool.
      expect(claimed + owed - baseSpent + pool + (basePool - (funded - baseSpent)) + service + unreleased).to.equal(
        feesIn,
      );
      // And the balances hold exactly that.
      expect(await ethers.provider.getBalance(await f.sampler.getAddress())).to.equal(owed + pool + basePool);
      expect(await ethers.provider.getBalance(await f.entrance.getAddress())).to.equal(service + unreleased);
    });
  });

  describe("claim", function () {
    it("pays what is owed once, and reverts with DASamplerNothingToClaim after", async function () {
      const f = await loadFixture(sampledFixture);
      const { c } = await roundWith(f, true);
      await f.sampler.connect(c.signer.account).submitSamplingResponse(answer(f, c));
      const owed = await f.sampler.owed(c.signer.address);
      const tx = f.sampler.connect(c.signer.account).claim();
      await expect(tx).to.emit(f.sampler, "RewardClaimed").withArgs(c.signer.address, owed);
      await expect(tx).to.changeEtherBalance(c.signer.account, owed);
      await expect(f.sampler.connect(c.signer.account).claim())
        .to.be.revertedWithCustomError(f.sampler, "DASamplerNothingToClaim")
        .withArgs(c.signer.address);
    });

    it("reverts with DASamplerTransferFailed when the signer rejects value", async function () {
      const f = await loadFixture(sampledFixture);
      const { c } = await roundWith(f, true);
      await f.sampler.connect(c.signer.account).submitSamplingResponse(answer(f, c));
      // The signer's address becomes a contract that reverts on any call (PUSH0 PUSH0 REVERT).
      await network.provider.send("hardhat_setCode", [c.signer.address, "0x5f5ffd"]);
      await network.provider.send("hardhat_impersonateAccount", [c.signer.address]);
      const asSigner = await ethers.getSigner(c.signer.address);
      await expect(f.sampler.connect(asSigner).claim())
        .to.be.revertedWithCustomError(f.sampler, "DASamplerTransferFailed")
        .withArgs(c.signer.address);
    });
  });

  describe("fundBasePool", function () {
    it("adds to the base pool; value from anyone else than the entrance is refused", async function () {
      const f = await loadFixture(daFixture);
      await expect(f.sampler.connect(f.stranger).fundBasePool({ value: 5n }))
        .to.emit(f.sampler, "BasePoolFunded")
        .withArgs(f.stranger.address, 5n);
      expect(await f.sampler.basePool()).to.equal(5n);
      await expect(f.stranger.sendTransaction({ to: await f.sampler.getAddress(), value: 1n }))
        .to.be.revertedWithCustomError(f.sampler, "DASamplerUnexpectedValue")
        .withArgs(f.stranger.address);
    });
  });

  describe("recycleExpiredPool", function () {
    it("moves an expired epoch's pool (pulled now if nobody did) to the base pool", async function () {
      const f = await loadFixture(sampledFixture);
      const current = await f.registry.currentEpoch();
      await expect(f.sampler.recycleExpiredPool(f.epoch))
        .to.be.revertedWithCustomError(f.sampler, "DASamplerPoolNotExpired")
        .withArgs(f.epoch, current);
      await nextEpoch(f.registry);
      await nextEpoch(f.registry);
      const pool = BLOB_PRICE - (BLOB_PRICE * SERVICE_FEE_PPM) / 1_000_000n;
      const before = await f.sampler.basePool();
      await expect(f.sampler.recycleExpiredPool(f.epoch)).to.emit(f.sampler, "PoolRecycled").withArgs(f.epoch, pool);
      expect(await f.sampler.basePool()).to.equal(before + pool);
      expect((await f.sampler.epochPool(f.epoch)).remaining).to.equal(0n);
      await expect(f.sampler.recycleExpiredPool(f.epoch)).to.emit(f.sampler, "PoolRecycled").withArgs(f.epoch, 0);
    });
  });

  describe("views", function () {
    it("assignedSigner names member (line mod size) of the quorum, and nobody for an unknown quorum", async function () {
      const f = await loadFixture(sampledFixture);
      for (let line = 0; line < 6; line++) {
        expect(await f.sampler.assignedSigner(f.epoch, 0, line)).to.equal(f.signers[line % 4].address);
      }
      expect(await f.sampler.assignedSigner(f.epoch, 7, 0)).to.equal(ethers.ZeroAddress);
    });
  });
});
