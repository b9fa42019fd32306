import fs from "node:fs";
import { JsonRpcProvider, Wallet, type ContractRunner } from "ethers";
import type { ChainOptions } from "./config";
import { deployCommand, deploymentPath, readDeployment, type DeploymentRecord } from "./deployments";
import { ZgError, errorText } from "./errors";
import type { Logger } from "./logger";

/** What a typechain factory offers statically: `Foo__factory.connect(address, runner)`. */
export interface ContractFactoryLike<T> {
  connect(address: string, runner?: ContractRunner | null): T;
}

export interface ChainClient {
  provider: JsonRpcProvider;
  chainId: number;
  /** Present when the options name a privateKey or keyFile. */
  signer?: Wallet;
  deployment: DeploymentRecord;
  confirmations: number;
  /** Address of a recorded contract (the proxy for UUPS ones); ZgError DEPLOYMENT_CONTRACT_UNKNOWN otherwise. */
  contractAddress(name: string): string;
  /** Block where the contract was deployed, the first one worth scanning for its events. */
  startBlock(name: string): number;
  /** A typechain contract at the recorded address, signing with the signer when there is one. */
  contract<T>(factory: ContractFactoryLike<T>, name: string): T;
  close(): void;
}

export interface ConnectOptions {
  signal?: AbortSignal;
}

export type ProviderOptions = Pick<ChainOptions, "rpcUrl" | "rpcTimeoutMs"> & Partial<Pick<ChainOptions, "chainId">>;

/**
 * Connects to the RPC, checks the chain id, reads this chain's deployment record and checks that code
 * still sits at every recorded address. Fails fast with a ZgError saying what to do; never retries forever.
 */
export async function connectChain(
  options: ChainOptions,
  logger: Logger,
  { signal }: ConnectOptions = {},
): Promise<ChainClient> {
  const { provider, chainId } = await connectProvider(options, logger, { signal });
  try {
    const deployment = await readDeployment(options.deploymentsDir, chainId);
    await checkDeployment(provider, deployment, deploymentPath(options.deploymentsDir, chainId));
    throwIfAborted(signal, options.rpcUrl);
    const signer = await loadSigner(options, provider);
    const runner: ContractRunner = signer ?? provider;

    const entry = (name: string) => {
      const found = Object.hasOwn(deployment.contracts, name) ? deployment.contracts[name] : undefined;
      if (found) return found;
      const known = Object.keys(deployment.contracts).join(", ") || "none";
      throw new ZgError(
        "DEPLOYMENT_CONTRACT_UNKNOWN",
        `no contract "${name}" in the deployment for chain ${chainId} (has: ${known})`,
        {
          hint: `deploy it with ${deployCommand(chainId, deployment.network)}`,
        },
      );
    };

    logger.info(
      {
        rpc: displayUrl(options.rpcUrl),
        chainId,
        contracts: Object.keys(deployment.contracts).length,
        signer: signer?.address,
      },
      "connected to chain",
    );
    return {
      provider,
      chainId,
      signer,
      deployment,
      confirmations: options.confirmations,
      contractAddress: (name) => entry(name).address,
      startBlock: (name) => entry(name).startBlock,
      contract: (factory, name) => factory.connect(entry(name).address, runner),
      close: () => provider.destroy(),
    };
  } catch (err) {
    provider.destroy();
    throw err;
  }
}

/**
 * A provider known to answer, with its network pinned (`staticNetwork`): a plain JsonRpcProvider on a
 * dead URL retries network detection forever and prints about it, which hides the real problem.
 */
export async function connectProvider(
  options: ProviderOptions,
  logger: Logger,
  { signal }: ConnectOptions = {},
): Promise<{ provider: JsonRpcProvider; chainId: number }> {
  const chainId = await probeChainId(options.rpcUrl, options.rpcTimeoutMs, signal);
  if (options.chainId !== undefined && options.chainId !== chainId) {
    throw new ZgError(
      "CHAIN_MISMATCH",
      `${displayUrl(options.rpcUrl)} serves chain ${chainId}, not the configured ${options.chainId}`,
      {
        hint: "point --chain.rpcUrl at the right node, or fix --chain.chainId",
        details: { expected: options.chainId, actual: chainId },
      },
    );
  }
  logger.debug({ rpc: displayUrl(options.rpcUrl), chainId }, "rpc answered");
  // No response cache: ethers reuses an identical call's answer for 250 ms, so a worker sending two transactions
  // in a row would read the same pending nonce twice.
  const provider = new JsonRpcProvider(options.rpcUrl, chainId, { staticNetwork: true, cacheTimeout: -1 });
  return { provider, chainId };
}

/** The Wallet for `privateKey` or the key on the first line of `keyFile`, connected to the provider. */
export async function loadSigner(
  options: Pick<ChainOptions, "privateKey" | "keyFile">,
  provider: JsonRpcProvider,
): Promise<Wallet | undefined> {
  if (options.privateKey) return walletFor(options.privateKey, "the privateKey option", provider);
  if (!options.keyFile) return undefined;
  let text: string;
  try {
    text = await fs.promises.readFile(options.keyFile, "utf8");
  } catch (err) {
    throw new ZgError("KEY_FILE_UNREADABLE", `cannot read key file ${options.keyFile}: ${errorText(err)}`, {
      hint: "check the path given to --chain.keyFile; the file holds one 0x-prefixed hex key",
      cause: err,
    });
  }
  return walletFor(text.split(/\r?\n/, 1)[0].trim(), `key file ${options.keyFile}`, provider);
}

function walletFor(key: string, source: string, provider: JsonRpcProvider): Wallet {
  // The key itself is never echoed: error lines end up in logs and bug reports.
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new ZgError("KEY_INVALID", `${source} is not a 0x-prefixed 32-byte hex private key`, {
      hint: "write the key as 0x followed by 64 hex digits",
    });
  }
  return new Wallet(key, provider);
}

async function probeChainId(url: string, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  throwIfAborted(signal, url);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: controller.signal,
    });
    if (!response.ok) throw unreachable(url, `HTTP ${response.status} ${response.statusText}`.trim());
    const body = (await response.json()) as { result?: unknown; error?: { message?: unknown } };
    if (typeof body.result !== "string" || !/^0x[0-9a-fA-F]+$/.test(body.result)) {
      const why = body.error ? `eth_chainId failed: ${String(body.error.message)}` : "eth_chainId gave no chain id";
      throw unreachable(url, why);
    }
    return Number(BigInt(body.result));
  } catch (err) {
    if (err instanceof ZgError) throw err;
    throwIfAborted(signal, url);
    if (controller.signal.aborted) throw unreachable(url, `no answer within ${timeoutMs} ms`);
    throw unreachable(url, fetchFailure(err), err);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

// fetch() says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND) is in its cause.
function fetchFailure(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return typeof code === "string" ? code : errorText(cause);
  }
  return errorText(err);
}

function unreachable(url: string, why: string, cause?: unknown) {
  return new ZgError("RPC_UNREACHABLE", `cannot reach ${displayUrl(url)}: ${why}`, {
    hint: "start a node (`zg devnet`) or pass the right one with --rpc / --chain.rpcUrl",
    cause,
  });
}

function throwIfAborted(signal: AbortSignal | undefined, url: string) {
  if (signal?.aborted) {
    throw new ZgError("ABORTED", `connecting to ${displayUrl(url)} was cancelled`, {
      hint: "nothing to do: the node is shutting down",
    });
  }
}

async function checkDeployment(provider: JsonRpcProvider, record: DeploymentRecord, file: string) {
  const head = await provider.getBlockNumber();
  const checks = Object.entries(record.contracts).flatMap(([name, c]) => [
    { name, address: c.address, startBlock: c.startBlock },
    ...(c.implementation
      ? [{ name: `${name} (implementation)`, address: c.implementation, startBlock: c.startBlock }]
      : []),
  ]);
  const codes = await Promise.all(checks.map((c) => provider.getCode(c.address)));

  const problems = checks.flatMap((c, i) => {
    if (c.startBlock > head)
      return [`${c.name} was deployed at block ${c.startBlock} but the chain is at block ${head}`];
    if (codes[i] === "0x") return [`${c.name} has no code at ${c.address}`];
    return [];
  });
  if (problems.length > 0) {
    throw new ZgError(
      "DEPLOYMENT_STALE",
      `deployment record ${file} does not match the chain: ${problems.join("; ")}`,
      {
        hint: `the chain was probably reset since the deploy: redeploy with ${deployCommand(record.chainId, record.network)}`,
        details: { file, problems },
      },
    );
  }
}

/** The URL without credentials or query string, which may carry API keys. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return url;
  }
}
