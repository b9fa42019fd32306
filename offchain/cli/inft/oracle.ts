import { Command } from "commander";
import pino from "pino";
import { z } from "zod";
import { loadConfig, loggerOptionsSchema, portOption } from "../../common/config";
import { readKeyFile } from "../../common/keys";
import { Lifecycle, onShutdownSignals } from "../../common/lifecycle";
import { createLogger } from "../../common/logger";
import { startOracleServer } from "../../inft/oracle";

const oracleOptionsSchema = z.strictObject({
  /** File whose first line is the oracle's 0x-prefixed secp256k1 key; governance acknowledges its address. */
  keyFile: z.string().min(1),
  host: z.string().min(1).default("127.0.0.1"),
  port: portOption().default(8600),
  logger: loggerOptionsSchema.prefault({}),
});

export function oracleCommand(): Command {
  return new Command("oracle")
    .description("serve the TEE-mode transfer oracle: re-seals data keys to receivers and signs ownership proofs")
    .option("--config <file>", "JSON file with options")
    .option("--key-file <file>", "the oracle's secp256k1 key (run it inside a TEE in production)")
    .option("--host <host>", "interface to listen on (default 127.0.0.1)")
    .option("--port <port>", "port to listen on (default 8600)")
    .option("--log-level <level>", "fatal | error | warn | info | debug | trace")
    .action(async (flags: { config?: string; keyFile?: string; host?: string; port?: string; logLevel?: string }) => {
      const options = loadConfig(oracleOptionsSchema, {
        file: flags.config,
        flags: { keyFile: flags.keyFile, host: flags.host, port: flags.port, "logger.level": flags.logLevel },
      });
      const key = readKeyFile(options.keyFile);
      const logger = createLogger(options.logger, {
        bindings: { node: "inft-oracle" },
        ...(options.logger.file ? {} : { destination: pino.destination({ fd: 2, sync: true }) }),
      });
      const lifecycle = new Lifecycle(logger);
      onShutdownSignals(lifecycle, logger);
      const server = await startOracleServer(key, { host: options.host, port: options.port });
      lifecycle.add("oracle-server", () => server.close());
      logger.info({ url: server.url, address: server.address }, "oracle listening");
      console.log(`oracle ready: ${server.url} (signer ${server.address}, public key ${server.publicKey})`);
    });
}
