/**
 * `discoverServices`: every live service of a network — compute providers and DA signers from their registries
 * on chain, storage nodes from the URLs the caller knows — each probed in parallel with a per-probe timeout.
 */
import type { ChainClient } from "../../common/chain";
import { computeContracts } from "../../compute/chain";
import { daContracts } from "../../da/chain";
import { discoverCompute, type ComputeServiceRecord } from "./compute";
import { discoverDa, type DaRecord } from "./da";
import { DEFAULT_PROBE_TIMEOUT_MS } from "./probe";
import { discoverStorage, type StorageNodeRecord } from "./storage";

export type { Health } from "./probe";
export type { ComputeServiceRecord } from "./compute";
export type { DaMemberRecord, DaQuorumRecord, DaRecord } from "./da";
export type { StorageNodeRecord } from "./storage";
export { DEFAULT_PROBE_TIMEOUT_MS } from "./probe";
export { renderServices } from "./table";

export interface ServicesReport {
  chainId: number;
  /** The latest block when discovery began; storage nodes' lag is measured against it. */
  block: number;
  compute: ComputeServiceRecord[];
  storage: StorageNodeRecord[];
  da: DaRecord;
}

export interface DiscoverOptions {
  /** Storage node JSON-RPC URLs (no on-chain registry lists them). */
  storageNodes: string[];
  timeoutMs?: number;
}

export async function discoverServices(client: ChainClient, options: DiscoverOptions): Promise<ServicesReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const block = await client.provider.getBlockNumber();
  const { serving } = computeContracts(client, client.provider);
  const { registry } = daContracts(client, client.provider);
  const [compute, storage, da] = await Promise.all([
    discoverCompute(serving, timeoutMs),
    discoverStorage(options.storageNodes, client.chainId, block, timeoutMs),
    discoverDa(registry, timeoutMs),
  ]);
  return { chainId: client.chainId, block, compute, storage, da };
}
