import type { MetricsFactory } from "../../common/metrics";

export type AlignmentMetrics = ReturnType<typeof createAlignmentMetrics>;

/** Every metric of an alignment node. */
export function createAlignmentMetrics(m: MetricsFactory) {
  return {
    attestations: m.counter({ name: "zg_alignment_attestations_total", help: "Attestations this node sent" }),
    lastAttestedEpoch: m.gauge({
      name: "zg_alignment_last_attested_epoch",
      help: "The last epoch the license attested in (-1 before any)",
    }),
    servicesChecked: m.gauge({ name: "zg_alignment_services_checked", help: "Services checked in the last epoch" }),
    servicesFailed: m.gauge({
      name: "zg_alignment_services_failed",
      help: "Services that failed a check in the last epoch",
    }),
    reports: m.counter({
      name: "zg_alignment_reports_total",
      help: "Faults reported on chain, by kind",
      labelNames: ["kind"] as const,
    }),
    probes: m.counter({
      name: "zg_alignment_probes_total",
      help: "Compute probes, by result (ok, fault, error, skipped)",
      labelNames: ["result"] as const,
    }),
    probeFindings: m.counter({
      name: "zg_alignment_probe_findings_total",
      help: "Faults compute probes found, by kind",
      labelNames: ["kind"] as const,
    }),
    probeFeesWei: m.counter({
      name: "zg_alignment_probe_fees_wei_total",
      help: "Fees of bills the node signed, in wei",
    }),
    probeFundedWei: m.counter({
      name: "zg_alignment_probe_funded_wei_total",
      help: "Wei the node deposited into its compute ledger account for probes",
    }),
    oracleProbes: m.counter({
      name: "zg_alignment_oracle_probes_total",
      help: "iNFT oracle canary probes, by result (ok, fault, down)",
      labelNames: ["result"] as const,
    }),
    oracleFindings: m.counter({
      name: "zg_alignment_oracle_findings_total",
      help: "Failed iNFT oracle checks, by check (answer, signature, acknowledged, sealed-key, mismatch)",
      labelNames: ["check"] as const,
    }),
    claimedWei: m.counter({ name: "zg_alignment_claimed_wei_total", help: "Rewards claimed, in wei" }),
    epochErrors: m.counter({
      name: "zg_alignment_epoch_errors_total",
      help: "Epoch passes that failed and will be retried",
    }),
  };
}
