import { z } from "zod";
import {
  chainOptionsSchema,
  integerOption,
  loggerOptionsSchema,
  metricsOptionsSchema,
  portOption,
  booleanOption,
} from "../../common/config";

/** A wei amount: a decimal string (or safe integer) read as a bigint. */
export function weiOption() {
  return z
    .union([z.string().regex(/^[0-9]{1,78}$/, "must be a decimal amount in wei"), z.number().int().nonnegative()])
    .transform((v) => BigInt(v));
}

/** Every option of `zg compute provider`, with its default; a JSON file, ZG_* env and flags override them. */
export const providerOptionsSchema = z.strictObject({
  /** rpcUrl, deploymentsDir and the provider's Ethereum key (keyFile): the address users' sessions name. */
  chain: chainOptionsSchema.prefault({}),
  host: z.string().min(1).default("127.0.0.1"),
  port: portOption().default(8800),
  model: z
    .strictObject({
      /** GGUF file run in-process by node-llama-cpp (the project's own small model by default). */
      path: z.string().min(1).default("models/zg-tiny/model.gguf"),
      /** An OpenAI-compatible base URL (e.g. http://127.0.0.1:8000/v1); when set, `path` is not loaded. */
      upstream: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
      /** Bearer key the upstream wants, if any. */
      upstreamApiKey: z.string().min(1).optional(),
      /** Model id: the upstream's model to use, or the id served for the embedded model. */
      name: z.string().min(1).optional(),
      /** "auto" uses a GPU when node-llama-cpp finds one; "off" forces the CPU. */
      gpu: z.enum(["auto", "off"]).default("auto"),
      /** CPU threads for the embedded model; node-llama-cpp picks when unset. */
      threads: integerOption().positive().optional(),
      /** Context size for the embedded model; the model's own when unset. */
      contextSize: integerOption().positive().optional(),
    })
    .prefault({}),
  /** Bills live here (LevelDB); `.zg/` is git-ignored. */
  dataDir: z.string().min(1).default(".zg/compute-provider"),
  /** Zk mode: a user whose unsigned bills sum above this (wei) must send receipts before more is served. */
  maxUnsignedFee: weiOption().default(10n ** 16n),
  /** max_tokens when a request names none; also what the worst-case balance check assumes. */
  defaultMaxTokens: integerOption().positive().default(256),
  /** Largest request body accepted, in bytes (413 above it). */
  maxRequestBytes: integerOption()
    .min(1024)
    .default(1024 * 1024),
  /** How long a user's on-chain balance, key and nonce (and the service's prices) are cached. */
  chainCacheMs: integerOption().min(0).default(2000),
  settlement: z
    .strictObject({
      /** Run the settlement scheduler (it proves or signs batches of bills and settles them on chain). */
      enabled: booleanOption().default(true),
      /** zk: Groth16-proved user receipts; tee: EIP-712 settlements signed by the attested teeSigner key. */
      mode: z.enum(["zk", "tee"]).default("zk"),
      /** Bills per settlement of one user (the circuit's N for zk). */
      batchSize: integerOption().positive().default(4),
      /** Settle a user's bills at the latest this long after the oldest unsettled one. */
      maxDelaySeconds: integerOption().positive().default(300),
      /** tee mode: file whose first line is the TEE signer's 0x key (its address is the service's teeSigner). */
      teeSignerKeyFile: z.string().min(1).optional(),
    })
    .prefault({}),
  agents: z
    .strictObject({
      /** File whose first line is the agent executor's 0x key (may be the TEE signer's); unset: no agents served. */
      executorKeyFile: z.string().min(1).optional(),
      /** Storage nodes to fetch agents' encrypted data from (owners may name more with a grant). */
      storageNodes: z.array(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" })).default([]),
      /** Also fetch from the nodes an owner names with its grant (the broker then calls URLs owners choose). */
      acceptNodeHints: booleanOption().default(true),
      /** How long who-may-run-an-agent (owner, authorized users, data hash) is cached per user; 0 reads every time. */
      authCacheMs: integerOption().min(0).max(10_000).default(500),
    })
    .prefault({}),
  logger: loggerOptionsSchema.prefault({}),
  metrics: metricsOptionsSchema.prefault({}),
});

export type ProviderOptions = z.output<typeof providerOptionsSchema>;
