// A signed compute request receipt and its Groth16 proof (circuits/receipt/receipt.circom).
// Pure apart from proveReceipt, which reads the circuit's wasm and zkey.
import path from "node:path";
import { inCurve, type Point, subOrder } from "@zk-kit/baby-jubjub";
import { derivePublicKey, type Signature, signMessage, verifySignature } from "@zk-kit/eddsa-poseidon";
import { poseidon5 } from "poseidon-lite/poseidon5";
import { type Groth16Proof, proveWithArtifacts } from "./groth16";

/** BN254 scalar field: every circuit signal is an element of it. */
export const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** The order of the verifier's `uint[7] pub` argument and of snarkjs' publicSignals. */
export const RECEIPT_PUBLIC_SIGNALS = ["user", "provider", "nonce", "fee", "requestHash", "Ax", "Ay"] as const;

/** The committed artifacts; a fresh clone proves with these and no setup. */
export const RECEIPT_ARTIFACTS_DIR = path.resolve(__dirname, "..", "..", "circuits", "artifacts", "receipt");

// Type aliases, not interfaces: snarkjs takes the circuit input as a record of signals.
export type Receipt = {
  user: bigint;
  provider: bigint;
  nonce: bigint;
  fee: bigint;
  /** The request's hash reduced into the field (a keccak256 must be taken mod SNARK_SCALAR_FIELD first). */
  requestHash: bigint;
};

/** A value as callers have it: bigint, safe integer, or a decimal or 0x-hex string (addresses). */
export type Numeric = bigint | number | string;
export type ReceiptLike = { [K in keyof Receipt]: Numeric };

export type PrivateKey = Buffer | Uint8Array | string;
export type PublicKey = Point<bigint>;
export type ReceiptSignature = Signature<bigint>;

export type ReceiptCircuitInput = Receipt & { Ax: bigint; Ay: bigint; R8x: bigint; R8y: bigint; S: bigint };

export type ReceiptProof = Groth16Proof;

export class ReceiptError extends Error {
  override name = "ReceiptError";
}

// The circuit's range checks, repeated here so bad input is refused with a reason before proving.
const BOUNDS: { [K in keyof Receipt]: [bigint, string] } = {
  user: [1n << 160n, "2^160 (an address)"],
  provider: [1n << 160n, "2^160 (an address)"],
  nonce: [1n << 64n, "2^64"],
  fee: [1n << 128n, "2^128"],
  requestHash: [SNARK_SCALAR_FIELD, "the BN254 scalar field modulus (reduce the hash first)"],
};

function toBigInt(value: Numeric, name: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new ReceiptError(`${name} is not a safe integer: ${value}`);
    return BigInt(value);
  }
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) throw new ReceiptError(`${name} is not a decimal or 0x-hex number`);
  return BigInt(value);
}

function checked(value: Numeric, name: string, bound: bigint, boundName: string): bigint {
  const n = toBigInt(value, name);
  if (n < 0n) throw new ReceiptError(`${name} must not be negative`);
  if (n >= bound) throw new ReceiptError(`${name} must be below ${boundName}, got ${n}`);
  return n;
}

/** Parses and range-checks a receipt exactly as the circuit will. */
export function toReceipt(input: ReceiptLike): Receipt {
  const fields = Object.keys(BOUNDS) as (keyof Receipt)[];
  const receipt = {} as Receipt;
  for (const field of fields) {
    if (input[field] === undefined) throw new ReceiptError(`receipt.${field} is missing`);
    const [bound, boundName] = BOUNDS[field];
    receipt[field] = checked(input[field], `receipt.${field}`, bound, boundName);
  }
  return receipt;
}

/** M = Poseidon(user, provider, nonce, fee, requestHash): the field element the signer signs. */
export function receiptMessage(input: ReceiptLike): bigint {
  const r = toReceipt(input);
  return poseidon5([r.user, r.provider, r.nonce, r.fee, r.requestHash]);
}

export function receiptPublicKey(privateKey: PrivateKey): PublicKey {
  return derivePublicKey(privateKey);
}

/** EdDSA-Poseidon signature over receiptMessage(receipt). */
export function signReceipt(privateKey: PrivateKey, receipt: ReceiptLike): ReceiptSignature {
  return signMessage(privateKey, receiptMessage(receipt));
}

export function verifyReceiptSignature(receipt: ReceiptLike, publicKey: PublicKey, signature: ReceiptSignature) {
  return verifySignature(receiptMessage(receipt), signature, publicKey);
}

/** The circuit's input signals; refuses what the circuit would refuse, with the reason. */
export function receiptCircuitInput(
  receipt: ReceiptLike,
  publicKey: PublicKey,
  signature: ReceiptSignature,
): ReceiptCircuitInput {
  const r = toReceipt(receipt);
  const point = (p: Point<bigint>, name: string): Point<bigint> => {
    const x = checked(p[0], `${name}.x`, SNARK_SCALAR_FIELD, "the field modulus");
    const y = checked(p[1], `${name}.y`, SNARK_SCALAR_FIELD, "the field modulus");
    if (!inCurve([x, y])) throw new ReceiptError(`${name} is not a Baby Jubjub point`);
    return [x, y];
  };
  const [Ax, Ay] = point(publicKey, "publicKey");
  const [R8x, R8y] = point(signature.R8, "signature.R8");
  const S = checked(signature.S, "signature.S", subOrder, "the Baby Jubjub subgroup order");
  return { ...r, Ax, Ay, R8x, R8y, S };
}

/** Groth16 proof with the circuit's wasm and final zkey from artifactsDir (~1-3 s). */
export async function proveReceipt(
  input: ReceiptCircuitInput,
  artifactsDir: string = RECEIPT_ARTIFACTS_DIR,
): Promise<ReceiptProof> {
  // Checked here because the witness generator would only fail after printing its own error to stderr.
  const signature = { R8: [input.R8x, input.R8y] as Point<bigint>, S: input.S };
  if (!verifyReceiptSignature(input, [input.Ax, input.Ay], signature)) {
    throw new ReceiptError("the signature does not verify for this receipt and public key");
  }
  return proveWithArtifacts("receipt", input, artifactsDir, (message, cause) => new ReceiptError(message, { cause }));
}
