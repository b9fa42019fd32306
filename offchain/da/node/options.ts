import { z } from "zod";
import {
  booleanOption,
  chainOptionsSchema,
  integerOption,
  loggerOptionsSchema,
  metricsOptionsSchema,
  portOption,
} from "../../common/config";

/** Every option of `zg da-signer`, with its default; a JSON file, ZG_* env and flags override them. */
export const signerOptionsSchema = z.strictObject({
  chain: chainOptionsSchema.prefault({}),
  /** File whose first line is the signer's BLS secret key (0x + 64 hex digits, a BN254 scalar). */
  blsKeyFile: z.string().min(1),
  host: z.string().min(1).default("127.0.0.1"),
  port: portOption().default(8700),
  /** The URL dispersers reach this node at, registered on chain; defaults to http://host:port. */
  socket: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  /** Register the key on chain at start when it is not registered yet (the operator key must be opted in). */
  register: booleanOption().default(true),
  /** Rows and state live here; `.zg/` is git-ignored. */
  dataDir: z.string().min(1).default(".zg/da-signer"),
  /** SRS file (G1/G2 powers of tau); the committed dev SRS when unset. */
  srsFile: z.string().min(1).optional(),
  /** Largest request body accepted, in bytes (rows are base64 in JSON). */
  maxRequestBytes: integerOption()
    .min(1024)
    .default(64 * 1024 * 1024),
  sampler: z
    .strictObject({
      /** Answer sampling rounds and availability challenges for the blobs this node holds. */
      enabled: booleanOption().default(true),
      intervalMs: integerOption().min(100).default(5000),
    })
    .prefault({}),
  logger: loggerOptionsSchema.prefault({}),
  metrics: metricsOptionsSchema.prefault({}),
});

export type SignerOptions = z.output<typeof signerOptionsSchema>;
