// Agent data at rest: a data key of two BN254 field elements (so the ZK circuit can commit to it with
// Poseidon and encrypt it with the Poseidon cipher), AES-256-GCM encryption of the data under a key
// derived from it with HKDF-SHA256, and the data hash the token stores. Pure: no I/O.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { keccak256 } from "ethers";
import { poseidon2 } from "poseidon-lite/poseidon2";

/** BN254 scalar field: every circuit signal is an element of it. */
export const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** A data key: two field elements (~2 x 253 bits of entropy when drawn by randomDataKey). */
export type DataKey = [bigint, bigint];

export class InftError extends Error {
  override name = "InftError";
}

const HKDF_SALT = Buffer.from("zg-inft-v1");
const HKDF_INFO = Buffer.from("aes-256-gcm data key");
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Format tag of an encrypted blob: version 1 = iv ‖ ciphertext ‖ tag. */
const BLOB_VERSION = 1;

/** A uniformly random field element: 64 random bytes reduced mod p (bias below 2^-250). */
export function randomFieldElement(): bigint {
  return BigInt(`0x${randomBytes(64).toString("hex")}`) % SNARK_SCALAR_FIELD;
}

export function randomDataKey(): DataKey {
  return [randomFieldElement(), randomFieldElement()];
}

export function checkDataKey(key: readonly bigint[]): DataKey {
  if (key.length !== 2) throw new InftError(`a data key has 2 field elements, got ${key.length}`);
  for (const [i, k] of key.entries()) {
    if (typeof k !== "bigint" || k < 0n || k >= SNARK_SCALAR_FIELD) {
      throw new InftError(`data key element ${i} is not a field element`);
    }
  }
  return [key[0], key[1]];
}

/** Poseidon(k0, k1): what the token stores and the ZK circuit opens. */
export function keyCommitment(key: DataKey): bigint {
  const [k0, k1] = checkDataKey(key);
  return poseidon2([k0, k1]);
}

/** The 32-byte big-endian encoding of the key's elements, the HKDF input. */
export function dataKeyBytes(key: DataKey): Buffer {
  const [k0, k1] = checkDataKey(key);
  return Buffer.concat([k0, k1].map((k) => Buffer.from(k.toString(16).padStart(64, "0"), "hex")));
}

export function dataKeyFromBytes(bytes: Uint8Array): DataKey {
  if (bytes.length !== 64) throw new InftError(`a data key is 64 bytes, got ${bytes.length}`);
  const hex = Buffer.from(bytes).toString("hex");
  return checkDataKey([BigInt(`0x${hex.slice(0, 64)}`), BigInt(`0x${hex.slice(64)}`)]);
}

/** The AES-256 key for the data: HKDF-SHA256(dataKey, salt "zg-inft-v1", info "aes-256-gcm data key"). */
export function aesKey(key: DataKey): Buffer {
  return Buffer.from(hkdfSync("sha256", dataKeyBytes(key), HKDF_SALT, HKDF_INFO, 32));
}

/**
 * AES-256-GCM: version ‖ iv ‖ ciphertext ‖ tag. `aad` (e.g. the entry's description) is authenticated, not
 * encrypted; the same aad must be given to decrypt.
 */
export function encryptData(key: DataKey, plaintext: Uint8Array, aad: Uint8Array = Buffer.alloc(0)): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", aesKey(key), iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([BLOB_VERSION]), iv, body, cipher.getAuthTag()]);
}

export function decryptData(key: DataKey, blob: Uint8Array, aad: Uint8Array = Buffer.alloc(0)): Buffer {
  const data = Buffer.from(blob);
  if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== BLOB_VERSION) {
    throw new InftError("not an encrypted agent data blob (wrong version or too short)");
  }
  const iv = data.subarray(1, 1 + IV_BYTES);
  const tag = data.subarray(data.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", aesKey(key), iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch (error) {
    throw new InftError("the data does not decrypt with this key (wrong key, or the blob was changed)", {
      cause: error,
    });
  }
}

/**
 * The data hash a token stores for an encrypted blob. Until the storage client lands this is keccak256 of the
 * blob; with it, the blob's storage root (which also commits to the bytes) takes its place.
 */
export function dataHashOf(blob: Uint8Array): string {
  return keccak256(blob);
}

/** The uint256 commitment as the contract stores it (bytes32). */
export function commitmentBytes32(commitment: bigint): string {
  return `0x${commitment.toString(16).padStart(64, "0")}`;
}
