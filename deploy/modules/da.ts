import { parseEther, ZeroHash } from "ethers";
import { z } from "zod";
import type { DeployContext } from "../context";
import { deployUups } from "../steps";

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
  })
  .strict();

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

/**
 * DASignerRegistry and DAEntrance behind UUPS proxies, admin and upgrade rights to `ctx.admin`, pause to
 * `ctx.pauser`. The registry is the DA service validators opt into in Staking: when the deployer holds Staking's
 * admin role (a devnet) it registers the service itself, otherwise it logs the call governance must make.
 */
export async function deployDa(ctx: DeployContext): Promise<void> {
  if (!ctx.admin) throw new Error("deployDa needs ctx.admin: run the governance module first");
  const staking = ctx.record.contracts.Staking?.address;
  if (!staking) throw new Error("deployDa needs Staking: run the staking module first");
  const p = daParams(ctx);
  const pauser = ctx.pauser ?? ctx.deployerAddress;
  const registry = await deployUups(ctx, "DASignerRegistry", "DASignerRegistry", [
    ctx.admin,
    pauser,
    staking,
    p.epochLength,
    p.maxQuorumSize,
  ]);
  await deployUups(ctx, "DAEntrance", "DAEntrance", [ctx.admin, pauser, registry, parseEther(p.blobPrice)]);

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
