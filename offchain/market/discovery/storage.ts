/**
 * Storage nodes: no registry lists them on chain, so the caller names them; each is asked for its status and
 * shard config over JSON-RPC (`zgs_getStatus`, `zgs_getShardConfig`).
 */
import { probeJsonRpc, type Health } from "./probe";

export interface StorageNodeRecord {
  url: string;
  health: Health;
  shardId: number | null;
  numShard: number | null;
  /** The last block whose Flow submissions the node has taken in, and how far that is behind the chain. */
  syncedHeight: number | null;
  lagBlocks: number | null;
  /** Free bytes of its store, when the node reports them (`freeBytes` in zgs_getStatus). */
  freeBytes: number | null;
  /** Entries of the flow the node knows of. */
  flowLength: number | null;
}

interface NodeStatus {
  logSyncHeight?: unknown;
  flowLength?: unknown;
  freeBytes?: unknown;
  networkIdentity?: { chainId?: unknown };
}

interface ShardConfig {
  shardId?: unknown;
  numShard?: unknown;
}

/**
 * Probes one node (both calls in parallel). It is "up" only when both answer and it serves `chainId`: a node of
 * another chain answers, but not for this network.
 */
export async function probeStorageNode(
  url: string,
  chainId: number,
  block: number,
  timeoutMs: number,
): Promise<StorageNodeRecord> {
  const [status, shard] = await Promise.all([
    probeJsonRpc<NodeStatus>(url, "zgs_getStatus", [], timeoutMs),
    probeJsonRpc<ShardConfig>(url, "zgs_getShardConfig", [], timeoutMs),
  ]);
  const synced = num(status.body?.logSyncHeight);
  const servedChain = num(status.body?.networkIdentity?.chainId);
  let health: Health = {
    state: status.health.state === "up" && shard.health.state === "up" ? "up" : "down",
    latencyMs: Math.max(status.health.latencyMs, shard.health.latencyMs),
  };
  const reason = status.health.reason ?? shard.health.reason;
  if (reason) health.reason = reason;
  else if (servedChain !== null && servedChain !== chainId) {
    health = { ...health, state: "down", reason: `serves chain ${servedChain}, not ${chainId}` };
  }
  return {
    url,
    health,
    shardId: num(shard.body?.shardId),
    numShard: num(shard.body?.numShard),
    syncedHeight: synced,
    lagBlocks: synced === null ? null : Math.max(0, block - synced),
    freeBytes: num(status.body?.freeBytes),
    flowLength: num(status.body?.flowLength),
  };
}

export function discoverStorage(
  urls: string[],
  chainId: number,
  block: number,
  timeoutMs: number,
): Promise<StorageNodeRecord[]> {
  return Promise.all(urls.map((url) => probeStorageNode(url, chainId, block, timeoutMs)));
}

function num(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return null;
}
