// The TEE oracle: takes a transfer request (the data key sealed to the oracle by the current owner, the token's
// on-chain facts and the receiver's key), checks the key against the token's commitment and, when given, the
// encrypted data against its hash, re-seals the key to the receiver and signs the ownership proof. The signing
// key lives only in this process; in production the process runs inside a TEE whose attestation governance
// checks before it acknowledges the key on TeeTransferVerifier.
import http from "node:http";
import { getBytes, type TypedDataDomain, Wallet } from "ethers";
import { commitmentBytes32, dataHashOf, decryptData, InftError, keyCommitment } from "./data";
import { handleExecutorGrant, parseExecutorGrantRequest } from "./executor";
import { openTee, type OwnershipClaim, sealTee, signOwnershipProof, teePublicKey, teeVerifierDomain } from "./tee";

/** One entry of a transfer, as the owner asks the oracle for it. */
export interface TransferRequest {
  chainId: string;
  nft: string;
  verifier: string;
  tokenId: string;
  receiver: string;
  /** The receiver's secp256k1 public key (0x04…, 65 bytes). */
  receiverKey: string;
  /** The token's nonce and this entry's data hash and key commitment, as read from the chain. */
  nonce: string;
  dataHash: string;
  keyCommitment: string;
  deadline: string;
  /** The data key sealed to the oracle's public key (`sealTee(key, oraclePublicKey)`). */
  sealedKeyForOracle: string;
  /** Optional: the encrypted data, so the oracle checks that the key opens the data the hash names. */
  encryptedData?: string;
  /** Optional: the additional authenticated data the data was encrypted with. */
  aad?: string;
}

export interface TransferResponse {
  sealedKey: string;
  proof: string;
  oracle: string;
}

function field(request: Record<string, unknown>, name: string): string {
  const value = request[name];
  if (typeof value !== "string" || value.length === 0) throw new InftError(`request.${name} is missing`);
  return value;
}

/** Parses a JSON body into a request, refusing anything missing. */
export function parseTransferRequest(body: unknown): TransferRequest {
  if (typeof body !== "object" || body === null) throw new InftError("the request body is not a JSON object");
  const r = body as Record<string, unknown>;
  const names = [
    "chainId",
    "nft",
    "verifier",
    "tokenId",
    "receiver",
    "receiverKey",
    "nonce",
    "dataHash",
    "keyCommitment",
    "deadline",
    "sealedKeyForOracle",
  ] as const;
  const out = {} as Record<string, string>;
  for (const name of names) out[name] = field(r, name);
  for (const name of ["encryptedData", "aad"] as const) {
    if (r[name] !== undefined) out[name] = field(r, name);
  }
  return out as unknown as TransferRequest;
}

/**
 * The oracle's decision for one entry: a pure function of the request and the oracle's key. Throws InftError with
 * the reason when the key does not match the token's commitment or the data.
 */
export async function handleTransfer(oracleKey: string, request: TransferRequest): Promise<TransferResponse> {
  const oracle = new Wallet(oracleKey);
  const key = openTee(request.sealedKeyForOracle, oracleKey);
  const commitment = BigInt(request.keyCommitment);
  if (commitment !== 0n && commitmentBytes32(keyCommitment(key)) !== commitmentBytes32(commitment)) {
    throw new InftError("the data key does not match the token's key commitment");
  }
  if (request.encryptedData !== undefined) {
    const blob = getBytes(request.encryptedData);
    if (dataHashOf(blob) !== request.dataHash.toLowerCase()) {
      throw new InftError("the encrypted data does not hash to the token's data hash");
    }
    decryptData(key, blob, request.aad ? getBytes(request.aad) : undefined);
  }
  const sealedKey = sealTee(key, request.receiverKey);
  const claim: OwnershipClaim = {
    nft: request.nft,
    tokenId: BigInt(request.tokenId),
    receiver: request.receiver,
    dataHash: request.dataHash,
    keyCommitment: commitmentBytes32(commitment),
    receiverKey: request.receiverKey,
    sealedKey,
    nonce: BigInt(request.nonce),
    deadline: BigInt(request.deadline),
  };
  const domain: TypedDataDomain = teeVerifierDomain(BigInt(request.chainId), request.verifier);
  return { sealedKey, proof: await signOwnershipProof(oracle, domain, claim), oracle: oracle.address };
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * A small HTTP front for the oracle: `GET /v1/info` gives its signing address and public key (owners seal the data
 * key to it), `POST /v1/transfer` takes a TransferRequest and answers a TransferResponse, `POST /v1/executor` takes an
 * ExecutorGrantRequest (a key re-sealed to a compute provider's executor) and answers a grant. Errors are JSON
 * `{ error }` with status 400. Listens on `host:port` (port 0 picks a free one); `close()` stops it.
 */
export async function startOracleServer(
  oracleKey: string,
  options: { host?: string; port?: number } = {},
): Promise<{ url: string; address: string; publicKey: string; close(): Promise<void> }> {
  const address = new Wallet(oracleKey).address;
  const publicKey = teePublicKey(oracleKey);
  const routes: Record<string, (body: unknown) => Promise<unknown>> = {
    "/v1/transfer": (body) => handleTransfer(oracleKey, parseTransferRequest(body)),
    "/v1/executor": (body) => handleExecutorGrant(oracleKey, parseExecutorGrantRequest(body)),
  };
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/v1/info") return reply(200, { address, publicKey });
    const route = req.method === "POST" ? routes[req.url ?? ""] : undefined;
    if (!route) return reply(404, { error: "not found" });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reply(413, { error: "request too large" });
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return reply(400, { error: "the body is not JSON" });
      }
      Promise.resolve()
        .then(() => route(body))
        .then((result) => reply(200, result))
        .catch((error: Error) => reply(400, { error: error.message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const bound = server.address() as { port: number };
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${bound.port}`,
    address,
    publicKey,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** Client side: asks an oracle server for one entry's sealed key and proof. */
export async function requestTransfer(url: string, request: TransferRequest): Promise<TransferResponse> {
  const res = await fetch(`${url}/v1/transfer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  const body = (await res.json()) as TransferResponse & { error?: string };
  if (!res.ok) throw new InftError(`the oracle refused the transfer: ${body.error ?? res.statusText}`);
  return body;
}
