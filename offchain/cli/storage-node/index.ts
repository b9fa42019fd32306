import { Command } from "commander";
import pino from "pino";
import { loadConfig } from "../../common/config";
import { Lifecycle, onShutdownSignals } from "../../common/lifecycle";
import { createLogger } from "../../common/logger";
import { createMetricsRegistry } from "../../common/metrics";
import { initStorageNode, storageNodeOptionsSchema } from "../../storage/node";
import { addCommonFlags, commonFlagValues, type CommonFlags } from "../flags";

interface StorageNodeFlags extends CommonFlags {
  rpc?: string;
  deployments?: string;
  confirmations?: string;
  host?: string;
  port?: string;
  dataDir?: string;
  shardId?: string;
  numShards?: string;
  maxPendingBytes?: string;
  pollIntervalMs?: string;
  adminPort?: string;
  admin?: boolean;
  keyFile?: string;
  mine?: boolean;
  maxNoncesPerPass?: string;
}

/** `zg storage-node`: a storage node (reads the chain only; needs a key only to mine with `--mine`). */
export function storageNodeCommand(): Command {
  return addCommonFlags(
    new Command("storage-node")
      .description("run a storage node: follow the Flow's submissions, take checked segments, serve them with proofs")
      .option("--rpc <url>", "JSON-RPC URL of the chain (default http://127.0.0.1:8545)")
      .option("--deployments <dir>", "folder of <chainId>.json deployment records")
      .option("--confirmations <n>", "blocks deep an event must be before it is applied (default 1)")
      .option("--host <host>", "interface for the JSON-RPC API (default 127.0.0.1)")
      .option("--port <port>", "port for the JSON-RPC API (default 5678)")
      .option("--data-dir <dir>", "where segments and metadata are kept (default .zg/storage-node)")
      .option("--shard-id <n>", "the shard this node keeps (default 0)")
      .option("--num-shards <n>", "shards the flow is split into, a power of two (default 1)")
      .option("--max-pending-bytes <n>", "bytes held for files whose Submit is not seen yet (default 64 MiB)")
      .option("--poll-interval-ms <ms>", "how often to read new blocks (default 1000)")
      .option("--admin-port <port>", "port for the loopback admin API (default 5679)")
      .option("--no-admin", "do not serve the admin API")
      .option("--key-file <file>", "file whose first line is the 0x-hex key the miner signs with")
      .option("--mine", "run the PoRA miner (needs --key-file; docs/storage-miner.md)")
      .option("--max-nonces-per-pass <n>", "nonces the miner tries per pass (default 2000)"),
  ).action(async (flags: StorageNodeFlags) => {
    const options = loadConfig(storageNodeOptionsSchema, {
      file: flags.config,
      flags: {
        ...commonFlagValues(flags),
        "chain.rpcUrl": flags.rpc,
        "chain.deploymentsDir": flags.deployments,
        "chain.confirmations": flags.confirmations,
        host: flags.host,
        port: flags.port,
        dataDir: flags.dataDir,
        "shard.shardId": flags.shardId,
        "shard.numShards": flags.numShards,
        maxPendingBytes: flags.maxPendingBytes,
        "sync.pollIntervalMs": flags.pollIntervalMs,
        "admin.port": flags.adminPort,
        "admin.enabled": flags.admin === false ? false : undefined,
        "chain.keyFile": flags.keyFile,
        "mine.enabled": flags.mine,
        "mine.maxNoncesPerPass": flags.maxNoncesPerPass,
      },
    });
    // Logs go to stderr (or the log file); stdout carries only the ready line.
    const logger = createLogger(options.logger, {
      bindings: { node: "storage-node" },
      ...(options.logger.file ? {} : { destination: pino.destination({ fd: 2, sync: true }) }),
    });
    const lifecycle = new Lifecycle(logger);
    onShutdownSignals(lifecycle, logger);
    try {
      const node = await initStorageNode(options, { logger, lifecycle, registry: createMetricsRegistry() });
      console.log(`storage-node ready: ${node.url}${node.adminUrl ? ` (admin ${node.adminUrl})` : ""}`);
    } catch (err) {
      await lifecycle.close().catch(() => undefined);
      throw err;
    }
  });
}
