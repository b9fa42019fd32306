/**
 * KZG on BN254 for DA blobs: the commitment, the degree proof, the row proofs and the signer's batch row check
 * (`docs/da-encoding.md`, "KZG commitment and row proofs"). MSMs run in ffjavascript's WebAssembly; the pairing
 * checks in mcl. Coefficient buffers are little-endian 32-byte scalars (ffjavascript's layout).
 */
import crypto from "node:crypto";
import * as mcl from "mcl-wasm";
import type { Bn128 } from "ffjavascript";
import { g1FromSol, g2FromSol, generatorG1, generatorG2, initBls, type G1Sol, type G2Sol } from "./bls";
import { bytesToScalar, DaEncodingError, FR_MODULUS, getCurve, scalarsToLE, SCALAR_BYTES } from "./field";
import { g2Power, g2SolFromU, type Srs } from "./srs";

const G1_BYTES = 64;
const G2_BYTES = 128;

/** Contract coordinates of an ffjavascript G1 point (affine or projective); infinity is (0, 0). */
export function g1PointToSol(curve: Bn128, p: Uint8Array): G1Sol {
  if (curve.G1.isZero(p)) return { X: 0n, Y: 0n };
  const u = new Uint8Array(G1_BYTES);
  curve.G1.toRprUncompressed(u, 0, p);
  return { X: bytesToScalar(u, 0), Y: bytesToScalar(u, 32) };
}

/** Contract coordinates of an ffjavascript G2 point: X = [x.c1, x.c0], Y = [y.c1, y.c0]. */
export function g2PointToSol(curve: Bn128, p: Uint8Array): G2Sol {
  if (curve.G2.isZero(p)) return { X: [0n, 0n], Y: [0n, 0n] };
  const u = new Uint8Array(G2_BYTES);
  curve.G2.toRprUncompressed(u, 0, p);
  return g2SolFromU(u, 0);
}

function assertFits(srs: Srs, count: number): void {
  if (count > srs.size) throw new DaEncodingError(`${count} coefficients exceed the SRS size ${srs.size}`);
}

/** F = [f(τ)]_1 = Σ f_i [τ^i]_1. */
export async function commit(srs: Srs, coeffsLE: Uint8Array): Promise<G1Sol> {
  const count = coeffsLE.length / SCALAR_BYTES;
  assertFits(srs, count);
  const curve = await getCurve();
  if (count === 0) return { X: 0n, Y: 0n };
  return g1PointToSol(curve, await curve.G1.multiExpAffine(srs.g1.subarray(0, count * G1_BYTES), coeffsLE));
}

/**
 * π_deg = [τ^(D2−m) f(τ)]_2 for a polynomial of fewer than m coefficients, D2 the ceremony's G2 powers: an MSM
 * over the top of the G2 powers. The shift is taken from the top of G2, not from S, because the G1 powers of a
 * public ceremony go far beyond S (2·D2 − 1): a G1 proof shifted by S − m would let anyone commit to any degree.
 */
export async function degreeProof(srs: Srs, coeffsLE: Uint8Array, m: number): Promise<G2Sol> {
  const count = coeffsLE.length / SCALAR_BYTES;
  assertFits(srs, m);
  if (count > m) throw new DaEncodingError(`${count} coefficients do not fit a degree bound of ${m}`);
  const curve = await getCurve();
  if (count === 0) return { X: [0n, 0n], Y: [0n, 0n] };
  const start = srs.size - m; // tail index of τ^(D2−m)
  const bases = srs.g2Tail.subarray(start * G2_BYTES, (start + count) * G2_BYTES);
  return g2PointToSol(curve, await curve.G2.multiExpAffine(bases, coeffsLE));
}

/** e(F, [τ^(D2−m)]_2) = e([1]_1, π_deg): F commits to fewer than m coefficients. Throws only for a bad m. */
export async function checkDegreeProof(srs: Srs, commitment: G1Sol, proof: G2Sol, m: number): Promise<boolean> {
  assertFits(srs, m);
  await initBls();
  const shift = g2FromSol(await g2Power(srs, srs.g2Count - m));
  let F: mcl.G1;
  let P: mcl.G2;
  try {
    F = g1FromSol(commitment);
    P = g2FromSol(proof);
  } catch {
    return false;
  }
  return mcl.pairing(F, shift).isEqual(mcl.pairing(generatorG1(), P));
}

/**
 * All row proofs π_i = Σ_d c_i^d H_d with H_d = [f div x^((d+1)C)]_1 (d < k−1): k−1 MSMs, then Horner per row.
 * `points` are the row points c_i = ω_R^i.
 */
export async function rowProofs(srs: Srs, coeffsLE: Uint8Array, C: number, k: number, points: bigint[]) {
  assertFits(srs, k * C);
  const curve = await getCurve();
  const H: Uint8Array[] = [];
  for (let d = 0; d < k - 1; d++) {
    const len = (k - 1 - d) * C;
    const scalars = coeffsLE.subarray((d + 1) * C * SCALAR_BYTES, k * C * SCALAR_BYTES);
    H.push(await curve.G1.multiExpAffine(srs.g1.subarray(0, len * G1_BYTES), scalars));
  }
  return points.map((c) => {
    let acc = curve.G1.zero;
    for (let d = k - 2; d >= 0; d--) acc = curve.G1.add(curve.G1.timesScalar(acc, c), H[d]);
    return g1PointToSol(curve, acc);
  });
}

/** One row for the batch check: c_i, the coefficients of q_i (C bigints < r) and the claimed π_i. */
export interface RowOpening {
  point: bigint;
  coeffs: bigint[];
  proof: G1Sol;
}

function frOf(x: bigint): mcl.Fr {
  const f = new mcl.Fr();
  f.setStr(x.toString(10), 10);
  return f;
}

/**
 * Batch row check with random 128-bit weights ρ_i:
 * e(Σρ_i(F − Q_i + c_i π_i), [1]_2) = e(Σρ_i π_i, [τ^C]_2), with Σρ_i Q_i one MSM of size C over Σρ_i q_i.
 */
export async function checkRowOpenings(srs: Srs, commitment: G1Sol, C: number, rows: RowOpening[]): Promise<boolean> {
  assertFits(srs, C);
  if (rows.length === 0) return true;
  await initBls();
  const curve = await getCurve();
  const tauC = g2FromSol(await g2Power(srs, C));
  let F: mcl.G1;
  const proofs: mcl.G1[] = [];
  try {
    F = g1FromSol(commitment);
    for (const row of rows) proofs.push(g1FromSol(row.proof));
  } catch {
    return false;
  }
  const combined = new Array<bigint>(C).fill(0n);
  let rhoSum = 0n;
  let left = new mcl.G1();
  let right = new mcl.G1();
  rows.forEach((row, i) => {
    if (row.coeffs.length !== C) throw new DaEncodingError(`row opening ${i} has ${row.coeffs.length} coefficients`);
    const rho = BigInt("0x" + crypto.randomBytes(16).toString("hex")) + 1n;
    rhoSum += rho;
    for (let t = 0; t < C; t++) combined[t] = (combined[t] + rho * row.coeffs[t]) % FR_MODULUS;
    left = mcl.add(left, mcl.mul(proofs[i], frOf((rho * row.point) % FR_MODULUS)));
    right = mcl.add(right, mcl.mul(proofs[i], frOf(rho)));
  });
  const Q = g1PointToSol(curve, await curve.G1.multiExpAffine(srs.g1.subarray(0, C * G1_BYTES), scalarsToLE(combined)));
  left = mcl.add(left, mcl.sub(mcl.mul(F, frOf(rhoSum % FR_MODULUS)), g1FromSol(Q)));
  return mcl.pairing(left, generatorG2()).isEqual(mcl.pairing(right, tauC));
}
