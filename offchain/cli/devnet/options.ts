import { z } from "zod";
import {
  booleanOption,
  integerOption,
  loggerOptionsSchema,
  metricsOptionsSchema,
  portOption,
} from "../../common/config";

/** Every option of `zg devnet`, with its default; flags, ZG_* env and --config override them. */
export const devnetOptionsSchema = z
  .strictObject({
    /** Interface the chain's JSON-RPC listens on; loopback keeps the funded dev keys off the network. */
    host: z.string().min(1).default("127.0.0.1"),
    port: portOption().min(1).default(8545),
    /** Chain log, deployment record and the summary file live here; a new devnet overwrites them. */
    dataDir: z.string().min(1).default(".zg/devnet"),
    /** How long the chain may take to answer its first JSON-RPC call. */
    startTimeoutMs: integerOption().positive().default(60_000),
    /** Storage nodes started in the devnet's process, each with its own data dir and config file. */
    storageNodes: integerOption().min(0).max(16).default(4),
    /** Validators (dev accounts 2..) staked, opted into DA and running a signer each. */
    daSigners: integerOption().min(0).max(16).default(4),
    /** Validators (dev accounts 10..) staked, opted into compute and serving the embedded model through a broker. */
    computeProviders: integerOption().min(0).max(4).default(1),
    /** One alignment node (license minted to dev account 9; no paid compute probes) in the devnet's process. */
    alignment: booleanOption().default(true),
    logger: loggerOptionsSchema.prefault({}),
    metrics: metricsOptionsSchema.prefault({}),
    /** An external EVM chain's JSON-RPC URL: deploy to it and run the workers against it instead of a local chain. */
    rpc: z.url({ protocol: /^https?$/ }).optional(),
    /** With `rpc`: the key file of the account that deploys and funds the devnet's other accounts. */
    keyFile: z.string().min(1).optional(),
    /** Deploy params (deploy/params/*.json) for an external chain; the local devnet's values by default. */
    deployParams: z.string().min(1).optional(),
  })
  // Only a key without --rpc is let through: ZG_KEY_FILE may be exported for the hardhat `remote` network.
  .refine((o) => o.rpc === undefined || o.keyFile !== undefined, {
    message: "--rpc needs --key: the file of the key that deploys to the external chain and funds the devnet",
    path: ["keyFile"],
  });

export type DevnetOptions = z.output<typeof devnetOptionsSchema>;
