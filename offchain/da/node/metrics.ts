import type { MetricsFactory } from "../../common/metrics";

export type SignerMetrics = ReturnType<typeof createSignerMetrics>;

/** Every metric of a DA signer node. */
export function createSignerMetrics(m: MetricsFactory) {
  return {
    blobsSigned: m.counter({ name: "zg_da_blobs_signed_total", help: "Blobs whose rows were stored and signed" }),
    rowsStored: m.counter({ name: "zg_da_rows_stored_total", help: "Rows received with a signed blob" }),
    refused: m.counter({
      name: "zg_da_requests_refused_total",
      help: "Requests refused, by error code",
      labelNames: ["code"] as const,
    }),
    requestSeconds: m.histogram({
      name: "zg_da_request_seconds",
      help: "Time to answer an API request",
      labelNames: ["route"] as const,
      buckets: [0.005, 0.02, 0.1, 0.5, 2, 10],
    }),
    storedBlobs: m.gauge({ name: "zg_da_stored_blobs", help: "Blobs held on disk" }),
    sampleAnswers: m.counter({ name: "zg_da_sample_answers_total", help: "Sampling answers submitted on chain" }),
    challengesAnswered: m.counter({
      name: "zg_da_challenges_answered_total",
      help: "Availability challenges answered on chain",
    }),
  };
}
