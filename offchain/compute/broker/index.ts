/**
 * A compute provider broker: an OpenAI-compatible API in front of a model that authenticates users by session,
 * meters tokens, bills on-chain prices, keeps every bill on disk and (with the settlement scheduler) settles them.
 * Built by `initProviderBroker` in dependency order; `close()` (the lifecycle) stops it in reverse.
 */
import path from "node:path";
import type { AddressInfo } from "node:net";
import { Wallet } from "ethers";
import type { Registry } from "prom-client";
import { connectChain, type ChainClient } from "../../common/chain";
import { ZgError } from "../../common/errors";
import { readKeyFile } from "../../common/keys";
import type { Lifecycle } from "../../common/lifecycle";
import type { Logger } from "../../common/logger";
import { MetricsFactory, startMetricsServer } from "../../common/metrics";
import type { Backend } from "../backend/types";
import { computeContracts } from "../chain";
import { billDomain, signBillAsProvider } from "../core";
import { initAgentExecutor } from "./agents/setup";
import { openBackend } from "./backend";
import { Billing } from "./billing";
import { brokerChainView } from "./chainView";
import { createBrokerMetrics } from "./metrics";
import type { ProviderOptions } from "./options";
import { buildBrokerServer } from "./server";
import { createSettlementMetrics, createSettlementScheduler } from "./settlement";
import { LevelBillStore } from "./store";

export interface ProviderBroker {
  url: string;
  provider: string;
  model: string;
  store: LevelBillStore;
}

export interface ProviderDeps {
  logger: Logger;
  lifecycle: Lifecycle;
  registry: Registry;
  /** An already connected chain client; otherwise the broker connects itself. */
  chain?: ChainClient;
  /** A backend to serve instead of opening one from `options.model` (tests, embedding). */
  backend?: Backend;
}

export async function initProviderBroker(options: ProviderOptions, deps: ProviderDeps): Promise<ProviderBroker> {
  const { logger, lifecycle } = deps;
  const { signal } = lifecycle;
  const client = deps.chain ?? (await connectChain(options.chain, logger.child({ module: "chain" }), { signal }));
  if (!deps.chain) lifecycle.add("chain", () => client.close());
  if (!client.signer) {
    throw new ZgError("COMPUTE_PROVIDER_NO_KEY", "the broker needs the provider's Ethereum key", {
      hint: "pass --key-file <file> (or ZG_CHAIN__KEY_FILE): the address users' sessions name and settlements pay",
    });
  }
  const provider = client.signer.address;
  const { ledger, serving } = computeContracts(client);
  const chainView = brokerChainView(ledger, serving, provider, options.chainCacheMs);

  const store = await LevelBillStore.open(path.resolve(options.dataDir));
  lifecycle.add("store", () => store.close());
  const factory = new MetricsFactory(deps.registry);
  const metrics = createBrokerMetrics(factory);

  const backend = deps.backend ?? (await openBackend(options.model, logger.child({ module: "backend" })));
  if (!deps.backend) lifecycle.add("backend", () => backend.close());

  const service = await chainView.service();
  if (!service) logger.warn({ provider }, "no service registered on chain yet; requests get 503 until it is");
  else if (service.model !== backend.model) {
    logger.warn({ onChain: service.model, served: backend.model }, "the registered model differs from the one served");
  }
  const signer = client.signer;
  const domain = billDomain(client.chainId, await serving.getAddress());
  const billing = new Billing(
    {
      provider,
      chainId: BigInt(client.chainId),
      mode: options.settlement.mode,
      maxUnsignedFee: options.maxUnsignedFee,
      signBill: (bill) => signBillAsProvider(signer, domain, bill),
    },
    store,
    chainView,
    metrics,
  );
  // Read on scrape: the store is the truth, including bills the scheduler settled since.
  const exposure = metrics.unsignedExposure;
  (exposure as unknown as { collect?: () => Promise<void> }).collect = async () => {
    exposure.set(Number(await billing.unsignedExposure()));
  };

  const agents = await initAgentExecutor(options.agents, {
    client,
    serving,
    dataDir: options.dataDir,
    lifecycle,
    logger: logger.child({ module: "agents" }),
    metrics: factory,
  });

  const app = buildBrokerServer({
    backend,
    billing,
    metrics,
    registry: deps.registry,
    logger: logger.child({ module: "api" }),
    provider,
    defaultMaxTokens: options.defaultMaxTokens,
    maxRequestBytes: options.maxRequestBytes,
    agents,
    status: async () => {
      const s = await chainView.service();
      return {
        provider,
        chainId: client.chainId,
        model: backend.model,
        contextSize: backend.contextSize,
        mode: options.settlement.mode,
        registered: Boolean(s),
        service: s && {
          model: s.model,
          url: s.url,
          inputPrice: s.inputPrice.toString(),
          outputPrice: s.outputPrice.toString(),
          verifiability: s.verifiability,
          teeSigner: s.teeSigner,
        },
        inputPrice: s?.inputPrice.toString() ?? null,
        outputPrice: s?.outputPrice.toString() ?? null,
        executor: agents ? { address: agents.address, publicKey: agents.publicKey } : null,
      };
    },
  });
  await app.listen({ host: options.host, port: options.port });
  lifecycle.add("api", () => app.close());
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;

  if (options.settlement.enabled) {
    const mode = options.settlement.mode;
    const teeKeyFile = options.settlement.teeSignerKeyFile;
    if (mode === "tee" && !teeKeyFile) {
      throw new ZgError("COMPUTE_PROVIDER_NO_TEE_KEY", "tee settlement needs the TEE signer's key", {
        hint: "pass --tee-signer-key-file <file> (its address must be the service's acknowledged teeSigner)",
      });
    }
    const scheduler = createSettlementScheduler({
      store,
      chain: { serving, ledger },
      mode,
      batchSize: options.settlement.batchSize,
      maxDelaySeconds: options.settlement.maxDelaySeconds,
      signal,
      logger,
      metrics: createSettlementMetrics(factory),
      teeSigner: teeKeyFile ? new Wallet(readKeyFile(teeKeyFile)) : undefined,
    });
    await scheduler.start();
    lifecycle.add("settlement", () => scheduler.close());
  }
  const metricsServer = await startMetricsServer(options.metrics, deps.registry, logger.child({ module: "metrics" }));
  if (metricsServer) lifecycle.add("metrics", () => metricsServer.close());

  logger.info({ url, provider, model: backend.model, mode: options.settlement.mode }, "compute provider listening");
  return { url, provider, model: backend.model, store };
}

export { providerOptionsSchema, type ProviderOptions } from "./options";
export type { BillStore, StoredBill } from "./store";
