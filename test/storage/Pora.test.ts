import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { blake2b } from "@noble/hashes/blake2b";
import { hexlify } from "ethers";
import {
  BYTES_PER_SEAL,
  blake2b512,
  loadPoraHashers,
  mix,
  quality,
  scratchpad,
  seal,
  sealQuality,
  sealRoot,
  toHex,
  unseal,
  type PoraWork,
} from "../../offchain/storage/core";

async function harnessFixture() {
  await loadPoraHashers();
  return (await ethers.getContractFactory("PoraHarness")).deploy();
}

const words = (b: Uint8Array) =>
  Array.from({ length: b.length / 32 }, (_, i) => hexlify(b.subarray(i * 32, i * 32 + 32)));
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const work = fc.record({
  minerId: bytes32,
  nonce: bytes32,
  digest: bytes32,
  startPosition: fc.bigInt({ min: 0n, max: 2n ** 40n }),
  mineLength: fc.bigInt({ min: 1n, max: 2n ** 30n }),
});
const onChain = (w: PoraWork) => ({
  ...w,
  minerId: hexlify(w.minerId),
  nonce: hexlify(w.nonce),
  digest: hexlify(w.digest),
});

describe("PoRA (differential: TS core vs contracts)", () => {
  describe("Blake2b", () => {
    it("matches @noble/hashes and hash-wasm at block boundaries and random lengths", async () => {
      const harness = await loadFixture(harnessFixture);
      for (const n of [0, 1, 64, 127, 128, 129, 255, 256, 257, 4352]) {
        const data = new Uint8Array(n).map((_, i) => (i * 7 + n) & 0xff);
        const expected = hexlify(blake2b(data, { dkLen: 64 }));
        expect(toHex(blake2b512(data))).to.equal(expected);
        expect(await harness.blake2b(data), `${n} bytes`).to.equal(expected);
      }
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 700 }), async (data) => {
          expect(await harness.blake2b(data)).to.equal(hexlify(blake2b(data, { dkLen: 64 })));
        }),
        { numRuns: 20 },
      );
    });
  });

  describe("scratchpad and quality", () => {
    it("agree for random miner ids, nonces, digests and ranges", async () => {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(
          work,
          fc.integer({ min: 0, max: 63 }),
          fc.uint8Array({ minLength: BYTES_PER_SEAL, maxLength: BYTES_PER_SEAL }),
          async (w, idx, sealed) => {
            const { pad, recallSeed } = scratchpad(w);
            const [chainPad, chainSeed] = await harness.scratchpad(onChain(w), idx);
            expect(chainSeed).to.equal(toHex(recallSeed));
            const off = (idx % 4) * BYTES_PER_SEAL;
            expect(chainPad).to.deep.equal(words(pad.subarray(off, off + BYTES_PER_SEAL)));
            const mixed = mix(sealed, pad, idx);
            expect(await harness.quality(onChain(w), idx, words(mixed))).to.equal(quality(w, idx, mixed));
            expect(sealQuality(w, idx, sealed, pad)).to.equal(quality(w, idx, mixed));
          },
        ),
        { numRuns: 8 },
      );
    });
  });

  describe("seal", () => {
    it("unseal inverts seal, and the contract unseals to the same data and seal root", async () => {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: BYTES_PER_SEAL, maxLength: BYTES_PER_SEAL }),
          bytes32,
          bytes32,
          fc.bigInt({ min: 0n, max: 2n ** 50n }),
          async (data, minerId, digest, position) => {
            const sealed = seal(new Uint8Array(data), minerId, digest, position);
            expect(hexlify(sealed)).to.not.equal(hexlify(data));
            expect(hexlify(unseal(new Uint8Array(sealed), minerId, digest, position))).to.equal(hexlify(data));
            const [plain, root] = await harness.unseal(words(sealed), minerId, digest, position);
            expect(plain).to.deep.equal(words(data));
            expect(root).to.equal(toHex(sealRoot(data)));
          },
        ),
        { numRuns: 10 },
      );
      expect(() => seal(new Uint8Array(33), new Uint8Array(32), new Uint8Array(32), 0)).to.throw(RangeError);
      expect(() => unseal(new Uint8Array(33), new Uint8Array(32), new Uint8Array(32), 0)).to.throw(RangeError);
    });
  });
});
