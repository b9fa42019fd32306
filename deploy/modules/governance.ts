import { ZeroAddress } from "ethers";
import type { DeployContext } from "../context";
import { deployPlain } from "../steps";

/**
 * The timelock that ends up holding admin and upgrade rights. It starts with a zero delay and the deployer as a
 * temporary admin, proposer (and executor when executors are restricted), so that the `governor` module, which
 * runs last, can wire governance through it without waiting; that module then sets `timelockDelay` and takes the
 * deployer's rights away. On a devnet (`adminIsDeployer`) the deployer also keeps admin and upgrade rights on
 * every contract so that tasks can change parameters without waiting; the timelock and the governor still work.
 */
export async function deployGovernance(ctx: DeployContext): Promise<void> {
  const { executors, adminIsDeployer, pauser } = ctx.params.governance;
  const timelock = await deployPlain(ctx, "ZgTimelock", "ZgTimelock", [
    0,
    [ctx.deployerAddress],
    executors.length > 0 ? [...executors, ctx.deployerAddress] : [ZeroAddress],
    ctx.deployerAddress,
  ]);
  ctx.admin = adminIsDeployer ? ctx.deployerAddress : timelock;
  ctx.pauser = pauser ?? ctx.deployerAddress;
}
