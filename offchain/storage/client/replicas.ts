/**
 * Which nodes a plain upload goes to when the user asks for a number of copies (`--replicas n`, 0G's
 * `expectedReplica`). Every node keeps the segments of its shard (`shardId` of `numShard`, a power of two), so a
 * segment's copies are the nodes whose shard holds its flow position. Nodes are taken in turn, starting at `first`,
 * and a node is taken only when some shard position still has fewer than n copies; the upload then goes to these
 * nodes alone. Pure: the shard configs come from the nodes.
 */
import { ZgError } from "../../common/errors";
import type { ClientErrorCode, ShardConfig } from "./nodes";

/** Indexes (into `shards`) of the nodes that give every shard position `replicas` copies. */
export function selectReplicas(shards: ShardConfig[], replicas: number, first = 0): number[] {
  if (!Number.isInteger(replicas) || replicas < 1) throw new RangeError(`replicas must be a positive integer`);
  if (shards.length === 0)
    throw new ZgError<ClientErrorCode>("STORAGE_NO_NODES", "no storage nodes given", { hint: "pass --nodes" });
  // Positions repeat with the largest shard count: a node of n shards keeps every position p with p % n = its id.
  const period = Math.max(...shards.map((s) => s.numShard));
  const copies = new Array<number>(period).fill(0);
  const chosen: number[] = [];
  for (let k = 0; k < shards.length && copies.some((c) => c < replicas); k++) {
    const i = (first + k) % shards.length;
    const { shardId, numShard } = shards[i];
    let useful = false;
    for (let p = shardId; p < period; p += numShard) useful ||= copies[p] < replicas;
    if (!useful) continue;
    for (let p = shardId; p < period; p += numShard) copies[p]++;
    chosen.push(i);
  }
  const short = copies.findIndex((c) => c < replicas);
  if (short >= 0) {
    throw new ZgError<ClientErrorCode>(
      "STORAGE_NO_NODES",
      `${replicas} copies of every segment need more nodes: shard position ${short} of ${period} is kept by ` +
        `${copies[short]} of the ${shards.length} nodes given`,
      { hint: "pass more nodes with --nodes, or a smaller --replicas" },
    );
  }
  return chosen.sort((a, b) => a - b);
}

/** Where a root's node choice starts: spreads files over the nodes, the same for every retry of one root. */
export function replicaStart(root: string, nodes: number): number {
  return Number.parseInt(root.slice(2, 10), 16) % nodes;
}
