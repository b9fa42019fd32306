/**
 * A storage node: follows the Flow's submissions, takes segments over JSON-RPC (each checked against its file root
 * before it is stored), serves them back with proofs. Built by `initStorageNode` in dependency order; `close()`
 * (the lifecycle) stops it in reverse.
 */
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { connectChain, loadSigner, type ChainClient } from "../../common/chain";
import type { Lifecycle } from "../../common/lifecycle";
import type { Logger } from "../../common/logger";
import { MetricsFactory, startMetricsServer } from "../../common/metrics";
import { loadHashers } from "../core";
import { createMinerMetrics, startMiner, type Miner } from "../miner";
import { createStorageNodeMetrics } from "./metrics";
import type { StorageNodeOptions } from "./options";
import { adminMethods, segmentDownloadRoutes, segmentRoutes, zgsMethods, type RpcDeps } from "./rpc";
import { buildRpcServer } from "./server";
import { StorageStore } from "./store";
import { startChainSync } from "./sync";

export interface StorageNode {
  url: string;
  adminUrl?: string;
  /** Present when `mine.enabled`. */
  miner?: Miner;
}

export interface StorageNodeDeps {
  logger: Logger;
  lifecycle: Lifecycle;
  registry: Registry;
  /** An already connected chain client; otherwise the node connects itself. */
  chain?: ChainClient;
}

function urlOf(host: string, app: FastifyInstance): string {
  const { port } = app.server.address() as AddressInfo;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export async function initStorageNode(options: StorageNodeOptions, deps: StorageNodeDeps): Promise<StorageNode> {
  const { logger, lifecycle } = deps;
  const { signal } = lifecycle;
  await loadHashers();
  const metrics = createStorageNodeMetrics(new MetricsFactory(deps.registry));

  const client =
    deps.chain ??
    (await connectChain(
      { ...options.chain, privateKey: undefined, keyFile: undefined },
      logger.child({ module: "chain" }),
      { signal },
    ));
  if (!deps.chain) lifecycle.add("chain", () => client.close());

  const store = await StorageStore.open(
    path.resolve(options.dataDir),
    options.shard,
    options.maxPendingBytes,
    options.directWrites,
  );
  lifecycle.add("store", () => store.close());
  metrics.pendingBytes.set(store.pendingBytes());
  logger.info(
    {
      dataDir: options.dataDir,
      cursor: store.cursor(),
      submissions: store.submissions(),
      pendingBytes: store.pendingBytes(),
      directWrites: store.writesDirect(),
    },
    "store opened",
  );

  const syncLogger = logger.child({ module: "sync" });
  const sync = startChainSync(
    {
      provider: client.provider,
      flowAddress: client.contractAddress("Flow"),
      startBlock: client.startBlock("Flow"),
      confirmations: options.chain.confirmations,
      store,
      metrics,
      logger: syncLogger,
      signal,
      onApplied: (result) => {
        metrics.pendingBytes.set(store.pendingBytes());
        for (const m of result.misplaced) {
          syncLogger.error(
            m,
            "a submission's startPos differs from the node's flow tree: the flow root will not match",
          );
        }
        for (const a of result.adopted) syncLogger.info(a, "pending segments adopted by their submission");
        for (const root of result.finalized) {
          metrics.filesFinalized.inc();
          syncLogger.info({ root }, "file finalized");
        }
      },
    },
    options.sync.pollIntervalMs,
    options.sync.maxBlockRange,
  );
  // The first pass runs before the API opens: a restarted node answers from a store that caught up with the chain.
  await sync.poll();
  sync.start();
  lifecycle.add("sync", () => sync.stop());

  const rpcDeps: RpcDeps = {
    store,
    sync,
    shard: options.shard,
    metrics,
    logger: logger.child({ module: "rpc" }),
    identity: { chainId: client.chainId, flow: client.contractAddress("Flow") },
    dataDir: path.resolve(options.dataDir),
    maxBatch: 64,
  };
  const api = buildRpcServer(
    zgsMethods(rpcDeps),
    { metrics, logger: rpcDeps.logger, maxRequestBytes: options.maxRequestBytes, namespace: "zgs" },
    segmentRoutes(rpcDeps),
    segmentDownloadRoutes(rpcDeps),
  );
  await api.listen({ host: options.host, port: options.port });
  lifecycle.add("api", () => api.close());
  const url = urlOf(options.host, api);

  let adminUrl: string | undefined;
  if (options.admin.enabled) {
    const admin = buildRpcServer(adminMethods(rpcDeps), {
      metrics,
      logger: logger.child({ module: "admin" }),
      maxRequestBytes: 64 * 1024,
      namespace: "admin",
    });
    await admin.listen({ host: options.admin.host, port: options.admin.port });
    lifecycle.add("admin", () => admin.close());
    adminUrl = urlOf(options.admin.host, admin);
  }

  // The miner starts after the first sync pass, on the store the API serves; it needs the key of chain.keyFile.
  let miner: Miner | undefined;
  if (options.mine.enabled) {
    const signer = await loadSigner(options.chain, client.provider);
    if (!signer) {
      throw new Error("mining needs a key to sign answers: pass --key-file <file> (chain.keyFile) with --mine");
    }
    miner = await startMiner(
      {
        signer,
        flowAddress: client.contractAddress("Flow"),
        mineAddress: client.contractAddress("Mine"),
        rewardsAddress: client.contractAddress("ChunkRewards"),
        store,
        metrics: createMinerMetrics(new MetricsFactory(deps.registry)),
        logger: logger.child({ module: "miner" }),
        signal,
      },
      options.mine,
    );
    lifecycle.add("miner", () => miner!.stop());
  }

  const metricsServer = await startMetricsServer(options.metrics, deps.registry, logger.child({ module: "metrics" }));
  if (metricsServer) lifecycle.add("metrics", () => metricsServer.close());

  logger.info({ url, adminUrl, shard: options.shard, syncedBlock: store.cursor() }, "storage node listening");
  return { url, adminUrl, miner };
}

export { storageNodeOptionsSchema, type StorageNodeOptions } from "./options";
