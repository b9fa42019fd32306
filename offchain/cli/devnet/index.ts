import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { HDNodeWallet, Mnemonic } from "ethers";
import pino from "pino";
import { connectChain } from "../../common/chain";
import { loadConfig } from "../../common/config";
import { readDeployment } from "../../common/deployments";
import { ZgError } from "../../common/errors";
import { Lifecycle, onShutdownSignals } from "../../common/lifecycle";
import { createLogger, type Logger } from "../../common/logger";
import { createMetricsRegistry, startMetricsServer } from "../../common/metrics";
import { addCommonFlags, commonFlagValues, type CommonFlags } from "../flags";
import { logTail, runHardhat, startHardhatNode, assertPortFree } from "./hardhatNode";
import { devnetOptionsSchema, type DevnetOptions } from "./options";
import { DEV_MNEMONIC } from "./nodes";
import { DEVNET_WORKERS, type DevnetServices } from "./workers";

interface DevnetFlags extends CommonFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  startTimeoutMs?: string;
  storageNodes?: string;
  daSigners?: string;
  computeProviders?: string;
}

export function devnetCommand(): Command {
  return addCommonFlags(
    new Command("devnet")
      .description("start a local chain, deploy every contract, start the workers; Ctrl-C stops it all")
      .option("--host <host>", "interface for the chain's JSON-RPC (default 127.0.0.1)")
      .option("--port <port>", "port for the chain's JSON-RPC (default 8545)")
      .option("--data-dir <dir>", "where logs, the deployment record and devnet.json go (default .zg/devnet)")
      .option("--start-timeout-ms <ms>", "how long the chain may take to start (default 60000)")
      .option("--storage-nodes <n>", "storage nodes to start (default 4)")
      .option("--da-signers <n>", "validators with a DA signer each to start (default 4)")
      .option("--compute-providers <n>", "validators serving the embedded model through a compute broker (default 1)"),
  ).action(async (flags: DevnetFlags) => {
    const options = loadConfig(devnetOptionsSchema, {
      file: flags.config,
      flags: {
        ...commonFlagValues(flags),
        host: flags.host,
        port: flags.port,
        dataDir: flags.dataDir,
        startTimeoutMs: flags.startTimeoutMs,
        storageNodes: flags.storageNodes,
        daSigners: flags.daSigners,
        computeProviders: flags.computeProviders,
      },
    });
    await runDevnet(options);
  });
}

/** Brings the devnet up and returns once it is ready; the shutdown handlers take it down. */
export async function runDevnet(options: DevnetOptions): Promise<Lifecycle> {
  const dataDir = path.resolve(options.dataDir);
  // The summary goes to stdout for the person at the terminal; logs go to stderr or a file.
  const logger = createLogger(options.logger, {
    bindings: { node: "devnet" },
    ...(options.logger.file ? {} : { destination: pino.destination({ fd: 2, sync: true }) }),
  });
  const lifecycle = new Lifecycle(logger);
  onShutdownSignals(lifecycle, logger);
  try {
    await startAll(options, dataDir, lifecycle, logger);
  } catch (err) {
    await lifecycle.close().catch(() => undefined);
    throw err;
  }
  return lifecycle;
}

async function startAll(options: DevnetOptions, dataDir: string, lifecycle: Lifecycle, logger: Logger) {
  const { signal } = lifecycle;
  await assertPortFree(options.host, options.port);
  fs.mkdirSync(dataDir, { recursive: true });

  const chain = await startHardhatNode(
    {
      host: options.host,
      port: options.port,
      logFile: path.join(dataDir, "chain.log"),
      timeoutMs: options.startTimeoutMs,
      signal,
    },
    logger.child({ module: "chain" }),
  );
  lifecycle.add("chain", () => chain.stop());

  const deploymentsDir = path.join(dataDir, "deployments");
  await deployEverything(chain.url, chain.chainId, deploymentsDir, path.join(dataDir, "deploy.log"), logger);
  const client = await connectChain(
    { rpcUrl: chain.url, chainId: chain.chainId, deploymentsDir, confirmations: 1, rpcTimeoutMs: 5000 },
    logger.child({ module: "chain-client" }),
    { signal },
  );
  lifecycle.add("chain-client", () => client.close());

  const registry = createMetricsRegistry();
  const metrics = await startMetricsServer(options.metrics, registry, logger.child({ module: "metrics" }));
  if (metrics) lifecycle.add("metrics", () => metrics.close());

  const endpoints: string[] = [];
  const services: DevnetServices = { storageNodes: [], daSigners: [], computeProviders: [] };
  for (const worker of DEVNET_WORKERS) {
    const started = await worker.start({
      chain: client,
      rpcUrl: chain.url,
      deploymentsDir,
      options,
      dataDir: path.join(dataDir, worker.name),
      logger: logger.child({ module: worker.name }),
      metrics: registry,
      signal,
    });
    lifecycle.add(worker.name, () => started.stop());
    endpoints.push(...started.endpoints);
    for (const kind of Object.keys(services) as (keyof DevnetServices)[]) {
      services[kind].push(...(started.services?.[kind] ?? []));
    }
  }

  const summary = {
    rpcUrl: chain.url,
    chainId: chain.chainId,
    deployment: path.join(deploymentsDir, `${chain.chainId}.json`),
    contracts: Object.fromEntries(Object.entries(client.deployment.contracts).map(([n, c]) => [n, c.address])),
    accounts: devAccounts(2),
    workers: endpoints,
    services,
    metrics: metrics?.url ?? null,
  };
  fs.writeFileSync(path.join(dataDir, "devnet.json"), JSON.stringify(summary, null, 2));
  printSummary(summary);
}

async function deployEverything(
  rpcUrl: string,
  chainId: number,
  deploymentsDir: string,
  logFile: string,
  logger: Logger,
) {
  fs.rmSync(logFile, { force: true });
  logger.info({ log: logFile }, "deploying every contract");
  const deploy = runHardhat(["--network", "localhost", "deploy", "--deployments", deploymentsDir, "--fresh"], logFile, {
    ZG_LOCAL_RPC: rpcUrl,
  });
  const code = await deploy.exited;
  if (code !== 0) {
    throw new ZgError("DEVNET_DEPLOY_FAILED", `deploying the contracts failed (exit ${code}); ${logTail(logFile)}`, {
      hint: `read ${logFile}; \`npx hardhat compile\` shows compile errors`,
    });
  }
  const record = await readDeployment(deploymentsDir, chainId);
  logger.info({ contracts: Object.keys(record.contracts).length }, "deployed");
}

function devAccounts(count: number): { address: string; privateKey: string }[] {
  const mnemonic = Mnemonic.fromPhrase(DEV_MNEMONIC);
  return Array.from({ length: count }, (_, i) => {
    const wallet = HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`);
    return { address: wallet.address, privateKey: wallet.privateKey };
  });
}

function printSummary(summary: {
  rpcUrl: string;
  chainId: number;
  deployment: string;
  contracts: Record<string, string>;
  accounts: { address: string; privateKey: string }[];
  workers: string[];
  metrics: string | null;
}) {
  const width = Math.max(...Object.keys(summary.contracts).map((n) => n.length));
  const lines = [
    "",
    `  RPC URL     ${summary.rpcUrl}`,
    `  chain id    ${summary.chainId}`,
    `  deployment  ${summary.deployment}`,
    "",
    "  contracts",
    ...Object.entries(summary.contracts).map(([name, address]) => `    ${name.padEnd(width)}  ${address}`),
    "",
    "  dev accounts (well-known keys: never use them on a real chain)",
    ...summary.accounts.map((a) => `    ${a.address}  ${a.privateKey}`),
    "",
    "  workers",
    ...(summary.workers.length ? summary.workers.map((w) => `    ${w}`) : ["    none"]),
    ...(summary.metrics ? [`  metrics     ${summary.metrics}`] : []),
    "",
    `devnet ready: ${summary.rpcUrl} (Ctrl-C stops it)`,
  ];
  console.log(lines.join("\n"));
}
