import { z } from "zod";
import {
  booleanOption,
  chainOptionsSchema,
  integerOption,
  loggerOptionsSchema,
  metricsOptionsSchema,
  portOption,
} from "../../common/config";
import { mineOptionsSchema } from "../miner/options";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** A shard: the node keeps the segments whose flow segment position mod numShards is shardId. */
export const shardSchema = z
  .strictObject({
    shardId: integerOption().min(0).default(0),
    /** A power of two (0G's rule), so shards split the flow evenly at every size. */
    numShards: integerOption()
      .min(1)
      .max(2 ** 20)
      .refine((n) => (n & (n - 1)) === 0, { message: "must be a power of two (1, 2, 4, ...)" })
      .default(1),
  })
  .refine((s) => s.shardId < s.numShards, { message: "shardId must be below numShards", path: ["shardId"] });

/** Every option of `zg storage-node`, with its default; a JSON file, ZG_* env and flags override them. */
export const storageNodeOptionsSchema = z.strictObject({
  /** The node only reads the chain; a key (keyFile or privateKey) is needed only by the miner (`mine.enabled`). */
  chain: chainOptionsSchema.prefault({}),
  host: z.string().min(1).default("127.0.0.1"),
  port: portOption().default(5678),
  /** Metadata and segments live here (LevelDB); `.zg/` is git-ignored. */
  dataDir: z.string().min(1).default(".zg/storage-node"),
  sync: z
    .strictObject({
      /** How often the node asks for new blocks. */
      pollIntervalMs: integerOption().min(50).default(1000),
      /** Most blocks read per log query. */
      maxBlockRange: integerOption().min(1).default(2000),
    })
    .prefault({}),
  shard: shardSchema.prefault({}),
  /** Bytes of segments held for files whose Submit is not seen yet; uploads beyond it are refused. */
  maxPendingBytes: integerOption()
    .min(0)
    .default(64 * 1024 * 1024),
  /**
   * Write segment bytes with O_DIRECT, past the page cache, where the filesystem takes it (a probe at start says);
   * it saves most of the kernel time of an upload. false: always through the page cache.
   */
  directWrites: booleanOption().default(true),
  /** Largest JSON-RPC request body, in bytes (a segment is 256 KiB, ~350 KB in base64). */
  maxRequestBytes: integerOption()
    .min(1024)
    .default(32 * 1024 * 1024),
  /** The admin JSON-RPC server (admin_* methods); it only binds loopback addresses. */
  admin: z
    .strictObject({
      enabled: booleanOption().default(true),
      host: z
        .string()
        .refine((h) => LOOPBACK.has(h), { message: "the admin server binds loopback only (127.0.0.1, ::1, localhost)" })
        .default("127.0.0.1"),
      port: portOption().default(5679),
    })
    .prefault({}),
  logger: loggerOptionsSchema.prefault({}),
  metrics: metricsOptionsSchema.prefault({}),
  /** The PoRA miner (docs/storage-miner.md); off by default, it signs with chain.keyFile. */
  mine: mineOptionsSchema.prefault({}),
});

export type StorageNodeOptions = z.output<typeof storageNodeOptionsSchema>;
export type ShardConfig = z.output<typeof shardSchema>;
