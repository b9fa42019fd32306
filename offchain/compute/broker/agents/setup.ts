/**
 * Wires the agent executor into a broker: its key, store, chain view and blob fetcher (built once at start), and
 * its routes: `GET /v1/agents/executor` (the executor's address, public key and whether it is attested) and
 * `POST /v1/agents` (the owner's grant; the session names the owner).
 */
import path from "node:path";
import { type Contract, Wallet } from "ethers";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ChainClient } from "../../../common/chain";
import { ZgError } from "../../../common/errors";
import { readKeyFile } from "../../../common/keys";
import type { Lifecycle } from "../../../common/lifecycle";
import type { Logger } from "../../../common/logger";
import type { MetricsFactory } from "../../../common/metrics";
import { downloadEntry, sourcesFor } from "../../../storage/client/download";
import { NodeClient } from "../../../storage/client/nodes";
import { loadHashers } from "../../../storage/core/hash";
import type { Billing } from "../billing";
import { parseBody } from "../inference";
import { agentChainView } from "./chain";
import { AgentExecutor } from "./index";
import { AgentStore } from "./store";

export interface AgentOptions {
  executorKeyFile?: string;
  storageNodes: string[];
  acceptNodeHints: boolean;
  authCacheMs: number;
}

/** A manifest is at most 64 KiB of prompt plus a little JSON: anything far larger is not an agent to fetch. */
const MAX_AGENT_BLOB_BYTES = 256 * 1024;

const uint = z.union([z.string().regex(/^[0-9]{1,78}$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));
const hex = z.string().regex(/^0x([0-9a-fA-F]{2})+$/, "must be 0x-prefixed hex bytes");

export const agentGrantSchema = z.object({
  tokenId: uint,
  entry: z.number().int().min(0).max(7).default(0),
  sealedKey: hex,
  nonce: uint,
  deadline: uint,
  proof: hex,
  /** Storage nodes that hold the blob; safe to take from the owner since every segment is checked against the root. */
  storageNodes: z
    .array(z.url({ protocol: /^https?$/ }))
    .max(16)
    .default([]),
});

export async function initAgentExecutor(
  options: AgentOptions,
  deps: {
    client: ChainClient;
    serving: Contract;
    dataDir: string;
    lifecycle: Lifecycle;
    logger: Logger;
    metrics: MetricsFactory;
  },
): Promise<AgentExecutor | undefined> {
  if (!options.executorKeyFile) return undefined;
  const { client, logger } = deps;
  const executorKey = readKeyFile(options.executorKeyFile);
  let addresses: { nft: string; verifier: string };
  try {
    addresses = {
      nft: client.contractAddress("AgentNFT"),
      verifier: client.contractAddress("TeeTransferVerifier"),
    };
  } catch (err) {
    throw new ZgError<"COMPUTE_PROVIDER_NO_INFT">(
      "COMPUTE_PROVIDER_NO_INFT",
      "agents need the AgentNFT and TeeTransferVerifier deployments",
      {
        hint: "deploy the inft module, or drop agents.executorKeyFile to serve without agents",
        cause: err,
      },
    );
  }
  // The download checks segment proofs and the file root with the storage core's synchronous keccak.
  await loadHashers();
  const store = await AgentStore.open(path.resolve(deps.dataDir));
  deps.lifecycle.add("agents-store", () => store.close());
  const executorAddress = new Wallet(executorKey).address;
  const chain = agentChainView(client.provider, addresses, deps.serving, executorAddress, options.authCacheMs);
  const fetchBlob = async (root: string, hints: string[]) => {
    const urls = [...new Set([...options.storageNodes, ...(options.acceptNodeHints ? hints : [])])];
    if (urls.length === 0) throw new Error("no storage nodes configured (agents.storageNodes) or given with the grant");
    const nodes = urls.map((u) => new NodeClient(u));
    // Whoever mints a token names its data hash: look at the size before fetching anything.
    const { sources } = await sourcesFor(root, nodes);
    const size = sources[0]?.info.tx.size ?? 0;
    if (size > MAX_AGENT_BLOB_BYTES) throw new Error(`the file is ${size} bytes, over ${MAX_AGENT_BLOB_BYTES}`);
    const { data } = await downloadEntry(root, nodes, {
      logger: logger.child({ module: "agent-download" }),
      concurrency: 4,
    });
    return data;
  };
  const grants = deps.metrics.counter({
    name: "zg_compute_agent_grants_total",
    help: "Agent grants answered, by result (loaded or the refusal's code)",
    labelNames: ["result"] as const,
  });
  const executor = new AgentExecutor(executorKey, BigInt(client.chainId), chain, store, fetchBlob, logger, { grants });
  const loaded = deps.metrics.gauge({ name: "zg_compute_agents_loaded", help: "Agents this broker runs" });
  (loaded as unknown as { collect?: () => void }).collect = () => loaded.set(executor.models().length);
  await executor.restore();
  if (!(await chain.isExecutorAttested())) {
    logger.warn(
      { executor: executorAddress },
      "the agent executor key is not acknowledged on ComputeServing; agents are refused until governance acknowledges it",
    );
  }
  return executor;
}

export function registerAgentRoutes(app: FastifyInstance, executor: AgentExecutor, billing: Billing) {
  app.get("/v1/agents/executor", async () => executor.describe());
  app.post("/v1/agents", async (req) => {
    const session = billing.authenticate(req.headers.authorization);
    const body = parseBody(agentGrantSchema, req.body);
    return executor.load(session.user, body, body.storageNodes);
  });
}
