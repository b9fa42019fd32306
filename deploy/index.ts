import type { DeployContext } from "./context";
import { deployAlignment } from "./modules/alignment";
import { deployCompute } from "./modules/compute";
import { deployDa } from "./modules/da";
import { deployGovernance } from "./modules/governance";
import { deployGovernor } from "./modules/governor";
import { deployInft } from "./modules/inft";
import { deployMarket } from "./modules/market";
import { deployStaking } from "./modules/staking";
import { deployStorage } from "./modules/storage";
import { deployTokenomics } from "./modules/tokenomics";
import { deployVerifiers } from "./modules/verifiers";

export type DeployModule = (ctx: DeployContext) => Promise<void>;

/** Every module in dependency order; a domain adds its module here as it lands. */
export const MODULES: Record<string, DeployModule> = {
  governance: deployGovernance,
  verifiers: deployVerifiers,
  staking: deployStaking,
  da: deployDa,
  storage: deployStorage,
  inft: deployInft,
  compute: deployCompute,
  market: deployMarket,
  // After staking, storage and DA: the rewards distributor pays Staking, ChunkRewards and DASampler.
  tokenomics: deployTokenomics,
  // After tokenomics (AlignmentVault) and compute (ComputeServing, which it slashes through).
  alignment: deployAlignment,
  // After every other: wires stake voting and hands the timelock from the deployer to the governor.
  governor: deployGovernor,
};

/**
 * Runs `only` (or every module) in order. Governance always runs: the others need its admin address. The governor
 * always runs too: it ends the timelock's set-up state (a no-op once done, skipped until Staking exists).
 */
export async function deployAll(ctx: DeployContext, only?: string[]): Promise<void> {
  const unknown = (only ?? []).filter((name) => !(name in MODULES));
  if (unknown.length > 0) {
    throw new Error(`unknown deploy module(s) ${unknown.join(", ")}: choose from ${Object.keys(MODULES).join(", ")}`);
  }
  for (const [name, run] of Object.entries(MODULES)) {
    if (only && name !== "governance" && name !== "governor" && !only.includes(name)) continue;
    await run(ctx);
  }
}

export { createDeployContext, type DeployContext } from "./context";
export { deployPlain, deployUups, upgradeUups, prepareUpgrade } from "./steps";
