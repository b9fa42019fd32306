import { z } from "zod";
import {
  booleanOption,
  chainOptionsSchema,
  integerOption,
  loggerOptionsSchema,
  metricsOptionsSchema,
} from "../../common/config";
import { weiOption } from "../../compute/broker/options";
import { MAX_DOWN_AFTER, MIN_DOWN_AFTER } from "../infra";

/** The compute probe: one paid chat completion per compute service each epoch, checked for its bill and model. */
export const probeOptionsSchema = z.strictObject({
  /**
   * Probe compute services. Unset: probe when the node's ledger account (ComputeLedger, the node key's) exists and
   * holds funds; true: also create and fund it from the node's key; false: never.
   */
  compute: booleanOption().optional(),
  /** The most the node commits to probes per epoch (wei): the sum of their worst-case fees, top-ups included. */
  maxFeePerEpoch: weiOption().default(10n ** 16n),
  /** Per-probe limit on the whole request (generation included). */
  timeoutMs: integerOption().positive().max(600_000).default(30_000),
  /** The Baby Jubjub receipt key the node signs bills with; default `<dataDir>/receipt.key`, created on first use. */
  receiptKeyFile: z.string().min(1).optional(),
  /**
   * A storage node or DA member counts as down for the epoch (and is reported STORAGE_DOWN / DA_DOWN) only when it
   * failed this many tries in a row: discovery's sample and the retries after it.
   */
  downAfter: integerOption().min(MIN_DOWN_AFTER).max(MAX_DOWN_AFTER).default(3),
  /**
   * Milliseconds between those tries. Unset: spread over the first half of an epoch. Either way capped so the last
   * try comes before half of what is left of the epoch (the reports must land in it).
   */
  downIntervalMs: integerOption().positive().optional(),
});

/** Every option of `zg alignment-node`, with its default; a JSON file, ZG_* env and flags override them. */
export const alignmentNodeOptionsSchema = z.strictObject({
  /** The key (keyFile or privateKey) must be the license's owner or its operator. */
  chain: chainOptionsSchema.prefault({}),
  /** The license this node attests for. */
  licenseId: integerOption().positive(),
  /** Reports live in `<dataDir>/reports/<epoch>.json`; `.zg/` is git-ignored. */
  dataDir: z.string().min(1).default(".zg/alignment-node"),
  /** Storage node JSON-RPC URLs to check (no on-chain registry lists them). */
  storageNodes: z.array(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" })).default([]),
  /**
   * iNFT transfer oracle URLs to send canary transfers to each epoch (no on-chain registry lists their URLs; their
   * signing keys are acknowledged on TeeTransferVerifier).
   */
  inftOracles: z
    .array(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }))
    .refine((urls) => new Set(urls).size === urls.length, "lists a URL twice")
    .default([]),
  /** How often to read the current epoch. */
  pollIntervalMs: integerOption().min(100).default(5000),
  /** Per-probe limit; a service that has not answered by then counts as down. */
  probeTimeoutMs: integerOption().positive().max(60_000).default(3000),
  /** Claim the rewards of past attested epochs. */
  claim: booleanOption().default(true),
  /**
   * Report faults on chain (compute faults; storage nodes and DA members down by `probe.downAfter`) and enforce cases
   * at their threshold.
   */
  report: booleanOption().default(true),
  probe: probeOptionsSchema.prefault({}),
  logger: loggerOptionsSchema.prefault({}),
  metrics: metricsOptionsSchema.prefault({}),
});

export type AlignmentNodeOptions = z.output<typeof alignmentNodeOptionsSchema>;
