import path from "node:path";
import { loadConfig } from "../../common/config";
import { Lifecycle } from "../../common/lifecycle";
import { createMetricsRegistry } from "../../common/metrics";
import { initStorageNode, storageNodeOptionsSchema } from "../../storage/node";
import { closeAll, writeKeyFile, writeNodeConfig } from "./nodes";
import type { DevnetWorker } from "./workers";

/** Dev account 18 (of hardhat's 20) signs the mining node's answers, clear of the validators at 2... */
const MINER_ACCOUNT = 18;

/** `options.storageNodes` storage nodes, each with its own data dir, config file and free ports; the first one mines. */
export const storageNodesWorker: DevnetWorker = {
  name: "storage-nodes",
  async start(ctx) {
    const lifecycles: Lifecycle[] = [];
    const endpoints: string[] = [];
    const urls: string[] = [];
    try {
      for (let i = 0; i < ctx.options.storageNodes; i++) {
        const dir = path.join(ctx.dataDir, `node-${i}`);
        // Node 0 mines, signing its answers with its own dev account (after the DA validators' 2..).
        const mining = i === 0;
        const keyFile = mining
          ? writeKeyFile(path.join(dir, "miner.key"), (await ctx.accounts.funded(MINER_ACCOUNT, 0n)).privateKey)
          : undefined;
        const file = writeNodeConfig(dir, {
          chain: { rpcUrl: ctx.rpcUrl, deploymentsDir: ctx.deploymentsDir, ...(keyFile ? { keyFile } : {}) },
          host: "127.0.0.1",
          port: 0,
          admin: { port: 0 },
          dataDir: path.join(dir, "data"),
          ...(mining ? { mine: { enabled: true } } : {}),
        });
        const options = loadConfig(storageNodeOptionsSchema, { file, env: {} });
        const logger = ctx.logger.child({ node: `storage-${i}` });
        const lifecycle = new Lifecycle(logger);
        lifecycles.push(lifecycle);
        const registry = createMetricsRegistry({ labels: { node: `storage-${i}` }, processMetrics: false });
        const node = await initStorageNode(options, { logger, lifecycle, registry, chain: ctx.chain });
        endpoints.push(`storage-${i}  ${node.url}${mining ? "  mining" : ""}  (config ${file})`);
        urls.push(node.url);
      }
    } catch (err) {
      await closeAll(lifecycles);
      throw err;
    }
    return { stop: () => closeAll(lifecycles), endpoints, services: { storageNodes: urls } };
  },
};
