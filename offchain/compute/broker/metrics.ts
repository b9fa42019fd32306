import type { MetricsFactory } from "../../common/metrics";

export type BrokerMetrics = ReturnType<typeof createBrokerMetrics>;

/** Every metric of a compute provider broker. `unsignedExposure` is set by the broker from its store. */
export function createBrokerMetrics(m: MetricsFactory) {
  return {
    requests: m.counter({
      name: "zg_compute_requests_total",
      help: "HTTP requests answered, by route and status",
      labelNames: ["route", "status"] as const,
    }),
    refused: m.counter({
      name: "zg_compute_refused_total",
      help: "Requests refused, by OpenAI error code",
      labelNames: ["code"] as const,
    }),
    inputTokens: m.counter({ name: "zg_compute_input_tokens_total", help: "Prompt tokens billed" }),
    outputTokens: m.counter({ name: "zg_compute_output_tokens_total", help: "Generated tokens billed" }),
    feesBilled: m.counter({ name: "zg_compute_fees_billed_wei_total", help: "Fees billed (wei, as a float)" }),
    bills: m.counter({
      name: "zg_compute_bills_total",
      help: "Bills stored, by how the request ended",
      labelNames: ["finish"] as const,
    }),
    receipts: m.counter({
      name: "zg_compute_receipts_total",
      help: "Receipts received, by result",
      labelNames: ["result"] as const,
    }),
    unsignedExposure: m.gauge({
      name: "zg_compute_unsigned_exposure_wei",
      help: "Fees of unsettled bills the users have not signed yet (wei, as a float)",
    }),
    requestSeconds: m.histogram({
      name: "zg_compute_request_seconds",
      help: "Time to answer a request (to the end of a stream)",
      labelNames: ["route"] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    }),
  };
}
