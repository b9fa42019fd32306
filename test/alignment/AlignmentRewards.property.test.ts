// Property of the alignment rewards over random attest / claim / reward-change sequences across epochs, on a vault
// of its own whose budget (250 wei) is smaller than what the epochs promise (100 wei each), so the budget binds:
// - per epoch Σ claims ≤ the epoch's reward, and each claim pays ⌊reward / attestations⌋ per epoch;
// - total claimed == what the vault paid out == what the payees received ≤ the vault's budget;
// - no attestation is paid twice (a claim naming a paid epoch, or one epoch twice, reverts and changes nothing);
// - a claim succeeds exactly when every epoch named ended, was attested by the license, is unpaid, and the vault
//   still has budget for the total.
// And over random rule / report / enforce sequences against one validator that is both a compute provider and a DA
// signer, with each kind's rule re-targeted at random (Compute, DA, None):
// - a case is enforced at most once, exactly when its kind has a rule and the case has `threshold` distinct reports;
// - an enforcement goes only through the rule's target current at that time: Compute → ProviderSlashed, DA →
//   SignerSlashed, None → no slash at all; the validator's stake drops by exactly ⌈stake · ppm / 1e6⌉ (Staking rounds a slash up) or not at all.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ALIGNMENT, kindId } from "../../deploy/modules/alignment";
import { daFixture, makeSigner } from "../da/helpers";
import { alignmentFixture, EPOCH, EVIDENCE, nextEpoch, ownRewards, ROOT } from "./helpers";

const RUNS = Number(process.env.ZG_PROPERTY_RUNS ?? 12);
const BUDGET = 250n;
const REWARD = 100n;

async function propertyFixture() {
  const f = await alignmentFixture();
  await f.license.mint(f.dave.address);
  const own = await ownRewards(f, BUDGET, REWARD);
  const owners = [f.alice, f.bob, f.carol, f.dave];
  const payees = owners.map(() => ethers.Wallet.createRandom().address);
  for (const [i, owner] of owners.entries()) await own.rewards.connect(owner).setPayee(payees[i]);
  return { ...f, ...own, owners, payees };
}

const attestOp = fc.record({ kind: fc.constant("attest" as const), who: fc.nat(3) });
const advanceOp = fc.record({ kind: fc.constant("advance" as const), epochs: fc.integer({ min: 1, max: 2 }) });
const claimOp = fc.record({
  kind: fc.constant("claim" as const),
  who: fc.nat(3),
  picks: fc.array(fc.nat(7), { minLength: 1, maxLength: 2 }),
  extra: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 4 }),
});
const rewardOp = fc.record({ kind: fc.constant("reward" as const), value: fc.bigInt({ min: 0n, max: 200n }) });

/** Rounds of: some attestations (repeats included), maybe a reward change, a move to a later epoch, some claims. */
const ops = fc
  .array(
    fc.tuple(
      fc.array(attestOp, { minLength: 1, maxLength: 5 }),
      fc.option(rewardOp, { freq: 3 }),
      advanceOp,
      fc.array(claimOp, { minLength: 1, maxLength: 4 }),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((rounds) =>
    rounds.flatMap(([attests, reward, advance, claims]) => [
      ...attests,
      ...(reward === null ? [] : [reward]),
      advance,
      ...claims,
    ]),
  );

describe("AlignmentRewards properties", function () {
  this.timeout(600_000);

  it("per-epoch Σ claims ≤ epochReward, total ≤ vault budget, no double claim", async function () {
    // How often the runs paid a claim and tried to claim a paid epoch again: both must happen for the property to say
    // anything.
    const seen = { paid: 0, repeated: 0 };
    await fc.assert(
      fc.asyncProperty(ops, async (steps) => {
        const f = await loadFixture(propertyFixture);
        const [start] = await f.rewards.schedule();
        let epoch = (BigInt(await time.latest()) - start) / EPOCH + 1n;
        await time.increaseTo(start + epoch * EPOCH);
        // The model: each epoch's reward (fixed by its first attestation), who attested, who was paid.
        let reward = REWARD;
        const epochReward = new Map<bigint, bigint>();
        const attested = new Map<bigint, Set<number>>();
        const paid = new Set<string>();
        let total = 0n;
        for (const o of steps) {
          if (o.kind === "advance") {
            epoch += BigInt(o.epochs);
            await time.increaseTo(start + epoch * EPOCH);
          } else if (o.kind === "reward") {
            await f.rewards.setEpochReward(o.value);
            reward = o.value;
          } else if (o.kind === "attest") {
            const set = attested.get(epoch) ?? new Set<number>();
            const tx = f.rewards.connect(f.owners[o.who]).attest(o.who + 1, epoch, ROOT, 1, 0);
            if (set.has(o.who)) {
              await expect(tx).to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsAlreadyAttested");
            } else {
              await tx;
              if (set.size === 0) epochReward.set(epoch, reward);
              set.add(o.who);
              attested.set(epoch, set);
            }
          } else {
            // Mostly epochs the license attested in (paid or not); sometimes any recent epoch besides.
            const mine = [...attested.entries()].filter(([, set]) => set.has(o.who)).map(([e]) => e);
            const epochs = o.picks.map((i) => (mine.length > 0 ? mine[i % mine.length] : epoch));
            if (o.extra !== null) epochs.push(epoch >= BigInt(o.extra) ? epoch - BigInt(o.extra) : epoch);
            let ok = true;
            let amount = 0n;
            const keys = new Set<string>();
            for (const e of epochs) {
              const key = `${o.who}:${e}`;
              const set = attested.get(e);
              if (paid.has(key)) seen.repeated++;
              if (e >= epoch || !set?.has(o.who) || paid.has(key) || keys.has(key)) ok = false;
              else amount += epochReward.get(e)! / BigInt(set.size);
              keys.add(key);
            }
            if (ok && amount > BUDGET - total) ok = false;
            const payee = f.payees[o.who];
            const before = await ethers.provider.getBalance(payee);
            const tx = f.rewards.connect(f.owners[o.who]).claim(o.who + 1, epochs);
            if (ok) {
              await tx;
              for (const key of keys) paid.add(key);
              total += amount;
              seen.paid++;
              expect((await ethers.provider.getBalance(payee)) - before).to.equal(amount);
            } else {
              await expect(tx).to.be.reverted;
              expect(await ethers.provider.getBalance(payee)).to.equal(before);
            }
          }
          // Invariants after every step.
          expect(await f.rewards.totalClaimed()).to.equal(total);
          expect(await f.vault.paidOut()).to.equal(total);
          expect(total).to.be.lessThanOrEqual(BUDGET);
          let received = 0n;
          for (const payee of f.payees) received += await ethers.provider.getBalance(payee);
          expect(received).to.equal(total);
          for (const [e, set] of attested) {
            const t = await f.rewards.epochTotals(e);
            expect(t.attestations).to.equal(BigInt(set.size));
            expect(t.reward).to.equal(epochReward.get(e));
            expect(t.claimed).to.be.lessThanOrEqual(t.reward);
            const claimedHere = [...set].filter((w) => paid.has(`${w}:${e}`)).length;
            expect(t.claimed).to.equal((t.reward / BigInt(set.size)) * BigInt(claimedHere));
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(seen.paid).to.be.greaterThan(0);
    expect(seen.repeated).to.be.greaterThan(0);
  });
});

/** A validator opted into both the compute service and the DA service (a registered BLS signer), and the licenses. */
async function targetsFixture() {
  const f = await daFixture();
  const signer = await makeSigner(f, 0);
  const c = f.ctx.record.contracts;
  const serving = await ethers.getContractAt("ComputeServing", c.ComputeServing.address);
  await f.staking.connect(signer.account).optIn(await serving.getAddress());
  const [, alice, bob, carol] = await ethers.getSigners();
  return {
    ...f,
    serving,
    service: signer.address,
    owners: [alice, bob, carol],
    rewards: await ethers.getContractAt("AlignmentRewards", c[ALIGNMENT.rewards].address),
  };
}

const KINDS = [kindId("PROP_FAULT_A"), kindId("PROP_FAULT_B")];
const COMPUTE = 0;
const DA = 1;
const NONE = 2;

const ruleOp = (kind: fc.Arbitrary<number>) =>
  fc.record({
    op: fc.constant("rule" as const),
    kind,
    target: fc.integer({ min: 0, max: 2 }),
    threshold: fc.integer({ min: 1, max: 2 }),
    ppm: fc.integer({ min: 1, max: 5_000 }),
  });
const reportOp = fc.record({ op: fc.constant("report" as const), kind: fc.nat(1), who: fc.nat(2) });
const enforceOp = fc.record({
  op: fc.constant("enforce" as const),
  kind: fc.nat(1),
  back: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, fc.constant(1)),
});
const nextOp = { op: "next" as const };

/** A rule for each kind first, then rounds of: maybe rule changes, reports, enforcements, a move to the next epoch. */
const targetOps = fc
  .tuple(
    ruleOp(fc.constant(0)),
    ruleOp(fc.constant(1)),
    fc.array(
      fc.tuple(
        fc.array(ruleOp(fc.nat(1)), { maxLength: 1 }),
        fc.array(reportOp, { minLength: 1, maxLength: 6 }),
        fc.array(enforceOp, { minLength: 1, maxLength: 3 }),
      ),
      { minLength: 2, maxLength: 3 },
    ),
  )
  .map(([first, second, rounds]) => [
    first,
    second,
    ...rounds.flatMap(([rules, reports, enforces]) => [...rules, ...reports, ...enforces, nextOp]),
  ]);

describe("AlignmentRewards target properties", function () {
  this.timeout(600_000);

  it("a case is enforced once, at its threshold, only through its rule's current target", async function () {
    // How often an enforcement went through each target: each must happen for the property to say anything.
    const seen = [0, 0, 0];
    await fc.assert(
      fc.asyncProperty(targetOps, async (steps) => {
        const f = await loadFixture(targetsFixture);
        const [servingAddress, registryAddress] = [await f.serving.getAddress(), await f.registry.getAddress()];
        let epoch = await nextEpoch(f.rewards);
        const rules = new Map<number, { target: number; threshold: number; ppm: number }>();
        const cases = new Map<string, { reporters: Set<number>; enforced: boolean }>();
        const caseOf = (kind: number, e: bigint) => {
          const key = `${kind}:${e}`;
          if (!cases.has(key)) cases.set(key, { reporters: new Set(), enforced: false });
          return cases.get(key)!;
        };
        for (const s of steps) {
          if (s.op === "next") {
            epoch = await nextEpoch(f.rewards);
          } else if (s.op === "rule") {
            const ppm = s.target === NONE ? 0 : s.ppm;
            await f.rewards.setRule(KINDS[s.kind], s.threshold, ppm, false, s.target);
            rules.set(s.kind, { target: s.target, threshold: s.threshold, ppm });
          } else if (s.op === "report") {
            const c = caseOf(s.kind, epoch);
            const tx = f.rewards.connect(f.owners[s.who]).report(s.who + 1, f.service, KINDS[s.kind], EVIDENCE);
            if (!rules.has(s.kind)) {
              await expect(tx).to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsUnknownKind");
            } else if (c.reporters.has(s.who)) {
              await expect(tx).to.be.revertedWithCustomError(f.rewards, "AlignmentRewardsAlreadyReported");
            } else {
              await tx;
              c.reporters.add(s.who);
            }
          } else {
            const e = epoch >= BigInt(s.back) ? epoch - BigInt(s.back) : epoch;
            const c = caseOf(s.kind, e);
            const rule = rules.get(s.kind);
            const before = (await f.staking.getValidator(f.service)).bonded.stake;
            const tx = f.rewards.enforce(f.service, KINDS[s.kind], e);
            if (!rule || c.enforced || c.reporters.size < rule.threshold) {
              await expect(tx).to.be.reverted;
              expect((await f.staking.getValidator(f.service)).bonded.stake).to.equal(before);
            } else {
              const receipt = await (await tx).wait();
              const names = receipt!.logs.flatMap((log) => {
                const parsed =
                  log.address === servingAddress
                    ? f.serving.interface.parseLog(log)
                    : log.address === registryAddress
                      ? f.registry.interface.parseLog(log)
                      : undefined;
                return parsed ? [parsed.name] : [];
              });
              expect(names.includes("ProviderSlashed")).to.equal(rule.target === COMPUTE);
              expect(names.includes("SignerSlashed")).to.equal(rule.target === DA);
              const drop = rule.target === NONE ? 0n : (before * BigInt(rule.ppm) + 999_999n) / 1_000_000n;
              expect((await f.staking.getValidator(f.service)).bonded.stake).to.equal(before - drop);
              c.enforced = true;
              seen[rule.target]++;
            }
          }
          // The chain's cases match the model after every step.
          for (const [key, c] of cases) {
            const [kind, e] = key.split(":");
            const onChain = await f.rewards.caseOf(f.service, KINDS[Number(kind)], BigInt(e));
            expect([onChain.reports, onChain.enforced]).to.deep.equal([BigInt(c.reporters.size), c.enforced]);
          }
        }
      }),
      // At least 20 runs, so each target is enforced in some of them (the check below) whatever ZG_PROPERTY_RUNS says.
      { numRuns: Math.max(RUNS, 20) },
    );
    expect(
      seen.every((n) => n > 0),
      `enforcements per target ${seen}`,
    ).to.equal(true);
  });
});
