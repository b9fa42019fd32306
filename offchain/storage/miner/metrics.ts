import type { MetricsFactory } from "../../common/metrics";

export type MinerMetrics = ReturnType<typeof createMinerMetrics>;

/** Every metric of the storage miner. */
export function createMinerMetrics(m: MetricsFactory) {
  return {
    hashes: m.counter({
      name: "zg_storage_miner_hashes_total",
      help: "PoRA qualities computed (one blake2b-512 of a mixed 4 KiB seal each)",
    }),
    nonces: m.counter({ name: "zg_storage_miner_nonces_total", help: "Nonces tried (one 16 KiB scratchpad each)" }),
    hashRate: m.gauge({ name: "zg_storage_miner_hash_rate", help: "Qualities per second of the last pass" }),
    heldLoads: m.gauge({ name: "zg_storage_miner_held_loads", help: "256 KiB loads sealed and mined" }),
    answers: m.counter({ name: "zg_storage_miner_answers_total", help: "PoRA answers accepted on chain" }),
    refused: m.counter({
      name: "zg_storage_miner_answers_refused_total",
      help: "Answers the Mine would refuse (checked with a call before sending), by error",
      labelNames: ["error"] as const,
    }),
    claims: m.counter({ name: "zg_storage_miner_claims_total", help: "ChunkRewards withdrawals sent" }),
    epoch: m.gauge({ name: "zg_storage_miner_epoch", help: "Epoch of the context being mined" }),
  };
}
