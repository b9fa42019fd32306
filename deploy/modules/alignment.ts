import { encodeBytes32String, id, parseEther, ZeroHash } from "ethers";
import { z } from "zod";
import type { DeployContext } from "../context";
import { deployUups, grantOrLog, handOverAdmin } from "../steps";
import { bucketAmount, TOKENOMICS } from "./tokenomics";

const MINUTE = 60;
const DAY = 24 * 3600;
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address: 0x followed by 40 hex digits");
/** Native-token amounts are written in whole tokens (18 decimals) as decimal strings: "1000", "0.5". */
const tokens = z.string().regex(/^\d+(\.\d{1,18})?$/, 'a decimal amount of tokens such as "1000" or "0.5"');

/** Deployment-record names of the alignment contracts. */
export const ALIGNMENT = { license: "AlignmentLicense", rewards: "AlignmentRewards" } as const;

/** The kinds of fault the off-chain node checks for compute providers (bytes32 on chain: `kindId`). */
export const COMPUTE_KINDS = ["COMPUTE_BAD_SIGNATURE", "COMPUTE_WRONG_MODEL", "COMPUTE_OVERBILLING"] as const;

/**
 * Where a rule's enforcement goes, in the order of `IAlignmentRewardsTypes.Target` (the index is the on-chain value):
 * `compute` slashes through ComputeServing.slashProvider, `da` through DASignerRegistry.slashSigner, `none` only
 * records the case (services without stake, such as storage nodes).
 */
export const RULE_TARGETS = ["compute", "da", "none"] as const;
export type RuleTarget = (typeof RULE_TARGETS)[number];

/** A target's on-chain enum value. */
export function targetId(target: RuleTarget): number {
  return RULE_TARGETS.indexOf(target);
}

/** A target's name from its on-chain value (`target #n` for one this code does not know). */
export function targetName(value: bigint | number): string {
  return RULE_TARGETS[Number(value)] ?? `target #${value}`;
}

/** A kind's on-chain id: its name as a bytes32 string, so Staking's `Slashed` reason reads as the kind. */
export function kindId(kind: string): string {
  return encodeBytes32String(kind);
}

export const SLASHER_ROLE = id("SLASHER_ROLE");
export const DRAWER_ROLE = id("DRAWER_ROLE");

const ruleSchema = z
  .object({
    /** The fault's name, upper case (at most 31 characters: it is stored as a bytes32 string). */
    kind: z.string().regex(/^[A-Z][A-Z0-9_]{0,30}$/, "an upper-case name such as COMPUTE_BAD_SIGNATURE"),
    /** Distinct licenses that must report the same provider for this kind in one epoch. */
    threshold: z.number().int().min(1).max(100_000),
    /** The slash, in parts per million of the service's stake (Staking's per-epoch cap still applies); 0 for none. */
    slashPpm: z.number().int().min(0).max(1_000_000),
    /** Whether the service's validator is jailed too (false for none). */
    jail: z.boolean(),
    /** Which hook enforces it: compute (ComputeServing), da (DASignerRegistry) or none (record only). */
    target: z.enum(RULE_TARGETS).default("compute"),
  })
  .strict()
  .refine((r) => (r.target === "none" ? r.slashPpm === 0 && !r.jail : r.slashPpm >= 1), {
    message: "a compute or da rule needs slashPpm 1..1000000; a none rule needs slashPpm 0 and jail false",
  });

/**
 * The `alignment` section of `deploy/params/<network>.json`. Bounds mirror the contracts' checks, so a bad file is
 * refused before any transaction. Defaults: 1000 licenses, daily epochs, 80 000 coins per epoch (the 150 M alignment
 * bucket lasts about five years), no licensees minted, one rule per compute kind.
 */
export const alignmentParamsSchema = z
  .object({
    /** How many licenses may ever exist. */
    maxLicenses: z.number().int().min(1).max(100_000).default(1000),
    /** Seconds per epoch (AlignmentRewards: 1 minute to 30 days). */
    epochLength: z
      .number()
      .int()
      .min(MINUTE)
      .max(30 * DAY)
      .default(DAY),
    /** Coins shared by the licenses that attested in an epoch (at most the alignment bucket). */
    epochReward: tokens.default("80000"),
    /** Unix seconds when epoch 0 begins; the deployment's latest block time when unset. */
    start: z.number().int().nonnegative().optional(),
    /** Who gets a license at deploy (ids 1, 2, … in this order); only while the deployer administers the licenses. */
    licensees: z.array(address).default([]),
    /** Governance's slashing rules, one per kind. */
    rules: z.array(ruleSchema).default([
      { kind: "COMPUTE_BAD_SIGNATURE", threshold: 5, slashPpm: 10_000, jail: true, target: "compute" },
      { kind: "COMPUTE_WRONG_MODEL", threshold: 5, slashPpm: 10_000, jail: true, target: "compute" },
      { kind: "COMPUTE_OVERBILLING", threshold: 5, slashPpm: 5_000, jail: false, target: "compute" },
    ]),
  })
  .strict()
  .refine((p) => p.licensees.length <= p.maxLicenses, {
    message: "more licensees than maxLicenses",
    path: ["licensees"],
  })
  .refine((p) => p.rules.every((r) => r.threshold <= p.maxLicenses), {
    message: "a rule's threshold exceeds maxLicenses",
    path: ["rules"],
  })
  .refine((p) => new Set(p.rules.map((r) => r.kind)).size === p.rules.length, {
    message: "a kind has two rules",
    path: ["rules"],
  })
  .refine((p) => parseEther(p.epochReward) <= bucketAmount("alignment"), {
    message: "epochReward exceeds the alignment bucket (150000000)",
    path: ["epochReward"],
  });

export type AlignmentDeployParams = z.infer<typeof alignmentParamsSchema>;

/** Reads and checks the `alignment` section of the deploy params (defaults when the section is absent). */
export function alignmentParams(ctx: DeployContext): AlignmentDeployParams {
  const raw: unknown = (ctx.params as { alignment?: unknown }).alignment ?? {};
  const parsed = alignmentParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`deploy params: alignment.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * AI alignment nodes: `AlignmentLicense` (UUPS ERC-721, a fixed number of licenses) and `AlignmentRewards` (UUPS:
 * attestations, rewards drawn from `AlignmentVault`, reports enforced through `ComputeServing.slashProvider` or
 * `DASignerRegistry.slashSigner`, or recorded only, per rule target). Runs after tokenomics (the vault), DA and
 * compute. The deployer administers both while it mints the initial licensees, sets the DA registry and the rules,
 * then hands admin and upgrade rights to `ctx.admin`. `DRAWER_ROLE` on the vault and `SLASHER_ROLE` on
 * ComputeServing and on DASignerRegistry are granted when the deployer may (a devnet); otherwise it logs the calls
 * governance must make. Re-running it changes nothing.
 */
export async function deployAlignment(ctx: DeployContext): Promise<void> {
  if (!ctx.admin) throw new Error("deployAlignment needs ctx.admin: run the governance module first");
  const vault = ctx.record.contracts[TOKENOMICS.alignment]?.address;
  if (!vault) throw new Error(`deployAlignment needs ${TOKENOMICS.alignment}: run the tokenomics module first`);
  const serving = ctx.record.contracts.ComputeServing?.address;
  if (!serving) throw new Error("deployAlignment needs ComputeServing: run the compute module first");
  const daRegistry = ctx.record.contracts.DASignerRegistry?.address;
  if (!daRegistry) throw new Error("deployAlignment needs DASignerRegistry: run the da module first");
  const p = alignmentParams(ctx);
  const me = ctx.deployerAddress;
  const pauser = ctx.pauser ?? me;
  const start = p.start ?? (await ctx.hre.ethers.provider.getBlock("latest"))!.timestamp;

  const licenseAddress = await deployUups(ctx, ALIGNMENT.license, "AlignmentLicense", [
    me,
    pauser,
    "zg Alignment Node License",
    "ZGAN",
    p.maxLicenses,
  ]);
  const rewardsAddress = await deployUups(ctx, ALIGNMENT.rewards, "AlignmentRewards", [
    me,
    pauser,
    licenseAddress,
    vault,
    serving,
    start,
    p.epochLength,
    parseEther(p.epochReward),
  ]);

  const license = await ctx.hre.ethers.getContractAt("AlignmentLicense", licenseAddress, ctx.deployer);
  const rewards = await ctx.hre.ethers.getContractAt("AlignmentRewards", rewardsAddress, ctx.deployer);
  if (p.licensees.length > 0 && (await license.totalMinted()) === 0n) {
    if (await license.hasRole(ZeroHash, me)) {
      for (const to of p.licensees) await (await license.mint(to)).wait();
      ctx.log(`minted ${p.licensees.length} alignment license(s)`);
    } else {
      ctx.log(`governance must mint the alignment licenses: ${licenseAddress}.mint(<licensee>) for each licensee`);
    }
  }
  // Before the rules: a DA-target rule is refused while the registry is unset.
  const admin = await rewards.hasRole(ZeroHash, me);
  if ((await rewards.daRegistry()).toLowerCase() !== daRegistry.toLowerCase()) {
    if (admin) await (await rewards.setDaRegistry(daRegistry)).wait();
    else ctx.log(`governance must set the DA registry: ${rewardsAddress}.setDaRegistry(${daRegistry})`);
  }
  for (const r of p.rules) {
    const current = await rewards.rule(kindId(r.kind));
    const target = targetId(r.target);
    if (
      current.threshold === BigInt(r.threshold) &&
      current.slashPpm === BigInt(r.slashPpm) &&
      current.jail === r.jail &&
      current.target === BigInt(target)
    )
      continue;
    if (admin) {
      await (await rewards.setRule(kindId(r.kind), r.threshold, r.slashPpm, r.jail, target)).wait();
    } else {
      ctx.log(
        `governance must set the ${r.kind} rule: ${rewardsAddress}.setRule(${kindId(r.kind)}, ${r.threshold}, ${r.slashPpm}, ${r.jail}, ${target}) (target ${r.target})`,
      );
    }
  }
  await handOverAdmin(ctx, [licenseAddress, rewardsAddress]);
  await grantOrLog(ctx, vault, "DRAWER_ROLE", DRAWER_ROLE, rewardsAddress);
  await grantOrLog(ctx, serving, "SLASHER_ROLE", SLASHER_ROLE, rewardsAddress);
  await grantOrLog(ctx, daRegistry, "SLASHER_ROLE", SLASHER_ROLE, rewardsAddress);
}
