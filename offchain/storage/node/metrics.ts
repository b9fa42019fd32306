import type { MetricsFactory } from "../../common/metrics";

export type StorageNodeMetrics = ReturnType<typeof createStorageNodeMetrics>;

/** Every metric of a storage node. */
export function createStorageNodeMetrics(m: MetricsFactory) {
  return {
    segmentsStored: m.counter({ name: "zg_storage_segments_stored_total", help: "Segments checked and written" }),
    bytesStored: m.counter({ name: "zg_storage_bytes_stored_total", help: "Segment bytes checked and written" }),
    filesFinalized: m.counter({ name: "zg_storage_files_finalized_total", help: "Files whose every segment is held" }),
    pendingBytes: m.gauge({ name: "zg_storage_pending_bytes", help: "Segment bytes held before their Submit is seen" }),
    submissions: m.gauge({ name: "zg_storage_submissions", help: "Flow submissions recorded" }),
    syncHeight: m.gauge({ name: "zg_storage_sync_height", help: "Last block whose Flow events are applied" }),
    syncLag: m.gauge({ name: "zg_storage_sync_lag_blocks", help: "Blocks between the chain head and the sync height" }),
    flowRootMismatch: m.gauge({
      name: "zg_storage_flow_root_mismatch",
      help: "1 when the node's flow root differs from the Flow contract's at the sync height",
    }),
    rpcSeconds: m.histogram({
      name: "zg_storage_rpc_seconds",
      help: "Time to answer a JSON-RPC call, by method",
      labelNames: ["method"] as const,
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2],
    }),
    refused: m.counter({
      name: "zg_storage_requests_refused_total",
      help: "JSON-RPC calls refused, by error name",
      labelNames: ["code"] as const,
    }),
  };
}
