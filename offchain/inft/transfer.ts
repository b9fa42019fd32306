// Builds the per-entry `TransferValidityProof` structs AgentNFT.iTransferFrom / iCloneFrom take, in both modes.
// These are the functions a `zg inft` CLI or a Hardhat task calls.
import type { Signer, TypedDataDomain } from "ethers";
import { commitmentBytes32, type DataKey, keyCommitment } from "./data";
import { signConsent, TransferMode } from "./tee";
import {
  type BabyJubKey,
  encodeBabyJubKey,
  encodeGroth16Proof,
  encodeZkSealedKey,
  inftCircuitInput,
  proveKeyTransfer,
  sealZk,
} from "./zk";
import { toGroth16Calldata } from "../zk/groth16";

/** The contract's `TransferValidityProof`. */
export interface TransferValidityProof {
  mode: TransferMode;
  receiverKey: string;
  sealedKey: string;
  nonce: bigint;
  deadline: bigint;
  consent: string;
  proof: string;
}

/** The facts of one entry's transfer that both the consent and the proof name. */
export interface EntryTransfer {
  /** The AgentNFT's EIP-712 domain (agentNftDomain(chainId, nft)). */
  domain: TypedDataDomain;
  tokenId: bigint;
  receiver: string;
  isClone: boolean;
  dataHash: string;
  nonce: bigint;
  deadline: bigint;
}

/**
 * ZK mode: seals `key` to the receiver's Baby Jubjub key, proves it (~1 s) and has `consentSigner` (the receiver or
 * its access delegate) sign the consent.
 */
export async function zkTransferProof(
  entry: EntryTransfer,
  key: DataKey,
  receiverKey: BabyJubKey,
  consentSigner: Signer,
  artifactsDir?: string,
): Promise<{ proof: TransferValidityProof; provingMs: number }> {
  const sealing = sealZk(key, receiverKey);
  const started = Date.now();
  const { proof, publicSignals } = await proveKeyTransfer(inftCircuitInput(key, receiverKey, sealing), artifactsDir);
  const provingMs = Date.now() - started;
  const receiverKeyBytes = encodeBabyJubKey(receiverKey);
  const consent = await signConsent(consentSigner, entry.domain, { ...entry, receiverKey: receiverKeyBytes });
  return {
    proof: {
      mode: TransferMode.Zk,
      receiverKey: receiverKeyBytes,
      sealedKey: encodeZkSealedKey(sealing.sealed),
      nonce: entry.nonce,
      deadline: entry.deadline,
      consent,
      proof: encodeGroth16Proof(toGroth16Calldata(proof, publicSignals)),
    },
    provingMs,
  };
}

/** TEE mode: wraps the oracle's answer (sealed key + signature) with the receiver's consent. */
export async function teeTransferProof(
  entry: EntryTransfer,
  receiverKey: string,
  oracleAnswer: { sealedKey: string; proof: string },
  consentSigner: Signer,
): Promise<TransferValidityProof> {
  const consent = await signConsent(consentSigner, entry.domain, { ...entry, receiverKey });
  return {
    mode: TransferMode.Tee,
    receiverKey,
    sealedKey: oracleAnswer.sealedKey,
    nonce: entry.nonce,
    deadline: entry.deadline,
    consent,
    proof: oracleAnswer.proof,
  };
}

/** The contract's `IntelligentData` for a fresh entry. */
export function intelligentData(description: string, dataHash: string, key: DataKey) {
  return { dataDescription: description, dataHash, keyCommitment: commitmentBytes32(keyCommitment(key)) };
}
