// The broker's bill store: nonce allocation, ordering, signatures, settlement marks, and what survives a reopen.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { BillStoreError, LevelBillStore, type StoredBill } from "../../offchain/compute/broker/store";

const ALICE = "0x" + "aa".repeat(20);
const BOB = "0x" + "bb".repeat(20);

function bill(user: string, nonce: bigint, fee = 10n): StoredBill {
  return { user, nonce, fee, inputTokens: 3, outputTokens: 4, requestHash: 99n + nonce, createdAt: 1 };
}

describe("LevelBillStore [offchain]", function () {
  let dir: string;
  let store: LevelBillStore;

  beforeEach(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-bills-"));
    store = await LevelBillStore.open(dir);
  });

  afterEach(async function () {
    await store.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("allocateNonce", function () {
    it("counts up per user, above the on-chain nonce, and across a reopen", async function () {
      expect(await store.allocateNonce(ALICE, 0n)).to.equal(1n);
      expect(await store.allocateNonce(ALICE, 0n)).to.equal(2n);
      expect(await store.allocateNonce(ALICE, 10n)).to.equal(11n);
      expect(await store.allocateNonce(BOB, 0n)).to.equal(1n);
      const all = await Promise.all([1, 2, 3].map(() => store.allocateNonce(ALICE, 0n)));
      expect(all.sort()).to.deep.equal([12n, 13n, 14n]);
      await store.close();
      store = await LevelBillStore.open(dir);
      expect(await store.allocateNonce(ALICE.toUpperCase().replace("0X", "0x"), 0n)).to.equal(15n);
    });
  });

  describe("putBill / getBill / unsigned / unsettled", function () {
    it("keeps bills in nonce order (10 after 9) with bigints intact, across a reopen", async function () {
      for (const n of [10n, 9n, 100n]) await store.putBill(bill(ALICE, n, 2n ** 120n + n));
      await store.close();
      store = await LevelBillStore.open(dir);
      expect((await store.unsettled(ALICE)).map((b) => b.nonce)).to.deep.equal([9n, 10n, 100n]);
      expect(await store.getBill(ALICE, 100n)).to.deep.equal(bill(ALICE.toLowerCase(), 100n, 2n ** 120n + 100n));
      expect(await store.getBill(ALICE, 5n)).to.equal(undefined);
      expect(await store.unsettledFee(ALICE)).to.equal(3n * 2n ** 120n + 119n);
      expect(await store.usersWithUnsettled()).to.deep.equal([ALICE]);
    });
  });

  describe("attachSignature", function () {
    it("moves a bill out of unsigned; refuses an unknown bill", async function () {
      await store.putBill(bill(ALICE, 1n));
      await store.putBill(bill(ALICE, 2n));
      await store.attachSignature(ALICE, 1n, { R8x: 1n, R8y: 2n, S: 3n });
      expect((await store.unsigned(ALICE)).map((b) => b.nonce)).to.deep.equal([2n]);
      expect((await store.getBill(ALICE, 1n))!.signature).to.deep.equal({ R8x: 1n, R8y: 2n, S: 3n });
      const err = await store.attachSignature(ALICE, 7n, { R8x: 1n, R8y: 2n, S: 3n }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(BillStoreError);
      expect((await store.unsettled(ALICE)).length).to.equal(2);
    });
  });

  describe("markSettled", function () {
    it("settles every bill up to lastNonce and forgets a user with nothing left", async function () {
      for (const n of [1n, 2n, 3n]) await store.putBill(bill(ALICE, n));
      await store.putBill(bill(BOB, 1n));
      await store.markSettled(ALICE, 2n, "0xabc");
      expect((await store.unsettled(ALICE)).map((b) => b.nonce)).to.deep.equal([3n]);
      expect((await store.getBill(ALICE, 1n))!.settledTx).to.equal("0xabc");
      expect(await store.unsettledFee(ALICE)).to.equal(10n);
      await store.markSettled(ALICE, 3n, "0xdef");
      expect(await store.usersWithUnsettled()).to.deep.equal([BOB]);
      expect((await store.getBill(ALICE, 3n))!.settledTx).to.equal("0xdef");
    });
  });
});
