/**
 * The owner's side of running an agent on a compute provider: publish (encrypt the manifest, upload the blob to zg
 * storage, mint the token with the key sealed to the owner's own key) and grant (open the sealed key, have the
 * oracle re-seal it to the provider's attested executor key, post the grant to the provider's broker).
 */
import { computeAddress, Contract, getAddress, type Wallet } from "ethers";
import type { ChainClient } from "../common/chain";
import { ZgError } from "../common/errors";
import type { Logger } from "../common/logger";
import { computeContracts } from "../compute/chain";
import { createSession } from "../compute/client/session";
import { commitmentBytes32, keyCommitment, randomDataKey } from "../inft/data";
import { requestExecutorGrant } from "../inft/executor";
import { openTee, sealTee, teePublicKey } from "../inft/tee";
import { intelligentData } from "../inft/transfer";
import { NodeClient } from "../storage/client/nodes";
import { downloadEntry } from "../storage/client/download";
import { uploadFile } from "../storage/client/upload";
import { loadHashers } from "../storage/core/hash";
import { AGENT_FORMAT, agentModelId, decryptAgent, encryptAgent, type AgentManifest } from "./agent";

export type AgentErrorCode =
  "AGENT_NOT_OWNER" | "AGENT_EXECUTOR_UNATTESTED" | "AGENT_REFUSED" | "AGENT_NOT_AN_AGENT" | "AGENT_KEY_MISMATCH";

export const AGENT_NFT_ABI = [
  "function mint(address to, tuple(string dataDescription, bytes32 dataHash, bytes32 keyCommitment)[] datas, bytes[] sealedKeys) returns (uint256)",
  "function ownerOf(uint256 tokenId) view returns (address)",
  "function sealedKeysOf(uint256 tokenId) view returns (bytes[])",
  "function intelligentDatasOf(uint256 tokenId) view returns (tuple(string dataDescription, bytes32 dataHash, bytes32 keyCommitment)[])",
  "function transferNonce(uint256 tokenId) view returns (uint256)",
  "function authorizeUsage(uint256 tokenId, address user)",
  "function revokeAuthorization(uint256 tokenId, address user)",
  "event Minted(uint256 indexed tokenId, address indexed creator, address indexed owner)",
];

function signerOf(client: ChainClient): Wallet {
  if (!client.signer) {
    throw new ZgError("KEY_FILE_UNREADABLE", "this needs the owner's key", { hint: "pass --key-file <file>" });
  }
  return client.signer;
}

export function agentNft(client: ChainClient): Contract {
  return new Contract(client.contractAddress("AgentNFT"), AGENT_NFT_ABI, client.signer ?? client.provider);
}

/** Encrypts and uploads the manifest, mints the agent to the key file's account; the key is sealed to that account. */
export async function publishAgent(
  client: ChainClient,
  manifest: AgentManifest,
  storageNodes: string[],
  logger: Logger,
): Promise<{ tokenId: bigint; dataHash: string; txHash: string }> {
  const owner = signerOf(client);
  await loadHashers();
  const key = randomDataKey();
  const blob = encryptAgent(key, manifest);
  const upload = await uploadFile(
    client,
    blob,
    storageNodes.map((u) => new NodeClient(u)),
    { logger, batchSegments: 8, concurrency: 2, syncTimeoutMs: 60_000 },
  );
  const nft = agentNft(client);
  const entry = intelligentData(AGENT_FORMAT, upload.root, key);
  const receipt = await (await nft.mint(owner.address, [entry], [sealTee(key, teePublicKey(owner.privateKey))])).wait();
  const minted = receipt.logs
    .map((log: { topics: string[]; data: string }) => nft.interface.parseLog(log))
    .find((parsed: { name: string } | null) => parsed?.name === "Minted");
  return { tokenId: minted.args.tokenId as bigint, dataHash: upload.root, txHash: receipt.hash as string };
}

async function getJson<T>(url: string, init?: RequestInit): Promise<{ ok: boolean; status: number; body: T }> {
  const res = await fetch(url, init);
  return { ok: res.ok, status: res.status, body: (await res.json()) as T };
}

export interface GrantParams {
  tokenId: bigint;
  entry?: number;
  provider: string;
  oracleUrl: string;
  /** The broker's base URL (default: the service's registered URL). */
  brokerUrl?: string;
  /** Storage nodes the broker may fetch the blob from (each segment is checked against the root). */
  storageNodes?: string[];
  /** Seconds the grant stays valid. */
  ttl?: number;
}

/** Grants an agent to a provider's executor; resolves with the model id to chat with. */
export async function grantAgent(client: ChainClient, p: GrantParams): Promise<{ model: string; executor: string }> {
  const owner = signerOf(client);
  const entry = p.entry ?? 0;
  const nft = agentNft(client);
  const { serving } = computeContracts(client);
  const [holder, datas, sealedKeys, nonce] = (await Promise.all([
    nft.ownerOf(p.tokenId),
    nft.intelligentDatasOf(p.tokenId),
    nft.sealedKeysOf(p.tokenId),
    nft.transferNonce(p.tokenId),
  ])) as [string, { dataDescription: string; dataHash: string; keyCommitment: string }[], string[], bigint];
  if (getAddress(holder) !== owner.address) {
    throw new ZgError<AgentErrorCode>("AGENT_NOT_OWNER", `agent ${p.tokenId} belongs to ${holder}`, {
      hint: "only the owner grants an agent; pass the owner's --key-file",
    });
  }
  const data = datas[entry];
  if (!data || data.dataDescription !== AGENT_FORMAT) {
    throw new ZgError<AgentErrorCode>("AGENT_NOT_AN_AGENT", `entry ${entry} of token ${p.tokenId} is not an agent`, {
      hint: `publish one with zg market agent publish (its entry is "${AGENT_FORMAT}")`,
    });
  }
  const key = openTee(sealedKeys[entry], owner.privateKey);
  const service = (await serving.getService(p.provider)) as { url: string };
  const broker = (p.brokerUrl ?? service.url).replace(/\/+$/, "").replace(/\/v1$/, "");
  const executor = await getJson<{ address: string; publicKey: string }>(`${broker}/v1/agents/executor`);
  if (!executor.ok) {
    throw new ZgError<AgentErrorCode>("AGENT_REFUSED", `${broker} runs no agent executor (${executor.status})`, {
      hint: "the provider must set agents.executorKeyFile",
    });
  }
  // The key goes only to an executor governance acknowledged, whatever the broker says of itself.
  const executorAddress = computeAddress(executor.body.publicKey);
  if (!(await serving.isTeeSignerAcknowledged(executorAddress))) {
    throw new ZgError<AgentErrorCode>(
      "AGENT_EXECUTOR_UNATTESTED",
      `the executor key ${executorAddress} of ${broker} is not acknowledged on ComputeServing`,
      { hint: "ask governance to check its attestation and run compute:ack-signer" },
    );
  }
  const oracle = await getJson<{ publicKey: string }>(`${p.oracleUrl.replace(/\/+$/, "")}/v1/info`);
  const deadline = BigInt(Math.floor(Date.now() / 1000) + (p.ttl ?? 600));
  const grant = await requestExecutorGrant(p.oracleUrl, {
    chainId: String(client.chainId),
    nft: await nft.getAddress(),
    verifier: client.contractAddress("TeeTransferVerifier"),
    tokenId: p.tokenId.toString(),
    entry: String(entry),
    executorKey: executor.body.publicKey,
    nonce: nonce.toString(),
    dataHash: data.dataHash,
    keyCommitment: data.keyCommitment,
    deadline: deadline.toString(),
    sealedKeyForOracle: sealTee(key, oracle.body.publicKey),
  });
  const session = await createSession(owner, getAddress(p.provider), client.chainId, 600);
  const loaded = await getJson<{ model?: string; error?: { message: string; code: string | null } }>(
    `${broker}/v1/agents`,
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${session}` },
      body: JSON.stringify({
        tokenId: p.tokenId.toString(),
        entry,
        sealedKey: grant.sealedKey,
        nonce: nonce.toString(),
        deadline: deadline.toString(),
        proof: grant.proof,
        storageNodes: p.storageNodes ?? [],
      }),
    },
  );
  if (!loaded.ok) {
    throw new ZgError<AgentErrorCode>(
      "AGENT_REFUSED",
      `the broker refused the agent (${loaded.status} ${loaded.body.error?.code ?? ""}): ${loaded.body.error?.message}`,
      { hint: "see docs/market-agents.md", details: { code: loaded.body.error?.code } },
    );
  }
  return { model: loaded.body.model ?? agentModelId(p.tokenId), executor: executorAddress };
}

/**
 * The owner's own copy of an agent: opens the key sealed to the key file's account, checks it against the token's
 * key commitment, fetches the blob from storage (every segment proved against the token's data hash) and decrypts.
 */
export async function openAgent(
  client: ChainClient,
  tokenId: bigint,
  storageNodes: string[],
  logger: Logger,
  entry = 0,
): Promise<{ manifest: AgentManifest; dataHash: string }> {
  const owner = signerOf(client);
  const nft = agentNft(client);
  const [holder, datas, sealedKeys] = (await Promise.all([
    nft.ownerOf(tokenId),
    nft.intelligentDatasOf(tokenId),
    nft.sealedKeysOf(tokenId),
  ])) as [string, { dataDescription: string; dataHash: string; keyCommitment: string }[], string[]];
  if (getAddress(holder) !== owner.address) {
    throw new ZgError<AgentErrorCode>("AGENT_NOT_OWNER", `agent ${tokenId} belongs to ${holder}`, {
      hint: "the data key is sealed to the owner only; pass the owner's --key-file",
    });
  }
  const data = datas[entry];
  if (!data || data.dataDescription !== AGENT_FORMAT) {
    throw new ZgError<AgentErrorCode>("AGENT_NOT_AN_AGENT", `entry ${entry} of token ${tokenId} is not an agent`, {
      hint: `its description is not "${AGENT_FORMAT}"`,
    });
  }
  const key = openTee(sealedKeys[entry], owner.privateKey);
  if (commitmentBytes32(keyCommitment(key)) !== data.keyCommitment.toLowerCase()) {
    throw new ZgError<AgentErrorCode>("AGENT_KEY_MISMATCH", `the key sealed to you does not match token ${tokenId}`, {
      hint: "the last transfer sealed a wrong key; the seller or the oracle is at fault",
    });
  }
  await loadHashers();
  const { data: blob } = await downloadEntry(
    data.dataHash,
    storageNodes.map((u) => new NodeClient(u)),
    { logger, concurrency: 4 },
  );
  return { manifest: decryptAgent(key, blob), dataHash: data.dataHash };
}
