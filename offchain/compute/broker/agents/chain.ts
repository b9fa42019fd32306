/**
 * What the agent executor reads from chain: the token (owner, authorized users, data entries, transfer nonce) on
 * AgentNFT, the oracle on TeeTransferVerifier and the executor's acknowledgement on ComputeServing. Who may run an
 * agent is read per request, cached for `ttlMs` at most, so a revocation or a sale counts from the next request.
 */
import { Contract, type ContractRunner } from "ethers";

export const AGENT_NFT_ABI = [
  "function ownerOf(uint256 tokenId) view returns (address)",
  "function isAuthorizedUser(uint256 tokenId, address user) view returns (bool)",
  "function intelligentDatasOf(uint256 tokenId) view returns (tuple(string dataDescription, bytes32 dataHash, bytes32 keyCommitment)[])",
  "function transferNonce(uint256 tokenId) view returns (uint256)",
];
export const TEE_VERIFIER_ABI = ["function isOracle(address oracle) view returns (bool)"];

export interface AgentEntry {
  dataDescription: string;
  dataHash: string;
  keyCommitment: string;
}

/** Who may run a token now, and the data it holds. `owner` is undefined for a token that does not exist. */
export interface TokenAccess {
  owner: string | undefined;
  authorized: boolean;
  entries: AgentEntry[];
}

export interface AgentChainView {
  nft: string;
  verifier: string;
  access(tokenId: bigint, user: string): Promise<TokenAccess>;
  transferNonce(tokenId: bigint): Promise<bigint>;
  isOracle(address: string): Promise<boolean>;
  isExecutorAttested(): Promise<boolean>;
}

function isMissingToken(err: unknown): boolean {
  const e = err as { revert?: { name?: string }; code?: string; data?: string };
  // ERC721NonexistentToken(uint256) = 0x7e273289
  return (
    e.revert?.name === "ERC721NonexistentToken" || (e.code === "CALL_EXCEPTION" && /^0x7e273289/.test(e.data ?? ""))
  );
}

export function agentChainView(
  runner: ContractRunner,
  addresses: { nft: string; verifier: string },
  serving: Contract,
  executor: string,
  ttlMs: number,
): AgentChainView {
  const nft = new Contract(addresses.nft, AGENT_NFT_ABI, runner);
  const verifier = new Contract(addresses.verifier, TEE_VERIFIER_ABI, runner);
  const cache = new Map<string, { at: number; value: Promise<TokenAccess> }>();
  const load = async (tokenId: bigint, user: string): Promise<TokenAccess> => {
    let owner: string;
    try {
      owner = (await nft.ownerOf(tokenId)) as string;
    } catch (err) {
      if (isMissingToken(err)) return { owner: undefined, authorized: false, entries: [] };
      throw err;
    }
    const [authorized, datas] = (await Promise.all([
      nft.isAuthorizedUser(tokenId, user),
      nft.intelligentDatasOf(tokenId),
    ])) as [boolean, AgentEntry[]];
    const entries = datas.map((d) => ({
      dataDescription: d.dataDescription,
      dataHash: d.dataHash,
      keyCommitment: d.keyCommitment,
    }));
    return { owner, authorized, entries };
  };
  return {
    nft: addresses.nft,
    verifier: addresses.verifier,
    access(tokenId, user) {
      const key = `${tokenId}/${user.toLowerCase()}`;
      const hit = cache.get(key);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value;
      const value = load(tokenId, user);
      if (ttlMs > 0) {
        cache.set(key, { at: Date.now(), value });
        value.catch(() => cache.delete(key));
        // Bounded: entries older than the TTL are useless, drop them when the map grows.
        if (cache.size > 10_000) for (const [k, v] of cache) if (Date.now() - v.at >= ttlMs) cache.delete(k);
      }
      return value;
    },
    transferNonce: (tokenId) => nft.transferNonce(tokenId) as Promise<bigint>,
    isOracle: (address) => verifier.isOracle(address) as Promise<boolean>,
    isExecutorAttested: () => serving.isTeeSignerAcknowledged(executor) as Promise<boolean>,
  };
}
