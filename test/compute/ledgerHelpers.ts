import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { addPoint, inCurve, mulPointEscalar, subOrder, type Point } from "@zk-kit/baby-jubjub";
import { derivePublicKey } from "@zk-kit/eddsa-poseidon";
import { id, parseEther, type Signer } from "ethers";
import type { ComputeReentrantReceiver } from "../../typechain-types";
import { pubKey } from "../staking/helpers";
import { DAY, HOUR, LOCK_TIME, MAX_REFUNDS, MIN_PROVIDER_STAKE, computeFixture, makeProvider } from "./helpers";

export { DAY, HOUR, LOCK_TIME, MAX_REFUNDS, MIN_PROVIDER_STAKE };
export const SETTLER_ROLE = id("SETTLER_ROLE");
/** The deploy module's fine-tuning defaults. */
export const FT_PARAMS = { ackWindow: DAY, penaltyPpm: 300_000, deliveryTimeout: 7 * DAY };
export const ONE = parseEther("1");

/** A user's receipt signer key: the Baby Jubjub public key of a test secret. */
export function signerKey(seed: string | number): [bigint, bigint] {
  const p = derivePublicKey(`zg-ledger-test-${seed}`);
  return [p[0], p[1]];
}

/** EIP-2494's generator of the whole curve group (order 8·subOrder). */
const GENERATOR: Point<bigint> = [
  995203441582195749578291179787384436505546430278305826713579947235728471134n,
  5472060717959818805561601436314318772137091100104008585924551046643952123905n,
];

/** The eight points of order dividing 8 (the identity first), all on the curve. */
export function smallOrderPoints(): Point<bigint>[] {
  const t8 = mulPointEscalar(GENERATOR, subOrder);
  const points: Point<bigint>[] = [[0n, 1n]];
  for (let k = 1; k < 8; k++) points.push(addPoint(points[k - 1], t8));
  for (const p of points) expect(inCurve(p)).to.equal(true);
  return points;
}

/** A key shifted by an order-8 point: on the curve, full order, verifies the same signatures. */
export function shiftedKey(seed: string | number): [bigint, bigint] {
  const [x, y] = addPoint(signerKey(seed), smallOrderPoints()[1]);
  return [x, y];
}

export { GENERATOR };

/**
 * The protocol deployed through `deploy/` (computeFixture) plus what these suites need: `settler` holds the
 * ledger's SETTLER_ROLE so tests can charge directly, `stake` makes an account an eligible provider (a validator
 * with the minimum stake, opted into ComputeServing), `requireStake` moves the serving contract's minimum.
 */
export async function ledgerFixture() {
  const f = await computeFixture();
  const settler = (await ethers.getSigners())[5];
  await f.ledger.grantRole(SETTLER_ROLE, settler.address);
  let validators = 0;
  const stake = async (account: Signer) => makeProvider(f, account, validators++);
  /** Makes the test contract `receiver` an eligible provider through its `execute`. */
  const stakeContract = async (receiver: ComputeReentrantReceiver) => {
    const staking = await f.staking.getAddress();
    const register = f.staking.interface.encodeFunctionData("registerValidator", [
      pubKey(3900 + validators++),
      "contract provider",
      0,
      0,
      0,
    ]);
    await receiver.execute(staking, register, { value: MIN_PROVIDER_STAKE });
    await receiver.execute(staking, f.staking.interface.encodeFunctionData("optIn", [await f.serving.getAddress()]));
  };
  const requireStake = async (amount: bigint) => f.serving.setMinProviderStake(amount);
  return { ...f, settler, stake, stakeContract, requireStake };
}

export type LedgerFixture = Awaited<ReturnType<typeof ledgerFixture>>;

/** `user` with an account holding `main` and a sub-account for `provider` holding `sub`. */
export async function fund(f: LedgerFixture, user: Signer, provider: Signer, main: bigint, sub: bigint, seed = 1) {
  await f.ledger.connect(user).createAccount(signerKey(seed), { value: main + sub });
  if (sub > 0n) await f.ledger.connect(user).transfer(await provider.getAddress(), sub);
}

/** Everything a refused call must leave unchanged in the ledger, for the given users and providers. */
export async function ledgerState(f: LedgerFixture, users: Signer[], providers: Signer[]) {
  const ledgerAddress = await f.ledger.getAddress();
  const t = await f.ledger.totals();
  const state: unknown[] = [await ethers.provider.getBalance(ledgerAddress), [...t]];
  for (const u of users) {
    const a = await f.ledger.getAccount(u);
    state.push([a.balance, a.exists, [...a.signerKey]]);
    for (const p of providers) {
      const s = await f.ledger.getSubAccount(u, p);
      state.push([s.balance, s.pendingRefund, s.refunds.map((r) => [r.amount, r.unlockAt])]);
    }
  }
  // Providers' own balances move with the gas they pay; what the ledger paid them is totals.paidOut.
  return state;
}

/** Checks the accounting invariants of the ledger. */
export async function expectInvariants(f: LedgerFixture) {
  const t = await f.ledger.totals();
  expect(t.deposited).to.equal(t.mainBalances + t.subBalances + t.paidOut + t.withdrawn);
  expect(await ethers.provider.getBalance(await f.ledger.getAddress())).to.equal(t.mainBalances + t.subBalances);
}

/** Moves the clock to `seconds` after the latest block. */
export async function after(seconds: number | bigint) {
  await time.increase(seconds);
}

export const SERVICE = { model: "zg-tiny-lm", url: "https://ft.example:8443", pricePerToken: 1000n };
export const DATASET = ethers.id("dataset root");
export const MODEL_ROOT = ethers.id("model root");
export const MODEL_HASH = ethers.id("model bytes");
export const SPEC = '{"epochs":1,"lr":0.0001}';

/** A staked provider with a service, and a user whose sub-account for it holds `sub`. */
export async function fineTuningFixture() {
  const f = await ledgerFixture();
  await f.stake(f.provider);
  await f.fineTuning.connect(f.provider).registerService(SERVICE);
  await fund(f, f.user, f.provider, ONE, 2n * ONE);
  return f;
}

/** fineTuningFixture with task 1 (fee 1 token) created by the user. */
export async function taskFixture() {
  const f = await fineTuningFixture();
  await f.fineTuning.connect(f.user).createTask(f.provider, DATASET, SPEC, ONE);
  return f;
}

/** taskFixture with task 1 delivered. */
export async function deliveredFixture() {
  const f = await taskFixture();
  await f.fineTuning.connect(f.provider).submitDeliverable(1, MODEL_ROOT, MODEL_HASH);
  return f;
}
