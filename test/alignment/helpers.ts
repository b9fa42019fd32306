import { ethers, upgrades } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ChainClient } from "../../offchain/common/chain";
import { ALIGNMENT, kindId } from "../../deploy/modules/alignment";
import { TOKENOMICS } from "../../deploy/modules/tokenomics";
import type { AlignmentRewards, BudgetVault } from "../../typechain-types";
import { computeFixture, makeProvider } from "../compute/helpers";
import { deployedProtocol } from "../fixtures";

/** deploy/params/hardhat.json: 16 licenses, 600 s epochs, 100 coins per epoch, licenses 1..3 to accounts 1..3. */
export const MAX_LICENSES = 16n;
export const EPOCH = 600n;
export const REWARD = parseEther("100");
export const BAD_SIGNATURE = kindId("COMPUTE_BAD_SIGNATURE");
export const WRONG_MODEL = kindId("COMPUTE_WRONG_MODEL");
export const OVERBILLING = kindId("COMPUTE_OVERBILLING");
export const ROOT = ethers.id("report");
export const EVIDENCE = ethers.id("evidence");

/** The whole protocol deployed through the deploy code, and the alignment contracts with their licensees. */
export async function alignmentFixture() {
  const ctx = await deployedProtocol();
  const c = ctx.record.contracts;
  const [deployer, alice, bob, carol, dave, stranger, operator] = await ethers.getSigners();
  return {
    ctx,
    deployer,
    alice,
    bob,
    carol,
    dave,
    stranger,
    operator,
    license: await ethers.getContractAt("AlignmentLicense", c[ALIGNMENT.license].address),
    rewards: await ethers.getContractAt("AlignmentRewards", c[ALIGNMENT.rewards].address),
    vault: await ethers.getContractAt("BudgetVault", c[TOKENOMICS.alignment].address),
    serving: await ethers.getContractAt("ComputeServing", c.ComputeServing.address),
  };
}

export type AlignmentFixture = Awaited<ReturnType<typeof alignmentFixture>>;

/** A ChainClient on the in-process hardhat network for a fixture's deployment, signing with `signer`. */
export function hardhatChain(
  record: { contracts: Record<string, { address: string }> },
  signer: HardhatEthersSigner,
): ChainClient {
  return {
    provider: ethers.provider,
    chainId: 31337,
    signer,
    deployment: record,
    confirmations: 1,
    contractAddress: (name: string) => record.contracts[name].address,
    startBlock: () => 0,
    contract: () => {
      throw new Error("unused");
    },
    close: () => undefined,
  } as unknown as ChainClient;
}

/** The compute fixture (a provider registered with stake and opted into compute) plus the alignment contracts. */
export async function enforceFixture() {
  const f = await computeFixture();
  await makeProvider(f, f.provider);
  const c = f.ctx.record.contracts;
  const [, alice, bob, carol] = await ethers.getSigners();
  return {
    ...f,
    alice,
    bob,
    carol,
    rewards: await ethers.getContractAt("AlignmentRewards", c[ALIGNMENT.rewards].address),
    license: await ethers.getContractAt("AlignmentLicense", c[ALIGNMENT.license].address),
  };
}

/**
 * Moves to the first second of the next epoch and returns its number, so a test has a whole epoch ahead of it
 * (blocks after a fixture revert follow the wall clock, so a test cannot assume which epoch it is in).
 */
export async function nextEpoch(rewards: AlignmentRewards): Promise<bigint> {
  const [start, length] = await rewards.schedule();
  const now = BigInt(await time.latest());
  const epoch = now < start ? 0n : (now - start) / length + 1n;
  await time.increaseTo(start + epoch * length);
  return epoch;
}

/** The epoch the next transaction lands in (the next block is one second later). */
export async function epochOfNextBlock(rewards: AlignmentRewards): Promise<bigint> {
  const [start, length] = await rewards.schedule();
  return (BigInt(await time.latest()) + 1n - start) / length;
}

/**
 * A BudgetVault of its own (budget `budget`, funded in full) and an AlignmentRewards drawing from it with the
 * protocol's licenses and ComputeServing, epochs of `EPOCH` from the next block; the deployer administers both.
 */
export async function ownRewards(f: AlignmentFixture, budget: bigint, epochReward: bigint) {
  const vault = (await upgrades.deployProxy(
    await ethers.getContractFactory("BudgetVault"),
    [f.deployer.address, f.deployer.address, ethers.ZeroAddress, "alignment", budget],
    { kind: "uups" },
  )) as unknown as BudgetVault;
  await vault.fund({ value: budget });
  const start = BigInt(await time.latest()) + 1n;
  const rewards = (await upgrades.deployProxy(
    await ethers.getContractFactory("AlignmentRewards"),
    [
      f.deployer.address,
      f.deployer.address,
      await f.license.getAddress(),
      await vault.getAddress(),
      await f.serving.getAddress(),
      start,
      EPOCH,
      epochReward,
    ],
    { kind: "uups" },
  )) as unknown as AlignmentRewards;
  await vault.grantRole(await vault.DRAWER_ROLE(), await rewards.getAddress());
  return { vault, rewards, start };
}
