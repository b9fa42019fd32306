import { ethers } from "hardhat";
import type { DeployContext } from "../../deploy";
import { deployStorage, type StorageDeployParams } from "../../deploy/modules/storage";
import { deployedProtocol, isolated } from "../fixtures";
import { createSubmission, loadHashers, type Submission } from "../../offchain/storage/core";

/** Small, fast parameters for tests: real defaults are in deploy/modules/storage.ts. */
export const TEST_PARAMS: StorageDeployParams = {
  pricePerSector: "1000",
  serviceFeePpm: 100_000,
  rewardLifetime: 1000,
  baseReward: "0.001",
  blocksPerEpoch: 10,
  initialDifficulty: 8,
  targetAnswers: 2,
};
export const PRICE = 1000n;
export const SECTORS_PER_CHUNK = 1n << 25n;

/** Deterministic pseudo-random bytes. */
export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The submission of a file of `size` bytes in the form the contract takes. */
export function submissionOf(size: number, seed = 1): Submission {
  return createSubmission(bytes(size, seed));
}

/**
 * Storage deployed through the deploy module with TEST_PARAMS on top of the whole protocol (fresh proxies, so the
 * protocol's own storage deployment with the network defaults does not interfere).
 */
export async function storageFixture() {
  await loadHashers();
  const base = await deployedProtocol();
  const ctx: DeployContext = isolated(base);
  for (const name of ["Flow", "Market", "ChunkRewards", "Mine"]) delete ctx.record.contracts[name];
  ctx.params = { ...ctx.params, storage: TEST_PARAMS };
  await deployStorage(ctx);
  const [deployer, alice, bob, miner, treasury, stranger] = await ethers.getSigners();
  const flow = await ethers.getContractAt("Flow", ctx.record.contracts.Flow.address);
  const market = await ethers.getContractAt("Market", ctx.record.contracts.Market.address);
  const rewards = await ethers.getContractAt("ChunkRewards", ctx.record.contracts.ChunkRewards.address);
  const mine = await ethers.getContractAt("Mine", ctx.record.contracts.Mine.address);
  return { ctx, flow, market, rewards, mine, deployer, alice, bob, miner, treasury, stranger };
}
