import { z } from "zod";
import type { DeployContext } from "../context";
import { deployUups } from "../steps";

const MINUTE = 60;
const DAY = 24 * 3600;
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address: 0x followed by 40 hex digits");

/**
 * The `market` section of `deploy/params/<network>.json`. Bounds mirror AgentMarket's checks (fee ≤ 1000 bps,
 * 1 minute ≤ minFulfillWindow ≤ maxFulfillWindow ≤ 30 days), so a bad file is refused before any transaction.
 * Parsing is idempotent (the output is valid input).
 */
export const marketParamsSchema = z
  .object({
    /** The marketplace's cut of each sale, in basis points (at most 1000 = 10%). */
    feeBps: z.number().int().min(0).max(1000).default(250),
    /** Who receives fees; the governance admin (timelock, or the deployer on a devnet) when unset. */
    treasury: address.optional(),
    /** Shortest time (seconds) a buyer must give the seller to deliver the transfer proofs. */
    minFulfillWindow: z
      .number()
      .int()
      .min(MINUTE)
      .max(30 * DAY)
      .default(10 * MINUTE),
    /** Longest time (seconds) a buyer's payment may wait in escrow for delivery. */
    maxFulfillWindow: z
      .number()
      .int()
      .min(MINUTE)
      .max(30 * DAY)
      .default(7 * DAY),
  })
  .strict()
  .refine((p) => p.minFulfillWindow <= p.maxFulfillWindow, {
    message: "minFulfillWindow must not exceed maxFulfillWindow",
    path: ["minFulfillWindow"],
  });

export type MarketDeployParams = z.infer<typeof marketParamsSchema>;

/** Reads and checks the `market` section of the deploy params (defaults when the section is absent). */
export function marketParams(ctx: DeployContext): MarketDeployParams {
  const raw: unknown = (ctx.params as { market?: unknown }).market ?? {};
  const parsed = marketParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`deploy params: market.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * `AgentMarket` (UUPS): fixed-price sales of the AgentNFT's agents with escrow, fulfilled by transfer proofs.
 * Admin and upgrade rights go to `ctx.admin`, the pause switch to `ctx.pauser`. Re-running it changes nothing.
 */
export async function deployMarket(ctx: DeployContext): Promise<void> {
  if (!ctx.admin) throw new Error("deployMarket needs ctx.admin: run the governance module first");
  const nft = ctx.record.contracts.AgentNFT?.address;
  if (!nft) throw new Error("deployMarket needs AgentNFT: run the inft module first");
  const p = marketParams(ctx);
  const pauser = ctx.pauser ?? ctx.deployerAddress;
  await deployUups(ctx, "AgentMarket", "AgentMarket", [
    ctx.admin,
    pauser,
    nft,
    p.treasury ?? ctx.admin,
    p.feeBps,
    p.minFulfillWindow,
    p.maxFulfillWindow,
  ]);
}
