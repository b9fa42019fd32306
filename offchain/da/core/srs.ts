/**
 * The structured reference string of the DA encoder and its compact file (`circuits/artifacts/da/srs.bin`).
 *
 * File format v1 (integers big-endian, points uncompressed big-endian as the EVM precompiles take them: G1 x ‖ y,
 * G2 x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0):
 *   "ZGDASRS1" | u32 S | u32 D1 | u32 D2 | u32 L | L × u32 exponent e
 *   | S × G1 [τ^j]_1 (j < S) | L × G2 [τ^e]_2 | S × G2 [τ^(D2−S+j)]_2 (j < S) | sha256 of everything before
 * D1 and D2 are how many G1 and G2 powers the ceremony published. The listed G2 powers are [1]_2, [τ]_2 and
 * [τ^C]_2 for every power of two 32 ≤ C ≤ S below D2 (row checks); the G2 tail serves degree proofs, whose shift must be
 * taken from the top of the ceremony's G2 powers to be sound (see the spec's degree-proof note).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as mcl from "mcl-wasm";
import { g1FromSol, g2FromSol, generatorG1, generatorG2, initBls, type G2Sol } from "./bls";
import { DaEncodingError, getCurve, isPowerOfTwo, MIN_COLS, bytesToScalar } from "./field";

export const SRS_MAGIC = "ZGDASRS1";
/** The committed dev SRS (S = 2^16 from the dev powers of tau): resolved from this file, not from the cwd. */
export const DEFAULT_SRS_PATH = path.resolve(__dirname, "../../../circuits/artifacts/da/srs.bin");
export const DEFAULT_SRS_MANIFEST = path.resolve(__dirname, "../../../circuits/artifacts/da/manifest.json");

const G1_BYTES = 64;
const G2_BYTES = 128;

export interface Srs {
  /** S: G1 powers [τ^j]_1 for j < S; the largest k·C a blob may have. */
  size: number;
  /** D2: G2 powers the ceremony published (the top one is τ^(D2−1)). */
  g2Count: number;
  /** [τ^j]_1, j < S, in ffjavascript's affine Montgomery form (what `multiExpAffine` takes). */
  g1: Uint8Array;
  /** [τ^(D2−S+j)]_2, j < S, in ffjavascript's affine Montgomery form. */
  g2Tail: Uint8Array;
  /** The listed G2 powers by exponent. */
  g2: Map<number, G2Sol>;
  /** sha256 of the file it came from (hex, no 0x). */
  sha256: string;
}

/**
 * The G2 exponents a file lists for S: 0, 1 and every power of two C with 32 ≤ C ≤ S that the ceremony has
 * (C = S is missing when S = D2; only a single-row blob with C = S would need it).
 */
export function listedG2Exponents(size: number, g2Count: number): number[] {
  const list = [0, 1];
  for (let c = MIN_COLS; c <= size && c < g2Count; c *= 2) list.push(c);
  return list;
}

/** [τ^e]_2 from the listed powers or the tail; throws when the SRS has neither. */
export async function g2Power(srs: Srs, e: number): Promise<G2Sol> {
  const listed = srs.g2.get(e);
  if (listed) return listed;
  const j = e - (srs.g2Count - srs.size);
  if (!Number.isInteger(j) || j < 0 || j >= srs.size) throw new DaEncodingError(`the SRS has no [τ^${e}]_2`);
  const curve = await getCurve();
  return g2SolFromU(await curve.G2.batchLEMtoU(srs.g2Tail.subarray(j * G2_BYTES, (j + 1) * G2_BYTES)), 0);
}

export function g2SolFromU(buff: Uint8Array, o: number): G2Sol {
  const w = (i: number) => bytesToScalar(buff, o + 32 * i);
  return { X: [w(0), w(1)], Y: [w(2), w(3)] };
}

function sha256(data: Uint8Array): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** Serialises an SRS from its parts (points already uncompressed big-endian). */
function writeSrsFile(
  file: string,
  head: { size: number; g1Count: number; g2Count: number; exponents: number[] },
  g1U: Uint8Array,
  listedU: Uint8Array,
  tailU: Uint8Array,
): string {
  const header = Buffer.alloc(8 + 16 + 4 * head.exponents.length);
  header.write(SRS_MAGIC, 0, "ascii");
  header.writeUInt32BE(head.size, 8);
  header.writeUInt32BE(head.g1Count, 12);
  header.writeUInt32BE(head.g2Count, 16);
  header.writeUInt32BE(head.exponents.length, 20);
  head.exponents.forEach((e, i) => header.writeUInt32BE(e, 24 + 4 * i));
  const body = Buffer.concat([header, g1U, listedU, tailU]);
  const digest = crypto.createHash("sha256").update(body).digest();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat([body, digest]));
  return sha256(fs.readFileSync(file));
}

/**
 * Reads S powers out of a snarkjs .ptau (section 2 = tauG1, section 3 = tauG2, points in Montgomery little-endian
 * form) and writes the SRS file; returns the sha256 of the file and of the ptau.
 */
export async function extractSrs(ptauPath: string, size: number, outFile: string) {
  if (!isPowerOfTwo(size) || size < MIN_COLS) throw new DaEncodingError(`SRS size ${size} is not a power of two ≥ 32`);
  const fd = fs.openSync(ptauPath, "r");
  try {
    const read = (pos: number, len: number) => {
      const b = Buffer.alloc(len);
      if (fs.readSync(fd, b, 0, len, pos) !== len) throw new DaEncodingError(`${ptauPath} is truncated`);
      return b;
    };
    const top = read(0, 12);
    if (top.toString("ascii", 0, 4) !== "ptau") throw new DaEncodingError(`${ptauPath} is not a .ptau file`);
    const sections = new Map<number, { pos: number; len: number }>();
    let pos = 12;
    for (let i = 0; i < top.readUInt32LE(8); i++) {
      const h = read(pos, 12);
      const len = Number(h.readBigUInt64LE(4));
      sections.set(h.readUInt32LE(0), { pos: pos + 12, len });
      pos += 12 + len;
    }
    const s2 = sections.get(2);
    const s3 = sections.get(3);
    if (!s2 || !s3) throw new DaEncodingError(`${ptauPath} lacks the tauG1/tauG2 sections`);
    const g1Count = s2.len / G1_BYTES;
    const g2Count = s3.len / G2_BYTES;
    if (g1Count < size || g2Count < size) {
      throw new DaEncodingError(`${ptauPath} has ${g1Count} G1 and ${g2Count} G2 powers; S = ${size} needs both ≥ S`);
    }
    const curve = await getCurve();
    const g1U = await curve.G1.batchLEMtoU(read(s2.pos, size * G1_BYTES));
    const exponents = listedG2Exponents(size, g2Count);
    const listedU = Buffer.concat(
      await Promise.all(exponents.map((e) => curve.G2.batchLEMtoU(read(s3.pos + e * G2_BYTES, G2_BYTES)))),
    );
    const tailU = await curve.G2.batchLEMtoU(read(s3.pos + (g2Count - size) * G2_BYTES, size * G2_BYTES));
    const fileSha = writeSrsFile(outFile, { size, g1Count, g2Count, exponents }, g1U, listedU, tailU);
    const ptauSha = crypto.createHash("sha256");
    const chunk = Buffer.alloc(1 << 22);
    for (let p = 0, n; (n = fs.readSync(fd, chunk, 0, chunk.length, p)) > 0; p += n)
      ptauSha.update(chunk.subarray(0, n));
    return { sha256: fileSha, ptauSha256: ptauSha.digest("hex"), size, g1Count, g2Count };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Loads an SRS file, refusing a wrong magic, a truncated or padded file, a bad checksum, a sha256 other than
 * `expectedSha256`, G2 points off the curve or outside the subgroup, and listed G2 powers that do not match the G1
 * powers (one random-weighted pairing check).
 */
export async function loadSrs(file: string = DEFAULT_SRS_PATH, expectedSha256?: string): Promise<Srs> {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    throw new DaEncodingError(`cannot read the SRS file ${file}: ${(e as Error).message}`);
  }
  const bad = (why: string): never => {
    throw new DaEncodingError(`${file} is not a usable DA SRS file: ${why}`);
  };
  if (data.length < 56 || data.toString("ascii", 0, 8) !== SRS_MAGIC) bad("wrong magic (expected ZGDASRS1)");
  const size = data.readUInt32BE(8);
  const g2Count = data.readUInt32BE(16);
  const listed = data.readUInt32BE(20);
  if (!isPowerOfTwo(size) || size < MIN_COLS || g2Count < size || listed > 64) bad("bad header");
  const headerLen = 24 + 4 * listed;
  const expected = headerLen + size * G1_BYTES + listed * G2_BYTES + size * G2_BYTES + 32;
  if (data.length !== expected) bad(`${data.length} bytes where the header implies ${expected} (truncated?)`);
  const digest = crypto
    .createHash("sha256")
    .update(data.subarray(0, expected - 32))
    .digest();
  if (!digest.equals(data.subarray(expected - 32))) bad("checksum mismatch (corrupted)");
  const fileSha = sha256(data);
  if (expectedSha256 !== undefined && expectedSha256.replace(/^0x/, "") !== fileSha) {
    bad(`sha256 ${fileSha} is not the expected ${expectedSha256}`);
  }
  const curve = await getCurve();
  let o = headerLen;
  const g1 = await curve.G1.batchUtoLEM(data.subarray(o, (o += size * G1_BYTES)));
  const g2 = new Map<number, G2Sol>();
  for (let i = 0; i < listed; i++, o += G2_BYTES) g2.set(data.readUInt32BE(24 + 4 * i), g2SolFromU(data, o));
  const g2Tail = await curve.G2.batchUtoLEM(data.subarray(o, o + size * G2_BYTES));
  for (const e of [0, 1, MIN_COLS]) if (!g2.has(e)) bad(`[τ^${e}]_2 is not listed`);
  await checkListedG2(g2, data.subarray(headerLen), size).catch((e: Error) => bad(e.message));
  return { size, g2Count, g1, g2Tail, g2, sha256: fileSha };
}

/** e(Σ ρ_e [τ^e]_1, [1]_2) = e([1]_1, Σ ρ_e [τ^e]_2) over the listed exponents below S. */
async function checkListedG2(g2: Map<number, G2Sol>, g1U: Uint8Array, size: number): Promise<void> {
  await initBls();
  let left = new mcl.G1();
  let right = new mcl.G2();
  for (const [e, point] of g2) {
    let q: mcl.G2;
    try {
      q = g2FromSol(point);
    } catch {
      throw new Error(`[τ^${e}]_2 is not a G2 point`);
    }
    if (e >= size) continue;
    const rho = new mcl.Fr();
    rho.setByCSPRNG();
    const p = g1FromSol({ X: bytesToScalar(g1U, e * G1_BYTES), Y: bytesToScalar(g1U, e * G1_BYTES + 32) });
    left = mcl.add(left, mcl.mul(p, rho));
    right = mcl.add(right, mcl.mul(q, rho));
  }
  if (!mcl.pairing(left, generatorG2()).isEqual(mcl.pairing(generatorG1(), right))) {
    throw new Error("the listed G2 powers do not match the G1 powers");
  }
}
