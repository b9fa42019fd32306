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
