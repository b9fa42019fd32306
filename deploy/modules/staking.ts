import { parseEther } from "ethers";
import { z } from "zod";
import type { DeployContext } from "../context";
import { deployUups } from "../steps";

const DAY = 24 * 3600;

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address: 0x followed by 40 hex digits");
/** Native-token amounts are written in whole tokens (18 decimals) as decimal strings: "1000", "0.5". */
const tokens = z.string().regex(/^\d+(\.\d{1,18})?$/, 'a decimal amount of tokens such as "1000" or "0.5"');
const ppm = (min: number, max: number) => z.number().int().min(min).max(max);
const seconds = (max: number) => z.number().int().min(60).max(max);

/**
 * The `staking` section of `deploy/params/<network>.json`. Bounds mirror the contract's `setParams` checks, so a
 * bad file is refused here before any transaction is sent. Parsing is idempotent (the output is valid input).
 */
export const stakingParamsSchema = z
  .object({
    /** Account given CONSENSUS_ROLE (reports double signs and missed blocks); the deployer when unset. */
    consensus: address.optional(),
    /** Least self-stake a validator registers with and keeps (partial self-undelegation stops here). */
    minSelfStake: tokens.default("1000"),
    /** Least value per delegation or redelegation. At least 1 gwei; at most minSelfStake. */
    minDelegation: tokens.default("1"),
    /** Per-validator cap on bonded stake (delegations above it are refused) and on effective stake. */
    maxEffectiveStake: tokens.default("10000000"),
    /** Seconds an undelegation, a redelegation lock and an opt-out wait. */
    unbondingDelay: seconds(365 * DAY).default(7 * DAY),
    /** Seconds a jailed validator waits before its operator may unjail it. */
    jailPeriod: seconds(365 * DAY).default(DAY),
    /** Seconds per slashing epoch (each service's slash cap is per validator per epoch). */
    epochLength: seconds(30 * DAY).default(DAY),
    /** Most active validators (jailed ones count). */
    maxValidators: z.number().int().min(1).max(10_000).default(100),
    /** Ceiling on any validator's maximum commission (1e6 = 100 %). */
    maxCommissionPpm: ppm(0, 1_000_000).default(200_000),
    /** Share of every reward owed to the treasury. */
    communityTaxPpm: ppm(0, 500_000).default(20_000),
    /** Slash for a reported double signature (the validator is also jailed). */
    doubleSignSlashPpm: ppm(1, 1_000_000).default(50_000),
    /** Slash for a validator over the downtime threshold in a reported window (also jailed). */
    downtimeSlashPpm: ppm(1, 100_000).default(100),
    /** Missed blocks per window above which a validator is slashed and jailed. */
    downtimeThreshold: z
      .number()
      .int()
      .min(1)
      .max(2 ** 32 - 1)
      .default(500),
  })
  .strict()
  .refine((p) => parseEther(p.minDelegation) >= 10n ** 9n, {
    message: "minDelegation must be at least 1 gwei (0.000000001)",
    path: ["minDelegation"],
  })
  .refine((p) => parseEther(p.minSelfStake) >= parseEther(p.minDelegation), {
    message: "minSelfStake must be at least minDelegation",
    path: ["minSelfStake"],
  })
  .refine((p) => parseEther(p.maxEffectiveStake) >= parseEther(p.minSelfStake), {
    message: "maxEffectiveStake must be at least minSelfStake",
    path: ["maxEffectiveStake"],
  });

export type StakingDeployParams = z.infer<typeof stakingParamsSchema>;

/** The `Params` struct `Staking.initialize` and `setParams` take, in wei and seconds. */
export function toContractParams(p: StakingDeployParams) {
  return {
    minSelfStake: parseEther(p.minSelfStake),
    minDelegation: parseEther(p.minDelegation),
    maxEffectiveStake: parseEther(p.maxEffectiveStake),
    unbondingDelay: p.unbondingDelay,
    jailPeriod: p.jailPeriod,
    epochLength: p.epochLength,
    maxValidators: p.maxValidators,
    maxCommissionPpm: p.maxCommissionPpm,
    communityTaxPpm: p.communityTaxPpm,
    doubleSignSlashPpm: p.doubleSignSlashPpm,
    downtimeSlashPpm: p.downtimeSlashPpm,
    downtimeThreshold: p.downtimeThreshold,
  };
}

/** Reads and checks the `staking` section of the deploy params (defaults when the section is absent). */
export function stakingParams(ctx: DeployContext): StakingDeployParams {
  const raw: unknown = ctx.params.staking ?? {};
  const parsed = stakingParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`deploy params: staking.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Staking and shared security behind a UUPS proxy: admin, upgrader and treasury rights go to `ctx.admin` (the
 * timelock, or the deployer on a devnet), the pause switch to `ctx.pauser`, CONSENSUS_ROLE to
 * `staking.consensus` (the deployer when unset). Services register themselves later through the admin.
 */
export async function deployStaking(ctx: DeployContext): Promise<void> {
  if (!ctx.admin) throw new Error("deployStaking needs ctx.admin: run the governance module first");
  const p = stakingParams(ctx);
  await deployUups(ctx, "Staking", "Staking", [
    ctx.admin,
    ctx.pauser ?? ctx.deployerAddress,
    p.consensus ?? ctx.deployerAddress,
    toContractParams(p),
  ]);
}
