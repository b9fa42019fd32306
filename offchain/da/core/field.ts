/**
 * BN254 scalar-field helpers, the payload ⇄ scalar packing and the blob shape of `docs/da-encoding.md`.
 * Pure: no I/O. Scalars are bigints reduced mod r; on the wire a scalar is 32 bytes big-endian.
 */
import { buildBn128, type Bn128 } from "ffjavascript";
import { FR_MODULUS, modPow as blsModPow } from "./bls";

export { FR_MODULUS };

/** Every refusal of a blob, a shape, an SRS or a set of rows; the message says what was wrong. */
export class DaEncodingError extends Error {
  override name = "DaEncodingError";
}

export const SCALAR_BYTES = 32;
/** Payload bytes per data scalar: the leading byte of its 32-byte form is 0, so it is always < r. */
export const PAYLOAD_BYTES_PER_SCALAR = 31;
export const LENGTH_PREFIX_BYTES = 8;
export const MIN_COLS = 32;
export const DEFAULT_MAX_DATA_ROWS = 8;
export const DEFAULT_BLOWUP = 3;

let curvePromise: Promise<Bn128> | undefined;

/**
 * ffjavascript's BN254 engine, built once. Single-threaded on purpose: its worker pool keeps a process alive until
 * `terminate()` and cannot start inside a worker thread, and the nodes run on small machines.
 */
export function getCurve(): Promise<Bn128> {
  curvePromise ??= buildBn128(true);
  return curvePromise;
}

/** base^exp mod `mod` (Fr by default); negative bases are reduced first. */
export function modPow(base: bigint, exp: bigint, mod: bigint = FR_MODULUS): bigint {
  return blsModPow(((base % mod) + mod) % mod, exp, mod);
}

export function frInv(a: bigint): bigint {
  if (a % FR_MODULUS === 0n) throw new DaEncodingError("0 has no inverse in Fr");
  return modPow(a, FR_MODULUS - 2n);
}

export function isPowerOfTwo(x: number): boolean {
  return Number.isInteger(x) && x > 0 && (x & (x - 1)) === 0;
}

export function log2(x: number): number {
  return Math.round(Math.log2(x));
}

export function nextPowerOfTwo(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

/** ω_N = 5^((r−1)/N): a primitive N-th root of unity (5 generates Fr*; the same roots as ffjavascript's Fr.w). */
export function rootOfUnity(n: number): bigint {
  if (!isPowerOfTwo(n) || n > 2 ** 28) throw new DaEncodingError(`no root of unity of order ${n} in Fr`);
  return modPow(5n, (FR_MODULUS - 1n) / BigInt(n));
}

export function scalarToBytes(x: bigint, out: Uint8Array = new Uint8Array(SCALAR_BYTES), offset = 0): Uint8Array {
  let v = x;
  for (let i = SCALAR_BYTES - 1; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bytesToScalar(bytes: Uint8Array, offset = 0): bigint {
  let v = 0n;
  for (let i = 0; i < SCALAR_BYTES; i++) v = (v << 8n) | BigInt(bytes[offset + i]);
  return v;
}

/** Reverses each 32-byte word: big-endian wire scalars ⇄ the little-endian buffers ffjavascript takes. */
export function swapWordEndianness(src: Uint8Array, dst: Uint8Array = new Uint8Array(src.length)): Uint8Array {
  for (let w = 0; w < src.length; w += SCALAR_BYTES) {
    for (let i = 0; i < SCALAR_BYTES; i++) dst[w + i] = src[w + SCALAR_BYTES - 1 - i];
  }
  return dst;
}

/** Little-endian buffer of scalars (ffjavascript's layout) from bigints. */
export function scalarsToLE(xs: bigint[]): Uint8Array {
  const out = new Uint8Array(xs.length * SCALAR_BYTES);
  for (let j = 0; j < xs.length; j++) {
    let v = xs[j];
    for (let i = 0; i < SCALAR_BYTES; i++) {
      out[j * SCALAR_BYTES + i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  return out;
}

export function scalarsFromLE(buff: Uint8Array): bigint[] {
  const out: bigint[] = [];
  for (let w = 0; w < buff.length; w += SCALAR_BYTES) {
    let v = 0n;
    for (let i = SCALAR_BYTES - 1; i >= 0; i--) v = (v << 8n) | BigInt(buff[w + i]);
    out.push(v);
  }
  return out;
}

/** The blob's shape: what the data root names (C, k, n) plus the row domain and the blob length. */
export interface Shape {
  /** C: scalars per row, a power of two ≥ 32. */
  cols: number;
  /** k: data rows. */
  dataRows: number;
  /** n = b·k: coded rows. */
  codedRows: number;
  /** R: next power of two ≥ n. */
  rowDomain: number;
  /** Blob bytes; absent when the shape comes from a data root alone. */
  blobLength?: number;
}

/** The name the node and client use for `Shape`. */
export type BlobShape = Shape;

export interface ShapeOptions {
  maxDataRows?: number;
  blowup?: number;
}

/** Number of data scalars a blob of `blobLength` bytes needs: ⌈(8 + length) / 31⌉. */
export function scalarCount(blobLength: number): number {
  return Math.ceil((LENGTH_PREFIX_BYTES + blobLength) / PAYLOAD_BYTES_PER_SCALAR);
}

/** The shape of a blob (the table in the spec); `srsSize` refuses blobs whose k·C exceeds the SRS. */
export function computeShape(blobLength: number, options: ShapeOptions = {}, srsSize?: number): Shape {
  const maxDataRows = options.maxDataRows ?? DEFAULT_MAX_DATA_ROWS;
  const blowup = options.blowup ?? DEFAULT_BLOWUP;
  if (!Number.isSafeInteger(blobLength) || blobLength < 0) throw new DaEncodingError(`bad blob length ${blobLength}`);
  if (!Number.isInteger(maxDataRows) || maxDataRows < 1) throw new DaEncodingError(`maxDataRows must be ≥ 1`);
  if (!Number.isInteger(blowup) || blowup < 1) throw new DaEncodingError(`blowup must be an integer ≥ 1`);
  const scalars = scalarCount(blobLength);
  const cols = Math.max(MIN_COLS, nextPowerOfTwo(Math.ceil(scalars / maxDataRows)));
  const dataRows = Math.ceil(scalars / cols);
  const codedRows = blowup * dataRows;
  const shape = { cols, dataRows, codedRows, rowDomain: nextPowerOfTwo(codedRows), blobLength };
  if (srsSize !== undefined && cols * dataRows > srsSize) {
    const max = srsSize * PAYLOAD_BYTES_PER_SCALAR - LENGTH_PREFIX_BYTES;
    throw new DaEncodingError(
      `a blob of ${blobLength} bytes needs k·C = ${cols * dataRows} scalars but the SRS holds ${srsSize}; ` +
        `split it into blobs of at most ${max} bytes or load a larger SRS`,
    );
  }
  return shape;
}

/**
 * The checks both the encoder and every verifier run on a shape: C a power of two ≥ 32, k ≥ 1, k·C ≤ S,
 * n a multiple b·k (b ≥ 1), R the next power of two ≥ n, R·C within Fr's 2-adicity, and a blob length that fits.
 */
export function validateShape(shape: Shape, srs?: number | { size: number }): void {
  const srsSize = typeof srs === "object" ? srs.size : srs;
  const { cols: C, dataRows: k, codedRows: n, rowDomain: R, blobLength } = shape;
  const bad = (why: string) => {
    throw new DaEncodingError(`bad blob shape (C=${C}, k=${k}, n=${n}, R=${R}): ${why}`);
  };
  if (!isPowerOfTwo(C) || C < MIN_COLS) bad(`C must be a power of two ≥ ${MIN_COLS}`);
  if (!Number.isInteger(k) || k < 1) bad("k must be an integer ≥ 1");
  if (!Number.isInteger(n) || n < k || n % k !== 0) bad("n must be b·k for an integer blow-up b ≥ 1");
  if (R !== nextPowerOfTwo(n)) bad("R must be the next power of two ≥ n");
  if (R * C > 2 ** 28) bad("the evaluation domain R·C exceeds 2^28");
  if (srsSize !== undefined && k * C > srsSize) bad(`k·C exceeds the SRS size ${srsSize}`);
  if (blobLength !== undefined) {
    if (!Number.isSafeInteger(blobLength) || blobLength < 0) bad(`bad blob length ${blobLength}`);
    if (Math.ceil(scalarCount(blobLength) / C) !== k)
      bad(`a blob of ${blobLength} bytes does not make ${k} rows of ${C}`);
  }
}

/** Shape from what a data root names (C, k, n). */
export function shapeOf(cols: number, dataRows: number, codedRows: number): Shape {
  const shape = { cols, dataRows, codedRows, rowDomain: nextPowerOfTwo(codedRows) };
  validateShape(shape);
  return shape;
}

/**
 * The k·C data scalars of a blob as a little-endian buffer (ffjavascript's layout): payload = uint64 BE length ‖
 * blob, zero-padded, 31 bytes per scalar with a leading zero byte (so every scalar is < r).
 */
export function payloadToScalarsLE(blob: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count * SCALAR_BYTES);
  const payload = new Uint8Array(count * PAYLOAD_BYTES_PER_SCALAR);
  if (LENGTH_PREFIX_BYTES + blob.length > payload.length) throw new DaEncodingError("blob does not fit its shape");
  new DataView(payload.buffer).setBigUint64(0, BigInt(blob.length), false);
  payload.set(blob, LENGTH_PREFIX_BYTES);
  for (let s = 0; s < count; s++) {
    // Big-endian bytes 1..31 of scalar s are payload[31s .. 31s+30]; little-endian they land reversed at 30..0.
    const src = s * PAYLOAD_BYTES_PER_SCALAR;
    const dst = s * SCALAR_BYTES;
    for (let i = 0; i < PAYLOAD_BYTES_PER_SCALAR; i++) out[dst + 30 - i] = payload[src + i];
  }
  return out;
}

/** Inverse of `payloadToScalarsLE`: the blob, refusing a scalar ≥ 2^248 or an impossible length prefix. */
export function scalarsLEToBlob(scalars: Uint8Array, shape: Shape): Uint8Array {
  const count = scalars.length / SCALAR_BYTES;
  const payload = new Uint8Array(count * PAYLOAD_BYTES_PER_SCALAR);
  for (let s = 0; s < count; s++) {
    const src = s * SCALAR_BYTES;
    if (scalars[src + 31] !== 0) {
      throw new DaEncodingError(`decoded scalar ${s} is not a data scalar (top byte ≠ 0): the rows are not one blob`);
    }
    for (let i = 0; i < PAYLOAD_BYTES_PER_SCALAR; i++)
      payload[s * PAYLOAD_BYTES_PER_SCALAR + i] = scalars[src + 30 - i];
  }
  const length = new DataView(payload.buffer).getBigUint64(0, false);
  const max = BigInt(payload.length - LENGTH_PREFIX_BYTES);
  if (length > max || Math.ceil(scalarCount(Number(length)) / shape.cols) !== shape.dataRows) {
    throw new DaEncodingError(`decoded length prefix ${length} is impossible for k=${shape.dataRows}, C=${shape.cols}`);
  }
  if (shape.blobLength !== undefined && BigInt(shape.blobLength) !== length) {
    throw new DaEncodingError(`decoded length ${length} differs from the expected ${shape.blobLength}`);
  }
  const end = LENGTH_PREFIX_BYTES + Number(length);
  for (let i = end; i < payload.length; i++) {
    if (payload[i] !== 0) throw new DaEncodingError("decoded padding is not zero: the rows are not one blob");
  }
  return payload.slice(LENGTH_PREFIX_BYTES, end);
}
