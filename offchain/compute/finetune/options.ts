import { z } from "zod";
import { chainOptionsSchema, integerOption, loggerOptionsSchema, metricsOptionsSchema } from "../../common/config";
import { DEFAULT_BASE_MODEL } from "./python";

/** Every option of `zg compute finetuner`, with its default; a JSON file, ZG_* env and flags override them. */
export const finetunerOptionsSchema = z.strictObject({
  /** rpcUrl, deploymentsDir and the provider's key (keyFile): the address tasks name; it pays storage fees. */
  chain: chainOptionsSchema.prefault({}),
  /** Storage nodes the datasets are downloaded from and the tuned models uploaded to. */
  storageNodes: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1, "name at least one storage node URL")),
  /** The journal, cursor, datasets and models; `.zg/` is git-ignored. */
  dataDir: z.string().min(1).default(".zg/compute-finetuner"),
  /** The base model directory (model.gguf + tokenizer.json). */
  base: z.string().min(1).default(DEFAULT_BASE_MODEL),
  /** The operator's cap on training steps; a task's spec may ask for fewer, never more. */
  steps: integerOption().positive().default(200),
  batch: integerOption().positive().default(8),
  /** Training window in tokens (0 = the model's context). */
  context: integerOption().min(0).default(0),
  device: z.enum(["auto", "cpu", "cuda"]).default("auto"),
  /** CPU threads for torch (0 = torch decides). */
  threads: integerOption().min(0).default(0),
  /** How often the chain is polled for tasks. */
  pollIntervalMs: integerOption().positive().default(5000),
  /** Largest dataset downloaded, in bytes. */
  maxDatasetBytes: integerOption()
    .positive()
    .default(64 * 1024 * 1024),
  storage: z
    .strictObject({
      batchSegments: integerOption().min(1).max(64).default(8),
      concurrency: integerOption().positive().default(4),
      syncTimeoutMs: integerOption().positive().default(60_000),
    })
    .prefault({}),
  logger: loggerOptionsSchema.prefault({}),
  metrics: metricsOptionsSchema.prefault({}),
});

export type FinetunerOptions = z.output<typeof finetunerOptionsSchema>;
