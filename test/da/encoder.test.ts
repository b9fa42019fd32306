import { expect } from "chai";
import crypto from "node:crypto";
import { bn254 } from "@noble/curves/bn254";
import {
  commit,
  DaEncodingError,
  decodeBlob,
  degreeProof,
  encodeBlob,
  FR_MODULUS,
  initDaCore,
  loadSrs,
  modPow,
  rootOfUnity,
  rowPoint,
  rowRoot,
  scalarsLEToBlob,
  scalarsToLE,
  shapeOf,
  verifyBlobRows,
  verifyDegreeProof,
  verifyRowInclusion,
  rowInclusionProof,
  type EncodedBlob,
  type Srs,
} from "../../offchain/da/core";

function randomBlob(size: number): Uint8Array {
  return new Uint8Array(crypto.randomBytes(size));
}

function rowsOf(enc: EncodedBlob, indices: number[]) {
  return indices.map((index) => ({ index, data: enc.rows[index], proof: enc.rowProofs[index] }));
}

/** Every k-subset of 0..n−1. */
function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= n - k; first++) {
    for (const rest of subsets(n - first - 1, k - 1)) out.push([first, ...rest.map((x) => x + first + 1)]);
  }
  return out;
}

describe("DA encoder", function () {
  this.timeout(60_000);
  let srs: Srs;

  before(async function () {
    await initDaCore();
    srs = await loadSrs();
  });

  describe("encode and decode", function () {
    const randomSizes = Array.from({ length: 3 }, () => crypto.randomInt(30_000));
    const sizes = [0, 1, 22, 23, 30, 31, 32, 54, 55, 7928, 7929, ...randomSizes, 100 * 1024];
    for (const size of sizes) {
      it(`round-trips a blob of ${size} bytes through its rows and proofs`, async function () {
        const blob = randomBlob(size);
        const enc = await encodeBlob(srs, blob);
        const { dataRows: k, codedRows: n, cols: C } = enc.shape;
        expect(enc.rows).to.have.length(n);
        enc.rows.forEach((row) => expect(row.length).to.equal(32 * C));
        expect(Buffer.from(await decodeBlob(enc.shape, rowsOf(enc, [...Array(k).keys()])))).to.deep.equal(
          Buffer.from(blob),
        );
        const parity = [...Array(k).keys()].map((i) => n - 1 - i);
        expect(Buffer.from(await decodeBlob(enc.shape, rowsOf(enc, parity)))).to.deep.equal(Buffer.from(blob));
        expect(
          await verifyBlobRows(srs, { commitment: enc.commitment, shape: enc.shape, rows: rowsOf(enc, parity) }),
        ).to.equal(true);
        expect(await verifyDegreeProof(srs, enc.commitment, enc.degreeProof, enc.shape)).to.equal(true);
      });
    }

    it("decodes from every choice of k rows, parity rows only included", async function () {
      const blob = randomBlob(2000);
      const enc = await encodeBlob(srs, blob);
      expect(enc.shape).to.include({ cols: 32, dataRows: 3, codedRows: 9 });
      const all = subsets(9, 3);
      expect(all).to.have.length(84);
      for (const choice of all) {
        const decoded = await decodeBlob(enc.shape, rowsOf(enc, choice));
        expect(Buffer.from(decoded).equals(Buffer.from(blob)), `rows ${choice}`).to.equal(true);
      }
    });

    it("refuses fewer than k distinct rows", async function () {
      const enc = await encodeBlob(srs, randomBlob(2000));
      await expectRefusal(decodeBlob(enc.shape, rowsOf(enc, [0, 4])), /needs 3 distinct rows, got 2/);
      await expectRefusal(decodeBlob(enc.shape, rowsOf(enc, [0, 4, 4, 0])), /got 2/);
      await expectRefusal(decodeBlob(enc.shape, rowsOf(enc, [0, 4, 9])), /outside/);
    });

    it("refuses rows that are not one blob (impossible length prefix)", async function () {
      const enc = await encodeBlob(srs, randomBlob(2000));
      const other = await encodeBlob(srs, randomBlob(2000));
      const mixed = [...rowsOf(enc, [0, 1]), ...rowsOf(other, [2])];
      await expectRefusal(decodeBlob(enc.shape, mixed), /not a data scalar|impossible|not zero|differs/);
    });

    it("refuses a decoded length prefix the shape cannot hold", function () {
      const shape = shapeOf(32, 1, 3);
      const payload = new Uint8Array(32 * 31);
      new DataView(payload.buffer).setBigUint64(0, 10n ** 9n, false);
      const scalars = Array.from({ length: 32 }, (_, s) =>
        BigInt("0x" + Buffer.from(payload.subarray(31 * s, 31 * s + 31)).toString("hex")),
      );
      expect(() => scalarsLEToBlob(scalarsToLE(scalars), shape)).to.throw(
        DaEncodingError,
        /length prefix 1000000000 is impossible/,
      );
    });

    it("row i is q_i evaluated on the coset ω_M^i⟨ω_C⟩ (naive check)", async function () {
      const blob = randomBlob(2000);
      const enc = await encodeBlob(srs, blob);
      const { cols: C, dataRows: k, rowDomain: R } = enc.shape;
      const payload = new Uint8Array(k * C * 31);
      new DataView(payload.buffer).setBigUint64(0, BigInt(blob.length), false);
      payload.set(blob, 8);
      const f = Array.from({ length: k * C }, (_, s) =>
        BigInt("0x" + Buffer.from(payload.subarray(31 * s, 31 * s + 31)).toString("hex")),
      );
      const wM = rootOfUnity(R * C);
      const wC = rootOfUnity(C);
      const i = 7;
      for (let j = 0; j < C; j++) {
        const x = (modPow(wM, BigInt(i)) * modPow(wC, BigInt(j))) % FR_MODULUS;
        let y = 0n;
        for (let t = f.length - 1; t >= 0; t--) y = (y * x + f[t]) % FR_MODULUS;
        expect(BigInt("0x" + Buffer.from(enc.rows[i].subarray(32 * j, 32 * j + 32)).toString("hex"))).to.equal(y);
      }
      expect(rowPoint(enc.shape, i)).to.equal(modPow(x0(wM, i), BigInt(C)));
    });
  });

  describe("KZG checks", function () {
    let enc: EncodedBlob;
    before(async function () {
      enc = await encodeBlob(srs, randomBlob(5000));
    });
    const check = (rows: ReturnType<typeof rowsOf>, commitment = enc.commitment) =>
      verifyBlobRows(srs, { commitment, shape: enc.shape, rows });

    it("accepts all rows at once", async function () {
      expect(await check(rowsOf(enc, [...Array(enc.shape.codedRows).keys()]))).to.equal(true);
    });

    it("refuses a flipped byte (and its row root no longer proves inclusion)", async function () {
      const rows = rowsOf(enc, [1, 5]);
      const data = Uint8Array.from(rows[1].data);
      data[100] ^= 0x01;
      expect(await check([rows[0], { ...rows[1], data }])).to.equal(false);
      const proof = rowInclusionProof(enc.rowRoots, enc.shape.rowDomain, 5);
      expect(verifyRowInclusion(rowRoot(enc.rows[5]), 5, proof, enc.rowsRoot, enc.shape)).to.equal(true);
      expect(verifyRowInclusion(rowRoot(data), 5, proof, enc.rowsRoot, enc.shape)).to.equal(false);
    });

    it("refuses a proof for another row, a forged commitment, scalars ≥ r and a wrong length", async function () {
      const [a, b] = rowsOf(enc, [2, 3]);
      expect(await check([{ ...a, proof: b.proof }])).to.equal(false);
      const other = await encodeBlob(srs, randomBlob(5000));
      expect(await check([a, b], other.commitment)).to.equal(false);
      expect(await check([a, b], { X: 1n, Y: 2n })).to.equal(false);
      expect(await check([a, b], { X: 1n, Y: 3n })).to.equal(false); // not on the curve
      const big = Uint8Array.from(a.data);
      big.fill(0xff, 0, 32);
      expect(await check([{ ...a, data: big }])).to.equal(false);
      expect(await check([{ ...a, data: a.data.subarray(32) }])).to.equal(false);
      expect(await check([a, a])).to.equal(false);
    });

    it("refuses a degree proof of a polynomial with k·C + 1 coefficients", async function () {
      const { cols: C, dataRows: k } = enc.shape;
      const coeffs = Array.from({ length: k * C + 1 }, () => BigInt("0x" + crypto.randomBytes(31).toString("hex")));
      const le = scalarsToLE(coeffs);
      const F = await commit(srs, le);
      const proof = await degreeProof(srs, le, k * C + 1);
      expect(await verifyDegreeProof(srs, F, proof, enc.shape)).to.equal(false);
      const bigger = shapeOf(C, k + 1, 3 * (k + 1));
      const honest = await degreeProof(srs, le, (k + 1) * C);
      expect(await verifyDegreeProof(srs, F, honest, bigger)).to.equal(true);
      expect(await verifyDegreeProof(srs, enc.commitment, enc.degreeProof, bigger)).to.equal(false);
    });

    it("commits as KZG should: an opening at z checks with @noble/curves", async function () {
      const f = [5n, 7n, 11n, 13n, 17n];
      const z = 123456789n;
      let y = 0n;
      for (let t = f.length - 1; t >= 0; t--) y = (y * z + f[t]) % FR_MODULUS;
      // w = (f − y) / (x − z) by synthetic division.
      const w = new Array<bigint>(f.length - 1);
      let carry = 0n;
      for (let t = f.length - 1; t >= 1; t--) {
        carry = (carry * z + f[t]) % FR_MODULUS;
        w[t - 1] = carry;
      }
      const F = await commit(srs, scalarsToLE(f));
      const W = await commit(srs, scalarsToLE(w));
      const G1 = bn254.G1.ProjectivePoint;
      const G2 = bn254.G2.ProjectivePoint;
      const Fp2 = bn254.fields.Fp2;
      const tau2 = srs.g2.get(1)!;
      const tauG2 = G2.fromAffine({
        x: Fp2.create({ c0: tau2.X[1], c1: tau2.X[0] }),
        y: Fp2.create({ c0: tau2.Y[1], c1: tau2.Y[0] }),
      });
      const left = G1.fromAffine({ x: F.X, y: F.Y }).subtract(G1.BASE.multiply(y));
      const right = tauG2.subtract(G2.BASE.multiply(z));
      const e1 = bn254.pairing(left, G2.BASE);
      const e2 = bn254.pairing(G1.fromAffine({ x: W.X, y: W.Y }), right);
      expect(bn254.fields.Fp12.eql(e1, e2)).to.equal(true);
      const e3 = bn254.pairing(G1.fromAffine({ x: W.X, y: W.Y }).double(), right);
      expect(bn254.fields.Fp12.eql(e1, e3)).to.equal(false);
    });
  });
});

function x0(wM: bigint, i: number): bigint {
  return modPow(wM, BigInt(i));
}

async function expectRefusal(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(DaEncodingError);
    expect((e as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected a DaEncodingError matching ${pattern}`);
}
