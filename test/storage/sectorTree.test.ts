import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { hexlify, keccak256 } from "ethers";
import {
  BYTES_PER_SECTOR,
  SECTORS_PER_SEGMENT,
  loadHashers,
  merkleRoot,
  sectorLeaves,
  sectorTreeRoot,
  toHex,
  zeros,
} from "../../offchain/storage/core";
import { refTreeRoot } from "./reference";

const ROOT = path.join(__dirname, "..", "..");

/** ethers' keccak over sectors [from, from + count) of the zero-padded data, in 0G's queue-built tree. */
function reference(data: Uint8Array, from: number, count: number): string {
  const leaves: string[] = [];
  for (let i = from; i < from + count; i++) {
    const sector = new Uint8Array(BYTES_PER_SECTOR);
    sector.set(data.subarray(Math.min(data.length, i * BYTES_PER_SECTOR), Math.min(data.length, (i + 1) * 256)));
    leaves.push(keccak256(sector));
  }
  return refTreeRoot(leaves);
}

describe("storage core: sectorTreeRoot (one WebAssembly call per segment tree)", function () {
  before(loadHashers);

  it("equals hash-wasm's leaves and tree, and ethers' reference, for any data, offset and sector count", function () {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 6 * BYTES_PER_SECTOR + 17 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 40 }),
        (data, from, count) => {
          const fast = toHex(sectorTreeRoot(data, from, count));
          expect(fast).to.equal(toHex(merkleRoot(sectorLeaves(data, from, count))));
          expect(fast).to.equal(reference(data, from, count));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("hashes a full segment of random bytes, of zeros (zeros(10)), and every count up to 1024 of one buffer", function () {
    const data = new Uint8Array(SECTORS_PER_SEGMENT * BYTES_PER_SECTOR);
    expect(toHex(sectorTreeRoot(data, 0, SECTORS_PER_SEGMENT))).to.equal(toHex(zeros(10)));
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) >>> 3;
    expect(toHex(sectorTreeRoot(data, 0, SECTORS_PER_SEGMENT))).to.equal(reference(data, 0, SECTORS_PER_SEGMENT));
    for (const count of [1, 2, 3, 511, 513, 1000, 1023]) {
      expect(toHex(sectorTreeRoot(data, 0, count)), `${count} sectors`).to.equal(
        toHex(merkleRoot(sectorLeaves(data, 0, count))),
      );
    }
  });

  it("leaves nothing behind between calls: a short tree after a full one is the short tree's root", function () {
    const full = new Uint8Array(SECTORS_PER_SEGMENT * BYTES_PER_SECTOR).fill(0xab);
    sectorTreeRoot(full, 0, SECTORS_PER_SEGMENT);
    const short = Uint8Array.of(1, 2, 3);
    expect(toHex(sectorTreeRoot(short, 0, 3))).to.equal(reference(short, 0, 3));
  });

  it("refuses no sectors, more than a segment and a bad offset, without hashing", function () {
    const data = new Uint8Array(BYTES_PER_SECTOR);
    expect(() => sectorTreeRoot(data, 0, 0)).to.throw(RangeError, /0 sectors/);
    expect(() => sectorTreeRoot(data, 0, SECTORS_PER_SEGMENT + 1)).to.throw(RangeError, /1025 sectors/);
    expect(() => sectorTreeRoot(data, -1, 1)).to.throw(RangeError, /bad first sector/);
    expect(() => sectorTreeRoot(data, 0.5, 1)).to.throw(RangeError, /bad first sector/);
  });

  it("ships the module that wasm/sectorTree.ts builds to (npm run wasm:build), byte for byte", function () {
    this.timeout(60_000);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "zg-wasm-")), "sectorTree.wasm");
    try {
      const asc = path.join(ROOT, "node_modules", "assemblyscript", "bin", "asc.js");
      const args = ["wasm/sectorTree.ts", "-O3", "--enable", "simd", "--runtime", "stub", "--noAssert", "-o", out];
      const script = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts["wasm:build"];
      expect(script).to.equal(`asc ${args.slice(0, -1).join(" ")} offchain/storage/core/sectorTree.wasm`);
      execFileSync(process.execPath, [asc, ...args], { cwd: ROOT, stdio: "pipe" });
      const built = hexlify(fs.readFileSync(out));
      expect(built).to.equal(
        hexlify(fs.readFileSync(path.join(ROOT, "offchain", "storage", "core", "sectorTree.wasm"))),
      );
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });
});
