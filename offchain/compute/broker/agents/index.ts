/**
 * The agent executor: a broker module that loads ERC-7857 agents granted to its attested executor key and decides,
 * per request, whether the session's user may run one. Loading checks, in order: the executor is acknowledged on
 * ComputeServing, the caller owns the token, the grant is fresh and signed by an oracle TeeTransferVerifier
 * acknowledges, the key opens and matches the entry's on-chain commitment, and the blob fetched from storage nodes
 * (every segment proof checked against the entry's data hash) decrypts to a valid manifest. Only the sealed key and
 * the encrypted blob go to disk; a restart opens them again with the executor key.
 */
import { getAddress, Wallet } from "ethers";
import type { Logger } from "../../../common/logger";
import { errorText } from "../../../common/errors";
import { commitmentBytes32, keyCommitment } from "../../../inft/data";
import { type ExecutorGrantClaim, executorGrantSigner } from "../../../inft/executor";
import { openTee, teePublicKey, teeVerifierDomain } from "../../../inft/tee";
import { AGENT_FORMAT, agentModelId, agentTokenOf, type AgentManifest, decryptAgent } from "../../../market/agent";
import { apiErrors, ComputeApiError } from "../../core";
import type { AgentChainView } from "./chain";
import type { AgentStore, StoredAgent } from "./store";

/** What a chat request for `agent:<id>` runs with. */
export interface AgentRun {
  model: string;
  manifest: AgentManifest;
}

/** What the inference path asks: may `user` run `model` now? */
export interface AgentServing {
  admit(model: string, user: string): Promise<AgentRun>;
  models(): string[];
}

/** The body of `POST /v1/agents`. */
export interface AgentGrant {
  tokenId: bigint;
  entry: number;
  sealedKey: string;
  nonce: bigint;
  deadline: bigint;
  proof: string;
}

/** Fetches an entry's encrypted blob by its storage root; must verify it against the root. */
export type BlobFetcher = (root: string, nodeHints: string[]) => Promise<Uint8Array>;

/** Grants answered, by result (`loaded` or the refusal's code); loaded agents are a gauge read on scrape. */
export interface AgentMetrics {
  grants: { inc(labels: { result: string }): void };
}

export class AgentExecutor implements AgentServing {
  private readonly loaded = new Map<string, { stored: StoredAgent; manifest: AgentManifest }>();
  readonly address: string;
  readonly publicKey: string;

  constructor(
    private readonly executorKey: string,
    private readonly chainId: bigint,
    private readonly chain: AgentChainView,
    private readonly store: AgentStore,
    private readonly fetchBlob: BlobFetcher,
    private readonly logger: Logger,
    private readonly metrics?: AgentMetrics,
  ) {
    this.address = new Wallet(executorKey).address;
    this.publicKey = teePublicKey(executorKey);
  }

  /** Loads what the store holds; an agent that no longer opens (key or data changed) is logged and skipped. */
  async restore(): Promise<void> {
    for (const stored of await this.store.all()) {
      try {
        const key = openTee(stored.sealedKey, this.executorKey);
        this.loaded.set(stored.tokenId.toString(), {
          stored,
          manifest: decryptAgent(key, Buffer.from(stored.blob.replace(/^0x/, ""), "hex")),
        });
      } catch (err) {
        this.logger.warn({ tokenId: stored.tokenId.toString(), err: errorText(err) }, "stored agent does not open");
      }
    }
    this.logger.info({ agents: this.loaded.size }, "agents loaded");
  }

  async describe() {
    return {
      address: this.address,
      publicKey: this.publicKey,
      attested: await this.chain.isExecutorAttested(),
      agents: this.models(),
    };
  }

  models(): string[] {
    return [...this.loaded.keys()].map((id) => agentModelId(BigInt(id)));
  }

  /** Checks and loads a grant posted by `user`; refuses with a ComputeApiError and changes nothing otherwise. */
  async load(user: string, grant: AgentGrant, nodeHints: string[]): Promise<{ model: string; name: string }> {
    try {
      const loaded = await this.check(user, grant, nodeHints);
      this.metrics?.grants.inc({ result: "loaded" });
      return loaded;
    } catch (err) {
      this.metrics?.grants.inc({ result: err instanceof ComputeApiError ? (err.code ?? err.type) : "error" });
      throw err;
    }
  }

  private async check(user: string, grant: AgentGrant, nodeHints: string[]): Promise<{ model: string; name: string }> {
    if (!(await this.chain.isExecutorAttested())) {
      throw apiErrors.unavailable(
        `this provider's executor key ${this.address} is not acknowledged on ComputeServing, so it takes no agents; governance acknowledges it after checking its attestation (compute:ack-signer)`,
      );
    }
    const { tokenId, entry } = grant;
    const access = await this.chain.access(tokenId, user);
    if (!access.owner) throw apiErrors.notFound(`agent ${tokenId} does not exist`, "tokenId", "agent_not_found");
    if (getAddress(access.owner) !== getAddress(user)) {
      throw apiErrors.forbidden(
        `only the owner of agent ${tokenId} (${access.owner}) may load it here`,
        "agent_not_authorized",
      );
    }
    const data = access.entries[entry];
    if (!data) throw apiErrors.invalidRequest(`agent ${tokenId} has no entry ${entry}`, "entry");
    if (data.dataDescription !== AGENT_FORMAT) {
      throw apiErrors.invalidRequest(
        `entry ${entry} of token ${tokenId} is "${data.dataDescription}", not a ${AGENT_FORMAT} agent`,
        "entry",
        "not_an_agent",
      );
    }
    if (grant.deadline < BigInt(Math.floor(Date.now() / 1000))) {
      throw apiErrors.invalidRequest(
        "the grant's deadline has passed; ask the oracle again",
        "deadline",
        "grant_expired",
      );
    }
    const nonce = await this.chain.transferNonce(tokenId);
    if (grant.nonce !== nonce) {
      throw apiErrors.invalidRequest(
        `the grant names transfer nonce ${grant.nonce}, the token is at ${nonce}; ask the oracle again`,
        "nonce",
        "grant_stale",
      );
    }
    const claim: ExecutorGrantClaim = {
      nft: this.chain.nft,
      tokenId,
      entry: BigInt(entry),
      dataHash: data.dataHash,
      keyCommitment: data.keyCommitment,
      executorKey: this.publicKey,
      sealedKey: grant.sealedKey,
      nonce,
      deadline: grant.deadline,
    };
    let oracle: string;
    try {
      oracle = executorGrantSigner(teeVerifierDomain(this.chainId, this.chain.verifier), claim, grant.proof);
    } catch (err) {
      throw apiErrors.invalidRequest(errorText(err), "proof", "invalid_grant");
    }
    if (!(await this.chain.isOracle(oracle))) {
      throw apiErrors.forbidden(
        `the grant is signed by ${oracle}, which TeeTransferVerifier does not acknowledge as an oracle (or it was signed over other facts than the token's)`,
        "unknown_oracle",
      );
    }
    let manifest: AgentManifest;
    let blob: Uint8Array;
    try {
      const key = openTee(grant.sealedKey, this.executorKey);
      if (commitmentBytes32(keyCommitment(key)) !== data.keyCommitment.toLowerCase()) {
        throw apiErrors.forbidden(
          `the granted key does not match agent ${tokenId}'s key commitment`,
          "key_commitment_mismatch",
        );
      }
      blob = await this.fetchBlob(data.dataHash, nodeHints).catch((err: unknown) => {
        throw new ComputeApiError(
          502,
          `the agent's data ${data.dataHash} could not be fetched from storage: ${errorText(err)}`,
          "server_error",
          "agent_data_unavailable",
        );
      });
      manifest = decryptAgent(key, blob);
    } catch (err) {
      if (err instanceof ComputeApiError) throw err;
      throw apiErrors.invalidRequest(errorText(err), "sealedKey", "invalid_agent");
    }
    const stored: StoredAgent = {
      tokenId,
      entry,
      dataHash: data.dataHash,
      keyCommitment: data.keyCommitment,
      sealedKey: grant.sealedKey,
      blob: Buffer.from(blob).toString("hex"),
      oracle,
      loadedAt: Date.now(),
    };
    await this.store.put(stored);
    this.loaded.set(tokenId.toString(), { stored, manifest });
    this.logger.info({ tokenId: tokenId.toString(), name: manifest.name, oracle }, "agent loaded");
    return { model: agentModelId(tokenId), name: manifest.name };
  }

  /** The agent `model` names, if `user` owns the token or is authorized on it now and its data is unchanged. */
  async admit(model: string, user: string): Promise<AgentRun> {
    const tokenId = agentTokenOf(model);
    const agent = tokenId === undefined ? undefined : this.loaded.get(tokenId.toString());
    if (tokenId === undefined || !agent) {
      throw apiErrors.notFound(
        `the agent '${model}' is not loaded here; its owner grants it with zg market agent grant`,
        "model",
      );
    }
    const access = await this.chain.access(tokenId, user);
    if (!access.owner) {
      throw new ComputeApiError(410, `agent ${tokenId} no longer exists`, "not_found_error", "agent_gone");
    }
    if (access.entries[agent.stored.entry]?.dataHash.toLowerCase() !== agent.stored.dataHash.toLowerCase()) {
      throw new ComputeApiError(
        409,
        `agent ${tokenId}'s data changed on chain since it was loaded here; its owner grants it again`,
        "invalid_request_error",
        "agent_data_changed",
      );
    }
    if (getAddress(access.owner) !== getAddress(user) && !access.authorized) {
      throw apiErrors.forbidden(
        `${getAddress(user)} may not run agent ${tokenId}: only its owner ${access.owner} or a user it authorized (zg market agent authorize) may`,
        "agent_not_authorized",
      );
    }
    return { model, manifest: agent.manifest };
  }
}
