import { ethers } from "hardhat";
import { encodeBytes32String, parseEther, type BytesLike } from "ethers";
import type { DeployContext } from "../../deploy";
import { deployStaking, toContractParams, type StakingDeployParams } from "../../deploy/modules/staking";
import { deployedProtocol } from "../fixtures";

export const DAY = 24 * 3600;
export const PPM = 1_000_000n;
export const VIRTUAL_SHARES = 1000n;
export const VIRTUAL_STAKE = 1n;
export const MAX_REDELEGATIONS_PER_VALIDATOR = 32;
export const MAX_REDELEGATIONS_PER_DELEGATOR = 16;
export const SELF_STAKE = parseEther("100");
export const COMMISSION = 100_000;
export const MAX_COMMISSION = 200_000;
export const MAX_CHANGE = 50_000;
export const SERVICE_CAP = 500_000;
export const REASON = encodeBytes32String("storage-fault");

/** Small, fast parameters for tests: real defaults are in deploy/modules/staking.ts. */
export const TEST_PARAMS: StakingDeployParams = {
  minSelfStake: "10",
  minDelegation: "1",
  maxEffectiveStake: "1000",
  unbondingDelay: 7 * DAY,
  jailPeriod: DAY,
  epochLength: DAY,
  maxValidators: 4,
  maxCommissionPpm: 500_000,
  communityTaxPpm: 20_000,
  doubleSignSlashPpm: 50_000,
  downtimeSlashPpm: 1_000,
  downtimeThreshold: 100,
};

export const CONTRACT_PARAMS = toContractParams(TEST_PARAMS);

export function pubKey(n: number): BytesLike {
  return ethers.zeroPadValue(ethers.toBeHex(n + 1), 48);
}

/**
 * Staking deployed through the deploy module on top of the whole protocol, with TEST_PARAMS. The parameters and
 * the consensus role are also set through the contract, so the fixture stays right once the protocol fixture
 * deploys Staking itself with the network's defaults.
 */
export async function stakingFixture() {
  const base = await deployedProtocol();
  const [deployer, consensus, service, op1, op2, op3, alice, bob, carol, dave, stranger] = await ethers.getSigners();
  const ctx: DeployContext = {
    ...base,
    params: { ...base.params, staking: { ...TEST_PARAMS, consensus: consensus.address } } as DeployContext["params"],
  };
  await deployStaking(ctx);
  const staking = await ethers.getContractAt("Staking", ctx.record.contracts.Staking.address);
  await staking.setParams(CONTRACT_PARAMS);
  await staking.grantRole(await staking.CONSENSUS_ROLE(), consensus.address);
  return { ctx, staking, deployer, consensus, service, op1, op2, op3, alice, bob, carol, dave, stranger };
}

/** Three registered validators (100 tokens self-stake, 10 % commission), one service they all opted into. */
export async function validatorsFixture() {
  const f = await stakingFixture();
  const { staking, service, op1, op2, op3 } = f;
  const ops = [op1, op2, op3];
  for (const [i, op] of ops.entries()) {
    await staking
      .connect(op)
      .registerValidator(pubKey(i), `validator ${i + 1}`, COMMISSION, MAX_COMMISSION, MAX_CHANGE, {
        value: SELF_STAKE,
      });
  }
  await staking.registerService(service.address, "storage", SERVICE_CAP);
  for (const op of ops) await staking.connect(op).optIn(service.address);
  return { ...f, ops };
}

/** The value of `shares` in a pool, as the contract computes it (rounded down). */
export function toStake(shares: bigint, pool: { stake: bigint; shares: bigint }): bigint {
  return (shares * (pool.stake + VIRTUAL_STAKE)) / (pool.shares + VIRTUAL_SHARES);
}

/** The shares `amount` buys in a pool, as the contract computes it (rounded down). */
export function toShares(amount: bigint, pool: { stake: bigint; shares: bigint }): bigint {
  return (amount * (pool.shares + VIRTUAL_SHARES)) / (pool.stake + VIRTUAL_STAKE);
}

/** `ppm` of `value`, rounded up as the contract's slashes are. */
export function ppmUp(value: bigint, ppm: bigint): bigint {
  return (value * ppm + PPM - 1n) / PPM;
}
