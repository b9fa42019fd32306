import { Command } from "commander";
import pino from "pino";
import { z } from "zod";
import { connectChain, displayUrl } from "../../common/chain";
import { chainOptionsSchema, loadConfig, loggerOptionsSchema } from "../../common/config";
import { createLogger } from "../../common/logger";

const chainCommandSchema = z.strictObject({
  chain: chainOptionsSchema.prefault({}),
  logger: loggerOptionsSchema.prefault({ level: "warn" }),
});

interface ChainFlags {
  config?: string;
  rpc?: string;
  chainId?: string;
  deployments?: string;
  json?: boolean;
}

/** `zg chain`: what a node would see at start-up — the chain, its head and the recorded contracts. */
export function chainCommand(): Command {
  return new Command("chain")
    .description("check an RPC endpoint and the deployment recorded for its chain id")
    .option("--config <file>", "JSON file with options")
    .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
    .option("--chain-id <id>", "refuse an RPC that serves another chain")
    .option("--deployments <dir>", "folder of <chainId>.json deployment records (default deployments)")
    .option("--json", "print JSON")
    .action(async (flags: ChainFlags) => {
      const options = loadConfig(chainCommandSchema, {
        file: flags.config,
        flags: { "chain.rpcUrl": flags.rpc, "chain.chainId": flags.chainId, "chain.deploymentsDir": flags.deployments },
      });
      const logger = createLogger(options.logger, { destination: pino.destination({ fd: 2, sync: true }) });
      const client = await connectChain(options.chain, logger);
      try {
        const head = await client.provider.getBlockNumber();
        const info = {
          rpcUrl: displayUrl(options.chain.rpcUrl),
          chainId: client.chainId,
          head,
          network: client.deployment.network,
          contracts: client.deployment.contracts,
        };
        if (flags.json) {
          console.log(JSON.stringify(info, null, 2));
          return;
        }
        console.log(`${info.rpcUrl}: chain ${info.chainId}, head block ${head}, deployed as "${info.network}"`);
        for (const [name, c] of Object.entries(info.contracts)) {
          console.log(`  ${name.padEnd(20)} ${c.address}  ${c.kind.padEnd(5)}  from block ${c.startBlock}`);
        }
      } finally {
        client.close();
      }
    });
}
