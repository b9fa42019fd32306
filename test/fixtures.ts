import hre from "hardhat";
import { createDeployContext, deployAll, type DeployContext } from "../deploy";

/**
 * The whole protocol deployed on the in-process network through the same code deployers run. Use it with
 * `loadFixture` so each test starts from a snapshot instead of redeploying.
 */
export async function deployedProtocol(): Promise<DeployContext> {
  const ctx = await createDeployContext(hre, { deploymentsDir: null });
  await deployAll(ctx);
  return ctx;
}

/**
 * A copy of a fixture's context with its own record: `loadFixture` hands every test the same object while it
 * reverts the chain, so a test that deploys or upgrades must not write into the shared record.
 */
export function isolated(ctx: DeployContext): DeployContext {
  return { ...ctx, record: structuredClone(ctx.record) };
}
