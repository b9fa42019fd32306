import { ZeroAddress } from "ethers";
import type { DeployContext } from "../context";
import { deployPlain } from "../steps";

/**
 * The timelock that ends up holding admin and upgrade rights. On a devnet (`adminIsDeployer`) the deployer
 * keeps those rights so that tasks can change parameters without waiting; the timelock still exists.
 */
export async function deployGovernance(ctx: DeployContext): Promise<void> {
  const { timelockDelay, proposers, executors, adminIsDeployer, pauser } = ctx.params.governance;
  const timelock = await deployPlain(ctx, "ZgTimelock", "ZgTimelock", [
    timelockDelay,
    proposers.length > 0 ? proposers : [ctx.deployerAddress],
    executors.length > 0 ? executors : [ZeroAddress],
  ]);
  ctx.admin = adminIsDeployer ? ctx.deployerAddress : timelock;
  ctx.pauser = pauser ?? ctx.deployerAddress;
}
