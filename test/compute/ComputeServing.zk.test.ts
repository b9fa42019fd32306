// settleZk with real Groth16 proofs of the settlement circuit (offchain/zk/settlement.ts). Proofs take seconds each,
// so they are made once, in `before`, against the fixture's fresh state, and every test starts from that fixture.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { receiptPublicKey } from "../../offchain/zk/receipt";
import { proveSettlement, SettlementError, type SettlementProof } from "../../offchain/zk/settlement";
import {
  FUNDED,
  OTHER_KEY,
  prove,
  servingFixture,
  signReceipts,
  USER_KEY,
  zkSettlement,
  type ServingFixture,
} from "./servingHelpers";

const GWEI = 10n ** 9n;

interface Proofs {
  /** The user's nonces 1..3 (fees 1, 2, 3 gwei). */
  first: SettlementProof;
  /** The user's nonces 4, 6 after 3 (fees 4, 6 gwei): chains after `first`. */
  second: SettlementProof;
  /** The other user's nonces 1..2 (fees 5, 5 gwei). */
  other: SettlementProof;
  /** The user's nonce 1 with a fee above what the sub-account holds. */
  tooMuch: SettlementProof;
}

/** What a refused call must leave as it was. */
async function snapshot(f: ServingFixture) {
  const p = f.provider.address;
  return {
    paidOut: (await f.ledger.totals()).paidOut,
    user: await f.ledger.chargeable(f.user.address, p),
    other: await f.ledger.chargeable(f.other.address, p),
    nonces: [await f.serving.nonceOf(f.user.address, p), await f.serving.nonceOf(f.other.address, p)],
  };
}

describe("ComputeServing ZK settlement", function () {
  let proofs: Proofs;
  let user: string;
  let other: string;
  let provider: string;

  before(async function () {
    const f = await loadFixture(servingFixture);
    user = f.user.address;
    other = f.other.address;
    provider = f.provider.address;
    const fees = (nonces: bigint[]) => nonces.map((nonce) => ({ nonce, fee: nonce * GWEI }));
    proofs = {
      first: await prove(USER_KEY, user, provider, 0n, fees([1n, 2n, 3n])),
      second: await prove(USER_KEY, user, provider, 3n, fees([4n, 6n])),
      other: await prove(OTHER_KEY, other, provider, 0n, [
        { nonce: 1n, fee: 5n * GWEI },
        { nonce: 2n, fee: 5n * GWEI },
      ]),
      tooMuch: await prove(USER_KEY, user, provider, 0n, [{ nonce: 1n, fee: FUNDED + 1n }]),
    };
  });

  describe("settleZk", function () {
    it("settles one proof: pays the provider, moves the nonce, emits Settled", async function () {
      const f = await loadFixture(servingFixture);
      const s = zkSettlement(user, proofs.first);
      expect(await f.serving.connect(f.provider).settleZk.staticCall([s])).to.equal(6n * GWEI);
      const tx = f.serving.connect(f.provider).settleZk([s]);
      await expect(tx).to.changeEtherBalances([f.provider, f.ledger], [6n * GWEI, -6n * GWEI]);
      await expect(tx)
        .to.emit(f.serving, "Settled")
        .withArgs(user, provider, 1n, 3n, 6n * GWEI, 6n * GWEI)
        .and.not.to.emit(f.serving, "SettlementShortfall");
      expect(await f.serving.nonceOf(user, provider)).to.equal(3n);
      expect(await f.ledger.chargeable(user, provider)).to.equal(FUNDED - 6n * GWEI);
    });

    it("settles two users' proofs in one call", async function () {
      const f = await loadFixture(servingFixture);
      const batch = [zkSettlement(user, proofs.first), zkSettlement(other, proofs.other)];
      const tx = f.serving.connect(f.provider).settleZk(batch);
      await expect(tx).to.changeEtherBalance(f.provider, 16n * GWEI);
      await expect(tx)
        .to.emit(f.serving, "Settled")
        .withArgs(other, provider, 1n, 2n, 10n * GWEI, 10n * GWEI);
      expect(await f.serving.nonceOf(user, provider)).to.equal(3n);
      expect(await f.serving.nonceOf(other, provider)).to.equal(2n);
      expect(await f.ledger.chargeable(other, provider)).to.equal(FUNDED - 10n * GWEI);
    });

    it("chains two consecutive settlements of one user in one call", async function () {
      const f = await loadFixture(servingFixture);
      const batch = [zkSettlement(user, proofs.first), zkSettlement(user, proofs.second)];
      const tx = f.serving.connect(f.provider).settleZk(batch);
      await expect(tx).to.changeEtherBalance(f.provider, 16n * GWEI);
      await expect(tx)
        .to.emit(f.serving, "Settled")
        .withArgs(user, provider, 4n, 6n, 10n * GWEI, 10n * GWEI);
      expect(await f.serving.nonceOf(user, provider)).to.equal(6n);
      expect(await f.ledger.chargeable(user, provider)).to.equal(FUNDED - 16n * GWEI);
    });

    it("pays what the sub-account holds when the total is above it and says so", async function () {
      const f = await loadFixture(servingFixture);
      const tx = f.serving.connect(f.provider).settleZk([zkSettlement(user, proofs.tooMuch)]);
      await expect(tx).to.changeEtherBalance(f.provider, FUNDED);
      await expect(tx)
        .to.emit(f.serving, "SettlementShortfall")
        .withArgs(user, provider, FUNDED + 1n, FUNDED)
        .and.to.emit(f.serving, "Settled")
        .withArgs(user, provider, 1n, 1n, FUNDED + 1n, FUNDED);
      expect(await f.ledger.chargeable(user, provider)).to.equal(0n);
      expect(await f.serving.nonceOf(user, provider)).to.equal(1n);
    });

    it("refuses a replayed proof (its nonces are used) and the same proof twice in one call", async function () {
      const f = await loadFixture(servingFixture);
      const s = zkSettlement(user, proofs.first);
      await f.serving.connect(f.provider).settleZk([s]);
      const before = await snapshot(f);
      await expect(f.serving.connect(f.provider).settleZk([s]))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidNonce")
        .withArgs(user, 3n, 3n, 3n);
      expect(await snapshot(f)).to.deep.equal(before);
      const g = await loadFixture(servingFixture);
      const fresh = await snapshot(g);
      await expect(g.serving.connect(g.provider).settleZk([s, s])).to.be.revertedWithCustomError(
        g.serving,
        "ComputeServingInvalidNonce",
      );
      expect(await snapshot(g)).to.deep.equal(fresh);
    });

    it("refuses a proof whose nonces start below the contract's: the second range alone, the first after it", async function () {
      const f = await loadFixture(servingFixture);
      const before = await snapshot(f);
      // Proved from prevNonce 3 while the contract holds 0: the public inputs differ, verification fails.
      await expect(
        f.serving.connect(f.provider).settleZk([zkSettlement(user, proofs.second)]),
      ).to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidProof");
      // The chain out of order: the first proof now starts at 6.
      await expect(
        f.serving.connect(f.provider).settleZk([zkSettlement(user, proofs.second), zkSettlement(user, proofs.first)]),
      ).to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidNonce");
      expect(await snapshot(f)).to.deep.equal(before);
    });

    it("refuses a proof for another user, another provider, or other claimed values", async function () {
      const f = await loadFixture(servingFixture);
      const before = await snapshot(f);
      const serving = f.serving.connect(f.provider);
      // The other user's proof claimed for the user: the inputs carry the user's address and key.
      await expect(serving.settleZk([zkSettlement(user, proofs.other)])).to.be.revertedWithCustomError(
        f.serving,
        "ComputeServingInvalidProof",
      );
      // The right proof sent by another address: the inputs carry the caller as the provider.
      await expect(
        f.serving.connect(f.stranger).settleZk([zkSettlement(user, proofs.first)]),
      ).to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidProof");
      const s = zkSettlement(user, proofs.first);
      await expect(serving.settleZk([{ ...s, total: s.total + 1n }])).to.be.revertedWithCustomError(
        f.serving,
        "ComputeServingInvalidProof",
      );
      await expect(serving.settleZk([{ ...s, lastNonce: 4n }])).to.be.revertedWithCustomError(
        f.serving,
        "ComputeServingInvalidProof",
      );
      // One bad proof sinks the whole batch, good ones included.
      const broken = [...s.proof];
      broken[7] = broken[7] ^ 1n;
      await expect(
        serving.settleZk([zkSettlement(other, proofs.other), { ...s, proof: broken }]),
      ).to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidProof");
      expect(await snapshot(f)).to.deep.equal(before);
    });

    it("refuses a proof made before the user replaced the key", async function () {
      const f = await loadFixture(servingFixture);
      await f.ledger.connect(f.user).setSignerKey(receiptPublicKey(Buffer.alloc(32, 11)));
      const before = await snapshot(f);
      await expect(
        f.serving.connect(f.provider).settleZk([zkSettlement(user, proofs.first)]),
      ).to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidProof");
      expect(await snapshot(f)).to.deep.equal(before);
    });

    it("refuses a forged receipt: the prover will not prove it, and a proof of other receipts does not pass", async function () {
      const f = await loadFixture(servingFixture);
      const receipts = signReceipts(USER_KEY, user, provider, [{ nonce: 1n, fee: GWEI }]);
      // The provider raises the fee of a signed receipt: the signature no longer verifies.
      const forged = [{ ...receipts[0], fee: 100n * GWEI }];
      const request = { user, provider, publicKey: receiptPublicKey(USER_KEY), prevNonce: 0n, receipts: forged };
      await expect(proveSettlement(request)).to.be.rejectedWith(SettlementError, /signature does not verify/);
      // Signed with the provider's own key instead: provable for that key, refused for the user's.
      const own = Buffer.alloc(32, 13);
      const mine = await proveSettlement({
        user,
        provider,
        publicKey: receiptPublicKey(own),
        prevNonce: 0n,
        receipts: signReceipts(own, user, provider, [{ nonce: 1n, fee: 100n * GWEI }]),
      });
      const before = await snapshot(f);
      await expect(f.serving.connect(f.provider).settleZk([zkSettlement(user, mine)])).to.be.revertedWithCustomError(
        f.serving,
        "ComputeServingInvalidProof",
      );
      expect(await snapshot(f)).to.deep.equal(before);
    });

    it("refuses a user without an account, a lastNonce not above the nonce, an empty batch and a paused contract", async function () {
      const f = await loadFixture(servingFixture);
      const before = await snapshot(f);
      const serving = f.serving.connect(f.provider);
      await expect(serving.settleZk([zkSettlement(f.stranger.address, proofs.first)]))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingNoAccount")
        .withArgs(f.stranger.address);
      await expect(serving.settleZk([{ ...zkSettlement(user, proofs.first), lastNonce: 0n }]))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidNonce")
        .withArgs(user, 0n, 0n, 0n);
      await expect(serving.settleZk([])).to.be.revertedWithCustomError(f.serving, "ComputeServingEmptyBatch");
      await f.serving.pause();
      await expect(serving.settleZk([zkSettlement(user, proofs.first)])).to.be.revertedWithCustomError(
        f.serving,
        "EnforcedPause",
      );
      expect(await snapshot(f)).to.deep.equal(before);
    });

    it("still settles receipts after the provider removed its service", async function () {
      const f = await loadFixture(servingFixture);
      await f.serving.connect(f.provider).removeService();
      await expect(f.serving.connect(f.provider).settleZk([zkSettlement(user, proofs.first)])).to.changeEtherBalance(
        f.provider,
        6n * GWEI,
      );
    });
  });
});
