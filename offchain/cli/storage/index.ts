import fs from "node:fs";
import { Command } from "commander";
import pino from "pino";
import { z } from "zod";
import { connectChain, type ChainClient } from "../../common/chain";
import { chainOptionsSchema, integerOption, loadConfig, loggerOptionsSchema } from "../../common/config";
import { ZgError, errorText } from "../../common/errors";
import { createLogger, type Logger } from "../../common/logger";
import { SegmentHasher, loadHashers } from "../../storage/core";
import { writeAtomic } from "../../storage/client/download";
import { repair, retrieve, uploadFileEc } from "../../storage/client/ec";
import { parseEcSpec } from "../../storage/client/erasure";
import { fileReport } from "../../storage/client/info";
import { nodeClients, type ClientErrorCode, type NodeClient } from "../../storage/client/nodes";
import { progressFor } from "../../storage/client/progress";
import { uploadFile } from "../../storage/client/upload";

/** Every option of `zg storage`, with its default: the one place they are set. */
export const storageClientOptionsSchema = z.strictObject({
  chain: chainOptionsSchema.prefault({}),
  nodes: z.array(z.string().url("each --nodes entry must be an http(s) URL")).default([]),
  /** Segments per zgs_uploadSegments call (a 256 KiB segment is ~350 KB of JSON). */
  batchSegments: integerOption().min(1).max(64).default(8),
  /** Plain uploads: copies of each segment (`selectReplicas`); unset, every node gets its shard's segments. */
  replicas: integerOption().min(1).optional(),
  /** Upload batches in flight per node. */
  uploadConcurrency: integerOption().min(1).max(16).default(2),
  /** Segments downloaded at once. */
  downloadConcurrency: integerOption().min(1).max(64).default(8),
  /** How long a node may take to see a Submit. */
  syncTimeoutMs: integerOption().positive().default(60_000),
  /** One JSON-RPC call to a storage node. */
  nodeTimeoutMs: integerOption().positive().default(30_000),
  /** Files from this size up are read into shared memory and hashed on one thread per core. */
  parallelHashingBytes: integerOption()
    .min(1)
    .default(8 * 1024 * 1024),
  logger: loggerOptionsSchema.prefault({ level: "warn" }),
});
export type StorageClientOptions = z.output<typeof storageClientOptionsSchema>;

interface Flags {
  config?: string;
  rpc?: string;
  deployments?: string;
  keyFile?: string;
  nodes?: string;
  logLevel?: string;
  ec?: string;
  replicas?: string;
  out?: string;
  json?: boolean;
}

function withFlags(command: Command, chain: boolean): Command {
  command
    .requiredOption("--nodes <urls>", "comma-separated storage node URLs (as `zg storage-node` prints them)")
    .option("--config <file>", "JSON file with options")
    .option("--log-level <level>", "fatal | error | warn | info | debug | trace")
    .option("--json", "print the result as JSON");
  if (chain) {
    command
      .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
      .option("--deployments <dir>", "folder of <chainId>.json deployment records");
  }
  return command;
}

function setUp(flags: Flags): { options: StorageClientOptions; logger: Logger; nodes: NodeClient[] } {
  const options = loadConfig(storageClientOptionsSchema, {
    file: flags.config,
    flags: {
      "chain.rpcUrl": flags.rpc,
      "chain.deploymentsDir": flags.deployments,
      "chain.keyFile": flags.keyFile,
      nodes: flags.nodes === undefined ? undefined : flags.nodes.split(",").filter((u) => u.trim() !== ""),
      "logger.level": flags.logLevel,
      replicas: flags.replicas,
    },
  });
  const logger = createLogger(options.logger, { destination: pino.destination({ fd: 2, sync: true }) });
  return { options, logger, nodes: nodeClients(options.nodes, options.nodeTimeoutMs) };
}

/** Fails with one line when none of the nodes answers. */
async function requireReachable(nodes: NodeClient[]): Promise<void> {
  const answers = await Promise.all(
    nodes.map((n) =>
      n.shardConfig().then(
        () => undefined,
        (err: unknown) => (err instanceof ZgError ? err.message : `${n.url}: ${errorText(err)}`),
      ),
    ),
  );
  const down = answers.filter((a): a is string => a !== undefined);
  if (down.length === nodes.length) {
    throw new ZgError<ClientErrorCode>("STORAGE_NODE_UNREACHABLE", `no storage node answered: ${down.join("; ")}`, {
      hint: "start the nodes (`zg storage-node`) or fix --nodes",
    });
  }
}

/**
 * The file's bytes; from `parallelFrom` bytes up read straight into shared memory, which the hasher's threads use
 * as is (a copy of a large file into fresh shared memory costs as much as hashing half of it).
 */
function readForUpload(file: string, parallelFrom: number): Uint8Array {
  const size = fs.statSync(file).size;
  if (size < parallelFrom) return fs.readFileSync(file);
  const data = new Uint8Array(new SharedArrayBuffer(size));
  const fd = fs.openSync(file, "r");
  try {
    let done = 0;
    while (done < size) {
      const n = fs.readSync(fd, data, done, size - done, done);
      if (n === 0) throw new Error(`${file} ended after ${done} of ${size} bytes (it changed while read)`);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return data;
}

const uploadOptions = (o: StorageClientOptions, logger: Logger, hasher?: SegmentHasher) => ({
  logger,
  hasher,
  progress: progressFor(),
  batchSegments: o.batchSegments,
  concurrency: o.uploadConcurrency,
  syncTimeoutMs: o.syncTimeoutMs,
  replicas: o.replicas,
  notify: (line: string) => console.error(line),
});
const downloadOptions = (o: StorageClientOptions, logger: Logger) => ({
  logger,
  progress: progressFor(),
  concurrency: o.downloadConcurrency,
});

function checkRoot(root: string): void {
  if (!/^0x[0-9a-fA-F]{64}$/.test(root)) {
    throw new ZgError<ClientErrorCode>("STORAGE_BAD_ROOT", `${root} is not a file root`, {
      hint: "pass the 0x + 64 hex digits root `zg storage upload` printed",
    });
  }
}

function uploadCommand(): Command {
  return withFlags(
    new Command("upload")
      .description(
        "submit a file to the Flow (paying once, ever) and upload its segments to the nodes; prints its root",
      )
      .argument("<file>", "the file")
      .requiredOption("--key-file <file>", "the payer's Ethereum key (0x + 64 hex digits)")
      .option(
        "--ec <k+m>",
        "erasure-code into k data + m parity shards, one per node (e.g. 2+2); prints the manifest root",
      )
      .option("--replicas <n>", "without --ec: send each segment to n nodes only (default: every node)"),
    true,
  ).action(async (file: string, flags: Flags) => {
    const spec = flags.ec === undefined ? undefined : parseEcSpec(flags.ec);
    const { options, logger, nodes } = setUp(flags);
    if (spec && options.replicas !== undefined) {
      throw new ZgError("STORAGE_BAD_EC_SPEC", "--replicas does not go with --ec: each shard is one copy on its node", {
        hint: "drop --replicas (k+m already sets the redundancy) or --ec",
      });
    }
    let data: Uint8Array;
    try {
      data = readForUpload(file, options.parallelHashingBytes);
    } catch (err) {
      throw new ZgError<ClientErrorCode>("STORAGE_FILE_UNREADABLE", `cannot read ${file}: ${errorText(err)}`, {
        hint: "check the path",
      });
    }
    if (data.length === 0)
      throw new ZgError<ClientErrorCode>("STORAGE_FILE_UNREADABLE", `${file} is empty`, {
        hint: "the Flow stores files of at least one byte",
      });
    await loadHashers();
    await requireReachable(nodes);
    const client = await connectChain(options.chain, logger);
    const hasher = data.length >= options.parallelHashingBytes ? await SegmentHasher.start() : undefined;
    try {
      const started = performance.now();
      if (spec) {
        const r = await uploadFileEc(client, data, nodes, spec, uploadOptions(options, logger, hasher));
        const seconds = (performance.now() - started) / 1000;
        if (flags.json) {
          console.log(
            JSON.stringify(
              {
                root: r.manifestRoot,
                manifest: r.manifest,
                paid: String(r.paid),
                submitted: r.submitted,
                uploaded: r.uploaded,
                seconds,
              },
              null,
              2,
            ),
          );
        } else {
          console.log(r.manifestRoot);
          console.error(
            `uploaded ${data.length} bytes as ${spec.k}+${spec.m} shards in ${seconds.toFixed(1)} s; paid ${r.paid} wei` +
              (r.submitted.length === 0 ? " (already submitted)" : ""),
          );
        }
      } else {
        const r = await uploadFile(client, data, nodes, uploadOptions(options, logger, hasher));
        const seconds = (performance.now() - started) / 1000;
        if (flags.json) console.log(JSON.stringify({ ...r, paid: String(r.paid), seconds }, null, 2));
        else {
          console.log(r.root);
          console.error(
            `uploaded ${r.size} bytes (${r.segments} segments) in ${seconds.toFixed(1)} s; paid ${r.paid} wei` +
              (r.submitted ? "" : " (already submitted)"),
          );
        }
      }
    } finally {
      await hasher?.close();
      client.close();
    }
  });
}

function downloadCommand(): Command {
  return withFlags(
    new Command("download")
      .description("fetch a file (or an erasure-coded file by its manifest root) from the nodes, check it, write it")
      .argument("<root>", "the root `zg storage upload` printed")
      .requiredOption("--out <file>", "where to write the file (atomically)"),
    false,
  ).action(async (root: string, flags: Flags) => {
    checkRoot(root);
    const { options, logger, nodes } = setUp(flags);
    await loadHashers();
    await requireReachable(nodes);
    const r = await retrieve(root, nodes, downloadOptions(options, logger));
    writeAtomic(flags.out!, r.data);
    for (const b of r.bad) console.error(`skipped ${b.url}: served bad data (${b.reason})`);
    for (const u of r.unreachable) console.error(`unreachable: ${u}`);
    const summary = {
      root,
      bytes: r.data.length,
      out: flags.out,
      erasureCoded: r.manifest ? `${r.manifest.k}+${r.manifest.m}` : undefined,
      shardSources: r.shardSources,
      served: r.served,
      bad: r.bad,
      unreachable: r.unreachable,
    };
    if (flags.json) console.log(JSON.stringify(summary, null, 2));
    else console.log(`wrote ${r.data.length} bytes to ${flags.out}`);
  });
}

function infoCommand(): Command {
  return withFlags(
    new Command("info")
      .description("what the chain and the nodes know of a root (for a manifest root: each shard and where it is)")
      .argument("<root>", "a file or manifest root"),
    true,
  ).action(async (root: string, flags: Flags) => {
    checkRoot(root);
    const { options, logger, nodes } = setUp(flags);
    await loadHashers();
    let client: ChainClient | undefined;
    try {
      client = await connectChain(options.chain, logger);
    } catch (err) {
      console.error(`chain not read: ${errorText(err)}`);
    }
    try {
      const report = await fileReport(client, root, nodes, downloadOptions(options, logger));
      console.log(JSON.stringify(report, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v), 2));
    } finally {
      client?.close();
    }
  });
}

function repairCommand(): Command {
  return withFlags(
    new Command("repair")
      .description(
        "rebuild the shards of an erasure-coded file that no given node holds, onto other given nodes (pays nothing)",
      )
      .argument("<manifestRoot>", "the root `zg storage upload --ec` printed"),
    false,
  ).action(async (root: string, flags: Flags) => {
    checkRoot(root);
    const { options, logger, nodes } = setUp(flags);
    await loadHashers();
    await requireReachable(nodes);
    const r = await repair(root, nodes, { ...uploadOptions(options, logger), ...downloadOptions(options, logger) });
    if (flags.json) console.log(JSON.stringify(r, null, 2));
    else {
      for (const x of r.repaired) console.log(`rebuilt shard ${x.index} (${x.root}) onto ${x.node}`);
      if (r.repaired.length === 0) console.log("every shard is held: nothing to repair");
    }
  });
}

/** `zg storage`: the storage client. */
export function storageCommand(): Command {
  return new Command("storage")
    .description("storage client: upload (optionally erasure-coded), download, info, repair")
    .addCommand(uploadCommand())
    .addCommand(downloadCommand())
    .addCommand(infoCommand())
    .addCommand(repairCommand());
}
