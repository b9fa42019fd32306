import { id, parseEther, ZeroHash } from "ethers";
import { z } from "zod";
import type { DeployContext } from "../context";
import { deployUups, grantOrLog, handOverAdmin } from "../steps";

const DAY = 24 * 3600;
/** Native-token amounts are written in whole tokens (18 decimals) as decimal strings: "0.001". */
const tokens = z.string().regex(/^\d+(\.\d{1,18})?$/, 'a decimal amount of tokens such as "1000" or "0.5"');

/**
 * The `da` section of `deploy/params/<network>.json`. Bounds mirror the contracts' checks, so a bad file is refused
 * before any transaction is sent. Parsing is idempotent (the output is valid input).
 */
export const daParamsSchema = z
  .object({
    /** Seconds per DA epoch: registrations take effect, and weights are snapshotted, per epoch. Fixed for life. */
    epochLength: z
      .number()
      .int()
      .min(60)
      .max(30 * DAY)
      .default(DAY),
    /** Most signers per quorum; signers fill quorums in registration order. */
    maxQuorumSize: z.number().int().min(1).max(256).default(128),
    /** Price of one data root (blob) in `submitOriginalData`, in tokens. */
    blobPrice: tokens.default("0.001"),
    /**
     * Cap on what the DA service may slash a validator per epoch (ppm), used when the deployer may register the
     * registry as a Staking service; otherwise governance registers it.
     */
    serviceSlashCapPpm: z.number().int().min(1).max(1_000_000).default(100_000),
    /** The admin's share of each epoch's blob fees (ppm, at most 50 %); the rest is the epoch's sampling pool. */
    serviceFeePpm: z.number().int().min(0).max(500_000).default(50_000),
    /** Blocks per sampling round; the round's seed is the hash of its first block. Fixed for life. */
    samplePeriod: z.number().int().min(2).max(256).default(30),
    /** How many finished epochs' blobs are sampled (epochs current − sampleEpochs .. current − 1). */
    sampleEpochs: z.number().int().min(1).max(1000).default(3),
    /** Accepted answers per round the quality target adjusts toward (×2 / ÷2 at most per round). */
    targetAnswersPerRound: z.number().int().min(1).max(1_000_000).default(20),
    /** Most answers accepted in one round (at least targetAnswersPerRound). */
    maxAnswersPerRound: z.number().int().min(1).max(1_000_000).default(40),
    /** Rounds per DA epoch (epochLength / (samplePeriod × block time)); an answer earns pool / (target × rounds). */
    roundsPerEpoch: z.number().int().min(1).max(100_000_000).default(1440),
    /** First round's target: (2^256 − 1) / initialDifficulty. */
    initialDifficulty: z.number().int().min(1).default(1000),
    /** Base reward per accepted answer, from the base pool while it lasts, in tokens. */
    baseReward: tokens.default("0"),
    /** Bond a challenger posts, in tokens; the signer takes it when it answers. */
    challengeBond: tokens.default("1"),
    /** Blocks a challenged signer has to show the subline. */
    challengeWindow: z.number().int().min(1).max(1_000_000).default(600),
    /** Stake slashed (ppm) from a signer that does not answer; at most serviceSlashCapPpm. */
    challengeSlashPpm: z.number().int().min(1).max(1_000_000).default(10_000),
    /** A blob may be challenged until this many epochs after its own. */
    challengeEpochs: z.number().int().min(1).max(1000).default(3),
    /** Whether an unanswered challenge also jails the validator. */
    challengeJail: z.boolean().default(false),
  })
  .strict()
  .refine((p) => p.maxAnswersPerRound >= p.targetAnswersPerRound, {
    message: "maxAnswersPerRound must be at least targetAnswersPerRound",
    path: ["maxAnswersPerRound"],
  })
  .refine((p) => p.challengeSlashPpm <= p.serviceSlashCapPpm, {
    message: "challengeSlashPpm must be at most serviceSlashCapPpm (Staking refuses slashes above the service cap)",
    path: ["challengeSlashPpm"],
  })
  .refine((p) => parseEther(p.challengeBond) > 0n, {
    message: "challengeBond must be above 0",
    path: ["challengeBond"],
  });

export type DaDeployParams = z.infer<typeof daParamsSchema>;

/** Reads and checks the `da` section of the deploy params (defaults when the section is absent). */
export function daParams(ctx: DeployContext): DaDeployParams {
  const raw: unknown = (ctx.params as { da?: unknown }).da ?? {};
  const parsed = daParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`deploy params: da.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

export const SAMPLER_ROLE = id("SAMPLER_ROLE");
export const SLASHER_ROLE = id("SLASHER_ROLE");

/** The sampler's first target for a difficulty: (2^256 − 1) / difficulty. */
export function samplerTargetOf(difficulty: number): bigint {
  return (2n ** 256n - 1n) / BigInt(difficulty);
}

/**
 * DASignerRegistry, DAEntrance, DASampler and DAChallenge behind UUPS proxies. The deployer initializes them as
 * admin, wires the roles (SAMPLER_ROLE on the entrance for the sampler, which pulls each epoch's fees; SLASHER_ROLE on
 * the registry for the challenge contract, which slashes through it), then hands admin and upgrade rights to
 * `ctx.admin` and renounces its own when they differ; pause goes to `ctx.pauser`. The registry is the DA service
 * validators opt into in Staking: when the deployer holds Staking's admin role (a devnet) it registers the service
 * itself, otherwise it logs the call governance must make. Re-running it changes nothing.
 */
export async function deployDa(ctx: DeployContext): Promise<void> {
  if (!ctx.admin) throw new Error("deployDa needs ctx.admin: run the governance module first");
  const staking = ctx.record.contracts.Staking?.address;
  if (!staking) throw new Error("deployDa needs Staking: run the staking module first");
  const p = daParams(ctx);
  const me = ctx.deployerAddress;
  const pauser = ctx.pauser ?? me;
  const registry = await deployUups(ctx, "DASignerRegistry", "DASignerRegistry", [
    me,
    pauser,
    staking,
    p.epochLength,
    p.maxQuorumSize,
  ]);
  const entrance = await deployUups(ctx, "DAEntrance", "DAEntrance", [
    me,
    pauser,
    registry,
    parseEther(p.blobPrice),
    p.serviceFeePpm,
  ]);
  const sampler = await deployUups(ctx, "DASampler", "DASampler", [
    me,
    pauser,
    entrance,
    p.samplePeriod,
    samplerTargetOf(p.initialDifficulty),
    {
      sampleEpochs: p.sampleEpochs,
      targetAnswersPerRound: p.targetAnswersPerRound,
      maxAnswersPerRound: p.maxAnswersPerRound,
      roundsPerEpoch: p.roundsPerEpoch,
      baseReward: parseEther(p.baseReward),
    },
  ]);
  const challenge = await deployUups(ctx, "DAChallenge", "DAChallenge", [
    me,
    pauser,
    entrance,
    {
      bond: parseEther(p.challengeBond),
      responseWindow: p.challengeWindow,
      slashPpm: p.challengeSlashPpm,
      challengeEpochs: p.challengeEpochs,
      jail: p.challengeJail,
    },
  ]);
  await grantOrLog(ctx, entrance, "SAMPLER_ROLE", SAMPLER_ROLE, sampler);
  await grantOrLog(ctx, registry, "SLASHER_ROLE", SLASHER_ROLE, challenge);
  await handOverAdmin(ctx, [registry, entrance, sampler, challenge]);

  const stakingContract = await ctx.hre.ethers.getContractAt("Staking", staking, ctx.deployer);
  const service = await stakingContract.getService(registry);
  if (service.registered) return;
  if (await stakingContract.hasRole(ZeroHash, ctx.deployerAddress)) {
    await (await stakingContract.registerService(registry, "da", p.serviceSlashCapPpm)).wait();
    ctx.log(`registered DASignerRegistry ${registry} as the "da" service in Staking`);
  } else {
    ctx.log(
      `governance must register the DA service: Staking(${staking}).registerService(${registry}, "da", ${p.serviceSlashCapPpm})`,
    );
  }
}
