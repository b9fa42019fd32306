import type { MetricsFactory } from "../../../common/metrics";

export type SettlementMetrics = ReturnType<typeof createSettlementMetrics>;

/** The settlement scheduler's metrics (the broker builds them once in its registry). */
export function createSettlementMetrics(m: MetricsFactory) {
  return {
    settlementsSent: m.counter({
      name: "zg_compute_settlements_sent_total",
      help: "settleZk/settleTee transactions mined",
    }),
    receiptsSettled: m.counter({ name: "zg_compute_receipts_settled_total", help: "Bills settled on chain" }),
    proofSeconds: m.histogram({
      name: "zg_compute_settlement_proof_seconds",
      help: "Time to prove one settlement of up to N receipts (in the prover thread)",
      buckets: [0.5, 1, 2, 5, 10, 20, 60, 180],
    }),
    failures: m.counter({
      name: "zg_compute_settlement_failures_total",
      help: "Settlement rounds that failed, by stage (prove, send)",
      labelNames: ["stage"] as const,
    }),
    shortfalls: m.counter({
      name: "zg_compute_settlement_shortfalls_total",
      help: "Settlements the user's sub-account could not pay in full",
    }),
  };
}
