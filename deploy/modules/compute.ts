import { id, parseEther, ZeroHash } from "ethers";
import { z } from "zod";
import type { DeployContext } from "../context";
import { deployPlain, deployUups, grantOrLog, handOverAdmin } from "../steps";

const HOUR = 3600;
const DAY = 24 * HOUR;
/** Native-token amounts are written in whole tokens (18 decimals) as decimal strings: "0.001". */
const tokens = z.string().regex(/^\d+(\.\d{1,18})?$/, 'a decimal amount of tokens such as "1000" or "0.5"');

/**
 * The `compute` section of `deploy/params/<network>.json`. Bounds mirror the contracts' checks, so a bad file is
 * refused before any transaction is sent. Parsing is idempotent (the output is valid input).
 */
export const computeParamsSchema = z
  .object({
    /** Seconds a refund waits before it can leave a provider's sub-account: the provider's window to settle. */
    refundLockTime: z
      .number()
      .int()
      .min(HOUR)
      .max(7 * DAY)
      .default(DAY),
    /** Most pending refunds per sub-account. */
    maxRefunds: z.number().int().min(1).max(64).default(8),
    /** Service stake (tokens) a provider must hold in Staking for the compute service to register a service. */
    minProviderStake: tokens.default("100"),
    /** Cap on what the compute service may slash a validator per epoch (ppm) when it registers in Staking. */
    serviceSlashCapPpm: z.number().int().min(1).max(1_000_000).default(100_000),
    /** Seconds a fine-tuning user has to acknowledge a deliverable before the provider may settle with a penalty. */
    ackWindow: z
      .number()
      .int()
      .min(60)
      .max(30 * DAY)
      .default(DAY),
    /** The share of a fine-tuning fee (ppm) the provider forfeits when the user never acknowledged. */
    penaltyPpm: z.number().int().min(0).max(1_000_000).default(300_000),
    /** Seconds a provider has to deliver a fine-tuning task before the user may cancel it. */
    deliveryTimeout: z
      .number()
      .int()
      .min(60)
      .max(90 * DAY)
      .default(7 * DAY),
  })
  .strict()
  .refine((p) => parseEther(p.minProviderStake) > 0n, {
    message: "minProviderStake must be above 0 (ComputeServing refuses 0)",
    path: ["minProviderStake"],
  });

export type ComputeDeployParams = z.infer<typeof computeParamsSchema>;

/** Reads and checks the `compute` section of the deploy params (defaults when the section is absent). */
export function computeParams(ctx: DeployContext): ComputeDeployParams {
  const raw: unknown = (ctx.params as { compute?: unknown }).compute ?? {};
  const parsed = computeParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`deploy params: compute.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

export const SETTLER_ROLE = id("SETTLER_ROLE");

/**
 * The compute escrow: `ComputeLedger` (funds), `ComputeServing` (inference services and their settlement, ZK or
 * attested signer), `FineTuning` (tasks and deliverables), all behind UUPS proxies, and the generated
 * `SettlementBatchVerifier` (plain). Both settlement contracts hold the ledger's SETTLER_ROLE. `ComputeServing` is
 * the "compute" service validators opt into in Staking; when the deployer holds Staking's admin role (a devnet) it
 * registers the service itself, otherwise it logs the call governance must make. Re-running it changes nothing.
 */
export async function deployCompute(ctx: DeployContext): Promise<void> {
  if (!ctx.admin) throw new Error("deployCompute needs ctx.admin: run the governance module first");
  const staking = ctx.record.contracts.Staking?.address;
  if (!staking) throw new Error("deployCompute needs Staking: run the staking module first");
  const p = computeParams(ctx);
  const me = ctx.deployerAddress;
  const pauser = ctx.pauser ?? me;
  const verifier = await deployPlain(ctx, "SettlementBatchVerifier", "SettlementBatchVerifier");
  const ledger = await deployUups(ctx, "ComputeLedger", "ComputeLedger", [me, pauser, p.refundLockTime, p.maxRefunds]);
  const serving = await deployUups(ctx, "ComputeServing", "ComputeServing", [
    me,
    pauser,
    ledger,
    staking,
    verifier,
    parseEther(p.minProviderStake),
  ]);
  const fineTuning = await deployUups(ctx, "FineTuning", "FineTuning", [
    me,
    pauser,
    ledger,
    serving,
    { ackWindow: p.ackWindow, penaltyPpm: p.penaltyPpm, deliveryTimeout: p.deliveryTimeout },
  ]);
  await grantOrLog(ctx, ledger, "SETTLER_ROLE", SETTLER_ROLE, serving);
  await grantOrLog(ctx, ledger, "SETTLER_ROLE", SETTLER_ROLE, fineTuning);
  await handOverAdmin(ctx, [ledger, serving, fineTuning]);

  const stakingContract = await ctx.hre.ethers.getContractAt("Staking", staking, ctx.deployer);
  const service = await stakingContract.getService(serving);
  if (service.registered) return;
  if (await stakingContract.hasRole(ZeroHash, me)) {
    await (await stakingContract.registerService(serving, "compute", p.serviceSlashCapPpm)).wait();
    ctx.log(`registered ComputeServing ${serving} as the "compute" service in Staking`);
  } else {
    ctx.log(
      `governance must register the compute service: Staking(${staking}).registerService(${serving}, "compute", ${p.serviceSlashCapPpm})`,
    );
  }
}
