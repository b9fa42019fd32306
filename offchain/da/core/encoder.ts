/**
 * Blob ⇄ coded rows (`docs/da-encoding.md`): the disperser's `encodeBlob`, the signer's `verifyBlobRows` and
 * `verifyDegreeProof`, and a retriever's `decodeBlob` from any k rows.
 */
import type { G1Sol, G2Sol } from "./bls";
import { loadHashers } from "../../storage/core/hash";
import {
  computeShape,
  DaEncodingError,
  frInv,
  FR_MODULUS,
  getCurve,
  modPow,
  payloadToScalarsLE,
  rootOfUnity,
  scalarsFromLE,
  scalarsLEToBlob,
  scalarsToLE,
  SCALAR_BYTES,
  scalarToBytes,
  swapWordEndianness,
  validateShape,
  type Shape,
  type ShapeOptions,
} from "./field";
import { checkDegreeProof, checkRowOpenings, commit, degreeProof, rowProofs } from "./kzg";
import { dataRoot, rowRoot, rowsRoot } from "./rows";
import { g2Power, type Srs } from "./srs";

export interface EncodedBlob {
  shape: Required<Shape>;
  commitment: G1Sol;
  /** [τ^(D2−kC) f(τ)]_2 (see `degreeProof` for why it lives in G2). */
  degreeProof: G2Sol;
  /** n rows of 32·C bytes (C big-endian scalars). */
  rows: Uint8Array[];
  rowProofs: G1Sol[];
  rowRoots: string[];
  rowsRoot: string;
  dataRoot: string;
}

/** c_i = ω_R^i: the point row i's coset maps to under x ↦ x^C. */
export function rowPoint(shape: Shape, index: number): bigint {
  return modPow(rootOfUnity(shape.rowDomain), BigInt(index));
}

/** The rows, commitment, proofs and roots of a blob. */
export async function encodeBlob(srs: Srs, blob: Uint8Array, options: ShapeOptions = {}): Promise<EncodedBlob> {
  await loadHashers();
  const shape = computeShape(blob.length, options, srs.size) as Required<Shape>;
  validateShape(shape, srs.size);
  const { cols: C, dataRows: k, codedRows: n, rowDomain: R } = shape;
  await g2Power(srs, C); // refuses now, not at the signers, a C whose [τ^C]_2 the SRS lacks
  const curve = await getCurve();
  const coeffs = payloadToScalarsLE(blob, k * C);

  // One FFT of size M = R·C; row i is F[i + j·R], j < C (the coset ω_M^i⟨ω_C⟩).
  const padded = new Uint8Array(R * C * SCALAR_BYTES);
  padded.set(coeffs);
  const evals = await curve.Fr.fft(padded);
  const rows: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Uint8Array(C * SCALAR_BYTES);
    for (let j = 0; j < C; j++) {
      const src = (i + j * R) * SCALAR_BYTES;
      const dst = j * SCALAR_BYTES;
      for (let b = 0; b < SCALAR_BYTES; b++) row[dst + b] = evals[src + SCALAR_BYTES - 1 - b];
    }
    rows.push(row);
  }

  const commitment = await commit(srs, coeffs);
  const degree = await degreeProof(srs, coeffs, k * C);
  const points = Array.from({ length: n }, (_, i) => rowPoint(shape, i));
  const proofs = await rowProofs(srs, coeffs, C, k, points);
  const rowRoots = rows.map(rowRoot);
  const rootOfRows = rowsRoot(rowRoots, R);
  return {
    shape,
    commitment,
    degreeProof: degree,
    rows,
    rowProofs: proofs,
    rowRoots,
    rowsRoot: rootOfRows,
    dataRoot: dataRoot(rootOfRows, C, k, n),
  };
}

const R_BYTES = scalarToBytes(FR_MODULUS);

/** Whether the 32-byte big-endian word at `o` is below r (compared byte by byte from the top). */
function belowR(data: Uint8Array, o: number): boolean {
  for (let b = 0; b < SCALAR_BYTES; b++) {
    if (data[o + b] !== R_BYTES[b]) return data[o + b] < R_BYTES[b];
  }
  return false;
}

/** The row's C scalars little-endian, or undefined when it has the wrong length or a scalar ≥ r. */
function rowScalars(shape: Shape, data: Uint8Array): Uint8Array | undefined {
  if (data.length !== shape.cols * SCALAR_BYTES) return undefined;
  for (let o = 0; o < data.length; o += SCALAR_BYTES) if (!belowR(data, o)) return undefined;
  return swapWordEndianness(data);
}

/** Coefficients of q_i from row i's evaluations on its coset: IFFT_C, then undo the coset shift ω_M^(i·t). */
async function rowCoefficients(shape: Shape, index: number, le: Uint8Array): Promise<bigint[]> {
  const curve = await getCurve();
  const shifted = scalarsFromLE(await curve.Fr.ifft(le));
  const unshift = frInv(rootOfUnity(shape.rowDomain * shape.cols));
  const step = modPow(unshift, BigInt(index));
  let factor = 1n;
  for (let t = 0; t < shifted.length; t++) {
    shifted[t] = (shifted[t] * factor) % FR_MODULUS;
    factor = (factor * step) % FR_MODULUS;
  }
  return shifted;
}

export interface RowWithProof {
  index: number;
  data: Uint8Array;
  proof: G1Sol;
}

/**
 * The signer's check: every row opens F at its coset (one batch pairing check). False for a row of the wrong
 * length, a scalar ≥ r, an index ≥ n, a repeated index or any wrong proof; throws DaEncodingError for a bad shape.
 */
export async function verifyBlobRows(
  srs: Srs,
  blob: { commitment: G1Sol; shape: Shape; rows: RowWithProof[] },
): Promise<boolean> {
  const { shape } = blob;
  validateShape(shape, srs.size);
  const seen = new Set<number>();
  const openings = [];
  for (const row of blob.rows) {
    if (!Number.isInteger(row.index) || row.index < 0 || row.index >= shape.codedRows || seen.has(row.index)) {
      return false;
    }
    seen.add(row.index);
    const le = rowScalars(shape, row.data);
    if (!le) return false;
    openings.push({
      point: rowPoint(shape, row.index),
      coeffs: await rowCoefficients(shape, row.index, le),
      proof: row.proof,
    });
  }
  return checkRowOpenings(srs, blob.commitment, shape.cols, openings);
}

/** Whether `degreeProof` shows the committed polynomial has fewer than k·C coefficients. */
export async function verifyDegreeProof(srs: Srs, commitment: G1Sol, proof: G2Sol, shape: Shape): Promise<boolean> {
  validateShape(shape, srs.size);
  return checkDegreeProof(srs, commitment, proof, shape.dataRows * shape.cols);
}

/** Solves V·x = y over Fr for the k×k Vandermonde V[a][s] = p_a^s: returns V⁻¹ (Gauss–Jordan). */
function invertVandermonde(points: bigint[]): bigint[][] {
  const k = points.length;
  const m = points.map((p, a) => {
    const row = Array.from({ length: k }, (_, s) => modPow(p, BigInt(s)));
    return [...row, ...Array.from({ length: k }, (_, s) => (s === a ? 1n : 0n))];
  });
  for (let col = 0; col < k; col++) {
    const pivot = m.findIndex((row, r) => r >= col && row[col] !== 0n);
    if (pivot < 0) throw new DaEncodingError("row points are not distinct");
    [m[col], m[pivot]] = [m[pivot], m[col]];
    const inv = frInv(m[col][col]);
    m[col] = m[col].map((x) => (x * inv) % FR_MODULUS);
    for (let r = 0; r < k; r++) {
      if (r === col || m[r][col] === 0n) continue;
      const f = m[r][col];
      m[r] = m[r].map((x, c) => (((x - f * m[col][c]) % FR_MODULUS) + FR_MODULUS) % FR_MODULUS);
    }
  }
  return m.map((row) => row.slice(k));
}

/** The blob from any k distinct rows (extra rows are ignored); throws with fewer, or when they are not one blob. */
export async function decodeBlob(shape: Shape, rows: { index: number; data: Uint8Array }[]): Promise<Uint8Array> {
  validateShape(shape);
  const { cols: C, dataRows: k } = shape;
  const chosen = new Map<number, Uint8Array>();
  for (const row of rows) {
    if (!Number.isInteger(row.index) || row.index < 0 || row.index >= shape.codedRows) {
      throw new DaEncodingError(`row index ${row.index} is outside 0..${shape.codedRows - 1}`);
    }
    if (chosen.size < k && !chosen.has(row.index)) chosen.set(row.index, row.data);
  }
  if (chosen.size < k) throw new DaEncodingError(`decoding needs ${k} distinct rows, got ${chosen.size}`);
  const indices = [...chosen.keys()];
  const q: bigint[][] = [];
  for (const i of indices) {
    const le = rowScalars(shape, chosen.get(i)!);
    if (!le) throw new DaEncodingError(`row ${i} is not ${C} scalars below r`);
    q.push(await rowCoefficients(shape, i, le));
  }
  // q_a = Σ_s c_a^s D_s, so D = V⁻¹ q column by column; f_(sC+t) = D_s[t].
  const vinv = invertVandermonde(indices.map((i) => rowPoint(shape, i)));
  const coeffs = new Array<bigint>(k * C);
  for (let s = 0; s < k; s++) {
    for (let t = 0; t < C; t++) {
      let acc = 0n;
      for (let a = 0; a < k; a++) acc += vinv[s][a] * q[a][t];
      coeffs[s * C + t] = acc % FR_MODULUS;
    }
  }
  return scalarsLEToBlob(scalarsToLE(coeffs), shape);
}
