import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { createDeployContext, type DeployContext } from "../deploy/context";

/** Flags every task that touches a deployment accepts. */
export interface DeploymentArgs {
  deployments?: string;
  params?: string;
}

/**
 * Where this network's record lives: `--deployments`, else $ZG_DEPLOYMENTS_DIR, else `deployments/`. The
 * in-process `hardhat` network vanishes with the process, so its record stays in memory.
 */
export function deploymentsDir(hre: HardhatRuntimeEnvironment, args: DeploymentArgs): string | null {
  if (hre.network.name === "hardhat" && !args.deployments) return null;
  return path.resolve(args.deployments ?? process.env.ZG_DEPLOYMENTS_DIR ?? "deployments");
}

export async function taskContext(
  hre: HardhatRuntimeEnvironment,
  args: DeploymentArgs & { fresh?: boolean },
): Promise<DeployContext> {
  return createDeployContext(hre, {
    deploymentsDir: deploymentsDir(hre, args),
    paramsFile: args.params,
    fresh: args.fresh,
    log: (message) => console.log(message),
  });
}

/** Prints `rows` as aligned columns. */
export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    );
}

/**
 * The signer a task acts as: `--account` is an index into the network's accounts (a local node has 20) or one of
 * their addresses; the first account when omitted.
 */
export async function accountSigner(hre: HardhatRuntimeEnvironment, account?: string) {
  const signers = await hre.ethers.getSigners();
  if (signers.length === 0) throw new Error(`network "${hre.network.name}" has no accounts: set ZG_KEY_FILE`);
  if (account === undefined) return signers[0];
  const byIndex = /^\d+$/.test(account) ? signers[Number(account)] : undefined;
  const found = byIndex ?? signers.find((s) => s.address.toLowerCase() === account.toLowerCase());
  if (!found)
    throw new Error(`--account ${account} is neither an index below ${signers.length} nor one of the accounts`);
  return found;
}

/** The address a recorded contract has on this network, with a hint when it was never deployed. */
export function recordedAddress(ctx: DeployContext, name: string): string {
  const entry = ctx.record.contracts[name];
  if (!entry) {
    throw new Error(
      `${name} is not deployed on chain ${ctx.chainId}: run \`npx hardhat --network ${ctx.hre.network.name} deploy\``,
    );
  }
  return entry.address;
}
