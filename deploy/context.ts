import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import {
  newDeployment,
  tryReadDeployment,
  writeDeployment,
  type DeploymentRecord,
} from "../offchain/common/deployments";
import { loadDeployParams, type DeployParams } from "./params";

export interface DeployContext {
  hre: HardhatRuntimeEnvironment;
  deployer: Signer;
  deployerAddress: string;
  chainId: number;
  params: DeployParams;
  record: DeploymentRecord;
  /** Who holds admin and upgrade roles on protocol contracts: the timelock, or the deployer on a devnet. */
  admin?: string;
  /** Who may pause protocol contracts (a guardian). */
  pauser?: string;
  /** Writes the record to disk; a no-op for in-memory deployments (tests on the in-process network). */
  save(): Promise<void>;
  log(message: string): void;
}

export interface DeployContextOptions {
  /** Folder of `<chainId>.json` records; `null` keeps the record in memory only. */
  deploymentsDir: string | null;
  /** A params file instead of `deploy/params/<network>.json`. */
  paramsFile?: string;
  /** Start over: ignore an existing record for this chain. */
  fresh?: boolean;
  log?: (message: string) => void;
}

export async function createDeployContext(
  hre: HardhatRuntimeEnvironment,
  options: DeployContextOptions,
): Promise<DeployContext> {
  const [deployer] = await hre.ethers.getSigners();
  if (!deployer) {
    throw new Error(`network "${hre.network.name}" has no account to deploy with: set ZG_PRIVATE_KEY or ZG_KEY_FILE`);
  }
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const params = loadDeployParams(hre.network.name, options.paramsFile);
  const dir = options.deploymentsDir;
  const existing = dir && !options.fresh ? await tryReadDeployment(dir, chainId) : undefined;
  const record = existing ?? newDeployment(chainId, hre.network.name);
  return {
    hre,
    deployer,
    deployerAddress: await deployer.getAddress(),
    chainId,
    params,
    record,
    async save(this: DeployContext) {
      this.record.updatedAt = new Date().toISOString();
      if (dir) await writeDeployment(dir, this.record);
    },
    log: options.log ?? (() => {}),
  };
}
