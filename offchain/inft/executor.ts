// The executor grant: the oracle re-seals an agent's data key to a compute provider's attested executor key, so the
// provider can run the agent for its owner and authorized users without the token moving. The grant has its own
// EIP-712 type (under the TeeTransferVerifier domain, signed by the same acknowledged oracle key) rather than reusing
// OwnershipProof: an OwnershipProof naming the provider is a valid half of a transfer to it, and a grant must never
// be usable as one. Pure: no I/O.
import { computeAddress, getAddress, keccak256, type TypedDataDomain, type TypedDataField, Wallet } from "ethers";
import { verifyTypedData } from "ethers";
import { commitmentBytes32, InftError, keyCommitment } from "./data";
import { openTee, sealTee, teeVerifierDomain } from "./tee";

export const EXECUTOR_GRANT_TYPES: Record<string, TypedDataField[]> = {
  ExecutorGrant: [
    { name: "nft", type: "address" },
    { name: "tokenId", type: "uint256" },
    { name: "entry", type: "uint256" },
    { name: "executor", type: "address" },
    { name: "dataHash", type: "bytes32" },
    { name: "keyCommitment", type: "bytes32" },
    { name: "executorKeyHash", type: "bytes32" },
    { name: "sealedKeyHash", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** What the owner asks the oracle for: one entry's key re-sealed to an executor key. Strings, as JSON carries them. */
export interface ExecutorGrantRequest {
  chainId: string;
  nft: string;
  verifier: string;
  tokenId: string;
  entry: string;
  /** The executor's secp256k1 public key (0x04…, 65 bytes), as the broker publishes it. */
  executorKey: string;
  /** The token's transfer nonce and the entry's data hash and key commitment, as read from the chain. */
  nonce: string;
  dataHash: string;
  keyCommitment: string;
  deadline: string;
  /** The data key sealed to the oracle's public key. */
  sealedKeyForOracle: string;
}

export interface ExecutorGrantResponse {
  sealedKey: string;
  proof: string;
  oracle: string;
}

/** The signed claim; `executor` is the address of `executorKey`, so a signature names both. */
export interface ExecutorGrantClaim {
  nft: string;
  tokenId: bigint;
  entry: bigint;
  dataHash: string;
  keyCommitment: string;
  executorKey: string;
  sealedKey: string;
  nonce: bigint;
  deadline: bigint;
}

export function executorGrantMessage(c: ExecutorGrantClaim) {
  return {
    nft: c.nft,
    tokenId: c.tokenId,
    entry: c.entry,
    executor: computeAddress(c.executorKey),
    dataHash: c.dataHash,
    keyCommitment: c.keyCommitment,
    executorKeyHash: keccak256(c.executorKey),
    sealedKeyHash: keccak256(c.sealedKey),
    nonce: c.nonce,
    deadline: c.deadline,
  };
}

/** The address that signed `proof` over `claim` (the broker then asks TeeTransferVerifier.isOracle). */
export function executorGrantSigner(domain: TypedDataDomain, claim: ExecutorGrantClaim, proof: string): string {
  try {
    return getAddress(verifyTypedData(domain, EXECUTOR_GRANT_TYPES, executorGrantMessage(claim), proof));
  } catch (error) {
    throw new InftError("the grant proof is not a signature", { cause: error });
  }
}

const GRANT_FIELDS = [
  "chainId",
  "nft",
  "verifier",
  "tokenId",
  "entry",
  "executorKey",
  "nonce",
  "dataHash",
  "keyCommitment",
  "deadline",
  "sealedKeyForOracle",
] as const;

export function parseExecutorGrantRequest(body: unknown): ExecutorGrantRequest {
  if (typeof body !== "object" || body === null) throw new InftError("the request body is not a JSON object");
  const r = body as Record<string, unknown>;
  const out = {} as Record<string, string>;
  for (const name of GRANT_FIELDS) {
    const value = r[name];
    if (typeof value !== "string" || value.length === 0) throw new InftError(`request.${name} is missing`);
    out[name] = value;
  }
  return out as unknown as ExecutorGrantRequest;
}

/**
 * The oracle's decision on a grant, a pure function of the request and its key: the key must open and match the
 * entry's (nonzero) commitment; then it is re-sealed to the executor key and the claim signed.
 */
export async function handleExecutorGrant(
  oracleKey: string,
  request: ExecutorGrantRequest,
): Promise<ExecutorGrantResponse> {
  const oracle = new Wallet(oracleKey);
  const key = openTee(request.sealedKeyForOracle, oracleKey);
  const commitment = BigInt(request.keyCommitment);
  // A zero commitment would let any key through: a grant always needs one to check against.
  if (commitment === 0n || commitmentBytes32(keyCommitment(key)) !== commitmentBytes32(commitment)) {
    throw new InftError("the data key does not match the token's key commitment");
  }
  const sealedKey = sealTee(key, request.executorKey);
  const claim: ExecutorGrantClaim = {
    nft: request.nft,
    tokenId: BigInt(request.tokenId),
    entry: BigInt(request.entry),
    dataHash: request.dataHash,
    keyCommitment: commitmentBytes32(commitment),
    executorKey: request.executorKey,
    sealedKey,
    nonce: BigInt(request.nonce),
    deadline: BigInt(request.deadline),
  };
  const domain = teeVerifierDomain(BigInt(request.chainId), request.verifier);
  const proof = await oracle.signTypedData(domain, EXECUTOR_GRANT_TYPES, executorGrantMessage(claim));
  return { sealedKey, proof, oracle: oracle.address };
}

/** Client side: asks an oracle server (`POST /v1/executor`) for a grant. */
export async function requestExecutorGrant(url: string, request: ExecutorGrantRequest): Promise<ExecutorGrantResponse> {
  const res = await fetch(`${url.replace(/\/+$/, "")}/v1/executor`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  const body = (await res.json()) as ExecutorGrantResponse & { error?: string };
  if (!res.ok) throw new InftError(`the oracle refused the grant: ${body.error ?? res.statusText}`);
  return body;
}
