// Batch settlement of signed compute receipts and its Groth16 proof (circuits/settlement/settlement.circom).
// Pure apart from proveSettlement (reads the circuit's wasm and zkey) and the manifest read for the batch size.
import fs from "node:fs";
import path from "node:path";
import { AbiCoder, getAddress, keccak256, toBeHex } from "ethers";
import { type Groth16Proof, proveWithArtifacts, toGroth16Calldata } from "./groth16";
import {
  type Numeric,
  type PublicKey,
  receiptCircuitInput,
  ReceiptError,
  SNARK_SCALAR_FIELD,
  verifyReceiptSignature,
} from "./receipt";

/** The committed artifacts; a fresh clone proves with these and no setup. */
export const SETTLEMENT_ARTIFACTS_DIR = path.resolve(__dirname, "..", "..", "circuits", "artifacts", "settlement");

/** The order of the circuit's public signals and of each `inputs[i]` of SettlementBatchVerifier.verifyBatch. */
export const SETTLEMENT_PUBLIC_SIGNALS = ["user", "provider", "Ax", "Ay", "prevNonce", "lastNonce", "total"] as const;

// The circuit's private inputs: seven arrays of N entries each.
const PRIVATE_ARRAYS = ["active", "nonce", "fee", "requestHash", "R8x", "R8y", "S"] as const;

const UINT64 = 1n << 64n;

export class SettlementError extends Error {
  override name = "SettlementError";
}

/**
 * Receipts one proof settles (N): read from the manifest of the artifacts in `artifactsDir`, where the circuit
 * has 7 private arrays of N entries each.
 */
export function settlementBatchSize(artifactsDir: string = SETTLEMENT_ARTIFACTS_DIR): number {
  const file = path.join(artifactsDir, "manifest.json");
  if (!fs.existsSync(file)) throw new SettlementError(`${file} is missing; run npm run circuits:setup -- settlement`);
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { constraints?: { privateInputs?: number } };
  const privateInputs = manifest.constraints?.privateInputs ?? 0;
  if (privateInputs <= 0 || privateInputs % PRIVATE_ARRAYS.length !== 0) {
    throw new SettlementError(
      `${file} records ${privateInputs} private inputs, not ${PRIVATE_ARRAYS.length} per entry`,
    );
  }
  return privateInputs / PRIVATE_ARRAYS.length;
}

/** N of the committed circuit: the most receipts one proof settles. */
export const SETTLEMENT_BATCH_SIZE = settlementBatchSize();

/** One receipt the user signed, as the broker holds it: the bill's fields and the signature (decimal or bigint). */
export type SettlementReceipt = {
  nonce: Numeric;
  fee: Numeric;
  requestHash: Numeric;
  R8x: Numeric;
  R8y: Numeric;
  S: Numeric;
};

export type SettlementRequest = {
  user: Numeric;
  provider: Numeric;
  /** The user's receipt key (Ax, Ay) as the ledger holds it (signerKeyOf). */
  publicKey: PublicKey;
  /** The (user, provider) nonce the contract holds before this settlement. */
  prevNonce: Numeric;
  /** 1..N receipts, nonces strictly increasing and above prevNonce. */
  receipts: SettlementReceipt[];
};

type PublicInputs = { [K in (typeof SETTLEMENT_PUBLIC_SIGNALS)[number]]: bigint };
type PrivateInputs = { [K in (typeof PRIVATE_ARRAYS)[number]]: bigint[] };
export type SettlementCircuitInput = PublicInputs & PrivateInputs;

export interface SettlementProof {
  /** [a.x, a.y, b.x.c1, b.x.c0, b.y.c1, b.y.c0, c.x, c.y]: ZkSettlement.proof and verifyBatch's proofs[i]. */
  proof: bigint[];
  /** [user, provider, Ax, Ay, prevNonce, lastNonce, total]: verifyBatch's inputs[i]. */
  inputs: bigint[];
  lastNonce: bigint;
  total: bigint;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The circuit input for one settlement, padded to `batchSize` entries. Refuses, with the reason, everything the
 * circuit would refuse: no or too many receipts, a value out of range, nonces not strictly increasing or not
 * above prevNonce, a signature that does not verify for (user, provider, publicKey).
 */
export function settlementCircuitInput(
  request: SettlementRequest,
  batchSize: number = SETTLEMENT_BATCH_SIZE,
): SettlementCircuitInput {
  const { receipts } = request;
  if (receipts.length === 0) throw new SettlementError("a settlement needs at least one receipt");
  if (receipts.length > batchSize) {
    throw new SettlementError(`${receipts.length} receipts do not fit one proof of ${batchSize}; split them first`);
  }
  let prevNonce: bigint;
  try {
    prevNonce = BigInt(request.prevNonce);
  } catch {
    throw new SettlementError(`prevNonce is not a number: ${String(request.prevNonce)}`);
  }
  if (prevNonce < 0n || prevNonce >= UINT64) throw new SettlementError(`prevNonce must be a uint64, got ${prevNonce}`);

  const entries = receipts.map((receipt, i) => {
    const where = `receipt ${i} (nonce ${String(receipt.nonce)})`;
    try {
      const signature = { R8: [BigInt(receipt.R8x), BigInt(receipt.R8y)] as PublicKey, S: BigInt(receipt.S) };
      const bill = { ...receipt, user: request.user, provider: request.provider };
      const input = receiptCircuitInput(bill, request.publicKey, signature);
      if (!verifyReceiptSignature(input, [input.Ax, input.Ay], signature)) {
        throw new SettlementError(`${where}: the signature does not verify for this user, provider and key`);
      }
      return input;
    } catch (error) {
      if (error instanceof SettlementError) throw error;
      if (error instanceof ReceiptError || error instanceof SyntaxError || error instanceof RangeError) {
        throw new SettlementError(`${where}: ${reason(error)}`, { cause: error });
      }
      throw error;
    }
  });

  let previous = prevNonce;
  for (const [i, entry] of entries.entries()) {
    if (entry.nonce <= previous) {
      const after = i === 0 ? `prevNonce ${prevNonce}` : `the nonce before it (${previous})`;
      throw new SettlementError(
        `receipt ${i}: nonce ${entry.nonce} is not above ${after}; nonces must strictly increase`,
      );
    }
    previous = entry.nonce;
  }

  const first = entries[0];
  const last = entries[entries.length - 1];
  const input: SettlementCircuitInput = {
    user: first.user,
    provider: first.provider,
    Ax: first.Ax,
    Ay: first.Ay,
    prevNonce,
    lastNonce: last.nonce,
    total: entries.reduce((sum, e) => sum + e.fee, 0n),
    active: [],
    nonce: [],
    fee: [],
    requestHash: [],
    R8x: [],
    R8y: [],
    S: [],
  };
  for (let i = 0; i < batchSize; i++) {
    const entry = entries[i];
    // Padding: inactive, zero values and R8 = (0, 1) (the identity, a curve point), so the signature check,
    // which the circuit disables for padding, still evaluates on well-formed values.
    input.active.push(entry ? 1n : 0n);
    input.nonce.push(entry?.nonce ?? 0n);
    input.fee.push(entry?.fee ?? 0n);
    input.requestHash.push(entry?.requestHash ?? 0n);
    input.R8x.push(entry?.R8x ?? 0n);
    input.R8y.push(entry?.R8y ?? 1n);
    input.S.push(entry?.S ?? 0n);
  }
  return input;
}

/** The public inputs of a settlement in verifyBatch's order. */
export function settlementPublicInputs(input: PublicInputs): bigint[] {
  return SETTLEMENT_PUBLIC_SIGNALS.map((name) => input[name]);
}

/**
 * Splits receipts sorted by nonce into consecutive settlements of at most `batchSize`; each starts from the
 * previous one's last nonce, as ComputeServing.settleZk chains settlements of one user within a call.
 */
export function splitSettlements(
  request: SettlementRequest,
  batchSize: number = SETTLEMENT_BATCH_SIZE,
): SettlementRequest[] {
  const parts: SettlementRequest[] = [];
  let prevNonce = request.prevNonce;
  for (let at = 0; at < request.receipts.length; at += batchSize) {
    const receipts = request.receipts.slice(at, at + batchSize);
    parts.push({ ...request, prevNonce, receipts });
    prevNonce = receipts[receipts.length - 1].nonce;
  }
  return parts;
}

/** A snarkjs proof as the contract takes it: [a.x, a.y, b.x.c1, b.x.c0, b.y.c1, b.y.c0, c.x, c.y]. */
export function settlementProofWords(proof: Groth16Proof["proof"]): bigint[] {
  const { a, b, c } = toGroth16Calldata(proof, []);
  return [...a, ...b[0], ...b[1], ...c];
}

/** Proves one settlement with the circuit's wasm and final zkey (a few seconds for N = 4). */
export async function proveSettlement(
  request: SettlementRequest,
  artifactsDir: string = SETTLEMENT_ARTIFACTS_DIR,
): Promise<SettlementProof> {
  const input = settlementCircuitInput(request, settlementBatchSize(artifactsDir));
  const fail = (message: string, cause?: unknown) => new SettlementError(message, { cause });
  const { proof, publicSignals } = await proveWithArtifacts("settlement", input, artifactsDir, fail);
  const inputs = settlementPublicInputs(input);
  if (publicSignals.length !== inputs.length || publicSignals.some((s, i) => BigInt(s) !== inputs[i])) {
    throw new SettlementError(`the circuit's public signals [${publicSignals.join(", ")}] are not the settlement's`);
  }
  return { proof: settlementProofWords(proof), inputs, lastNonce: input.lastNonce, total: input.total };
}

/** ComputeServing.settleZk's `ZkSettlement` entry for a proof: { user, lastNonce, total, proof }. */
export function toZkSettlement(settlement: SettlementProof) {
  const user = getAddress(toBeHex(settlement.inputs[0], 20));
  return { user, lastNonce: settlement.lastNonce, total: settlement.total, proof: settlement.proof };
}

/**
 * SettlementBatchVerifier's coefficients: r_0 = 1, r_i = keccak256(abi.encode(proofs, inputs, i)) mod r. Computed
 * here only to check the contract (differential test); the contract derives its own.
 */
export function batchCoefficients(proofs: bigint[][], inputs: bigint[][]): bigint[] {
  const coder = AbiCoder.defaultAbiCoder();
  const types = ["uint256[8][]", `uint256[${SETTLEMENT_PUBLIC_SIGNALS.length}][]`, "uint256"];
  return proofs.map((_, i) =>
    i === 0 ? 1n : BigInt(keccak256(coder.encode(types, [proofs, inputs, i]))) % SNARK_SCALAR_FIELD,
  );
}
