import { ZeroHash, id, parseEther } from "ethers";
import { z } from "zod";
import type { DeployContext } from "../context";
import { deployUups } from "../steps";

const DAY = 24 * 3600;
/** Native-token amounts in whole tokens (18 decimals) as decimal strings: "1000", "0.5". */
const tokens = z.string().regex(/^\d+(\.\d{1,18})?$/, 'a decimal amount of tokens such as "1000" or "0.5"');
/** Amounts in wei as decimal strings (prices per sector are tiny). */
const wei = z.string().regex(/^\d{1,40}$/, 'an amount in wei as a decimal string such as "1000000000"');

/** The `storage` section of `deploy/params/<network>.json`. Bounds mirror the contracts' checks. */
export const storageParamsSchema = z
  .object({
    /** Price of one 256-byte sector in wei (1 gwei per sector ≈ 0.0042 tokens per GiB). */
    pricePerSector: wei.default("1000000000"),
    /** Treasury's share of every fee in parts per million (at most 50 %). */
    serviceFeePpm: z.number().int().min(0).max(500_000).default(50_000),
    /** Seconds over which a pricing chunk's reward is released once the flow has passed it. */
    rewardLifetime: z
      .number()
      .int()
      .min(1)
      .max(100 * 365 * DAY)
      .default(365 * DAY),
    /** Base reward per accepted mining answer, paid from the donated pool while it lasts. */
    baseReward: tokens.default("0"),
    /** Blocks per mining epoch: a context (block hash, flow root, length) is fixed once per epoch. */
    blocksPerEpoch: z.number().int().min(1).max(1_000_000).default(1200),
    /** Initial PoRA difficulty: the target is (2^256 − 1) / difficulty for a miner of the whole flow. */
    initialDifficulty: z.number().int().min(1).default(1_000_000),
    /** Accepted answers per epoch the target adjusts toward (×2 / ÷2 at most per epoch). */
    targetAnswers: z.number().int().min(1).max(1_000_000).default(10),
  })
  .strict();

export type StorageDeployParams = z.infer<typeof storageParamsSchema>;

/** Reads and checks the `storage` section of the deploy params (defaults when the section is absent). */
export function storageParams(ctx: DeployContext): StorageDeployParams {
  const raw: unknown = ctx.params.storage ?? {};
  const parsed = storageParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`deploy params: storage.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

const ADMIN = ZeroHash;

/** The PoRA target for a difficulty: (2^256 − 1) / difficulty. */
export function targetOf(difficulty: number): bigint {
  return (2n ** 256n - 1n) / BigInt(difficulty);
}
const UPGRADER = id("UPGRADER_ROLE");

async function roles(ctx: DeployContext, address: string) {
  return ctx.hre.ethers.getContractAt("AccessControlUpgradeable", address, ctx.deployer);
}

async function grant(ctx: DeployContext, address: string, role: string, account: string): Promise<void> {
  const contract = await roles(ctx, address);
  if (!(await contract.hasRole(role, account))) await (await contract.grantRole(role, account)).wait();
}

/**
 * ChunkRewards, Market, Flow and Mine behind UUPS proxies. The deployer initializes them as admin, wires the roles
 * (MARKET_ROLE and MINE_ROLE on the rewards for the market and the mine, FLOW_ROLE on the market for the flow), then hands admin, upgrade and
 * treasury rights to `ctx.admin` and renounces its own when they differ. Re-running it changes nothing.
 */
export async function deployStorage(ctx: DeployContext): Promise<void> {
  if (!ctx.admin) throw new Error("deployStorage needs ctx.admin: run the governance module first");
  const p = storageParams(ctx);
  const me = ctx.deployerAddress;
  const pauser = ctx.pauser ?? me;
  const rewardsAddr = await deployUups(ctx, "ChunkRewards", "ChunkRewards", [
    me,
    pauser,
    p.rewardLifetime,
    parseEther(p.baseReward),
  ]);
  const marketAddr = await deployUups(ctx, "Market", "Market", [
    me,
    pauser,
    rewardsAddr,
    BigInt(p.pricePerSector),
    p.serviceFeePpm,
  ]);
  const flowAddr = await deployUups(ctx, "Flow", "Flow", [me, pauser, marketAddr, p.blocksPerEpoch]);
  const mineAddr = await deployUups(ctx, "Mine", "Mine", [
    me,
    pauser,
    flowAddr,
    rewardsAddr,
    targetOf(p.initialDifficulty),
    p.targetAnswers,
  ]);
  await grant(ctx, rewardsAddr, id("MARKET_ROLE"), marketAddr);
  await grant(ctx, marketAddr, id("FLOW_ROLE"), flowAddr);
  await grant(ctx, rewardsAddr, id("MINE_ROLE"), mineAddr);
  const handover: [string, string[]][] = [
    [rewardsAddr, [UPGRADER, ADMIN]],
    [marketAddr, [id("TREASURY_ROLE"), UPGRADER, ADMIN]],
    [flowAddr, [UPGRADER, ADMIN]],
    [mineAddr, [UPGRADER, ADMIN]],
  ];
  for (const [address, list] of handover) {
    for (const role of list) await grant(ctx, address, role, ctx.admin);
  }
  if (ctx.admin.toLowerCase() !== me.toLowerCase()) {
    for (const [address, list] of handover) {
      const contract = await roles(ctx, address);
      for (const role of list) {
        if (await contract.hasRole(role, me)) await (await contract.renounceRole(role, me)).wait();
      }
    }
  }
}
