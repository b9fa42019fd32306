import { Command } from "commander";
import pino from "pino";
import { loadConfig } from "../../common/config";
import { Lifecycle, onShutdownSignals } from "../../common/lifecycle";
import { createLogger } from "../../common/logger";
import { createMetricsRegistry } from "../../common/metrics";
import { initSignerNode, signerOptionsSchema } from "../../da/node";
import { addCommonFlags, commonFlagValues, type CommonFlags } from "../flags";

interface SignerFlags extends CommonFlags {
  blsKeyFile?: string;
  keyFile?: string;
  rpc?: string;
  deployments?: string;
  host?: string;
  port?: string;
  socket?: string;
  dataDir?: string;
  srsFile?: string;
  sampler?: boolean;
}

/** `zg da-signer`: a DA signer node. */
export function daSignerCommand(): Command {
  return addCommonFlags(
    new Command("da-signer")
      .description("run a DA signer: register the BLS key, store and sign blob rows, serve them, answer sampling")
      .option("--bls-key-file <file>", "the signer's BLS secret key (0x + 64 hex digits)")
      .option("--key-file <file>", "the validator operator's Ethereum key (registers, samples, answers challenges)")
      .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
      .option("--deployments <dir>", "folder of <chainId>.json deployment records")
      .option("--host <host>", "interface for the API (default 127.0.0.1)")
      .option("--port <port>", "port for the API (default 8700)")
      .option("--socket <url>", "URL dispersers use to reach this node (registered on chain)")
      .option("--data-dir <dir>", "where rows are kept (default .zg/da-signer)")
      .option("--srs-file <file>", "SRS file (default: the committed dev SRS)")
      .option("--no-sampler", "do not answer sampling rounds or challenges"),
  ).action(async (flags: SignerFlags) => {
    const options = loadConfig(signerOptionsSchema, {
      file: flags.config,
      flags: {
        ...commonFlagValues(flags),
        blsKeyFile: flags.blsKeyFile,
        "chain.keyFile": flags.keyFile,
        "chain.rpcUrl": flags.rpc,
        "chain.deploymentsDir": flags.deployments,
        host: flags.host,
        port: flags.port,
        socket: flags.socket,
        dataDir: flags.dataDir,
        srsFile: flags.srsFile,
        "sampler.enabled": flags.sampler === false ? false : undefined,
      },
    });
    // Logs go to stderr (or the log file); stdout carries only the ready line.
    const logger = createLogger(options.logger, {
      bindings: { node: "da-signer" },
      ...(options.logger.file ? {} : { destination: pino.destination({ fd: 2, sync: true }) }),
    });
    const lifecycle = new Lifecycle(logger);
    onShutdownSignals(lifecycle, logger);
    try {
      const node = await initSignerNode(options, { logger, lifecycle, registry: createMetricsRegistry() });
      console.log(`da-signer ready: ${node.url} (signer ${node.address})`);
    } catch (err) {
      await lifecycle.close().catch(() => undefined);
      throw err;
    }
  });
}
