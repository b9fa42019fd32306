import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, type ContractTransactionResponse } from "ethers";
import {
  DAY,
  LOCK_TIME,
  MAX_REFUNDS,
  expectInvariants,
  ledgerFixture,
  signerKey,
  type LedgerFixture,
} from "./ledgerHelpers";

/**
 * Random sequences of deposit / withdraw / transfer / requestRefund / processRefunds / charge / time travel by two
 * users over two providers, run against the deployed ledger. Each call's outcome (success or the exact custom
 * error) is predicted by a plain model first; after every step the contract's accounts, sub-accounts (refund by
 * refund), totals and provider payouts must equal the model's, and the invariants
 * deposited == main + sub + paidOut + withdrawn and address(ledger).balance == main + sub must hold.
 */

const PPM = 1_000_000n;
const ETH = parseEther("1");

type Action =
  | { k: "deposit"; u: number; amount: bigint }
  | { k: "withdraw"; u: number; ppm: bigint }
  | { k: "transfer"; u: number; p: number; ppm: bigint }
  | { k: "refund"; u: number; p: number; ppm: bigint }
  | { k: "process"; u: number; p: number }
  | { k: "charge"; u: number; p: number; amount: bigint }
  | { k: "time"; seconds: number };

const u = fc.nat(1);
const p = fc.nat(1);
// Up to 120% of what is available, so some calls ask for too much; 0 asks for nothing.
const ppm = fc.oneof({ weight: 1, arbitrary: fc.constant(0n) }, { weight: 12, arbitrary: fc.bigInt(1n, 1_200_000n) });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant("deposit" as const), u, amount: fc.bigInt(0n, 5n * ETH) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("withdraw" as const), u, ppm }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant("transfer" as const), u, p, ppm }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant("refund" as const), u, p, ppm }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant("process" as const), u, p }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant("charge" as const), u, p, amount: fc.bigInt(0n, 3n * ETH) }) },
  {
    weight: 5,
    arbitrary: fc.record({ k: fc.constant("time" as const), seconds: fc.integer({ min: 600, max: 2 * DAY }) }),
  },
);

interface Refund {
  amount: bigint;
  unlockAt: bigint;
}
interface Sub {
  balance: bigint;
  refunds: Refund[];
}

/** How often each outcome happened over all runs: the test asserts the main paths were exercised. */
const OUTCOMES = new Map<string, number>();
const count = (o: string) => OUTCOMES.set(o, (OUTCOMES.get(o) ?? 0) + 1);

class Model {
  clock = 0n;
  main = [0n, 0n];
  subs = [0, 1].map(() => [0, 1].map((): Sub => ({ balance: 0n, refunds: [] })));
  paid = [0n, 0n];
  deposited = 0n;
  withdrawn = 0n;
  readonly users: string[];
  readonly providers: string[];
  readonly startBalances: bigint[] = [];

  constructor(readonly f: LedgerFixture) {
    this.users = [f.user.address, f.stranger.address];
    this.providers = [f.provider.address, f.other.address];
  }

  async init(): Promise<void> {
    this.clock = BigInt(await time.latest());
    for (const [i, signer] of [this.f.user, this.f.stranger].entries()) {
      await this.tick();
      await this.f.ledger.connect(signer).createAccount(signerKey(i + 10), { value: 10n * ETH });
      this.main[i] = 10n * ETH;
      this.deposited += 10n * ETH;
      for (const [j, provider] of this.providers.entries()) {
        await this.tick();
        await this.f.ledger.connect(signer).transfer(provider, 2n * ETH);
        this.main[i] -= 2n * ETH;
        this.subs[i][j].balance = 2n * ETH;
      }
    }
    for (const a of this.providers) this.startBalances.push(await ethers.provider.getBalance(a));
  }

  async tick(): Promise<void> {
    this.clock += 1n;
    await time.setNextBlockTimestamp(this.clock);
  }

  pending(s: Sub): bigint {
    return s.refunds.reduce((a, r) => a + r.amount, 0n);
  }

  async expectError(tx: Promise<ContractTransactionResponse>, error: string, args?: unknown[]): Promise<void> {
    count(error);
    const m = expect(tx).to.be.revertedWithCustomError(this.f.ledger, error);
    await (args ? m.withArgs(...args) : m);
  }

  async step(a: Action): Promise<void> {
    const ledger = this.f.ledger;
    if (a.k === "time") {
      this.clock += BigInt(a.seconds);
      return;
    }
    await this.tick();
    if (a.k === "charge") {
      const s = this.subs[a.u][a.p];
      const paid = a.amount < s.balance ? a.amount : s.balance;
      await ledger.connect(this.f.settler).charge(this.users[a.u], this.providers[a.p], a.amount);
      s.balance -= paid;
      this.paid[a.p] += paid;
      let excess = this.pending(s) - s.balance;
      while (excess > 0n) {
        const last = s.refunds[s.refunds.length - 1];
        const cut = last.amount < excess ? last.amount : excess;
        last.amount -= cut;
        excess -= cut;
        if (last.amount === 0n) s.refunds.pop();
      }
      count(paid < a.amount ? "charge short" : "charge");
      return;
    }
    const signer = a.u === 0 ? this.f.user : this.f.stranger;
    const l = ledger.connect(signer);
    if (a.k === "deposit") {
      if (a.amount === 0n) return this.expectError(l.deposit(), "ComputeLedgerZeroAmount");
      await l.deposit({ value: a.amount });
      this.main[a.u] += a.amount;
      this.deposited += a.amount;
      return void count("deposit");
    }
    if (a.k === "withdraw" || a.k === "transfer") {
      const have = this.main[a.u];
      const amount = (have * a.ppm) / PPM;
      const tx = a.k === "withdraw" ? l.withdraw(amount) : l.transfer(this.providers[a.p], amount);
      if (amount === 0n) return this.expectError(tx, "ComputeLedgerZeroAmount");
      if (amount > have) return this.expectError(tx, "ComputeLedgerInsufficientBalance", [have, amount]);
      await tx;
      this.main[a.u] -= amount;
      if (a.k === "withdraw") this.withdrawn += amount;
      else {
        const s = this.subs[a.u][a.p];
        if (s.refunds.length > 0) count("transfer cancels refunds");
        s.balance += amount;
        s.refunds = [];
      }
      return void count(a.k);
    }
    const s = this.subs[a.u][a.p];
    const provider = this.providers[a.p];
    if (a.k === "refund") {
      const available = s.balance - this.pending(s);
      const amount = (available * a.ppm) / PPM;
      const tx = l.requestRefund(provider, amount);
      if (amount === 0n) return this.expectError(tx, "ComputeLedgerZeroAmount");
      if (amount > available) return this.expectError(tx, "ComputeLedgerInsufficientBalance", [available, amount]);
      if (s.refunds.length >= MAX_REFUNDS) return this.expectError(tx, "ComputeLedgerTooManyRefunds", [MAX_REFUNDS]);
      await tx;
      s.refunds.push({ amount, unlockAt: this.clock + BigInt(LOCK_TIME) });
      return void count("refund");
    }
    const unlocked = s.refunds.filter((r) => this.clock >= r.unlockAt);
    const locked = s.refunds.filter((r) => this.clock < r.unlockAt);
    if (unlocked.length === 0) {
      const next = locked.reduce((m, r) => (m === 0n || r.unlockAt < m ? r.unlockAt : m), 0n);
      return this.expectError(l.processRefunds(provider), "ComputeLedgerNoUnlockedRefund", [next]);
    }
    await l.processRefunds(provider);
    const amount = unlocked.reduce((x, r) => x + r.amount, 0n);
    s.refunds = locked;
    s.balance -= amount;
    this.main[a.u] += amount;
    count("process");
  }

  async check(): Promise<void> {
    const ledger = this.f.ledger;
    let main = 0n;
    let sub = 0n;
    for (let i = 0; i < 2; i++) {
      expect((await ledger.getAccount(this.users[i])).balance).to.equal(this.main[i]);
      main += this.main[i];
      for (let j = 0; j < 2; j++) {
        const m = this.subs[i][j];
        const c = await ledger.getSubAccount(this.users[i], this.providers[j]);
        expect(c.balance).to.equal(m.balance);
        expect(c.pendingRefund).to.equal(this.pending(m));
        expect(c.pendingRefund <= c.balance).to.equal(true);
        expect(c.refunds.map((r) => [r.amount, r.unlockAt])).to.deep.equal(
          m.refunds.map((r) => [r.amount, r.unlockAt]),
        );
        sub += m.balance;
      }
    }
    for (let j = 0; j < 2; j++) {
      expect((await ethers.provider.getBalance(this.providers[j])) - this.startBalances[j]).to.equal(this.paid[j]);
    }
    const t = await ledger.totals();
    expect([t.deposited, t.withdrawn, t.paidOut, t.mainBalances, t.subBalances]).to.deep.equal([
      this.deposited,
      this.withdrawn,
      this.paid[0] + this.paid[1],
      main,
      sub,
    ]);
    await expectInvariants(this.f);
  }
}

describe("ComputeLedger (property)", function () {
  it("keeps every balance equal to the model and the totals invariant after every step", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 10, maxLength: 50 }), async (actions) => {
        const f = await loadFixture(ledgerFixture);
        const model = new Model(f);
        await model.init();
        for (const a of actions) {
          await model.step(a);
          await model.check();
        }
      }),
      { numRuns: 30 },
    );
    for (const outcome of [
      "deposit",
      "withdraw",
      "transfer",
      "transfer cancels refunds",
      "refund",
      "process",
      "charge",
      "charge short",
      "ComputeLedgerZeroAmount",
      "ComputeLedgerInsufficientBalance",
      "ComputeLedgerNoUnlockedRefund",
    ]) {
      expect(OUTCOMES.get(outcome) ?? 0, outcome).to.be.greaterThan(0);
    }
  });
});
