import { z } from "zod";
import {
  booleanOption,
  chainOptionsSchema,
  integerOption,
  loggerOptionsSchema,
  metricsOptionsSchema,
} from "../../common/config";

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
  /** How often to read the current epoch. */
  pollIntervalMs: integerOption().min(100).default(5000),
  /** Per-probe limit; a service that has not answered by then counts as down. */
  probeTimeoutMs: integerOption().positive().max(60_000).default(3000),
  /** Claim the rewards of past attested epochs. */
  claim: booleanOption().default(true),
  /** Report providers serving another model than they registered (and enforce cases at their threshold). */
  report: booleanOption().default(true),
  logger: loggerOptionsSchema.prefault({}),
  metrics: metricsOptionsSchema.prefault({}),
});

export type AlignmentNodeOptions = z.output<typeof alignmentNodeOptionsSchema>;
