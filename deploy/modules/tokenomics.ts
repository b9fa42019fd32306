import { parseEther, toBeHex } from "ethers";
import { z } from "zod";
import type { DeployContext } from "../context";
import { deployPlain, deployUups } from "../steps";

const DAY = 24 * 3600;
const YEAR = 365 * DAY;
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address: 0x followed by 40 hex digits");
/** Native-token amounts are written in whole tokens (18 decimals) as decimal strings: "1000", "0.5". */
const tokens = z.string().regex(/^\d+(\.\d{1,18})?$/, 'a decimal amount of tokens such as "1000" or "0.5"');

/** The native coin's max supply, 1 billion coins (Allocations.MAX_SUPPLY). */
export const MAX_SUPPLY = parseEther("1000000000");

/** The seed documents' distribution, in basis points of the max supply; the order is the registry's bucket order. */
export const BUCKETS = [
  { name: "ecosystem", bps: 2800 },
  { name: "backers", bps: 2200 },
  { name: "team", bps: 2200 },
  { name: "alignment", bps: 1500 },
  { name: "community", bps: 1300 },
] as const;
export type BucketName = (typeof BUCKETS)[number]["name"];

/** A bucket's amount in wei. */
export function bucketAmount(name: BucketName): bigint {
  const bucket = BUCKETS.find((b) => b.name === name)!;
  return (MAX_SUPPLY * BigInt(bucket.bps)) / 10_000n;
}

const grantSchema = z
  .object({
    /** Who receives the vested coin (the wallet's owner). */
    beneficiary: address,
    /** The grant, in whole tokens. */
    amount: tokens,
  })
  .strict();

const vestingSchema = (cliff: number, duration: number) =>
  z
    .object({
      /** Seconds after the start before anything vests (OpenZeppelin VestingWalletCliff: at most `duration`). */
      cliff: z.number().int().nonnegative().default(cliff),
      /** Seconds from the start until everything has vested. */
      duration: z
        .number()
        .int()
        .min(1)
        .max(20 * YEAR)
        .default(duration),
      /** One vesting wallet each; what they leave of the bucket goes to one more wallet owned by governance. */
      grants: z.array(grantSchema).max(60).default([]),
    })
    .strict()
    .refine((v) => v.cliff <= v.duration, { message: "cliff must not exceed duration", path: ["cliff"] });

/**
 * The `tokenomics` section of `deploy/params/<network>.json`. Parsing is idempotent (the output is valid input).
 * Defaults are the production choices: funding from the chain's genesis, a one-year cliff, backers vesting over
 * three years and the team over four, community rewards released over five years.
 */
export const tokenomicsParamsSchema = z
  .object({
    /**
     * Where the coin comes from. "genesis": the deploy sends nothing and `token:genesis` writes the genesis `alloc`
     * for the holder contracts (a real chain). "deployer": the deployer sends each holder its allocation.
     */
    funding: z.enum(["genesis", "deployer"]).default("genesis"),
    /** Dev chains only (hardhat, localhost): give the deployer what "deployer" funding sends with hardhat_setBalance. */
    topUp: z.boolean().default(false),
    /** Unix seconds when vesting starts; the deployment's latest block time when unset. */
    vestingStart: z.number().int().nonnegative().optional(),
    backers: vestingSchema(YEAR, 3 * YEAR).prefault({}),
    team: vestingSchema(YEAR, 4 * YEAR).prefault({}),
    rewards: z
      .object({
        /** Seconds after the deployment's latest block before the community budget starts releasing. */
        startDelay: z.number().int().nonnegative().default(0),
        /** Seconds over which the whole community budget is released. */
        duration: z
          .number()
          .int()
          .min(1)
          .max(50 * YEAR)
          .default(5 * YEAR),
        /** Basis points of each release paid to validators by effective stake. */
        validatorsBps: z.number().int().min(0).max(10_000).default(8000),
        /** Basis points donated to storage's ChunkRewards base pool. */
        storageBps: z.number().int().min(0).max(10_000).default(1000),
        /** Basis points added to the DA sampler's base pool. */
        daBps: z.number().int().min(0).max(10_000).default(1000),
      })
      .strict()
      .prefault({})
      .refine((r) => r.validatorsBps + r.storageBps + r.daBps === 10_000, {
        message: "validatorsBps + storageBps + daBps must be 10000",
        path: ["validatorsBps"],
      }),
  })
  .strict()
  .refine((p) => !p.topUp || p.funding === "deployer", {
    message: 'topUp only makes sense with funding "deployer"',
    path: ["topUp"],
  })
  .refine((p) => grantsTotal(p.backers.grants) <= bucketAmount("backers"), {
    message: "the backers' grants exceed the backers bucket (220000000)",
    path: ["backers", "grants"],
  })
  .refine((p) => grantsTotal(p.team.grants) <= bucketAmount("team"), {
    message: "the team's grants exceed the team bucket (220000000)",
    path: ["team", "grants"],
  });

export type TokenomicsDeployParams = z.infer<typeof tokenomicsParamsSchema>;

function grantsTotal(grants: { amount: string }[]): bigint {
  return grants.reduce((sum, g) => sum + parseEther(g.amount), 0n);
}

/** Reads and checks the `tokenomics` section of the deploy params (defaults when the section is absent). */
export function tokenomicsParams(ctx: DeployContext): TokenomicsDeployParams {
  const raw: unknown = (ctx.params as { tokenomics?: unknown }).tokenomics ?? {};
  const parsed = tokenomicsParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`deploy params: tokenomics.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** Deployment-record names of the tokenomics contracts. */
export const TOKENOMICS = {
  allocations: "Allocations",
  distributor: "RewardsDistributor",
  ecosystem: "EcosystemVault",
  alignment: "AlignmentVault",
} as const;

/** Dev chains, where `hardhat_setBalance` exists and the deployer may be topped up. */
export const DEV_NETWORKS = ["hardhat", "localhost"];

export enum HolderKind {
  Vesting = 0,
  Budget = 1,
}

export interface Holder {
  account: string;
  kind: HolderKind;
  amount: bigint;
}

/**
 * Token economics: the genesis distribution of the native coin. Deploys one `GenesisVesting` wallet per backer and
 * team grant (plus one owned by governance for the unassigned rest of each bucket), the ecosystem and alignment
 * `BudgetVault`s, the community `RewardsDistributor`, and the `Allocations` registry naming them all; then, with
 * funding "deployer", sends each holder its allocation. Runs after storage and DA (the distributor pays their base
 * pools) and staking. Re-running it changes nothing.
 */
export async function deployTokenomics(ctx: DeployContext): Promise<void> {
  if (!ctx.admin) throw new Error("deployTokenomics needs ctx.admin: run the governance module first");
  const staking = ctx.record.contracts.Staking?.address;
  if (!staking) throw new Error("deployTokenomics needs Staking: run the staking module first");
  const chunkRewards = ctx.record.contracts.ChunkRewards?.address;
  if (!chunkRewards) throw new Error("deployTokenomics needs ChunkRewards: run the storage module first");
  const daSampler = ctx.record.contracts.DASampler?.address;
  if (!daSampler) throw new Error("deployTokenomics needs DASampler: run the da module first");
  const p = tokenomicsParams(ctx);
  if (p.topUp && !DEV_NETWORKS.includes(ctx.hre.network.name)) {
    throw new Error(
      `deploy params: tokenomics.topUp works on ${DEV_NETWORKS.join(" and ")} only, not "${ctx.hre.network.name}": ` +
        `fund the deployer or use funding "genesis"`,
    );
  }
  const pauser = ctx.pauser ?? ctx.deployerAddress;
  const now = (await ctx.hre.ethers.provider.getBlock("latest"))!.timestamp;
  const vestingStart = p.vestingStart ?? now;

  const vesting = async (bucket: "backers" | "team", prefix: string): Promise<Holder[]> => {
    const v = p[bucket];
    const holders: Holder[] = [];
    const wallet = async (name: string, beneficiary: string, amount: bigint) => {
      const account = await deployPlain(ctx, name, "GenesisVesting", [beneficiary, vestingStart, v.duration, v.cliff]);
      holders.push({ account, kind: HolderKind.Vesting, amount });
    };
    for (const [i, g] of v.grants.entries()) {
      await wallet(`${prefix}Vesting${i + 1}`, g.beneficiary, parseEther(g.amount));
    }
    const rest = bucketAmount(bucket) - grantsTotal(v.grants);
    if (rest > 0n) await wallet(`${prefix}VestingReserve`, ctx.admin!, rest);
    return holders;
  };
  const backers = await vesting("backers", "Backers");
  const team = await vesting("team", "Team");

  const vault = (name: string, bucket: BucketName, drawer: string) =>
    deployUups(ctx, name, "BudgetVault", [ctx.admin, pauser, drawer, bucket, bucketAmount(bucket)]);
  // Governance draws ecosystem grants; the alignment vault's drawer is the alignment-node rewards contract, which
  // governance appoints (grantRole(DRAWER_ROLE, …)) once it exists.
  const ecosystem = await vault(TOKENOMICS.ecosystem, "ecosystem", ctx.admin);
  const alignment = await vault(TOKENOMICS.alignment, "alignment", "0x0000000000000000000000000000000000000000");
  const r = p.rewards;
  const rewardsStart = now + r.startDelay;
  const distributor = await deployUups(ctx, TOKENOMICS.distributor, "RewardsDistributor", [
    ctx.admin,
    pauser,
    staking,
    chunkRewards,
    daSampler,
    bucketAmount("community"),
    rewardsStart,
    rewardsStart + r.duration,
    { validatorsBps: r.validatorsBps, storageBps: r.storageBps, daBps: r.daBps },
  ]);

  const budget = (account: string, bucket: BucketName): Holder[] => [
    { account, kind: HolderKind.Budget, amount: bucketAmount(bucket) },
  ];
  const buckets: { name: BucketName; holders: Holder[] }[] = [
    { name: "ecosystem", holders: budget(ecosystem, "ecosystem") },
    { name: "backers", holders: backers },
    { name: "team", holders: team },
    { name: "alignment", holders: budget(alignment, "alignment") },
    { name: "community", holders: budget(distributor, "community") },
  ];
  await deployUups(ctx, TOKENOMICS.allocations, "Allocations", [ctx.admin, buckets]);

  if (p.funding === "deployer")
    await fundHolders(
      ctx,
      buckets.flatMap((b) => b.holders),
      p.topUp,
    );
}

/**
 * Sends each holder what it lacks of its allocation, skipping holders that already paid anything out (a re-run
 * must not refill them). With `topUp`, first raises the deployer's balance by the total with hardhat_setBalance, so
 * the deployer ends with what it had, less gas.
 */
async function fundHolders(ctx: DeployContext, holders: Holder[], topUp: boolean): Promise<void> {
  const provider = ctx.hre.ethers.provider;
  const sends: { account: string; value: bigint }[] = [];
  for (const h of holders) {
    const balance = await provider.getBalance(h.account);
    if (balance >= h.amount || (await paidOut(ctx, h)) > 0n) continue;
    sends.push({ account: h.account, value: h.amount - balance });
  }
  if (sends.length === 0) return;
  const total = sends.reduce((sum, s) => sum + s.value, 0n);
  if (topUp) {
    const balance = await provider.getBalance(ctx.deployerAddress);
    await provider.send("hardhat_setBalance", [ctx.deployerAddress, toBeHex(balance + total)]);
  }
  for (const s of sends) {
    await (await ctx.deployer.sendTransaction({ to: s.account, value: s.value })).wait();
  }
  ctx.log(`funded ${sends.length} tokenomics holder(s) with ${total} wei from the deployer`);
}

async function paidOut(ctx: DeployContext, h: Holder): Promise<bigint> {
  if (h.kind === HolderKind.Vesting) {
    const wallet = await ctx.hre.ethers.getContractAt("GenesisVesting", h.account);
    return wallet["released()"]();
  }
  const holder = await ctx.hre.ethers.getContractAt("IBudgetHolder", h.account);
  return holder.paidOut();
}
