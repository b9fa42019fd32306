import type { MetricsFactory } from "../../common/metrics";

export type FinetuneMetrics = ReturnType<typeof createFinetuneMetrics>;

/** Every metric of the fine-tuning worker. */
export function createFinetuneMetrics(m: MetricsFactory) {
  return {
    tasks: m.counter({
      name: "zg_finetune_tasks_total",
      help: "Tasks that reached a step, by step (accepted, trained, uploaded, submitted, settled, dropped, skipped)",
      labelNames: ["phase"] as const,
    }),
    failures: m.counter({
      name: "zg_finetune_failures_total",
      help: "Steps that failed and will be retried, by step",
      labelNames: ["phase"] as const,
    }),
    openJobs: m.gauge({ name: "zg_finetune_open_jobs", help: "Jobs in the journal not yet settled or dropped" }),
    trainSeconds: m.histogram({
      name: "zg_finetune_train_seconds",
      help: "Wall time of a training job",
      buckets: [1, 5, 15, 60, 300, 900, 3600, 14400],
    }),
    heldoutLoss: m.gauge({
      name: "zg_finetune_heldout_loss",
      help: "Held-out loss of the last trained task, before and after training",
      labelNames: ["when"] as const,
    }),
    paid: m.counter({ name: "zg_finetune_paid_wei_total", help: "Fees paid by settlements (wei, as a float)" }),
    storageFees: m.counter({ name: "zg_finetune_storage_fees_wei_total", help: "Storage fees paid (wei, as a float)" }),
  };
}
