// ZK-mode sealing: the data key encrypted with the Poseidon cipher under an ECDH key between a fresh
// ephemeral Baby Jubjub key and the receiver's Baby Jubjub key, and the Groth16 proof of it
// (circuits/inft/inft.circom). Pure apart from proveKeyTransfer, which reads the circuit's artifacts.
import path from "node:path";
import { Base8, inCurve, mulPointEscalar, type Point, subOrder } from "@zk-kit/baby-jubjub";
import { derivePublicKey, deriveSecretScalar } from "@zk-kit/eddsa-poseidon";
import { poseidonDecrypt, poseidonEncrypt } from "@zk-kit/poseidon-cipher";
import { AbiCoder, randomBytes } from "ethers";
import { type Groth16Calldata, type Groth16Proof, proveWithArtifacts } from "../zk/groth16";
import { checkDataKey, type DataKey, InftError, keyCommitment, SNARK_SCALAR_FIELD } from "./data";

export const INFT_ARTIFACTS_DIR = path.resolve(__dirname, "..", "..", "circuits", "artifacts", "inft");

/** The order of the verifier's `uint[10] pub` and of snarkjs' publicSignals. */
export const INFT_PUBLIC_SIGNALS = [
  "keyCommitment",
  "receiverX",
  "receiverY",
  "ephemeralX",
  "ephemeralY",
  "nonce",
  "ciphertext[0]",
  "ciphertext[1]",
  "ciphertext[2]",
  "ciphertext[3]",
] as const;

export type BabyJubKey = Point<bigint>;

/** What a ZK-mode receiver gets: everything needed to recompute the shared key and decrypt. */
export interface ZkSealedKey {
  ephemeral: BabyJubKey;
  nonce: bigint;
  ciphertext: [bigint, bigint, bigint, bigint];
}

/** The sealing plus its private witness (kept by the sender only to prove). */
export interface ZkSealing {
  sealed: ZkSealedKey;
  ephemeralSecret: bigint;
}

export type InftCircuitInput = {
  keyCommitment: bigint;
  receiverX: bigint;
  receiverY: bigint;
  ephemeralX: bigint;
  ephemeralY: bigint;
  nonce: bigint;
  ciphertext: bigint[];
  dataKey: bigint[];
  ephemeralSecret: bigint;
};

const coder = AbiCoder.defaultAbiCoder();

/** A receiver's Baby Jubjub key pair from any private key bytes/string (EdDSA-Poseidon derivation). */
export function babyJubKeyPair(privateKey: Buffer | Uint8Array | string): { secret: bigint; publicKey: BabyJubKey } {
  return { secret: deriveSecretScalar(privateKey), publicKey: derivePublicKey(privateKey) };
}

function randomScalar(): bigint {
  // 1 <= e < subOrder: a fresh ephemeral secret for every sealing.
  return (BigInt(`0x${Buffer.from(randomBytes(64)).toString("hex")}`) % (subOrder - 1n)) + 1n;
}

function randomNonce(): bigint {
  return BigInt(`0x${Buffer.from(randomBytes(16)).toString("hex")}`);
}

export function checkBabyJubKey(key: BabyJubKey, name = "receiver key"): BabyJubKey {
  const [x, y] = key;
  if (x < 0n || y < 0n || x >= SNARK_SCALAR_FIELD || y >= SNARK_SCALAR_FIELD || !inCurve([x, y])) {
    throw new InftError(`${name} is not a Baby Jubjub point`);
  }
  if (x === 0n && y === 1n) throw new InftError(`${name} is the identity point`);
  return [x, y];
}

/** Seals `key` to `receiver`; `ephemeralSecret` and `nonce` are fresh random values unless given (tests). */
export function sealZk(
  key: DataKey,
  receiver: BabyJubKey,
  options: { ephemeralSecret?: bigint; nonce?: bigint } = {},
): ZkSealing {
  const dataKey = checkDataKey(key);
  const r = checkBabyJubKey(receiver);
  const ephemeralSecret = options.ephemeralSecret ?? randomScalar();
  if (ephemeralSecret <= 0n || ephemeralSecret >= 1n << 253n) throw new InftError("ephemeral secret out of range");
  const nonce = options.nonce ?? randomNonce();
  const shared = mulPointEscalar(r, ephemeralSecret);
  const ciphertext = poseidonEncrypt(dataKey, [shared[0], shared[1]], nonce) as [bigint, bigint, bigint, bigint];
  return { sealed: { ephemeral: mulPointEscalar(Base8, ephemeralSecret), nonce, ciphertext }, ephemeralSecret };
}

/** The receiver's side: recovers the data key; throws when the key does not decrypt or misses `commitment`. */
export function openZk(sealed: ZkSealedKey, receiverSecret: bigint, commitment?: bigint): DataKey {
  const shared = mulPointEscalar(checkBabyJubKey(sealed.ephemeral, "ephemeral key"), receiverSecret);
  let plain: bigint[];
  try {
    plain = poseidonDecrypt(sealed.ciphertext, [shared[0], shared[1]], sealed.nonce, 2);
  } catch (error) {
    throw new InftError("the sealed key does not decrypt with this receiver key", { cause: error });
  }
  const key = checkDataKey(plain.slice(0, 2));
  if (commitment !== undefined && keyCommitment(key) !== commitment) {
    throw new InftError("the decrypted key does not match the token's key commitment");
  }
  return key;
}

/** `receiverKey` bytes as the contract takes them in ZK mode: abi.encode(uint256 x, uint256 y). */
export function encodeBabyJubKey(key: BabyJubKey): string {
  return coder.encode(["uint256", "uint256"], [key[0], key[1]]);
}

/** `sealedKey` bytes in ZK mode: abi.encode(uint256 ephemeralX, uint256 ephemeralY, uint256 nonce, uint256[4]). */
export function encodeZkSealedKey(sealed: ZkSealedKey): string {
  return coder.encode(
    ["uint256", "uint256", "uint256", "uint256[4]"],
    [sealed.ephemeral[0], sealed.ephemeral[1], sealed.nonce, sealed.ciphertext],
  );
}

export function decodeZkSealedKey(bytes: string): ZkSealedKey {
  const [ex, ey, nonce, ct] = coder.decode(["uint256", "uint256", "uint256", "uint256[4]"], bytes);
  return {
    ephemeral: [ex as bigint, ey as bigint],
    nonce: nonce as bigint,
    ciphertext: (ct as bigint[]).map((v) => v) as [bigint, bigint, bigint, bigint],
  };
}

export function inftCircuitInput(key: DataKey, receiver: BabyJubKey, sealing: ZkSealing): InftCircuitInput {
  const dataKey = checkDataKey(key);
  const { sealed, ephemeralSecret } = sealing;
  return {
    keyCommitment: keyCommitment(dataKey),
    receiverX: receiver[0],
    receiverY: receiver[1],
    ephemeralX: sealed.ephemeral[0],
    ephemeralY: sealed.ephemeral[1],
    nonce: sealed.nonce,
    ciphertext: [...sealed.ciphertext],
    dataKey: [...dataKey],
    ephemeralSecret,
  };
}

/** Groth16 proof with the committed wasm and final zkey (~1 s). */
export async function proveKeyTransfer(
  input: InftCircuitInput,
  artifactsDir: string = INFT_ARTIFACTS_DIR,
): Promise<Groth16Proof> {
  return proveWithArtifacts("inft", input, artifactsDir, (message, cause) => new InftError(message, { cause }));
}

/** The `proof` bytes ZkTransferVerifier takes: abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c). */
export function encodeGroth16Proof(calldata: Groth16Calldata): string {
  return coder.encode(["uint256[2]", "uint256[2][2]", "uint256[2]"], [calldata.a, calldata.b, calldata.c]);
}
