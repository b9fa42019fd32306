// What the `zg market` commands that send or read transactions share: their options and one chain connection.
import pino from "pino";
import { z } from "zod";
import { connectChain, type ChainClient } from "../../common/chain";
import { chainOptionsSchema, loadConfig, loggerOptionsSchema } from "../../common/config";
import { createLogger, type Logger } from "../../common/logger";

const marketOptionsSchema = z.strictObject({
  chain: chainOptionsSchema.prefault({}),
  logger: loggerOptionsSchema.prefault({ level: "warn" }),
});

export interface ChainFlags {
  rpc?: string;
  deployments?: string;
  keyFile?: string;
  logLevel?: string;
}

/** Connects with the flags' options, runs `fn`, and closes the connection whatever happens. */
export async function withChain<T>(
  flags: ChainFlags,
  fn: (client: ChainClient, logger: Logger) => Promise<T>,
): Promise<T> {
  const options = loadConfig(marketOptionsSchema, {
    flags: {
      "chain.rpcUrl": flags.rpc,
      "chain.deploymentsDir": flags.deployments,
      "chain.keyFile": flags.keyFile,
      "logger.level": flags.logLevel,
    },
  });
  const logger = createLogger(options.logger, { destination: pino.destination({ fd: 2, sync: true }) });
  const client = await connectChain(options.chain, logger);
  try {
    return await fn(client, logger);
  } finally {
    client.close();
  }
}
