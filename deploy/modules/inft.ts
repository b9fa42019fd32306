import { z } from "zod";
import type { DeployContext } from "../context";
import { deployPlain, deployUups } from "../steps";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address: 0x followed by 40 hex digits");

/**
 * The `inft` section of `deploy/params/<network>.json`. Parsing is idempotent (the output is valid input).
 */
export const inftParamsSchema = z
  .object({
    /** The agent collection's ERC-721 name. */
    name: z.string().min(1).max(64).default("zg Agents"),
    /** The agent collection's ERC-721 symbol. */
    symbol: z.string().min(1).max(16).default("AGENT"),
    /**
     * Oracle signing keys the TEE verifier acknowledges from the start. Governance adds more later with
     * `acknowledgeOracle` after checking each key's TEE attestation; empty means TEE transfers wait for that.
     */
    oracles: z.array(address).default([]),
    /** Whether ZK-mode transfers are on (the generated InftVerifier and its adapter are deployed either way). */
    zk: z.boolean().default(true),
  })
  .strict();

export type InftDeployParams = z.infer<typeof inftParamsSchema>;

/** Reads and checks the `inft` section of the deploy params (defaults when the section is absent). */
export function inftParams(ctx: DeployContext): InftDeployParams {
  const raw: unknown = ctx.params.inft ?? {};
  const parsed = inftParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`deploy params: inft.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * The ERC-7857 agent NFT and its two transfer verifiers: the generated Groth16 `InftVerifier` with its
 * `ZkTransferVerifier` adapter (plain, immutable), the `TeeTransferVerifier` (UUPS; governance acknowledges oracle
 * keys) and `AgentNFT` (UUPS). Admin and upgrade rights go to `ctx.admin`, the pause switch to `ctx.pauser`.
 */
export async function deployInft(ctx: DeployContext): Promise<void> {
  if (!ctx.admin) throw new Error("deployInft needs ctx.admin: run the governance module first");
  const p = inftParams(ctx);
  const pauser = ctx.pauser ?? ctx.deployerAddress;
  const groth16 = await deployPlain(ctx, "InftVerifier", "InftVerifier");
  const zk = await deployPlain(ctx, "ZkTransferVerifier", "ZkTransferVerifier", [groth16]);
  const tee = await deployUups(ctx, "TeeTransferVerifier", "TeeTransferVerifier", [ctx.admin, pauser, p.oracles]);
  await deployUups(ctx, "AgentNFT", "AgentNFT", [
    ctx.admin,
    pauser,
    p.name,
    p.symbol,
    tee,
    p.zk ? zk : "0x0000000000000000000000000000000000000000",
  ]);
}
