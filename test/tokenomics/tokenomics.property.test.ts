// Properties of the token economics, over random times and calls:
// - RewardsDistributor (half funded at first, a StakingRewardsMock with validators whose stakes change and whose
//   payments Staking may refuse): after every step total paid ≤ budget, released ≤ scheduled(now), released ==
//   paidOut + carried, balance + paidOut == funded, every wei paid reached a validator or a base pool, and after a
//   distribute released == min(scheduled(now), funded) exactly.
// - Allocations on the deployed protocol (time jumps, distributes, vault draws, vesting releases): vested ≤ allocated
//   for every vesting wallet, locked ≤ allocated per bucket and never grows, circulating + locked == max supply.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeBytes32String } from "ethers";
import {
  addValidators,
  balance,
  BUDGET,
  distributorFixture,
  MAX_SUPPLY,
  tokenomicsFixture,
  type TokenomicsFixture,
} from "./helpers";

const RUNS = Number(process.env.ZG_PROPERTY_RUNS ?? 12);

async function halfFundedFixture() {
  const f = await distributorFixture(1000n, BUDGET / 2n, 10n);
  const validators = await addValidators(f.mock, [1n, 2n, 3n]);
  return { ...f, validators };
}

const distributorOp = fc.oneof(
  fc.record({ kind: fc.constant("advance" as const), seconds: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant("distribute" as const) }),
  fc.record({ kind: fc.constant("stake" as const), who: fc.nat(2), stake: fc.bigInt({ min: 0n, max: 10n ** 24n }) }),
  fc.record({ kind: fc.constant("refuse" as const), who: fc.nat(2), refuse: fc.boolean() }),
  fc.record({ kind: fc.constant("fund" as const), permille: fc.integer({ min: 1, max: 1000 }) }),
  fc.record({
    kind: fc.constant("weights" as const),
    storage: fc.integer({ min: 0, max: 10_000 }),
    da: fc.integer({ min: 0, max: 10_000 }),
  }),
);

describe("tokenomics properties", function () {
  this.timeout(600_000);

  it("RewardsDistributor: paid ≤ budget, released ≤ schedule, every wei accounted for", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(distributorOp, { minLength: 1, maxLength: 12 }), async (ops) => {
        const f = await loadFixture(halfFundedFixture);
        const address = await f.distributor.getAddress();
        const chunk = await ethers.getContractAt("ChunkRewards", f.chunkRewardsAddress);
        const da = await ethers.getContractAt("DASampler", f.daSamplerAddress);
        const pools0 = (await chunk.basePool()) + (await da.basePool());
        let funded = BUDGET / 2n;
        for (const op of ops) {
          if (op.kind === "advance") {
            await time.increase(op.seconds);
          } else if (op.kind === "distribute") {
            let ok = true;
            try {
              await (await f.distributor.distribute()).wait();
            } catch (err) {
              // Only when nothing was released since the last call and nothing is carried.
              expect(String(err)).to.contain("RewardsDistributorNothingDue");
              expect(await f.distributor.carried()).to.equal(0n);
              ok = false;
            }
            if (ok) {
              const scheduled = await f.distributor.scheduled(BigInt(await time.latest()));
              expect(await f.distributor.released()).to.equal(scheduled < funded ? scheduled : funded);
            }
          } else if (op.kind === "stake") {
            await f.mock.setStake(f.validators[op.who], op.stake);
          } else if (op.kind === "refuse") {
            await f.mock.setRefuses(f.validators[op.who], op.refuse);
          } else if (op.kind === "fund") {
            const left = BUDGET - funded;
            const value = (left * BigInt(op.permille)) / 1000n;
            if (value > 0n) {
              await f.distributor.fund({ value });
              funded += value;
            }
          } else {
            const storage = op.storage;
            const daBps = Math.min(op.da, 10_000 - storage);
            await f.distributor.setWeights({ validatorsBps: 10_000 - storage - daBps, storageBps: storage, daBps });
          }

          const now = BigInt(await time.latest());
          const released = await f.distributor.released();
          const paid = await f.distributor.paidOut();
          expect(paid).to.be.at.most(BUDGET);
          expect(released).to.be.at.most(await f.distributor.scheduled(now));
          expect(released).to.equal(paid + (await f.distributor.carried()));
          expect((await balance(address)) + paid).to.equal(funded);
          let received = 0n;
          for (const v of f.validators) received += await f.mock.received(v);
          const pools = (await chunk.basePool()) + (await da.basePool()) - pools0;
          expect(received + pools).to.equal(paid);
        }
      }),
      { numRuns: RUNS },
    );
  });

  const allocationsOp = fc.oneof(
    fc.record({ kind: fc.constant("advance" as const), seconds: fc.integer({ min: 1, max: 900 }) }),
    fc.record({ kind: fc.constant("distribute" as const) }),
    fc.record({ kind: fc.constant("release" as const), team: fc.boolean() }),
    fc.record({ kind: fc.constant("draw" as const), permille: fc.integer({ min: 1, max: 1000 }) }),
  );

  async function check(f: TokenomicsFixture, previous: bigint[]): Promise<bigint[]> {
    const locked: bigint[] = [];
    let total = 0n;
    for (let i = 0; i < 5; i++) {
      const [, amount] = await f.allocations.bucket(i);
      const l = await f.allocations.locked(i);
      expect(l).to.be.at.most(amount);
      if (previous.length > 0) expect(l).to.be.at.most(previous[i]);
      locked.push(l);
      total += l;
    }
    expect(await f.allocations.totalLocked()).to.equal(total);
    expect((await f.allocations.circulating()) + total).to.equal(MAX_SUPPLY);
    for (const wallet of [f.backersWallet, f.teamWallet]) {
      const allocated = (await balance(await wallet.getAddress())) + (await wallet["released()"]());
      const now = BigInt(await time.latest());
      expect(await wallet["vestedAmount(uint64)"](now)).to.be.at.most(allocated);
      expect(await wallet["released()"]()).to.be.at.most(allocated);
    }
    return locked;
  }

  it("Allocations: vested ≤ allocated, locked never grows, circulating + locked == max supply", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(allocationsOp, { minLength: 1, maxLength: 10 }), async (ops) => {
        const f = await loadFixture(tokenomicsFixture);
        let locked = await check(f, []);
        for (const op of ops) {
          if (op.kind === "advance") {
            await time.increase(op.seconds);
          } else if (op.kind === "distribute") {
            if ((await f.distributor.due()) > 0n || (await f.distributor.carried()) > 0n) {
              await f.distributor.distribute();
            }
          } else if (op.kind === "release") {
            const wallet = op.team ? f.teamWallet : f.backersWallet;
            await wallet.connect(f.stranger)["release()"]();
          } else {
            const left = (await f.ecosystem.budget()) - (await f.ecosystem.paidOut());
            const amount = (left * BigInt(op.permille)) / 1000n;
            if (amount > 0n) await f.ecosystem.draw(f.alice.address, amount, encodeBytes32String("p"));
          }
          locked = await check(f, locked);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
