import { ethers, upgrades } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, type Signer } from "ethers";
import type { DeployContext } from "../../deploy";
import { bucketAmount, MAX_SUPPLY, TOKENOMICS } from "../../deploy/modules/tokenomics";
import type { RewardsDistributor, StakingRewardsMock } from "../../typechain-types";
import { deployedProtocol, isolated } from "../fixtures";

export { bucketAmount, MAX_SUPPLY };
export const BPS = 10_000n;
/** deploy/params/hardhat.json: backers vest over 600 s with a 60 s cliff, team 1200 s / 120 s, rewards 3600 s. */
export const BACKERS = { cliff: 60n, duration: 600n };
export const TEAM = { cliff: 120n, duration: 1200n };
export const REWARDS_DURATION = 3600n;

/** The whole protocol deployed through the deploy code (hardhat params: funded by the deployer), and its views. */
export async function tokenomicsFixture() {
  const ctx = await deployedProtocol();
  const c = ctx.record.contracts;
  const [deployer, alice, bob, carol, stranger] = await ethers.getSigners();
  return {
    ctx,
    deployer,
    alice,
    bob,
    carol,
    stranger,
    allocations: await ethers.getContractAt("Allocations", c[TOKENOMICS.allocations].address),
    distributor: await ethers.getContractAt("RewardsDistributor", c[TOKENOMICS.distributor].address),
    ecosystem: await ethers.getContractAt("BudgetVault", c[TOKENOMICS.ecosystem].address),
    alignment: await ethers.getContractAt("BudgetVault", c[TOKENOMICS.alignment].address),
    backersWallet: await ethers.getContractAt("GenesisVesting", c.BackersVestingReserve.address),
    teamWallet: await ethers.getContractAt("GenesisVesting", c.TeamVestingReserve.address),
    staking: await ethers.getContractAt("Staking", c.Staking.address),
    chunkRewardsAddress: c.ChunkRewards.address,
    daSamplerAddress: c.DASampler.address,
  };
}

export type TokenomicsFixture = Awaited<ReturnType<typeof tokenomicsFixture>>;

export const BUDGET = parseEther("1300");
export const WEIGHTS = { validatorsBps: 8000, storageBps: 1500, daBps: 500 };

/**
 * A RewardsDistributor of its own (budget 1300 coins, released over `duration` seconds from the next block)
 * paying a StakingRewardsMock and the protocol's real ChunkRewards and DASampler, funded with `funding` by the deployer.
 */
export async function distributorFixture(duration = 1000n, funding = BUDGET, startDelay = 100_000n) {
  const base = await tokenomicsFixture();
  const mock = (await (
    await ethers.getContractFactory("StakingRewardsMock")
  ).deploy()) as unknown as StakingRewardsMock;
  // Far enough ahead that the wall-clock time a slow run spends between tests never reaches it.
  const start = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + startDelay;
  const factory = await ethers.getContractFactory("RewardsDistributor");
  const distributor = (await upgrades.deployProxy(
    factory,
    [
      base.deployer.address,
      base.deployer.address,
      await mock.getAddress(),
      base.chunkRewardsAddress,
      base.daSamplerAddress,
      BUDGET,
      start,
      start + duration,
      WEIGHTS,
    ],
    { kind: "uups" },
  )) as unknown as RewardsDistributor;
  await distributor.fund({ value: funding });
  return { ...base, mock, distributor, start, end: start + duration };
}

export type DistributorFixture = Awaited<ReturnType<typeof distributorFixture>>;

/** Adds `count` validators with the given stakes (or 1 coin each) to the mock; returns their addresses. */
export async function addValidators(mock: StakingRewardsMock, stakes: bigint[]): Promise<string[]> {
  const validators = stakes.map(() => ethers.Wallet.createRandom().address);
  await mock.addValidators(validators, stakes);
  return validators;
}

/** The ether balance of an address or signer. */
export async function balance(who: string | Signer): Promise<bigint> {
  return ethers.provider.getBalance(typeof who === "string" ? who : await who.getAddress());
}

/**
 * Mines a block at `timestamp`, or just the next block when the chain is already past it. Blocks after a fixture
 * revert follow the wall clock, so a test cannot assume how much time passed since the fixture was taken.
 */
export async function reach(timestamp: bigint): Promise<void> {
  const latest = BigInt(await time.latest());
  if (timestamp > latest) await time.increaseTo(timestamp);
  else await time.increase(1);
}

const TOKENOMICS_NAMES = [
  ...Object.values(TOKENOMICS),
  "BackersVestingReserve",
  "TeamVestingReserve",
  "BackersVesting1",
  "BackersVesting2",
  "TeamVesting1",
];

/** A copy of `ctx` whose record has no tokenomics contracts yet, with the `tokenomics` params replaced. */
export function withoutTokenomics(ctx: DeployContext, tokenomics: Record<string, unknown>): DeployContext {
  const c = isolated(ctx);
  for (const name of TOKENOMICS_NAMES) delete c.record.contracts[name];
  return { ...c, params: { ...c.params, tokenomics } as DeployContext["params"] };
}
