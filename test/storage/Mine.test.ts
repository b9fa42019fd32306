import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { hexlify, id, parseEther, zeroPadValue } from "ethers";
import {
  BYTES_PER_SEAL,
  FlowTree,
  buildLevels,
  fromHex,
  loadPoraHashers,
  minePora,
  mix,
  quality,
  scratchpad,
  seal,
  sectorLeaves,
  toHex,
  type PoraHit,
} from "../../offchain/storage/core";
import { targetOf } from "../../deploy/modules/storage";
import { PRICE, SECTORS_PER_CHUNK, TEST_PARAMS, bytes, storageFixture, submissionOf } from "./helpers";

const SECTORS = 1024; // one segment, one PoRA load
const SEED = zeroPadValue("0x01", 32);
const words = (b: Uint8Array) =>
  Array.from({ length: b.length / 32 }, (_, i) => hexlify(b.subarray(i * 32, i * 32 + 32)));

/** One segment in the flow, chunk 0 funded and started, a fixed mining context, a registered miner. */
async function roundFixture() {
  await loadPoraHashers();
  const f = await storageFixture();
  const data = bytes(SECTORS * 256, 99);
  const sub = submissionOf(data.length, 99);
  await f.flow.connect(f.alice).submit(sub, { value: PRICE * BigInt(SECTORS) });
  const tree = new FlowTree();
  tree.append(sub.nodes);
  // Fund and start chunk 0 directly, and fill the base pool, so a reward is visible.
  await f.rewards.connect(f.deployer).grantRole(id("MARKET_ROLE"), f.deployer.address);
  await f.rewards.connect(f.deployer).fillReward(SECTORS_PER_CHUNK - 1n, 1n, { value: 1_000_000n });
  await f.rewards.connect(f.alice).donate({ value: parseEther("1") });
  await time.increase(100);
  // Start a fresh epoch so the round has the whole epoch ahead of it.
  await f.flow.makeContext();
  const startBlock = (await f.flow.getContext(await f.flow.epoch())).startBlock;
  const next = startBlock + BigInt(TEST_PARAMS.blocksPerEpoch);
  await mine(Number(next - 1n - BigInt(await ethers.provider.getBlockNumber())));
  await f.flow.makeContext();
  const epoch = await f.flow.epoch();
  const ctx = await f.flow.getContext(epoch);
  const minerId = await f.mine.connect(f.miner).registerMiner.staticCall(SEED, f.bob.address);
  await f.mine.connect(f.miner).registerMiner(SEED, f.bob.address);
  // Data is sealed once, with the first context whose flow covers it.
  const sealDigest = (await f.flow.contextCovering(0)).digest;
  return { ...f, data, sub, tree, epoch, ctx, minerId, sealDigest };
}

type Round = Awaited<ReturnType<typeof roundFixture>>;

/** The sealed seal at a flow position, sealed with the context covering it. */
function sealedAt(r: Round, digest: string, position: bigint): Uint8Array | undefined {
  if (position + 16n > BigInt(SECTORS)) return undefined;
  const start = Number(position) * 256;
  return seal(r.data.slice(start, start + BYTES_PER_SEAL), fromHex(r.minerId), fromHex(digest), position);
}

/** Proof of the seal root at `position` up to the flow root: inside the file's node, then the flow tree. */
function sealProof(r: Round, position: bigint): string[] {
  const levels = buildLevels(sectorLeaves(r.data, 0, SECTORS));
  const siblings: string[] = [];
  let index = Number(position) / 16;
  for (let h = 4; h < 10; h++) {
    siblings.push(toHex(levels[h][index ^ 1]));
    index >>= 1;
  }
  return [...siblings, ...r.tree.proof(10, 0).siblings];
}

function answerOf(r: Round, hit: PoraHit, overrides: Record<string, unknown> = {}) {
  return {
    epoch: r.epoch,
    minerId: r.minerId,
    nonce: hexlify(hit.nonce),
    startPosition: 0n,
    mineLength: BigInt(SECTORS),
    recallPosition: hit.recallPosition,
    sealOffset: hit.sealOffset,
    sealedData: words(hit.sealed),
    merkleProof: sealProof(r, hit.recallPosition),
    ...overrides,
  };
}

function mineRound(r: Round, digest = r.ctx.digest, limit = targetOf(TEST_PARAMS.initialDifficulty)): PoraHit {
  const sealDigest = r.sealDigest;
  const hit = minePora(
    { minerId: fromHex(r.minerId), digest: fromHex(digest), startPosition: 0n, mineLength: BigInt(SECTORS) },
    limit,
    (p) => sealedAt(r, sealDigest, p),
  );
  if (!hit) throw new Error("no PoRA answer found");
  return hit;
}

describe("Mine", () => {
  describe("registerMiner", () => {
    it("registers keccak(sender, seed) once", async () => {
      const r = await loadFixture(roundFixture);
      expect(r.minerId).to.equal(
        ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [r.miner.address, SEED])),
      );
      expect(await r.mine.beneficiaryOf(r.minerId)).to.equal(r.bob.address);
      await expect(r.mine.connect(r.miner).registerMiner(SEED, r.bob.address))
        .to.be.revertedWithCustomError(r.mine, "MineMinerExists")
        .withArgs(r.minerId);
      await expect(r.mine.connect(r.miner).registerMiner(SEED, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        r.mine,
        "MineInvalidParams",
      );
    });
  });

  describe("submit", () => {
    it("a real mining round: the core's answer is accepted and the chunk reward paid", async () => {
      const r = await loadFixture(roundFixture);
      const hit = mineRound(r);
      const released = await r.rewards.released(0);
      const tx = r.mine.connect(r.miner).submit(answerOf(r, hit));
      await expect(tx)
        .to.emit(r.mine, "AnswerAccepted")
        .withArgs(r.epoch, r.minerId, hit.recallPosition, hit.quality, (v: bigint) => v >= released);
      expect(await r.rewards.owed(r.bob.address)).to.be.greaterThan(parseEther("0.001"));
      expect(await r.mine.answersIn(r.epoch)).to.equal(1n);
      const receipt = await (await tx).wait();
      console.log(`      mining submit gas: ${receipt!.gasUsed}`);
    });
    it("refuses a replayed answer", async () => {
      const r = await loadFixture(roundFixture);
      const answer = answerOf(r, mineRound(r));
      await r.mine.connect(r.miner).submit(answer);
      await expect(r.mine.connect(r.miner).submit(answer))
        .to.be.revertedWithCustomError(r.mine, "MineDuplicateAnswer")
        .withArgs(r.minerId, r.epoch);
    });
    it("refuses an answer past its epoch", async () => {
      const r = await loadFixture(roundFixture);
      const answer = answerOf(r, mineRound(r));
      await mine(TEST_PARAMS.blocksPerEpoch);
      await expect(r.mine.connect(r.miner).submit(answer))
        .to.be.revertedWithCustomError(r.mine, "MineAnswerExpired")
        .withArgs(r.epoch, r.epoch + 1n);
    });
    it("refuses an answer from someone who does not own the miner id", async () => {
      const r = await loadFixture(roundFixture);
      await expect(r.mine.connect(r.stranger).submit(answerOf(r, mineRound(r))))
        .to.be.revertedWithCustomError(r.mine, "MineUnknownMiner")
        .withArgs(r.minerId);
    });
    it("refuses tampered data (a good quality but not the flow's data)", async () => {
      const r = await loadFixture(roundFixture);
      const fake = { ...r, data: bytes(SECTORS * 256, 1234) };
      const hit = mineRound(fake);
      await expect(r.mine.connect(r.miner).submit(answerOf(r, hit))).to.be.revertedWithCustomError(
        r.mine,
        "MineInvalidProof",
      );
      const good = mineRound(r);
      const shortProof = answerOf(r, good, { merkleProof: sealProof(r, good.recallPosition).slice(1) });
      await expect(r.mine.connect(r.miner).submit(shortProof)).to.be.revertedWithCustomError(
        r.mine,
        "MineInvalidProof",
      );
    });
    it("refuses an answer mined against a wrong context", async () => {
      const r = await loadFixture(roundFixture);
      const wrong = ethers.keccak256("0x1234");
      const limit = targetOf(TEST_PARAMS.initialDifficulty);
      // Find a nonce that meets the target under the wrong digest but not under the real one, even after the
      // epoch's first answer has moved the target (at most ×2) before the contract checks the quality.
      let hit: PoraHit | undefined;
      for (let n = 0n; !hit; n += 1000n) {
        const h = minePora(
          { minerId: fromHex(r.minerId), digest: fromHex(wrong), startPosition: 0n, mineLength: BigInt(SECTORS) },
          limit,
          (p) => sealedAt(r, r.sealDigest, p),
          n,
        );
        if (!h) continue;
        const w = {
          minerId: fromHex(r.minerId),
          nonce: h.nonce,
          digest: fromHex(r.ctx.digest),
          startPosition: 0n,
          mineLength: BigInt(SECTORS),
        };
        if (quality(w, h.sealOffset, mix(h.sealed, scratchpad(w).pad, h.sealOffset)) > 2n * limit) hit = h;
      }
      await expect(r.mine.connect(r.miner).submit(answerOf(r, hit))).to.be.revertedWithCustomError(
        r.mine,
        "MineQualityTooLow",
      );
    });
    it("refuses bad ranges and recall positions", async () => {
      const r = await loadFixture(roundFixture);
      const hit = mineRound(r);
      for (const o of [{ mineLength: 0n }, { startPosition: 16n }, { mineLength: 2048n }, { sealOffset: 64 }]) {
        await expect(r.mine.connect(r.miner).submit(answerOf(r, hit, o))).to.be.revertedWithCustomError(
          r.mine,
          "MineInvalidRange",
        );
      }
      await expect(r.mine.connect(r.miner).submit(answerOf(r, hit, { recallPosition: hit.recallPosition + 16n })))
        .to.be.revertedWithCustomError(r.mine, "MineRecallMismatch")
        .withArgs(hit.recallPosition);
    });
  });

  describe("difficulty", () => {
    it("doubles the target after an epoch below the target answer count, bounded ×2", async () => {
      const r = await loadFixture(roundFixture);
      await r.mine.connect(r.miner).submit(answerOf(r, mineRound(r)));
      const before = await r.mine.poraTarget();
      await mine(
        Number(
          r.ctx.startBlock +
            2n * BigInt(TEST_PARAMS.blocksPerEpoch) -
            1n -
            BigInt(await ethers.provider.getBlockNumber()),
        ),
      );
      await r.flow.makeContext();
      const epoch = await r.flow.epoch();
      const ctx = await r.flow.getContext(epoch);
      const next = { ...r, epoch, ctx };
      const hit = minePora(
        { minerId: fromHex(r.minerId), digest: fromHex(ctx.digest), startPosition: 0n, mineLength: BigInt(SECTORS) },
        before,
        (p) => sealedAt(r, r.sealDigest, p),
      )!;
      await expect(r.mine.connect(r.miner).submit(answerOf(next, hit)))
        .to.emit(r.mine, "TargetAdjusted")
        .withArgs(epoch, before, before * 2n);
      await expect(r.mine.connect(r.deployer).setTargetAnswers(0)).to.be.revertedWithCustomError(
        r.mine,
        "MineInvalidParams",
      );
      await r.mine.connect(r.deployer).setTargetAnswers(5);
      expect(await r.mine.contractName()).to.equal("Mine");
      expect(await r.mine.version()).to.equal("1.0.0");
    });
  });
});
