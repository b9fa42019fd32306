import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { makeProvider } from "./helpers";
import {
  FUNDED,
  fundUser,
  Mode,
  OTHER_KEY,
  signTee,
  teeFixture,
  zkParams,
  type TeeSettlementLike,
} from "./servingHelpers";

type F = Awaited<ReturnType<typeof teeFixture>>;

function bill(f: F, firstNonce: bigint, lastNonce: bigint, total: bigint, user = f.user.address): TeeSettlementLike {
  return { user, firstNonce, lastNonce, total, billsHash: ethers.id(`bills ${user} ${firstNonce}..${lastNonce}`) };
}

/** What a refused call must leave as it was. */
async function snapshot(f: F) {
  return {
    chargeable: await f.ledger.chargeable(f.user.address, f.teeProvider.address),
    nonce: await f.serving.nonceOf(f.user.address, f.teeProvider.address),
    paidOut: (await f.ledger.totals()).paidOut,
  };
}

describe("ComputeServing TEE settlement", function () {
  describe("settleTee", function () {
    it("pays the provider, moves the nonce and emits Settled and TeeSettled", async function () {
      const f = await loadFixture(teeFixture);
      const s = bill(f, 1n, 5n, 4_000n);
      const sig = await signTee(f, f.teeSigner, s, f.teeProvider.address);
      const serving = f.serving.connect(f.teeProvider);
      expect(await serving.settleTee.staticCall([s], [sig])).to.equal(4_000n);
      const tx = serving.settleTee([s], [sig]);
      await expect(tx).to.changeEtherBalances([f.teeProvider, f.ledger], [4_000n, -4_000n]);
      await expect(tx)
        .to.emit(f.serving, "Settled")
        .withArgs(f.user.address, f.teeProvider.address, 1n, 5n, 4_000n, 4_000n)
        .and.to.emit(f.serving, "TeeSettled")
        .withArgs(f.user.address, f.teeProvider.address, f.teeSigner.address, s.billsHash)
        .and.not.to.emit(f.serving, "SettlementShortfall");
      expect(await f.serving.nonceOf(f.user.address, f.teeProvider.address)).to.equal(5n);
      expect(await f.ledger.chargeable(f.user.address, f.teeProvider.address)).to.equal(FUNDED - 4_000n);
    });

    it("settles two users and two consecutive ranges of one user in one call; gaps above the nonce are allowed", async function () {
      const f = await loadFixture(teeFixture);
      await fundUser(f, f.other, OTHER_KEY, f.teeProvider.address);
      const batch = [bill(f, 1n, 2n, 10n), bill(f, 1n, 1n, 20n, f.other.address), bill(f, 7n, 9n, 30n)];
      const sigs = await Promise.all(batch.map((s) => signTee(f, f.teeSigner, s, f.teeProvider.address)));
      await expect(f.serving.connect(f.teeProvider).settleTee(batch, sigs)).to.changeEtherBalance(f.teeProvider, 60n);
      expect(await f.serving.nonceOf(f.user.address, f.teeProvider.address)).to.equal(9n);
      expect(await f.serving.nonceOf(f.other.address, f.teeProvider.address)).to.equal(1n);
      expect(await f.ledger.chargeable(f.user.address, f.teeProvider.address)).to.equal(FUNDED - 40n);
      expect(await f.ledger.chargeable(f.other.address, f.teeProvider.address)).to.equal(FUNDED - 20n);
    });

    it("pays what the sub-account holds when the total is above it and says so; the nonces are consumed", async function () {
      const f = await loadFixture(teeFixture);
      const s = bill(f, 1n, 3n, FUNDED + 1n);
      const sig = await signTee(f, f.teeSigner, s, f.teeProvider.address);
      const tx = f.serving.connect(f.teeProvider).settleTee([s], [sig]);
      await expect(tx).to.changeEtherBalance(f.teeProvider, FUNDED);
      await expect(tx)
        .to.emit(f.serving, "SettlementShortfall")
        .withArgs(f.user.address, f.teeProvider.address, FUNDED + 1n, FUNDED)
        .and.to.emit(f.serving, "Settled")
        .withArgs(f.user.address, f.teeProvider.address, 1n, 3n, FUNDED + 1n, FUNDED);
      expect(await f.ledger.chargeable(f.user.address, f.teeProvider.address)).to.equal(0n);
      expect(await f.serving.nonceOf(f.user.address, f.teeProvider.address)).to.equal(3n);
    });

    it("refuses a replayed settlement and a range at or below the nonce, paying nothing", async function () {
      const f = await loadFixture(teeFixture);
      const s = bill(f, 1n, 5n, 100n);
      const sig = await signTee(f, f.teeSigner, s, f.teeProvider.address);
      const serving = f.serving.connect(f.teeProvider);
      await serving.settleTee([s], [sig]);
      const before = await snapshot(f);
      await expect(serving.settleTee([s], [sig]))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidNonce")
        .withArgs(f.user.address, 5n, 1n, 5n);
      const overlapping = bill(f, 5n, 6n, 100n);
      await expect(
        serving.settleTee([overlapping], [await signTee(f, f.teeSigner, overlapping, f.teeProvider.address)]),
      ).to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidNonce");
      const reversed = bill(f, 8n, 7n, 100n);
      await expect(serving.settleTee([reversed], [await signTee(f, f.teeSigner, reversed, f.teeProvider.address)]))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidNonce")
        .withArgs(f.user.address, 5n, 8n, 7n);
      // The same range twice in one call: the second is a replay of the first.
      const next = bill(f, 6n, 6n, 100n);
      const nextSig = await signTee(f, f.teeSigner, next, f.teeProvider.address);
      await expect(serving.settleTee([next, next], [nextSig, nextSig])).to.be.revertedWithCustomError(
        f.serving,
        "ComputeServingInvalidNonce",
      );
      expect(await snapshot(f)).to.deep.equal(before);
    });

    it("refuses a signature by another key, for another provider, for other values, or malformed", async function () {
      const f = await loadFixture(teeFixture);
      const before = await snapshot(f);
      const s = bill(f, 1n, 2n, 100n);
      const serving = f.serving.connect(f.teeProvider);
      const byUser = await signTee(f, f.user, s, f.teeProvider.address);
      await expect(serving.settleTee([s], [byUser]))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidSignature")
        .withArgs(0);
      const forOther = await signTee(f, f.teeSigner, s, f.provider.address);
      await expect(serving.settleTee([s], [forOther])).to.be.revertedWithCustomError(
        f.serving,
        "ComputeServingInvalidSignature",
      );
      const good = await signTee(f, f.teeSigner, s, f.teeProvider.address);
      await expect(serving.settleTee([{ ...s, total: 101n }], [good])).to.be.revertedWithCustomError(
        f.serving,
        "ComputeServingInvalidSignature",
      );
      await expect(serving.settleTee([s, bill(f, 3n, 3n, 1n)], [good, "0x1234"]))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidSignature")
        .withArgs(1);
      expect(await snapshot(f)).to.deep.equal(before);
    });

    it("refuses another provider's signer: a signature made for the TEE provider, sent by a Zk provider", async function () {
      const f = await loadFixture(teeFixture);
      const s = bill(f, 1n, 2n, 100n);
      const sig = await signTee(f, f.teeSigner, s, f.provider.address);
      await expect(f.serving.connect(f.provider).settleTee([s], [sig]))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingUnknownService")
        .withArgs(f.provider.address);
      await makeProvider(f, f.provider, 1);
      await f.serving.connect(f.provider).registerService(zkParams());
      await expect(f.serving.connect(f.provider).settleTee([s], [sig]))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingWrongMode")
        .withArgs(f.provider.address, Mode.Zk);
    });

    it("refuses a signer governance did not acknowledge or revoked", async function () {
      const f = await loadFixture(teeFixture);
      const before = await snapshot(f);
      const s = bill(f, 1n, 2n, 100n);
      const sig = await signTee(f, f.teeSigner, s, f.teeProvider.address);
      await f.serving.acknowledgeTeeSigner(f.teeSigner.address, false);
      await expect(f.serving.connect(f.teeProvider).settleTee([s], [sig]))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingSignerNotAcknowledged")
        .withArgs(f.teeSigner.address);
      expect(await snapshot(f)).to.deep.equal(before);
      await f.serving.acknowledgeTeeSigner(f.teeSigner.address, true);
      await f.serving.connect(f.teeProvider).settleTee([s], [sig]);
    });

    it("refuses a user without an account, an empty batch, a missing signature and a paused contract", async function () {
      const f = await loadFixture(teeFixture);
      const before = await snapshot(f);
      const serving = f.serving.connect(f.teeProvider);
      const ghost = bill(f, 1n, 1n, 1n, f.stranger.address);
      await expect(serving.settleTee([ghost], [await signTee(f, f.teeSigner, ghost, f.teeProvider.address)]))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingNoAccount")
        .withArgs(f.stranger.address);
      await expect(serving.settleTee([], [])).to.be.revertedWithCustomError(f.serving, "ComputeServingEmptyBatch");
      const s = bill(f, 1n, 2n, 100n);
      const sig = await signTee(f, f.teeSigner, s, f.teeProvider.address);
      await expect(serving.settleTee([s], []))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingLengthMismatch")
        .withArgs(1, 0);
      await f.serving.pause();
      await expect(serving.settleTee([s], [sig])).to.be.revertedWithCustomError(f.serving, "EnforcedPause");
      expect(await snapshot(f)).to.deep.equal(before);
    });
  });
});
