// Property: after any sequence of delegate / undelegate / redelegate / rewards / slash / vote delegation / time jumps
// by three delegators over three validators, (1) at every step the total supply of voting units is the sum of the
// accounts' units and the delegates' votes add up to the units of every account that has a delegate, and (2) once
// every account is synced, each account's units equal the value of all its bonded shares read from Staking; and
// (3) right after an account's own staking action, its cached value in each validator it touched is exact.
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, ZeroAddress } from "ethers";
import { DAY, REASON } from "../staking/helpers";
import { bondedValue, governanceFixture } from "./helpers";

type Op =
  | { kind: "delegate"; who: number; to: number; tokens: number }
  | { kind: "undelegate"; who: number; from: number; fractionPpm: number }
  | { kind: "redelegate"; who: number; from: number; to: number; fractionPpm: number }
  | { kind: "rewards"; to: number; tokens: number }
  | { kind: "slash"; validator: number; ppm: number }
  | { kind: "votes"; who: number; to: number }
  | { kind: "wait"; days: number };

const who = fc.integer({ min: 0, max: 2 });
const validator = fc.integer({ min: 0, max: 2 });
const fraction = fc.integer({ min: 1, max: 1_000_000 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("delegate" as const), who, to: validator, tokens: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant("undelegate" as const), who, from: validator, fractionPpm: fraction }),
  fc.record({ kind: fc.constant("redelegate" as const), who, from: validator, to: validator, fractionPpm: fraction }),
  fc.record({ kind: fc.constant("rewards" as const), to: validator, tokens: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant("slash" as const), validator, ppm: fc.integer({ min: 1, max: 300_000 }) }),
  fc.record({ kind: fc.constant("votes" as const), who, to: fc.integer({ min: -1, max: 5 }) }),
  fc.record({ kind: fc.constant("wait" as const), days: fc.integer({ min: 1, max: 8 }) }),
);

/** The governance fixture with every delegator holding 50 tokens' worth of shares in every validator. */
async function propertyFixture() {
  const f = await governanceFixture();
  for (const d of [f.alice, f.bob, f.carol]) {
    for (const v of [f.op1, f.op2, f.op3]) await f.staking.connect(d).delegate(v.address, { value: parseEther("50") });
  }
  return f;
}

describe("StakeVotes: properties", () => {
  it("keeps supply = Σ units = Σ delegated votes at every step, and units = bonded value once synced", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const f = await loadFixture(propertyFixture);
        const { staking, votes, service, stranger } = f;
        const delegators = [f.alice, f.bob, f.carol];
        const ops3 = [f.op1, f.op2, f.op3];
        const accounts = [...delegators, ...ops3];
        const invariants = async () => {
          let units = 0n;
          let delegated = 0n;
          let votesSum = 0n;
          for (const a of accounts) {
            const u = await votes.votingUnits(a.address);
            units += u;
            if ((await votes.delegates(a.address)) !== ZeroAddress) delegated += u;
            votesSum += await votes.getVotes(a.address);
          }
          expect(await votes.totalVotingUnits()).to.equal(units);
          expect(votesSum).to.equal(delegated);
        };
        /** Staking reported the change: the acting account's cached value in `validator` is exact. */
        const fresh = async (account: string, validatorIndex: number) => {
          const v = ops3[validatorIndex].address;
          const value = await staking.sharesToStake(v, await staking.sharesOf(account, v));
          expect(await votes.cachedValue(account, v)).to.equal(value);
        };
        for (const o of ops) {
          try {
            switch (o.kind) {
              case "delegate":
                await staking
                  .connect(delegators[o.who])
                  .delegate(ops3[o.to].address, { value: parseEther(String(o.tokens)) });
                await fresh(delegators[o.who].address, o.to);
                break;
              case "undelegate": {
                const held = await staking.sharesOf(delegators[o.who].address, ops3[o.from].address);
                await staking
                  .connect(delegators[o.who])
                  .undelegate(ops3[o.from].address, (held * BigInt(o.fractionPpm)) / 1_000_000n);
                await fresh(delegators[o.who].address, o.from);
                break;
              }
              case "redelegate": {
                const held = await staking.sharesOf(delegators[o.who].address, ops3[o.from].address);
                await staking
                  .connect(delegators[o.who])
                  .redelegate(ops3[o.from].address, ops3[o.to].address, (held * BigInt(o.fractionPpm)) / 1_000_000n);
                await fresh(delegators[o.who].address, o.from);
                await fresh(delegators[o.who].address, o.to);
                break;
              }
              case "rewards":
                await staking
                  .connect(stranger)
                  .distributeRewards(ops3[o.to].address, { value: parseEther(String(o.tokens)) });
                break;
              case "slash":
                await staking.connect(service).slash(ops3[o.validator].address, o.ppm, REASON, false);
                break;
              case "votes":
                // -1: give up votes (delegate to zero); 0..5: delegate to one of the six accounts.
                await votes.connect(delegators[o.who]).delegate(o.to < 0 ? ZeroAddress : accounts[o.to].address);
                break;
              case "wait":
                await time.increase(o.days * DAY);
                break;
            }
          } catch (err) {
            // Staking refuses some random actions (dust, caps, locks); a refused action changes nothing.
            if (!/reverted with custom error/.test((err as Error).message)) throw err;
          }
          await invariants();
        }
        await votes.syncMany(accounts.map((a) => a.address));
        for (const a of accounts) {
          expect(await votes.votingUnits(a.address)).to.equal(await bondedValue(staking, a.address));
          expect(await votes.stakeValue(a.address)).to.equal(await votes.votingUnits(a.address));
        }
        await invariants();
      }),
      { numRuns: 40 },
    );
  });
});
