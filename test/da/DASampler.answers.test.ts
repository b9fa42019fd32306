import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import { BLOB_PRICE, SERVICE_FEE_PPM, nextEpoch, payAndCertify } from "./helpers";
import { answerOf, dataRootOf, makeBlob, quality } from "./sampleReference";
import {
  BASE_REWARD,
  PARAMS,
  sampledFixture,
  fourSigners,
  offRoundStart,
  freshRound,
  candidates,
  roundWith,
  answer,
  type F,
} from "./samplerHelpers";

describe("DASampler", function () {
  describe("submitSamplingResponse", function () {
    it("rewards the assigned signer's answer under the target: pool share plus base reward", async function () {
      const f = await loadFixture(sampledFixture);
      const { round, c } = await roundWith(f, true);
      const gross = BLOB_PRICE;
      const pool = gross - (gross * SERVICE_FEE_PPM) / 1_000_000n;
      const share = pool / 4n; // pool / (2 answers per round × 2 rounds per epoch)
      const tx = f.sampler.connect(c.signer.account).submitSamplingResponse(answer(f, c));
      await expect(tx).to.emit(f.sampler, "EpochPoolFunded").withArgs(f.epoch, pool);
      await expect(tx)
        .to.emit(f.sampler, "AnswerRewarded")
        .withArgs(c.signer.address, round, f.blob.dataRoot, f.epoch, 0, c.line, c.sub, share, BASE_REWARD);
      await expect(tx).to.emit(f.entrance, "EpochFeesReleased");
      expect(await f.sampler.owed(c.signer.address)).to.equal(share + BASE_REWARD);
      expect(await f.sampler.isRewarded(round, f.blob.dataRoot, f.epoch, 0, c.line, c.sub)).to.equal(true);
      expect((await f.sampler.getRound(round)).answers).to.equal(1n);
      const p = await f.sampler.epochPool(f.epoch);
      expect([p.total, p.remaining, p.pulled]).to.deep.equal([pool, pool - share, true]);
      expect(await f.sampler.basePool()).to.equal(parseEther("1") - BASE_REWARD);
    });

    it("reverts with DASamplerQualityTooLow when the quality is above the target", async function () {
      const f = await loadFixture(sampledFixture);
      const { c, target } = await roundWith(f, false);
      await expect(f.sampler.connect(c.signer.account).submitSamplingResponse(answer(f, c)))
        .to.be.revertedWithCustomError(f.sampler, "DASamplerQualityTooLow")
        .withArgs(c.q, target);
    });

    it("refuses tampered data or proof with SampleLibInvalidProof", async function () {
      const f = await loadFixture(sampledFixture);
      for (let tries = 0; ; tries++) {
        const r = await freshRound(f);
        const good = candidates(f, f.blob, r.seed, f.epoch).find((x) => x.q <= r.target)!;
        const a = answer(f, good);
        const data = ethers.getBytes(a.data);
        data[100] ^= 1;
        const tampered = { ...a, data: ethers.hexlify(data) };
        const q = quality(r.seed, f.epoch, 0n, f.blob.dataRoot, good.line, good.sub, data);
        if (q > r.target && tries < 20) continue;
        const proof = [...a.proof];
        proof[1] = ethers.ZeroHash;
        const sampler = f.sampler.connect(good.signer.account);
        await expect(sampler.submitSamplingResponse(tampered)).to.be.revertedWithCustomError(
          f.sampler,
          "SampleLibInvalidProof",
        );
        await expect(sampler.submitSamplingResponse({ ...a, proof })).to.be.revertedWithCustomError(
          f.sampler,
          "SampleLibInvalidProof",
        );
        return;
      }
    });

    it("refuses another position's subline (a wrong position) with SampleLibInvalidProof", async function () {
      const f = await loadFixture(sampledFixture);
      for (let tries = 0; tries < 20; tries++) {
        const r = await freshRound(f);
        // Line 0's data claimed as line 4 (the same signer): the quality uses the claimed position.
        for (const sub of [0, 1]) {
          const data = f.blob.subline(0, sub);
          if (quality(r.seed, f.epoch, 0n, f.blob.dataRoot, 4, sub, data) > r.target) continue;
          const a = { ...answerOf(f.blob, f.epoch, 0n, 0, sub), lineIndex: 4 };
          await expect(f.sampler.connect(f.signers[0].account).submitSamplingResponse(a)).to.be.revertedWithCustomError(
            f.sampler,
            "SampleLibInvalidProof",
          );
          return;
        }
      }
      throw new Error("no round let line 0's data pass as line 4");
    });

    it("reverts with DASamplerNotAssigned when another signer answers", async function () {
      const f = await loadFixture(sampledFixture);
      const { c } = await roundWith(f, true);
      const other = f.signers[(c.line + 1) % 4];
      await expect(f.sampler.connect(other.account).submitSamplingResponse(answer(f, c)))
        .to.be.revertedWithCustomError(f.sampler, "DASamplerNotAssigned")
        .withArgs(other.address, c.signer.address);
    });

    it("reverts with DASamplerDuplicateAnswer for the same position twice in a round", async function () {
      const f = await loadFixture(sampledFixture);
      const { c, round } = await roundWith(f, true);
      const sampler = f.sampler.connect(c.signer.account);
      await sampler.submitSamplingResponse(answer(f, c));
      const key = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["uint256", "bytes32", "uint256", "uint256", "uint256", "uint256"],
          [round, f.blob.dataRoot, f.epoch, 0, c.line, c.sub],
        ),
      );
      await expect(sampler.submitSamplingResponse(answer(f, c)))
        .to.be.revertedWithCustomError(f.sampler, "DASamplerDuplicateAnswer")
        .withArgs(key);
    });

    it("reverts with DASamplerRoundFull past maxAnswersPerRound", async function () {
      const f = await loadFixture(sampledFixture);
      await f.sampler.setParams({ ...PARAMS, targetAnswersPerRound: 1, maxAnswersPerRound: 1 });
      for (let tries = 0; tries < 20; tries++) {
        const r = await freshRound(f);
        const passing = candidates(f, f.blob, r.seed, f.epoch).filter((x) => x.q <= r.target);
        if (passing.length < 2) continue;
        await f.sampler.connect(passing[0].signer.account).submitSamplingResponse(answer(f, passing[0]));
        await expect(f.sampler.connect(passing[1].signer.account).submitSamplingResponse(answer(f, passing[1])))
          .to.be.revertedWithCustomError(f.sampler, "DASamplerRoundFull")
          .withArgs(r.round, 1);
        return;
      }
      throw new Error("no round with two passing positions");
    });

    it("reverts with DASamplerEpochOutOfRange for the current epoch and after sampleEpochs", async function () {
      const f = await loadFixture(sampledFixture);
      const current = await f.registry.currentEpoch();
      const a = answerOf(f.blob, current, 0n, 0, 0);
      const sampler = f.sampler.connect(f.signers[0].account);
      await freshRound(f);
      await expect(sampler.submitSamplingResponse(a))
        .to.be.revertedWithCustomError(f.sampler, "DASamplerEpochOutOfRange")
        .withArgs(current, current);
      expect(await f.sampler.sampleRange()).to.deep.equal([current - 2n, current - 1n]);
      await nextEpoch(f.registry);
      await nextEpoch(f.registry);
      await freshRound(f);
      await expect(sampler.submitSamplingResponse(answerOf(f.blob, f.epoch, 0n, 0, 0)))
        .to.be.revertedWithCustomError(f.sampler, "DASamplerEpochOutOfRange")
        .withArgs(f.epoch, f.epoch + 3n);
    });

    it("reverts with DASamplerNotVerified for a blob paid but not certified", async function () {
      const f = await loadFixture(fourSigners);
      const blob = makeBlob(32, 1, 3, "unverified");
      await f.entrance.submitOriginalData([blob.dataRoot], { value: BLOB_PRICE });
      await nextEpoch(f.registry);
      await offRoundStart(f);
      await expect(f.sampler.connect(f.signers[0].account).submitSamplingResponse(answerOf(blob, f.epoch, 0n, 0, 0)))
        .to.be.revertedWithCustomError(f.sampler, "DASamplerNotVerified")
        .withArgs(blob.dataRoot, f.epoch, 0);
    });

    it("refuses a shape that does not hash to the data root, a bad shape, and a position outside it", async function () {
      const f = await loadFixture(fourSigners);
      const rowsRoot = ethers.keccak256("0x01");
      const shapes = [
        [48, 1, 3],
        [16, 1, 3],
        [64, 0, 3],
        [64, 4, 3],
        [64, 2, 6],
      ] as const;
      for (const [i, [cols, k, n]] of shapes.entries()) await payAndCertify(f, dataRootOf(rowsRoot, cols, k, n), [], i);
      await nextEpoch(f.registry);
      const base = {
        epoch: f.epoch,
        quorumId: 0n,
        rowsRoot,
        lineIndex: 0,
        sublineIndex: 0,
        data: ethers.hexlify(new Uint8Array(1024)),
        proof: [] as string[],
      };
      const sampler = f.sampler.connect(f.signers[0].account);
      const goodRoot = dataRootOf(rowsRoot, 64, 2, 6);
      await freshRound(f as unknown as F);
      await expect(sampler.submitSamplingResponse({ ...base, dataRoot: goodRoot, cols: 64, dataRows: 2, codedRows: 5 }))
        .to.be.revertedWithCustomError(f.sampler, "SampleLibDataRootMismatch")
        .withArgs(goodRoot, dataRootOf(rowsRoot, 64, 2, 5));
      for (const [cols, k, n] of shapes.slice(0, 4)) {
        const a = { ...base, dataRoot: dataRootOf(rowsRoot, cols, k, n), cols, dataRows: k, codedRows: n };
        await expect(sampler.submitSamplingResponse(a))
          .to.be.revertedWithCustomError(f.sampler, "SampleLibInvalidShape")
          .withArgs(cols, k, n);
      }
      for (const [line, sub] of [
        [6, 0],
        [0, 2],
      ]) {
        const a = {
          ...base,
          dataRoot: goodRoot,
          cols: 64,
          dataRows: 2,
          codedRows: 6,
          lineIndex: line,
          sublineIndex: sub,
        };
        await expect(f.sampler.connect(f.signers[line % 4].account).submitSamplingResponse(a))
          .to.be.revertedWithCustomError(f.sampler, "SampleLibPositionOutOfRange")
          .withArgs(line, sub);
      }
    });

    it("refuses a subline that is not 1024 bytes and a proof of the wrong length", async function () {
      const f = await loadFixture(sampledFixture);
      let short = false;
      let long = false;
      for (let tries = 0; tries < 20 && !(short && long); tries++) {
        const r = await freshRound(f);
        for (const c of candidates(f, f.blob, r.seed, f.epoch)) {
          const a = answer(f, c);
          const sampler = f.sampler.connect(c.signer.account);
          const cut = ethers.getBytes(a.data).slice(0, 1023);
          if (!short && quality(r.seed, f.epoch, 0n, f.blob.dataRoot, c.line, c.sub, cut) <= r.target) {
            await expect(sampler.submitSamplingResponse({ ...a, data: ethers.hexlify(cut) }))
              .to.be.revertedWithCustomError(f.sampler, "SampleLibInvalidDataLength")
              .withArgs(1023);
            short = true;
          }
          if (!long && c.q <= r.target) {
            // 64 columns → 1 level in the row, 6 coded rows → 3 levels between rows.
            await expect(sampler.submitSamplingResponse({ ...a, proof: [...a.proof, ethers.ZeroHash] }))
              .to.be.revertedWithCustomError(f.sampler, "SampleLibInvalidProofLength")
              .withArgs(5, 4);
            long = true;
          }
        }
      }
      expect(short && long).to.equal(true);
    });

    it("reverts when paused", async function () {
      const f = await loadFixture(sampledFixture);
      await f.sampler.pause();
      await offRoundStart(f);
      await expect(
        f.sampler.connect(f.signers[0].account).submitSamplingResponse(answerOf(f.blob, f.epoch, 0n, 0, 0)),
      ).to.be.revertedWithCustomError(f.sampler, "EnforcedPause");
    });
  });
});
