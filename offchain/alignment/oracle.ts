/**
 * iNFT transfer oracles, pure (no I/O): the canary transfers an alignment node sends each oracle, the checks of the
 * answers, the address an oracle is reported under and the evidence of an INFT_ORACLE_BAD_PROOF or INFT_ORACLE_DOWN
 * report. A canary is a transfer the node makes up itself (random data key and data, their commitment and hash, the
 * key sealed to the oracle as an owner would, a fresh receiver key): the oracle reads no chain, so the token need not
 * exist. A good oracle signs the valid canary (a proof that recovers to the acknowledged address it names, the key
 * re-sealed to the node's receiver key) and refuses the mismatched one (a sealed key that does not open to the
 * commitment).
 */
import { getAddress, isAddress, randomBytes, verifyTypedData, Wallet } from "ethers";
import { commitmentBytes32, dataHashOf, encryptData, keyCommitment, randomDataKey, type DataKey } from "../inft/data";
import type { TransferRequest, TransferResponse } from "../inft/oracle";
import { openTee, OWNERSHIP_PROOF_TYPES, ownershipProofMessage, sealTee, teeVerifierDomain } from "../inft/tee";
import { isDown, storageNodeAddress, type InfraTry } from "./infra";

export const ORACLE_KINDS = ["INFT_ORACLE_BAD_PROOF", "INFT_ORACLE_DOWN"] as const;
export type OracleKind = (typeof ORACLE_KINDS)[number];

/** A canary transfer and what only the node knows about it. */
export interface Canary {
  request: TransferRequest;
  /** The data key the oracle must re-seal (kept out of the evidence). */
  dataKey: DataKey;
  /** The node's fresh receiver key for this canary (kept out of the evidence). */
  receiverPrivateKey: string;
}

export interface CanaryParams {
  chainId: bigint | number;
  verifier: string;
  nft: string;
  /** The oracle's secp256k1 public key (GET /v1/info). */
  oraclePublicKey: string;
  /** Unix seconds the proof may be used until. */
  deadline: bigint;
  /** The sealed key does not open to the commitment: a good oracle refuses it. */
  mismatched?: boolean;
}

/** A fresh canary transfer for one oracle: valid, or (`mismatched`) with a commitment of another key. */
export function makeCanary(p: CanaryParams): Canary {
  const receiver = Wallet.createRandom();
  const dataKey = randomDataKey();
  const encrypted = encryptData(dataKey, randomBytes(64));
  const committed = p.mismatched ? randomDataKey() : dataKey;
  const request: TransferRequest = {
    chainId: p.chainId.toString(),
    nft: getAddress(p.nft),
    verifier: getAddress(p.verifier),
    tokenId: BigInt(`0x${Buffer.from(randomBytes(8)).toString("hex")}`).toString(),
    receiver: receiver.address,
    receiverKey: receiver.signingKey.publicKey,
    nonce: "0",
    dataHash: dataHashOf(encrypted),
    keyCommitment: commitmentBytes32(keyCommitment(committed)),
    deadline: p.deadline.toString(),
    sealedKeyForOracle: sealTee(dataKey, p.oraclePublicKey),
    encryptedData: `0x${encrypted.toString("hex")}`,
  };
  return { request, dataKey, receiverPrivateKey: receiver.privateKey };
}

/** The address an EIP-712 ownership proof over `request` and `sealedKey` recovers to; undefined when malformed. */
export function proofSigner(request: TransferRequest, sealedKey: string, proof: string): string | undefined {
  try {
    const claim = {
      nft: request.nft,
      tokenId: BigInt(request.tokenId),
      receiver: request.receiver,
      dataHash: request.dataHash,
      keyCommitment: request.keyCommitment,
      receiverKey: request.receiverKey,
      sealedKey,
      nonce: BigInt(request.nonce),
      deadline: BigInt(request.deadline),
    };
    const domain = teeVerifierDomain(BigInt(request.chainId), request.verifier);
    return verifyTypedData(domain, OWNERSHIP_PROOF_TYPES, ownershipProofMessage(claim), proof);
  } catch {
    return undefined;
  }
}

/** One check an oracle failed. */
export interface OracleFinding {
  check: "answer" | "signature" | "acknowledged" | "sealed-key" | "mismatch";
  reason: string;
}

/** The answer's shape: a TransferResponse of strings, or why not. */
export function responseShape(body: unknown): TransferResponse | string {
  if (typeof body !== "object" || body === null) return "the answer is not a JSON object";
  const r = body as Record<string, unknown>;
  for (const name of ["sealedKey", "proof", "oracle"]) {
    if (typeof r[name] !== "string") return `the answer has no ${name}`;
  }
  return { sealedKey: r.sealedKey as string, proof: r.proof as string, oracle: r.oracle as string };
}

/**
 * The checks of the valid canary's answer: the proof recovers to the `oracle` it names, that address is acknowledged
 * on TeeTransferVerifier (`acknowledged`, read by the caller for `response.oracle`), and the re-sealed key opens with
 * the node's receiver key to exactly the canary's data key. No findings: the oracle passed.
 */
export function checkTransfer(canary: Canary, response: TransferResponse, acknowledged: boolean): OracleFinding[] {
  const findings: OracleFinding[] = [];
  const named = isAddress(response.oracle) ? getAddress(response.oracle) : undefined;
  const signer = proofSigner(canary.request, response.sealedKey, response.proof);
  if (!named) findings.push({ check: "signature", reason: `names ${JSON.stringify(response.oracle)}, not an address` });
  else if (!signer) findings.push({ check: "signature", reason: "the proof is not a signature over the claim" });
  else if (signer !== named) {
    findings.push({ check: "signature", reason: `the proof recovers to ${signer}, not the oracle ${named} it names` });
  }
  if (named && !acknowledged) {
    findings.push({ check: "acknowledged", reason: `${named} is not an oracle TeeTransferVerifier acknowledges` });
  }
  let opened: DataKey | undefined;
  try {
    opened = openTee(response.sealedKey, canary.receiverPrivateKey);
  } catch (error) {
    findings.push({ check: "sealed-key", reason: `the re-sealed key does not open: ${(error as Error).message}` });
  }
  if (opened && (opened[0] !== canary.dataKey[0] || opened[1] !== canary.dataKey[1])) {
    findings.push({ check: "sealed-key", reason: "the re-sealed key opens to another data key" });
  }
  return findings;
}

/** The mismatched canary's check: refused is right; any signed answer is a fault. */
export function checkMismatch(signed: TransferResponse | undefined): OracleFinding[] {
  return signed === undefined
    ? []
    : [{ check: "mismatch", reason: "signed a transfer whose sealed key does not match the key commitment" }];
}

/** Every try at one oracle in an epoch and what its answers showed. */
export interface OracleRecord {
  url: string;
  /** The address a report names (see `oracleService`). */
  service: string;
  /** Tries at the oracle (GET /v1/info and the valid canary); down only when every one failed. */
  tries: InfraTry[];
  /** The valid canary as sent (public parts only: the data key and the receiver's private key stay out). */
  canary?: TransferRequest;
  /** The oracle's answer to the valid canary. */
  response?: TransferResponse;
  /** Its answer to the mismatched canary, when it signed it. */
  mismatchResponse?: TransferResponse;
  findings: OracleFinding[];
}

/** The oracle probes of an epoch and the down rule they were judged by (kept in the report). */
export interface EpochOracles {
  downAfter: number;
  verifier: string;
  records: OracleRecord[];
}

/**
 * The address an oracle is reported under: the signing address it names when its proof recovers to it and
 * TeeTransferVerifier acknowledges it (so no oracle can get another framed by naming it), else the address derived
 * from its URL origin like a storage node's (`storageNodeAddress`).
 */
export function oracleService(url: string, response?: TransferResponse, findings: readonly OracleFinding[] = []) {
  const trusted = response && !findings.some((f) => f.check === "signature" || f.check === "acknowledged");
  return trusted ? getAddress(response.oracle) : storageNodeAddress(url);
}

/** The oracle's check outcome for the report: down (every try failed), bad proof (a finding), or fine. */
export function oracleVerdict(record: OracleRecord, downAfter: number): OracleKind | undefined {
  if (isDown(record.tries, downAfter)) return "INFT_ORACLE_DOWN";
  return record.findings.length > 0 ? "INFT_ORACLE_BAD_PROOF" : undefined;
}

export interface OracleContext {
  chainId: number;
  epoch: bigint;
  licenseId: bigint;
}

/** The evidence of one oracle fault: the rule, the URL, the tries, the canary sent, the answers and the findings. */
export function oracleEvidence(
  record: OracleRecord,
  kind: OracleKind,
  oracles: EpochOracles,
  ctx: OracleContext,
): Record<string, unknown> {
  return {
    kind,
    chainId: ctx.chainId,
    epoch: ctx.epoch.toString(),
    licenseId: ctx.licenseId.toString(),
    service: record.service,
    url: record.url,
    verifier: oracles.verifier,
    downAfter: oracles.downAfter,
    tries: record.tries,
    canary: record.canary,
    response: record.response,
    mismatchResponse: record.mismatchResponse,
    findings: record.findings,
  };
}
