// The broker's settlement scheduler against the in-process Hardhat chain with the real LevelDB bill store and real
// proofs made in its prover thread. Each test starts from the serving fixture (a Zk provider, two funded users).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import pino from "pino";
import { createMetricsRegistry, MetricsFactory } from "../../offchain/common/metrics";
import { computeContracts } from "../../offchain/compute/chain";
import { signBill, type Bill } from "../../offchain/compute/core";
import { LevelBillStore, type BillStore } from "../../offchain/compute/broker/store";
import {
  billsHash,
  createSettlementMetrics,
  createSettlementScheduler,
  startSettlementProver,
  type SettlementProver,
  type SettlementSchedulerOptions,
} from "../../offchain/compute/broker/settlement";
import { OTHER_KEY, servingFixture, teeFixture, USER_KEY, type ServingFixture } from "./servingHelpers";

const GWEI = 10n ** 9n;
const logger = pino({ level: "silent" });

/** A bill of `user` with `provider` for nonce n, fee n gwei; signed with `key` unless `key` is undefined. */
async function putBill(store: BillStore, user: string, provider: string, nonce: bigint, key?: Buffer, createdAt = 0) {
  const bill: Bill = {
    user,
    provider,
    nonce,
    fee: nonce * GWEI,
    inputTokens: Number(nonce),
    outputTokens: 1,
    requestHash: BigInt(ethers.id(`request ${nonce}`)) >> 8n,
  };
  const signature = key ? signBill(key, bill) : undefined;
  await store.putBill({ ...bill, user: user.toLowerCase(), createdAt, ...(signature && { signature }) });
}

async function sign(store: BillStore, user: string, provider: string, nonce: bigint, key: Buffer) {
  const b = (await store.getBill(user, nonce))!;
  const sig = signBill(key, { ...b, user, provider });
  await store.attachSignature(user, nonce, sig);
}

describe("settlement scheduler [offchain]", function () {
  this.timeout(180_000);
  let prover: SettlementProver;
  let dirs: string[] = [];
  let stores: BillStore[] = [];

  before(async function () {
    prover = await startSettlementProver();
  });
  after(async function () {
    await prover.close();
  });
  afterEach(async function () {
    for (const s of stores) await s.close().catch(() => undefined);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    stores = [];
    dirs = [];
  });

  async function openStore(dir?: string): Promise<{ store: LevelBillStore; dir: string }> {
    const at = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "zg-settle-"));
    if (!dir) dirs.push(at);
    const store = await LevelBillStore.open(at);
    stores.push(store);
    return { store, dir: at };
  }

  function scheduler(f: ServingFixture, store: BillStore, extra: Partial<SettlementSchedulerOptions> = {}) {
    const chain = computeContracts(
      { contractAddress: (name: string) => f.ctx.record.contracts[name].address } as never,
      f.provider,
    );
    const metrics = createSettlementMetrics(new MetricsFactory(createMetricsRegistry({ processMetrics: false })));
    const s = createSettlementScheduler({
      store,
      chain,
      mode: "zk",
      maxDelaySeconds: 0,
      logger,
      metrics,
      prover,
      ...extra,
    });
    return { s, metrics };
  }

  describe("runOnce", function () {
    it("settles only the signed prefix: an unsigned bill blocks the ones after it", async function () {
      const f = await loadFixture(servingFixture);
      const [user, provider] = [f.user.address, f.provider.address];
      const { store } = await openStore();
      await putBill(store, user, provider, 1n, USER_KEY);
      await putBill(store, user, provider, 2n, USER_KEY);
      await putBill(store, user, provider, 3n);
      await putBill(store, user, provider, 4n, USER_KEY);
      const before = await ethers.provider.getBalance(provider);
      const { s, metrics } = scheduler(f, store);

      const round = await s.runOnce();
      expect(round.settled.map((x) => [x.lastNonce, x.total, x.paid, x.receipts])).to.deep.equal([
        [2n, 3n * GWEI, 3n * GWEI, 2],
      ]);
      expect(await f.serving.nonceOf(user, provider)).to.equal(2n);
      expect((await store.unsettled(user)).map((b) => b.nonce)).to.deep.equal([3n, 4n]);

      await sign(store, user, provider, 3n, USER_KEY);
      const second = await s.runOnce();
      expect(second.settled.map((x) => x.lastNonce)).to.deep.equal([4n]);
      expect(await f.serving.nonceOf(user, provider)).to.equal(4n);
      expect(await store.usersWithUnsettled()).to.deep.equal([]);
      const receipt = await ethers.provider.getTransactionReceipt(second.txHash!);
      expect(receipt!.from).to.equal(provider);
      expect(await f.ledger.chargeable(user, provider)).to.equal(ethers.parseEther("1") - 10n * GWEI);
      expect((await metrics.receiptsSettled.get()).values[0].value).to.equal(4);
      expect((await metrics.settlementsSent.get()).values[0].value).to.equal(2);
      expect(before).to.be.lessThan((await ethers.provider.getBalance(provider)) + 10n ** 16n);
      await s.close();
    });

    it("puts several proofs (two users, two batches of one user) in one settleZk call", async function () {
      const f = await loadFixture(servingFixture);
      const [user, other, provider] = [f.user.address, f.other.address, f.provider.address];
      const { store } = await openStore();
      for (let n = 1n; n <= 6n; n++) await putBill(store, user, provider, n, USER_KEY);
      await putBill(store, other, provider, 1n, OTHER_KEY);
      const { s } = scheduler(f, store, { batchSize: 4 });

      const round = await s.runOnce();
      const tx = await ethers.provider.getTransactionReceipt(round.txHash!);
      const settled = round.settled.map((x) => [x.user, x.lastNonce, x.total, x.receipts]);
      expect(settled).to.have.deep.members([
        [user, 4n, 10n * GWEI, 4],
        [user, 6n, 11n * GWEI, 2],
        [other, 1n, 1n * GWEI, 1],
      ]);
      expect(tx!.logs.length).to.be.greaterThan(2);
      expect(await f.serving.nonceOf(user, provider)).to.equal(6n);
      expect(await f.serving.nonceOf(other, provider)).to.equal(1n);
      expect(await store.usersWithUnsettled()).to.deep.equal([]);
      await s.close();
    });

    it("waits for a full batch until the oldest bill is maxDelaySeconds old", async function () {
      const f = await loadFixture(servingFixture);
      const [user, provider] = [f.user.address, f.provider.address];
      const { store } = await openStore();
      await putBill(store, user, provider, 1n, USER_KEY, 1_000_000);
      let now = 1_000_000 + 59_000;
      const { s } = scheduler(f, store, { maxDelaySeconds: 60, now: () => now });
      expect((await s.runOnce()).idle).to.equal("nothing due");
      now += 1_000;
      expect((await s.runOnce()).settled.map((x) => x.lastNonce)).to.deep.equal([1n]);
      await s.close();
    });

    it("after a crash between the transaction and markSettled, a restart marks the bills and never resends", async function () {
      const f = await loadFixture(servingFixture);
      const [user, provider] = [f.user.address, f.provider.address];
      const { store, dir } = await openStore();
      for (let n = 1n; n <= 2n; n++) await putBill(store, user, provider, n, USER_KEY);
      const crashing: BillStore = Object.assign(Object.create(store) as BillStore, {
        markSettled: () => Promise.reject(new Error("killed")),
      });
      const first = scheduler(f, crashing).s;
      await expect(first.runOnce()).to.be.rejectedWith("killed");
      await first.close();
      const paidOnce = await f.ledger.chargeable(user, provider);
      expect(await f.serving.nonceOf(user, provider)).to.equal(2n);
      expect((await store.unsettled(user)).length).to.equal(2);
      await store.close();

      const reopened = (await openStore(dir)).store;
      const { s, metrics } = scheduler(f, reopened);
      expect((await s.runOnce()).idle).to.equal("nothing due");
      expect(await reopened.usersWithUnsettled()).to.deep.equal([]);
      expect(await f.ledger.chargeable(user, provider)).to.equal(paidOnce);
      expect((await metrics.settlementsSent.get()).values[0]?.value ?? 0).to.equal(0);
      await s.close();
    });

    it("on a revert logs the named error, changes nothing and backs off before trying again", async function () {
      const f = await loadFixture(servingFixture);
      const [user, provider] = [f.user.address, f.provider.address];
      const { store } = await openStore();
      await putBill(store, user, provider, 1n, USER_KEY);
      await f.serving.connect(f.deployer).pause();
      let now = 0;
      const { s, metrics } = scheduler(f, store, { backoffSeconds: 10, now: () => now });

      const failed = await s.runOnce();
      expect(failed.error).to.equal("EnforcedPause()");
      expect((await metrics.failures.get()).values.find((v) => v.labels.stage === "send")?.value).to.equal(1);
      expect(await f.serving.nonceOf(user, provider)).to.equal(0n);
      expect((await store.unsettled(user)).length).to.equal(1);
      expect((await s.runOnce()).idle).to.equal("backoff");

      await f.serving.connect(f.deployer).unpause();
      now += 10_000;
      expect((await s.runOnce()).settled.map((x) => x.lastNonce)).to.deep.equal([1n]);
      expect(await f.serving.nonceOf(user, provider)).to.equal(1n);
      await s.close();
    });
  });

  describe("close", function () {
    it("cuts a proof in progress short, sends nothing and leaves the bills for the next start", async function () {
      const f = await loadFixture(servingFixture);
      const [user, provider] = [f.user.address, f.provider.address];
      const { store } = await openStore();
      await putBill(store, user, provider, 1n, USER_KEY);
      // Its own prover thread (the shared one must survive): closing the scheduler terminates it.
      const { s } = scheduler(f, store, { prover: undefined });
      await s.start();
      const round = s.runOnce();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await s.close();
      expect((await round).idle).to.equal("closed");
      expect(await f.serving.nonceOf(user, provider)).to.equal(0n);
      expect((await store.unsettled(user)).length).to.equal(1);
    });
  });

  describe("runOnce in TEE mode", function () {
    it("settles unsigned bills with the TEE signer's EIP-712 signature", async function () {
      const f = await loadFixture(teeFixture);
      const [user, provider] = [f.user.address, f.teeProvider.address];
      const { store } = await openStore();
      for (let n = 1n; n <= 3n; n++) await putBill(store, user, provider, n);
      const chain = computeContracts(
        { contractAddress: (name: string) => f.ctx.record.contracts[name].address } as never,
        f.teeProvider,
      );
      const s = createSettlementScheduler({
        store,
        chain,
        mode: "tee",
        maxDelaySeconds: 0,
        logger,
        teeSigner: f.teeSigner,
      });
      const round = await s.runOnce();
      expect(round.settled.map((x) => [x.lastNonce, x.total])).to.deep.equal([[3n, 6n * GWEI]]);
      const bills = await Promise.all([1n, 2n, 3n].map((n) => store.getBill(user, n)));
      expect(round.txHash).to.match(/^0x[0-9a-f]{64}$/);
      const logs = await f.serving.queryFilter(f.serving.filters.TeeSettled(user, provider));
      expect(logs[0].args.billsHash).to.equal(billsHash(bills.map((b) => b!)));
      expect(await f.serving.nonceOf(user, provider)).to.equal(3n);
      await s.close();
    });
  });
});
