import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { bn254 } from "@noble/curves/bn254";
import * as mcl from "mcl-wasm";
import * as bls from "../../offchain/da/core/bls";
import { commitmentOf, quorumFixture, root } from "./helpers";

async function harnessFixture() {
  await bls.initBls();
  const harness = await (await ethers.getContractFactory("BN254Harness")).deploy();
  return { harness };
}

async function fourSigners() {
  return quorumFixture(4);
}

const toSol = (p: { X: bigint; Y: bigint }) => ({ X: p.X, Y: p.Y });
/** A plain copy of a G2 point an ethers call returned (its Result arrays are read-only). */
const plainG2 = (q: { X: readonly bigint[]; Y: readonly bigint[] }): bls.G2Sol => ({
  X: [q.X[0], q.X[1]],
  Y: [q.Y[0], q.Y[1]],
});

describe("DA BLS (offchain/da/core/bls.ts and BN254.sol)", function () {
  before(async function () {
    await bls.initBls();
  });

  describe("TypeScript BLS", function () {
    it("signs and verifies, and refuses another message or key", function () {
      const k = bls.keyPair(12345n);
      const m = root(1);
      const sig = bls.sign(k.secret, m);
      expect(bls.verify(k.pk2, m, sig)).to.equal(true);
      expect(bls.verify(k.pk2, root(2), sig)).to.equal(false);
      expect(bls.verify(bls.keyPair(54321n).pk2, m, sig)).to.equal(false);
    });

    it("verifies an aggregate signature against the aggregate key", function () {
      const keys = [1n, 2n, 3n, 4n].map((s) => bls.keyPair(s * 1_000_003n));
      const m = root(3);
      const sig = bls.aggregateG1(keys.map((k) => bls.sign(k.secret, m)));
      expect(bls.verify(bls.aggregateG2(keys.map((k) => k.pk2)), m, sig)).to.equal(true);
      expect(bls.verify(bls.aggregateG2(keys.slice(1).map((k) => k.pk2)), m, sig)).to.equal(false);
    });

    it("checks that G1 and G2 keys hold the same secret", function () {
      const a = bls.keyPair(7n);
      const b = bls.keyPair(8n);
      expect(bls.keysMatch(a.pk1, a.pk2)).to.equal(true);
      expect(bls.keysMatch(a.pk1, b.pk2)).to.equal(false);
    });

    it("round-trips G1 and G2 points through the Solidity encoding", function () {
      const k = bls.keyPair();
      expect(bls.g1FromSol(bls.g1ToSol(k.pk1)).isEqual(k.pk1)).to.equal(true);
      expect(bls.g2FromSol(bls.g2ToSol(k.pk2)).isEqual(k.pk2)).to.equal(true);
      expect(bls.g1ToSol(new mcl.G1())).to.deep.equal({ X: 0n, Y: 0n });
      expect(bls.g2ToSol(new mcl.G2())).to.deep.equal({ X: [0n, 0n], Y: [0n, 0n] });
      expect(bls.g1FromSol({ X: 0n, Y: 0n }).isZero()).to.equal(true);
      expect(bls.g2FromSol({ X: [0n, 0n], Y: [0n, 0n] }).isZero()).to.equal(true);
      expect(bls.secretToBigInt(bls.keyPair(99n).secret)).to.equal(99n);
      expect(bls.toHex32(1n)).to.equal(`0x${"0".repeat(63)}1`);
    });

    it("refuses bad input", function () {
      expect(() => bls.g1FromSol({ X: 1n, Y: 3n })).to.throw(/not a G1 point/);
      expect(() => bls.g2FromSol({ X: [1n, 2n], Y: [3n, 4n] })).to.throw(/not a G2 point/);
      expect(() => bls.keyPair(bls.FR_MODULUS)).to.throw(/must not be 0/);
      expect(() => bls.hashToG1Sol("0x1234")).to.throw(/32-byte/);
    });
  });

  describe("mcl against @noble/curves", function () {
    it("agrees on multiples of the G1 and G2 generators", function () {
      for (const s of [1n, 2n, 0xdeadbeefn, bls.FR_MODULUS - 1n]) {
        const k = bls.keyPair(s);
        const n1 = bn254.G1.ProjectivePoint.BASE.multiply(s).toAffine();
        expect(bls.g1ToSol(k.pk1)).to.deep.equal({ X: n1.x, Y: n1.y });
        const n2 = bn254.G2.ProjectivePoint.BASE.multiply(s).toAffine();
        expect(bls.g2ToSol(k.pk2)).to.deep.equal({ X: [n2.x.c1, n2.x.c0], Y: [n2.y.c1, n2.y.c0] });
      }
    });

    it("agrees that an mcl signature verifies (noble pairing) and a wrong one does not", function () {
      const k = bls.keyPair(424242n);
      const m = root(9);
      const h = bls.hashToG1Sol(m);
      const sig = bls.g1ToSol(bls.sign(k.secret, m));
      const pk2 = bls.g2ToSol(k.pk2);
      const P = (p: bls.G1Sol) => bn254.G1.ProjectivePoint.fromAffine({ x: p.X, y: p.Y });
      const Q = (q: bls.G2Sol) =>
        bn254.G2.ProjectivePoint.fromAffine({ x: { c0: q.X[1], c1: q.X[0] }, y: { c0: q.Y[1], c1: q.Y[0] } });
      const Fp12 = bn254.fields.Fp12;
      const lhs = bn254.pairing(P(sig), bn254.G2.ProjectivePoint.BASE);
      expect(Fp12.eql(lhs, bn254.pairing(P(h), Q(pk2)))).to.equal(true);
      const other = bls.g2ToSol(bls.keyPair(1n).pk2);
      expect(Fp12.eql(lhs, bn254.pairing(P(h), Q(other)))).to.equal(false);
    });
  });

  describe("differential: TypeScript and Solidity", function () {
    it("hash the same messages to the same G1 points", async function () {
      const { harness } = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (bytes) => {
          const m = ethers.hexlify(bytes);
          const onChain = await harness.hashToG1(m);
          const ts = bls.hashToG1Sol(m);
          expect([onChain.X, onChain.Y]).to.deep.equal([ts.X, ts.Y]);
          expect(await harness.isOnCurve(toSol(ts))).to.equal(true);
        }),
        { numRuns: 40 },
      );
    });

    it("sum the same keys to the same aggregate", async function () {
      const { harness } = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.bigInt({ min: 1n, max: bls.FR_MODULUS - 1n }), { minLength: 1, maxLength: 8 }),
          async (secrets) => {
            const keys = secrets.map((s) => bls.keyPair(s));
            const ts = bls.g1ToSol(bls.aggregateG1(keys.map((k) => k.pk1)));
            const onChain = await harness.sum(keys.map((k) => bls.g1ToSol(k.pk1)));
            expect([onChain.X, onChain.Y]).to.deep.equal([ts.X, ts.Y]);
          },
        ),
        { numRuns: 25 },
      );
    });

    it("agree on scalar multiplication, negation and the generators", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const g = { X: 1n, Y: 2n };
      const p = await harness.scalarMul(g, 123456789n);
      expect([p.X, p.Y]).to.deep.equal(Object.values(bls.g1ToSol(bls.keyPair(123456789n).pk1)));
      const n = await harness.negate(g);
      expect([n.X, n.Y]).to.deep.equal([1n, bls.FP_MODULUS - 2n]);
      const z = await harness.negate({ X: 0n, Y: 0n });
      expect([z.X, z.Y]).to.deep.equal([0n, 0n]);
      const [g2] = await harness.generators();
      const ts = bls.g2ToSol(bls.generatorG2());
      expect([g2.X[0], g2.X[1], g2.Y[0], g2.Y[1]]).to.deep.equal([...ts.X, ...ts.Y]);
      const sum = await harness.plus(g, toSol(n));
      expect([sum.X, sum.Y]).to.deep.equal([0n, 0n]);
    });

    it("agree that an mcl signature verifies in the pairing precompile", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const k = bls.keyPair(31337n);
      const m = root(4);
      const sig = bls.g1ToSol(bls.sign(k.secret, m));
      const negG2 = plainG2((await harness.generators())[1]);
      const h = bls.hashToG1Sol(m);
      expect(await harness.pairing(sig, negG2, h, bls.g2ToSol(k.pk2))).to.equal(true);
      expect(await harness.pairing(sig, negG2, h, bls.g2ToSol(bls.keyPair(2n).pk2))).to.equal(false);
    });

    it("sign the same commitment message and see the same quorum key", async function () {
      const f = await loadFixture(fourSigners);
      const c = commitmentOf(1);
      expect(await f.entrance.commitMessage(root(1), 7n, 2n, c)).to.equal(bls.commitMessage(root(1), 7n, 2n, c));
      const [, apk] = await f.registry.quorumAt(f.epoch, 0);
      const ts = bls.g1ToSol(bls.aggregateG1(f.signers.map((s) => s.keys.pk1)));
      expect([apk.X, apk.Y]).to.deep.equal([ts.X, ts.Y]);
      const { chainId } = await ethers.provider.getNetwork();
      expect(await f.registry.popMessage(f.signers[0].address)).to.equal(bls.popMessage(f.signers[0].address, chainId));
      expect(await f.registry.POP_DOMAIN()).to.equal(bls.POP_DOMAIN);
    });
  });

  describe("BN254 library edge cases", function () {
    // solidity-coverage records only transactions, so the pure helpers are also sent as transactions here.
    it("runs the pure helpers in transactions", async function () {
      const { harness } = await loadFixture(harnessFixture);
      for (const p of [
        { X: 0n, Y: 0n },
        { X: bls.FP_MODULUS, Y: 2n },
        { X: 1n, Y: bls.FP_MODULUS },
        { X: 1n, Y: 3n },
        { X: 1n, Y: 2n },
      ]) {
        await (await harness.isOnCurve.send(p)).wait();
        await (await harness.negate.send(p)).wait();
      }
      await (await harness.generators.send()).wait();
      await (await harness.hashToG1.send(root(6))).wait();
    });

    it("reverts in transactions too when a precompile refuses a point", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const bad = { X: 1n, Y: 3n };
      await expect(harness.plus.send(bad, { X: 1n, Y: 2n })).to.be.revertedWithCustomError(
        harness,
        "BN254PrecompileFailed",
      );
      await expect(harness.scalarMul.send(bad, 2n)).to.be.revertedWithCustomError(harness, "BN254PrecompileFailed");
      const g2 = plainG2((await harness.generators())[0]);
      await expect(harness.pairing.send(bad, g2, { X: 1n, Y: 2n }, g2)).to.be.revertedWithCustomError(
        harness,
        "BN254PrecompileFailed",
      );
    });

    it("isOnCurve refuses coordinates at or above p and points off the curve", async function () {
      const { harness } = await loadFixture(harnessFixture);
      expect(await harness.isOnCurve({ X: 0n, Y: 0n })).to.equal(true);
      expect(await harness.isOnCurve({ X: bls.FP_MODULUS, Y: 2n })).to.equal(false);
      expect(await harness.isOnCurve({ X: 1n, Y: bls.FP_MODULUS })).to.equal(false);
      expect(await harness.isOnCurve({ X: 1n, Y: 3n })).to.equal(false);
    });

    it("reverts with BN254PrecompileFailed on invalid points", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const bad = { X: 1n, Y: 3n };
      await expect(harness.plus(bad, { X: 1n, Y: 2n }))
        .to.be.revertedWithCustomError(harness, "BN254PrecompileFailed")
        .withArgs(6);
      await expect(harness.scalarMul(bad, 2n))
        .to.be.revertedWithCustomError(harness, "BN254PrecompileFailed")
        .withArgs(7);
      const g2 = plainG2((await harness.generators())[0]);
      await expect(harness.pairing(bad, g2, { X: 1n, Y: 2n }, g2))
        .to.be.revertedWithCustomError(harness, "BN254PrecompileFailed")
        .withArgs(8);
    });

    it("hashToG1 costs a bounded amount of gas", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const gas = await harness.hashToG1Gas(root(5));
      expect(gas).to.be.lessThan(60_000n);
    });
  });
});
