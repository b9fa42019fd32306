import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { formatEther, HDNodeWallet, JsonRpcProvider, Mnemonic } from "ethers";
import pino from "pino";
import { connectChain } from "../../common/chain";
import { loadConfig } from "../../common/config";
import { readDeployment } from "../../common/deployments";
import { ZgError } from "../../common/errors";
import { readKeyFile } from "../../common/keys";
import { Lifecycle, onShutdownSignals } from "../../common/lifecycle";
import { createLogger, type Logger } from "../../common/logger";
import { createMetricsRegistry, startMetricsServer } from "../../common/metrics";
import { addCommonFlags, commonFlagValues, type CommonFlags } from "../flags";
import { PARAMS_DIR } from "../../../deploy/params";
import { DevnetAccounts } from "./accounts";
import { delegateAndDescribe, type DevnetValidator } from "./delegations";
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
  alignment?: boolean;
  rpc?: string;
  key?: string;
  deployParams?: string;
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
      .option("--compute-providers <n>", "validators serving the embedded model through a compute broker (default 1)")
      .option("--no-alignment", "start no alignment node (default: one, for a license minted to dev account 9)")
      .option("--rpc <url>", "an external EVM chain to deploy to and run against instead of starting a local one")
      .option("--key <file>", "with --rpc: the key that deploys and funds the devnet's accounts (derived from it)")
      .option("--deploy-params <file>", "with --rpc: deploy params (default deploy/params/localhost.json)"),
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
        alignment: flags.alignment === false ? false : undefined,
        rpc: flags.rpc,
        keyFile: flags.key,
        deployParams: flags.deployParams,
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
  // A taken port is refused before anything is written.
  if (!options.rpc) await assertPortFree(options.host, options.port);
  // A bad key file is refused before anything is deployed with it.
  const externalKey = options.rpc && options.keyFile ? readKeyFile(options.keyFile) : undefined;
  fs.mkdirSync(dataDir, { recursive: true });
  const chain = options.rpc
    ? await externalChain(options.rpc, logger)
    : await localChain(options, dataDir, lifecycle, logger);

  const deploymentsDir = path.join(dataDir, "deployments");
  await deployEverything(options, chain, deploymentsDir, path.join(dataDir, "deploy.log"), logger);
  const client = await connectChain(
    { rpcUrl: chain.url, chainId: chain.chainId, deploymentsDir, confirmations: 1, rpcTimeoutMs: 5000 },
    logger.child({ module: "chain-client" }),
    { signal },
  );
  lifecycle.add("chain-client", () => client.close());
  const accounts = new DevnetAccounts(client.provider, logger.child({ module: "accounts" }), externalKey);

  const registry = createMetricsRegistry();
  const metrics = await startMetricsServer(options.metrics, registry, logger.child({ module: "metrics" }));
  if (metrics) lifecycle.add("metrics", () => metrics.close());

  const endpoints: string[] = [];
  const services: DevnetServices = { storageNodes: [], daSigners: [], computeProviders: [], inftOracles: [] };
  for (const worker of DEVNET_WORKERS) {
    const started = await worker.start({
      chain: client,
      rpcUrl: chain.url,
      deploymentsDir,
      options,
      accounts,
      dataDir: path.join(dataDir, worker.name),
      logger: logger.child({ module: worker.name }),
      metrics: registry,
      signal,
      services,
    });
    lifecycle.add(worker.name, () => started.stop());
    endpoints.push(...started.endpoints);
    for (const kind of Object.keys(services) as (keyof DevnetServices)[]) {
      services[kind].push(...(started.services?.[kind] ?? []));
    }
  }
  const validators = await delegateAndDescribe(client, accounts, logger.child({ module: "delegations" }));

  const summary = {
    rpcUrl: chain.url,
    chainId: chain.chainId,
    external: options.rpc !== undefined,
    deployment: path.join(deploymentsDir, `${chain.chainId}.json`),
    contracts: Object.fromEntries(Object.entries(client.deployment.contracts).map(([n, c]) => [n, c.address])),
    // An external chain's deployer key stays in its file; only the public dev keys are printed.
    accounts: externalKey ? [{ address: accounts.deployer().address, privateKey: null }] : devAccounts(2),
    validators,
    workers: endpoints,
    services,
    metrics: metrics?.url ?? null,
  };
  fs.writeFileSync(path.join(dataDir, "devnet.json"), JSON.stringify(summary, null, 2));
  printSummary(summary);
}

interface DevnetChain {
  url: string;
  chainId: number;
}

async function localChain(
  options: DevnetOptions,
  dataDir: string,
  lifecycle: Lifecycle,
  logger: Logger,
): Promise<DevnetChain> {
  const chain = await startHardhatNode(
    {
      host: options.host,
      port: options.port,
      logFile: path.join(dataDir, "chain.log"),
      timeoutMs: options.startTimeoutMs,
      signal: lifecycle.signal,
    },
    logger.child({ module: "chain" }),
  );
  lifecycle.add("chain", () => chain.stop());
  return chain;
}

/** An operator's chain: only its id is read here; the devnet neither starts nor stops it. */
async function externalChain(url: string, logger: Logger): Promise<DevnetChain> {
  const provider = new JsonRpcProvider(url);
  try {
    const chainId = Number((await provider.getNetwork()).chainId);
    logger.info({ url, chainId }, "using an external chain");
    return { url, chainId };
  } catch (err) {
    throw new ZgError("DEVNET_CHAIN_FAILED", `the chain at ${url} did not answer: ${(err as Error).message}`, {
      hint: "check --rpc; the devnet starts no chain of its own when --rpc is given",
    });
  } finally {
    provider.destroy();
  }
}

async function deployEverything(
  options: DevnetOptions,
  chain: DevnetChain,
  deploymentsDir: string,
  logFile: string,
  logger: Logger,
) {
  fs.rmSync(logFile, { force: true });
  logger.info({ log: logFile }, "deploying every contract");
  const args = ["deploy", "--deployments", deploymentsDir, "--fresh"];
  // An external chain is the `remote` network (hardhat.config.ts), deployed with the devnet's params by default.
  const deploy = options.rpc
    ? runHardhat(
        ["--network", "remote", ...args, "--params", options.deployParams ?? externalParams(path.dirname(logFile))],
        logFile,
        { ZG_RPC_URL: chain.url, ZG_KEY_FILE: path.resolve(options.keyFile!) },
      )
    : runHardhat(["--network", "localhost", ...args], logFile, { ZG_LOCAL_RPC: chain.url });
  const code = await deploy.exited;
  if (code !== 0) {
    throw new ZgError("DEVNET_DEPLOY_FAILED", `deploying the contracts failed (exit ${code}); ${logTail(logFile)}`, {
      hint: `read ${logFile}; \`npx hardhat compile\` shows compile errors`,
    });
  }
  const record = await readDeployment(deploymentsDir, chain.chainId);
  logger.info({ contracts: Object.keys(record.contracts).length }, "deployed");
}

/**
 * The local devnet's deploy params, except that token allocations are left to the external chain's genesis: only a
 * local chain can mint the deployer a billion coins to hand out.
 */
function externalParams(dataDir: string): string {
  const params = JSON.parse(fs.readFileSync(path.join(PARAMS_DIR, "localhost.json"), "utf8")) as Record<
    string,
    unknown
  >;
  const tokenomics = { ...(params.tokenomics as object | undefined), funding: "genesis", topUp: false };
  const file = path.join(dataDir, "deploy-params.json");
  fs.writeFileSync(file, `${JSON.stringify({ ...params, tokenomics }, null, 2)}\n`);
  return file;
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
  external: boolean;
  deployment: string;
  contracts: Record<string, string>;
  accounts: { address: string; privateKey: string | null }[];
  validators: DevnetValidator[];
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
    ...(summary.external
      ? ["  deployer (its key stays in --key; the workers' keys are in their config folders)"]
      : ["  dev accounts (well-known keys: never use them on a real chain)"]),
    ...summary.accounts.map((a) => `    ${a.address}${a.privateKey ? `  ${a.privateKey}` : ""}`),
    "",
    "  validators (effective stake; delegations)",
    ...(summary.validators.length
      ? summary.validators.map(
          (v) =>
            `    ${v.address}  ${formatEther(v.stake)}` +
            v.delegations.map((d) => `  ${d.delegator.slice(0, 10)}… ${formatEther(d.amount)}`).join(""),
        )
      : ["    none"]),
    "",
    "  workers",
    ...(summary.workers.length ? summary.workers.map((w) => `    ${w}`) : ["    none"]),
    ...(summary.metrics ? [`  metrics     ${summary.metrics}`] : []),
    "",
    `devnet ready: ${summary.rpcUrl} (Ctrl-C stops ${summary.external ? "the workers; the chain runs on" : "it"})`,
  ];
  console.log(lines.join("\n"));
}
