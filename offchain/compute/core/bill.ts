// Bills (what the broker charged for one request), their fee and request hash, and the receipts a user
// returns for them: an EdDSA-Poseidon signature over the circuit's ReceiptMessage (offchain/zk/receipt.ts).
import { concat, getAddress, isAddress, keccak256, toUtf8Bytes } from "ethers";
import {
  type PrivateKey,
  type PublicKey,
  type Receipt,
  SNARK_SCALAR_FIELD,
  signReceipt,
  verifyReceiptSignature,
} from "../../zk/receipt";
import { decimalBigInt, fromBase64UrlJson, safeCount, toBase64UrlJson } from "./encoding";

export const MAX_NONCE = (1n << 64n) - 1n;
export const MAX_FEE = (1n << 128n) - 1n;

export interface Prices {
  /** Wei per input token. */
  inputPrice: bigint;
  /** Wei per output token. */
  outputPrice: bigint;
}

export interface Bill {
  user: string;
  provider: string;
  nonce: bigint;
  fee: bigint;
  inputTokens: number;
  outputTokens: number;
  requestHash: bigint;
}

/** A user's signature over one bill, named by its nonce (the wire form of a receipt). */
export interface BillSignature {
  nonce: bigint;
  R8x: bigint;
  R8y: bigint;
  S: bigint;
}

export class BillError extends Error {
  override name = "BillError";
}

export function computeFee(inputTokens: number, outputTokens: number, prices: Prices): bigint {
  return BigInt(inputTokens) * prices.inputPrice + BigInt(outputTokens) * prices.outputPrice;
}

/** The most a request can cost: its whole prompt plus maxTokens of output. */
export function worstCaseFee(inputTokens: number, maxTokens: number, prices: Prices): bigint {
  return computeFee(inputTokens, maxTokens, prices);
}

function uint64be(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/**
 * keccak256(keccak256(body) ‖ keccak256(utf8(output)) ‖ uint64be(in) ‖ uint64be(out)) mod the BN254 field,
 * so the circuit can carry it as one signal.
 */
export function requestHash(body: Uint8Array | string, outputText: string, inputTokens: number, outputTokens: number) {
  const bodyBytes = typeof body === "string" ? toUtf8Bytes(body) : body;
  const digest = keccak256(
    concat([keccak256(bodyBytes), keccak256(toUtf8Bytes(outputText)), uint64be(inputTokens), uint64be(outputTokens)]),
  );
  return BigInt(digest) % SNARK_SCALAR_FIELD;
}

/** The receipt the user signs for a bill: the circuit's message fields. */
export function billReceipt(bill: Bill): Receipt {
  return {
    user: BigInt(bill.user),
    provider: BigInt(bill.provider),
    nonce: bill.nonce,
    fee: bill.fee,
    requestHash: bill.requestHash,
  };
}

export function signBill(privateKey: PrivateKey, bill: Bill): BillSignature {
  const sig = signReceipt(privateKey, billReceipt(bill));
  return { nonce: bill.nonce, R8x: sig.R8[0], R8y: sig.R8[1], S: sig.S };
}

/** True when `sig` is the holder of `publicKey`'s signature over this bill; false for any malformed value. */
export function verifyBillSignature(bill: Bill, publicKey: PublicKey, sig: Omit<BillSignature, "nonce">): boolean {
  try {
    return verifyReceiptSignature(billReceipt(bill), publicKey, { R8: [sig.R8x, sig.R8y], S: sig.S });
  } catch {
    return false;
  }
}

export function encodeBill(bill: Bill): string {
  return toBase64UrlJson(billJson(bill));
}

/** The JSON form (decimal strings) used in `zg_bill` and inside X-ZG-Bill. */
export function billJson(bill: Bill) {
  return {
    user: bill.user,
    provider: bill.provider,
    nonce: bill.nonce.toString(),
    fee: bill.fee.toString(),
    inputTokens: bill.inputTokens,
    outputTokens: bill.outputTokens,
    requestHash: bill.requestHash.toString(),
  };
}

export function parseBill(raw: unknown): Bill {
  try {
    if (typeof raw !== "object" || raw === null) throw new Error("a bill must be a JSON object");
    const r = raw as Record<string, unknown>;
    for (const f of ["user", "provider"] as const) {
      if (typeof r[f] !== "string" || !isAddress(r[f])) throw new Error(`bill.${f} is not an address`);
    }
    return {
      user: getAddress(r.user as string),
      provider: getAddress(r.provider as string),
      nonce: decimalBigInt(r.nonce, "bill.nonce", MAX_NONCE + 1n),
      fee: decimalBigInt(r.fee, "bill.fee", MAX_FEE + 1n),
      inputTokens: safeCount(r.inputTokens, "bill.inputTokens"),
      outputTokens: safeCount(r.outputTokens, "bill.outputTokens"),
      requestHash: decimalBigInt(r.requestHash, "bill.requestHash", SNARK_SCALAR_FIELD),
    };
  } catch (err) {
    throw new BillError((err as Error).message);
  }
}

export function decodeBill(header: string): Bill {
  try {
    return parseBill(fromBase64UrlJson(header, "X-ZG-Bill"));
  } catch (err) {
    throw new BillError((err as Error).message);
  }
}

export function billSignatureJson(sig: BillSignature) {
  return { nonce: sig.nonce.toString(), R8x: sig.R8x.toString(), R8y: sig.R8y.toString(), S: sig.S.toString() };
}

/** Parses one receipt {nonce, R8x, R8y, S} (decimal strings); range checks happen at verification. */
export function parseBillSignature(raw: unknown, at = "receipt"): BillSignature {
  try {
    if (typeof raw !== "object" || raw === null) throw new Error(`${at} must be a JSON object`);
    const r = raw as Record<string, unknown>;
    return {
      nonce: decimalBigInt(r.nonce, `${at}.nonce`, MAX_NONCE + 1n),
      R8x: decimalBigInt(r.R8x, `${at}.R8x`, SNARK_SCALAR_FIELD),
      R8y: decimalBigInt(r.R8y, `${at}.R8y`, SNARK_SCALAR_FIELD),
      S: decimalBigInt(r.S, `${at}.S`),
    };
  } catch (err) {
    throw new BillError((err as Error).message);
  }
}

export function parseBillSignatures(raw: unknown): BillSignature[] {
  if (!Array.isArray(raw)) throw new BillError("receipts must be a JSON array");
  return raw.map((r, i) => parseBillSignature(r, `receipts[${i}]`));
}

/** X-ZG-Receipts: base64url JSON array of {nonce, R8x, R8y, S}. */
export function encodeReceiptsHeader(sigs: BillSignature[]): string {
  return toBase64UrlJson(sigs.map(billSignatureJson));
}

export function decodeReceiptsHeader(header: string): BillSignature[] {
  let raw: unknown;
  try {
    raw = fromBase64UrlJson(header, "X-ZG-Receipts");
  } catch (err) {
    throw new BillError((err as Error).message);
  }
  return parseBillSignatures(raw);
}
