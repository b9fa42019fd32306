/**
 * A DA signer node: registers its BLS key (once), serves the rows API, answers sampling rounds and challenges.
 * Built by `initSignerNode` in dependency order; `close()` (the lifecycle) stops it in reverse.
 */
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Contract } from "ethers";
import type { Registry } from "prom-client";
import { connectChain, type ChainClient } from "../../common/chain";
import { ZgError } from "../../common/errors";
import { readKeyFile } from "../../common/keys";
import type { Lifecycle } from "../../common/lifecycle";
import type { Logger } from "../../common/logger";
import { MetricsFactory, startMetricsServer } from "../../common/metrics";
import * as bls from "../core/bls";
import * as core from "../core";
import { daContracts, findSigner } from "../chain";
import { createSignerMetrics } from "./metrics";
import type { SignerOptions } from "./options";
import { storeAndSign, type SignerChainView, type SignerIdentity } from "./rows";
import { buildSignerServer } from "./server";
import { SignerStore } from "./store";
import { startSampler } from "./sampler";

export interface SignerNode {
  url: string;
  address: string;
  pubkeyHash: string;
}

export interface SignerDeps {
  logger: Logger;
  lifecycle: Lifecycle;
  registry: Registry;
  /** An already connected chain client (the devnet shares one); otherwise the node connects itself. */
  chain?: ChainClient;
}

export async function initSignerNode(options: SignerOptions, deps: SignerDeps): Promise<SignerNode> {
  const { logger, lifecycle } = deps;
  const { signal } = lifecycle;
  await core.initDaCore();
  const keys = bls.keyPair(BigInt(readKeyFile(options.blsKeyFile)));
  const pk1 = bls.g1ToSol(keys.pk1);

  const client = deps.chain ?? (await connectChain(options.chain, logger.child({ module: "chain" }), { signal }));
  if (!deps.chain) lifecycle.add("chain", () => client.close());
  if (!client.signer) {
    throw new ZgError(
      "DA_SIGNER_NO_KEY",
      "the signer needs its validator operator key to register and answer samples",
      {
        hint: "pass --chain.keyFile <file> (or ZG_CHAIN__KEY_FILE) with the operator's 0x-prefixed key",
      },
    );
  }
  const { registry, entrance } = daContracts(client);
  const identity: SignerIdentity = {
    address: client.signer.address,
    secret: keys.secret,
    pubkeyHash: bls.pubkeyHash(pk1),
  };

  const srs = await core.loadSrs(options.srsFile);
  const store = await SignerStore.open(path.resolve(options.dataDir));
  lifecycle.add("store", () => store.close());
  const metrics = createSignerMetrics(new MetricsFactory(deps.registry));
  metrics.storedBlobs.set(store.count());

  const chainView = membershipView(registry, entrance, identity.address);
  const app = buildSignerServer(
    {
      store,
      metrics,
      logger: logger.child({ module: "api" }),
      storeRows: async (req) => {
        const answer = await storeAndSign({ srs, store, chain: chainView, identity }, req);
        metrics.storedBlobs.set(store.count());
        return answer;
      },
      status: async () => ({
        signer: identity.address,
        pubkeyHash: identity.pubkeyHash,
        record: await signerRecord(registry, identity.address),
        blobs: store.count(),
        epoch: String(await registry.currentEpoch()),
      }),
    },
    options.maxRequestBytes,
  );
  await app.listen({ host: options.host, port: options.port });
  lifecycle.add("api", () => app.close());
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;

  await ensureRegistered(registry, keys, identity, options.socket ?? url, options.register, client.chainId, logger);

  if (options.sampler.enabled) {
    const sampler = startSampler(
      { client, store, identity, metrics, logger: logger.child({ module: "sampler" }), signal },
      options.sampler,
    );
    lifecycle.add("sampler", () => sampler.stop());
  }
  const metricsServer = await startMetricsServer(options.metrics, deps.registry, logger.child({ module: "metrics" }));
  if (metricsServer) lifecycle.add("metrics", () => metricsServer.close());

  logger.info({ url, signer: identity.address, pubkeyHash: identity.pubkeyHash }, "DA signer listening");
  return { url, address: identity.address, pubkeyHash: identity.pubkeyHash };
}

async function signerRecord(registry: Contract, address: string) {
  const s = await findSigner(registry, address);
  if (!s) return null;
  return {
    quorumId: Number(s.quorumId),
    index: Number(s.index),
    activeFromEpoch: String(s.activeFromEpoch),
    socket: s.socket,
  };
}

/** Registers the key when the registry does not know this signer yet; refuses a different key already registered. */
async function ensureRegistered(
  registry: Contract,
  keys: bls.KeyPair,
  identity: SignerIdentity,
  socket: string,
  register: boolean,
  chainId: number,
  logger: Logger,
) {
  const record = await findSigner(registry, identity.address);
  if (record) {
    if (record.pubkeyHash !== identity.pubkeyHash) {
      throw new ZgError("DA_SIGNER_KEY_MISMATCH", `${identity.address} is registered with another BLS key`, {
        hint: "start the node with the BLS key file it registered with (--bls-key-file)",
      });
    }
    if (record.socket !== socket) await (await registry.updateSocket(socket)).wait();
    logger.info({ quorumId: Number(record.quorumId), index: Number(record.index) }, "signer already registered");
    return;
  }
  if (!register) {
    throw new ZgError("DA_SIGNER_NOT_REGISTERED", `${identity.address} is not a registered DA signer`, {
      hint: "start once with --register (the default) or register the key with the registry",
    });
  }
  const pop = bls.g1ToSol(bls.sign(keys.secret, bls.popMessage(identity.address, BigInt(chainId))));
  try {
    await (await registry.register(bls.g1ToSol(keys.pk1), bls.g2ToSol(keys.pk2), pop, socket)).wait();
  } catch (err) {
    const name = (err as { revert?: { name?: string } }).revert?.name;
    if (name === "DASignerRegistryNotOptedIn") {
      throw new ZgError("DA_SIGNER_NOT_OPTED_IN", `${identity.address} is not a validator opted into the DA service`, {
        hint: "register the validator in Staking (validator:register) and opt into the DA registry (service:optin) first",
        cause: err,
      });
    }
    throw err;
  }
  logger.info({ socket }, "registered the BLS key; it counts from the next epoch");
}

function membershipView(registry: Contract, entrance: Contract, address: string): SignerChainView {
  const sizes = new Map<string, number>();
  return {
    async membership(epoch, quorumId) {
      const s = await findSigner(registry, address);
      if (!s || s.quorumId !== quorumId || epoch < s.activeFromEpoch) return undefined;
      const key = `${epoch}/${quorumId}`;
      let size = sizes.get(key);
      if (size === undefined) {
        size = Number(((await registry.quorumAt(epoch, quorumId)) as [bigint])[0]);
        // Callers ask only after the blob is paid, so `epoch` has begun: its size is final (joins count next epoch).
        sizes.set(key, size);
      }
      return { index: Number(s.index), size };
    },
    isPaid: (dataRoot, epoch, quorumId) => entrance.isPaid(dataRoot, epoch, quorumId) as Promise<boolean>,
  };
}

export { signerOptionsSchema, type SignerOptions } from "./options";
