import path from "node:path";
import { loadConfig } from "../../common/config";
import { Lifecycle } from "../../common/lifecycle";
import { createMetricsRegistry } from "../../common/metrics";
import { initStorageNode, storageNodeOptionsSchema } from "../../storage/node";
import { closeAll, writeNodeConfig } from "./nodes";
import type { DevnetWorker } from "./workers";

/** `options.storageNodes` storage nodes, each with its own data dir, config file and free ports. */
export const storageNodesWorker: DevnetWorker = {
  name: "storage-nodes",
  async start(ctx) {
    const lifecycles: Lifecycle[] = [];
    const endpoints: string[] = [];
    try {
      for (let i = 0; i < ctx.options.storageNodes; i++) {
        const dir = path.join(ctx.dataDir, `node-${i}`);
        const file = writeNodeConfig(dir, {
          chain: { rpcUrl: ctx.rpcUrl, deploymentsDir: ctx.deploymentsDir },
          host: "127.0.0.1",
          port: 0,
          admin: { port: 0 },
          dataDir: path.join(dir, "data"),
        });
        const options = loadConfig(storageNodeOptionsSchema, { file, env: {} });
        const logger = ctx.logger.child({ node: `storage-${i}` });
        const lifecycle = new Lifecycle(logger);
        lifecycles.push(lifecycle);
        const registry = createMetricsRegistry({ labels: { node: `storage-${i}` }, processMetrics: false });
        const node = await initStorageNode(options, { logger, lifecycle, registry, chain: ctx.chain });
        endpoints.push(`storage-${i}  ${node.url}  (config ${file})`);
      }
    } catch (err) {
      await closeAll(lifecycles);
      throw err;
    }
    return { stop: () => closeAll(lifecycles), endpoints };
  },
};
