// `zg market services`: every live service of the network in one table (or one JSON document), each probed now.
import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import pino from "pino";
import { z } from "zod";
import { connectChain } from "../../common/chain";
import { chainOptionsSchema, integerOption, loadConfig, loggerOptionsSchema } from "../../common/config";
import { ZgError, errorText } from "../../common/errors";
import { createLogger } from "../../common/logger";
import { DEFAULT_PROBE_TIMEOUT_MS, discoverServices, renderServices } from "../../market/discovery";

export const servicesOptionsSchema = z.strictObject({
  chain: chainOptionsSchema.prefault({}),
  /** Storage node JSON-RPC URLs, added to the devnet's. */
  storageNodes: z.array(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" })).default([]),
  /** Per-probe limit; a service that has not answered by then is "down". */
  timeoutMs: integerOption().positive().max(60_000).default(DEFAULT_PROBE_TIMEOUT_MS),
  logger: loggerOptionsSchema.prefault({ level: "warn" }),
});
export type ServicesOptions = z.output<typeof servicesOptionsSchema>;

interface ServicesFlags {
  config?: string;
  rpc?: string;
  deployments?: string;
  storageNodes?: string;
  devnet?: string;
  timeoutMs?: string;
  logLevel?: string;
  json?: boolean;
}

/** What `--devnet` takes from devnet.json. */
interface DevnetSummary {
  rpcUrl: string;
  deploymentsDir: string;
  storageNodes: string[];
}

const devnetFileSchema = z.object({
  rpcUrl: z.string(),
  deployment: z.string(),
  services: z.object({ storageNodes: z.array(z.string()).default([]) }).optional(),
});

/** Reads `<dir>/devnet.json`; a devnet from before the `services` field lists no storage nodes. */
export function readDevnetSummary(dir: string): DevnetSummary {
  const file = path.join(dir, "devnet.json");
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new ZgError("CONFIG_FILE_UNREADABLE", `cannot read the devnet summary ${file}: ${errorText(err)}`, {
      hint: `start a devnet with \`zg devnet --data-dir ${dir}\` (it writes devnet.json once ready)`,
    });
  }
  const parsed = devnetFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ZgError("CONFIG_FILE_MALFORMED", `${file} is not a devnet summary`, {
      hint: `restart the devnet with \`zg devnet --data-dir ${dir}\` to rewrite it`,
    });
  }
  return {
    rpcUrl: parsed.data.rpcUrl,
    deploymentsDir: path.dirname(parsed.data.deployment),
    storageNodes: parsed.data.services?.storageNodes ?? [],
  };
}

function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function servicesCommand(): Command {
  return new Command("services")
    .description("list every live service (compute providers, storage nodes, DA signers), each probed now")
    .option("--config <file>", "JSON file with options")
    .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545, or the devnet's)")
    .option(
      "--deployments <dir>",
      "folder of <chainId>.json deployment records (default: deployments, or the devnet's)",
    )
    .option("--storage-nodes <urls>", "storage node URLs, comma-separated (none are registered on chain)")
    .option(
      "--devnet <dir>",
      "a `zg devnet` data dir: take the RPC, deployments and storage nodes from its devnet.json",
    )
    .option("--timeout-ms <ms>", `per-probe timeout (default ${DEFAULT_PROBE_TIMEOUT_MS})`)
    .option("--log-level <level>", "fatal | error | warn | info | debug | trace")
    .option("--json", "print one JSON document: { chainId, block, compute, storage, da }")
    .action(async (flags: ServicesFlags) => {
      const devnet = flags.devnet ? readDevnetSummary(flags.devnet) : undefined;
      const options = loadConfig(servicesOptionsSchema, {
        file: flags.config,
        flags: {
          "chain.rpcUrl": flags.rpc ?? devnet?.rpcUrl,
          "chain.deploymentsDir": flags.deployments ?? devnet?.deploymentsDir,
          storageNodes: splitList(flags.storageNodes),
          timeoutMs: flags.timeoutMs,
          "logger.level": flags.logLevel,
        },
      });
      const logger = createLogger(options.logger, { destination: pino.destination({ fd: 2, sync: true }) });
      // Reading only: a key in the config or env would never be used.
      const { privateKey: _p, keyFile: _k, ...chain } = options.chain;
      const client = await connectChain({ ...chain }, logger);
      try {
        const storageNodes = [...new Set([...(devnet?.storageNodes ?? []), ...options.storageNodes])];
        const report = await discoverServices(client, { storageNodes, timeoutMs: options.timeoutMs });
        console.log(flags.json ? JSON.stringify(report, null, 2) : renderServices(report));
      } finally {
        client.close();
      }
    });
}
