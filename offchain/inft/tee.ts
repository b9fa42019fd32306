// TEE-mode sealing and the EIP-712 messages of a transfer: the receiver's consent (signed by the receiver or its
// access delegate, checked by AgentNFT) and the oracle's ownership proof (checked by TeeTransferVerifier).
// Sealing is ECIES on secp256k1: ECDH with a fresh ephemeral key, HKDF-SHA256, AES-256-GCM, so a receiver can use
// the public key of its Ethereum account. Pure: no I/O.
import { createCipheriv, createDecipheriv, createECDH, hkdfSync, randomBytes } from "node:crypto";
import {
  getBytes,
  hexlify,
  keccak256,
  SigningKey,
  type Signer,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import { type DataKey, dataKeyBytes, dataKeyFromBytes, InftError } from "./data";

/** `TransferMode` of the contract. */
export enum TransferMode {
  Tee = 0,
  Zk = 1,
}

const ECIES_INFO = Buffer.from("zg-inft-v1 sealed key");
const PUB_BYTES = 65;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function eciesKey(shared: Buffer, ephemeralPub: Buffer, receiverPub: Buffer): Buffer {
  // The salt binds the key to both public keys, so a sealed key cannot be re-targeted.
  const salt = Buffer.concat([ephemeralPub, receiverPub]);
  return Buffer.from(hkdfSync("sha256", shared, salt, ECIES_INFO, 32));
}

/** The uncompressed secp256k1 public key (0x04 ‖ x ‖ y, 65 bytes) a TEE-mode receiver gives. */
export function teePublicKey(privateKey: string): string {
  return new SigningKey(privateKey).publicKey;
}

function receiverPubBytes(receiverKey: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = Buffer.from(SigningKey.computePublicKey(receiverKey, false).slice(2), "hex");
  } catch (error) {
    throw new InftError("the receiver key is not a secp256k1 public key", { cause: error });
  }
  return bytes;
}

/** Seals `key` to the secp256k1 public key `receiverKey`: ephemeralPub ‖ iv ‖ ciphertext ‖ tag (157 bytes). */
export function sealTee(key: DataKey, receiverKey: string): string {
  const receiverPub = receiverPubBytes(receiverKey);
  const ecdh = createECDH("secp256k1");
  const ephemeralPub = ecdh.generateKeys();
  const shared = ecdh.computeSecret(receiverPub);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", eciesKey(shared, ephemeralPub, receiverPub), iv);
  cipher.setAAD(receiverPub);
  const body = Buffer.concat([cipher.update(dataKeyBytes(key)), cipher.final()]);
  return hexlify(Buffer.concat([ephemeralPub, iv, body, cipher.getAuthTag()]));
}

/** The receiver's side: opens a TEE-mode sealed key with its secp256k1 private key. */
export function openTee(sealedKey: string, privateKey: string): DataKey {
  const data = Buffer.from(getBytes(sealedKey));
  if (data.length !== PUB_BYTES + IV_BYTES + 64 + TAG_BYTES) throw new InftError("not a TEE-mode sealed key");
  const receiverPub = receiverPubBytes(teePublicKey(privateKey));
  const ephemeralPub = data.subarray(0, PUB_BYTES);
  const ecdh = createECDH("secp256k1");
  ecdh.setPrivateKey(Buffer.from(getBytes(privateKey)));
  let shared: Buffer;
  try {
    shared = ecdh.computeSecret(ephemeralPub);
  } catch (error) {
    throw new InftError("the sealed key's ephemeral key is not a curve point", { cause: error });
  }
  const iv = data.subarray(PUB_BYTES, PUB_BYTES + IV_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", eciesKey(shared, ephemeralPub, receiverPub), iv);
  decipher.setAAD(receiverPub);
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  try {
    const plain = Buffer.concat([
      decipher.update(data.subarray(PUB_BYTES + IV_BYTES, data.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return dataKeyFromBytes(plain);
  } catch (error) {
    throw new InftError("the sealed key does not open with this private key", { cause: error });
  }
}

// ------------------------------------------------------------------ EIP-712

export const CONSENT_TYPES: Record<string, TypedDataField[]> = {
  TransferConsent: [
    { name: "tokenId", type: "uint256" },
    { name: "receiver", type: "address" },
    { name: "isClone", type: "bool" },
    { name: "dataHash", type: "bytes32" },
    { name: "receiverKeyHash", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export const OWNERSHIP_PROOF_TYPES: Record<string, TypedDataField[]> = {
  OwnershipProof: [
    { name: "nft", type: "address" },
    { name: "tokenId", type: "uint256" },
    { name: "receiver", type: "address" },
    { name: "dataHash", type: "bytes32" },
    { name: "keyCommitment", type: "bytes32" },
    { name: "receiverKeyHash", type: "bytes32" },
    { name: "sealedKeyHash", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export function agentNftDomain(chainId: bigint | number, nft: string): TypedDataDomain {
  return { name: "AgentNFT", version: "1", chainId, verifyingContract: nft };
}

export function teeVerifierDomain(chainId: bigint | number, verifier: string): TypedDataDomain {
  return { name: "TeeTransferVerifier", version: "1", chainId, verifyingContract: verifier };
}

/** What the receiver consents to, for one data entry. */
export interface Consent {
  tokenId: bigint;
  receiver: string;
  isClone: boolean;
  dataHash: string;
  receiverKey: string;
  nonce: bigint;
  deadline: bigint;
}

export function consentMessage(c: Consent) {
  return {
    tokenId: c.tokenId,
    receiver: c.receiver,
    isClone: c.isClone,
    dataHash: c.dataHash,
    receiverKeyHash: keccak256(c.receiverKey),
    nonce: c.nonce,
    deadline: c.deadline,
  };
}

/** The receiver's (or its delegate's) consent signature. */
export async function signConsent(signer: Signer, domain: TypedDataDomain, consent: Consent): Promise<string> {
  return signer.signTypedData(domain, CONSENT_TYPES, consentMessage(consent));
}

/** The claim an oracle signs for one entry (the contract's TransferClaim plus the NFT's address). */
export interface OwnershipClaim {
  nft: string;
  tokenId: bigint;
  receiver: string;
  dataHash: string;
  keyCommitment: string;
  receiverKey: string;
  sealedKey: string;
  nonce: bigint;
  deadline: bigint;
}

export function ownershipProofMessage(c: OwnershipClaim) {
  return {
    nft: c.nft,
    tokenId: c.tokenId,
    receiver: c.receiver,
    dataHash: c.dataHash,
    keyCommitment: c.keyCommitment,
    receiverKeyHash: keccak256(c.receiverKey),
    sealedKeyHash: keccak256(c.sealedKey),
    nonce: c.nonce,
    deadline: c.deadline,
  };
}

export async function signOwnershipProof(
  oracle: Signer,
  domain: TypedDataDomain,
  claim: OwnershipClaim,
): Promise<string> {
  return oracle.signTypedData(domain, OWNERSHIP_PROOF_TYPES, ownershipProofMessage(claim));
}
