// The storage client's pure parts: erasure coding (encode, decode from any k of k + m), specs, manifests.
import { expect } from "chai";
import { isZgError } from "../../offchain/common/errors";
import {
  STRIPE_BYTES,
  codingStripe,
  decodeFile,
  encodeShards,
  parseEcSpec,
  reconstructShards,
  shardSizeFor,
} from "../../offchain/storage/client/erasure";
import { MANIFEST_KIND, manifestBytes, parseManifest, type Manifest } from "../../offchain/storage/client/manifest";
import { fileRootFromShards } from "../../offchain/storage/client/ec";
import { nodeClients, nodeKeeps } from "../../offchain/storage/client/nodes";
import { entryOf } from "../../offchain/storage/client/upload";
import { layoutFile, loadHashers, toHex } from "../../offchain/storage/core";

function bytes(n: number, seed = 1): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Every subset of {0..n-1} with exactly `size` members. */
function subsets(n: number, size: number): number[][] {
  if (size === 0) return [[]];
  if (n < size) return [];
  return [...subsets(n - 1, size - 1).map((s) => [...s, n - 1]), ...subsets(n - 1, size)];
}

function expectCode(fn: () => unknown, code: string) {
  try {
    fn();
  } catch (err) {
    expect(isZgError(err, code), String(err)).to.equal(true);
    return;
  }
  expect.fail(`expected ${code}`);
}

describe("[offchain] storage client: erasure coding", () => {
  describe("parseEcSpec", () => {
    it("reads k+m", () => {
      expect(parseEcSpec("2+2")).to.deep.equal({ k: 2, m: 2 });
      expect(parseEcSpec(" 10 + 4 ")).to.deep.equal({ k: 10, m: 4 });
      expect(parseEcSpec("24+6")).to.deep.equal({ k: 24, m: 6 });
    });
    it("refuses malformed specs and specs outside the coder's limits with STORAGE_BAD_EC_SPEC", () => {
      for (const bad of ["", "2", "2+", "+2", "2x2", "2+2+2", "a+b", "0+2", "2+0", "25+2", "2+7", "-1+2"]) {
        expectCode(() => parseEcSpec(bad), "STORAGE_BAD_EC_SPEC");
      }
    });
  });

  describe("shardSizeFor", () => {
    it("is ceil(size / k) rounded up to a multiple of 8", () => {
      expect(shardSizeFor(1, 2)).to.equal(8);
      expect(shardSizeFor(16, 2)).to.equal(8);
      expect(shardSizeFor(17, 2)).to.equal(16);
      expect(shardSizeFor(1001, 3)).to.equal(336);
    });
  });

  describe("encode / decode", () => {
    for (const [k, m, size] of [
      [2, 2, 1001],
      [3, 2, 300_000],
      [4, 3, 17],
      [1, 1, 5],
      [2, 2, 2 * 600_000 + 5000], // shards of several coder stripes, the last one short
    ]) {
      it(`${k}+${m}, ${size} bytes: decodes from every subset of ${k} shards`, async () => {
        const spec = { k, m };
        const file = bytes(size, k * 31 + m);
        const shards = await encodeShards(file, spec);
        const shardSize = shardSizeFor(size, k);
        expect(shards).to.have.length(k + m);
        for (const s of shards) expect(s.length).to.equal(shardSize);
        expect(Buffer.concat(shards.slice(0, k)).subarray(0, size).equals(file)).to.equal(true);
        for (const keep of subsets(k + m, k)) {
          const partial = shards.map((s, i) => (keep.includes(i) ? s : undefined));
          const decoded = await decodeFile(partial, spec, shardSize, size);
          expect(decoded.equals(file), `from shards ${keep.join(",")}`).to.equal(true);
          const all = await reconstructShards(partial, spec, shardSize);
          all.forEach((s, i) => expect(s.equals(shards[i]), `shard ${i} from ${keep.join(",")}`).to.equal(true));
        }
      });
    }

    it("decodes shards coded whole (manifest version 1) with that version's stripe", async () => {
      const spec = { k: 2, m: 2 };
      const file = bytes(600_000, 5);
      const shardSize = shardSizeFor(file.length, 2);
      const old = await encodeShards(file, spec, shardSize);
      const stripe = codingStripe({ version: 1, shardSize });
      expect(stripe).to.equal(shardSize);
      expect(codingStripe({ version: 2, shardSize })).to.equal(STRIPE_BYTES);
      const decoded = await decodeFile([undefined, undefined, old[2], old[3]], spec, shardSize, file.length, stripe);
      expect(decoded.equals(file)).to.equal(true);
    });

    it("fileRootFromShards gives the file's own layout, with shards aligned to segments or not", async () => {
      await loadHashers();
      const SEG = 256 * 1024;
      for (const [k, size] of [
        [2, 2 * 3 * SEG], // aligned shards, whole segments
        [2, 2 * 3 * SEG - 8], // aligned shards, the file's last segment short
        [3, 3 * 2 * SEG - 1000],
        [2, 5 * SEG + 77], // shards not a whole number of segments: laid out from scratch
        [1, 100],
      ]) {
        const file = bytes(size, size % 251);
        const shards = await encodeShards(file, { k, m: 1 });
        const entries = shards.slice(0, k).map((s) => entryOf(s));
        const got = fileRootFromShards(file, shards[0].length, entries);
        expect(toHex(got.root), `k=${k} size=${size}`).to.equal(toHex(layoutFile(file).root));
        expect(got.segmentRoots.map(toHex)).to.deep.equal(layoutFile(file).segmentRoots.map(toHex));
      }
    });

    it("refuses fewer than k shards with STORAGE_NOT_ENOUGH_SHARDS", async () => {
      const spec = { k: 3, m: 2 };
      const shards = await encodeShards(bytes(1000), spec);
      try {
        await decodeFile([shards[0], undefined, undefined, shards[3], undefined], spec, shards[0].length, 1000);
        expect.fail("decoded from 2 of 3");
      } catch (err) {
        expect(isZgError(err, "STORAGE_NOT_ENOUGH_SHARDS"), String(err)).to.equal(true);
      }
    });
  });

  describe("manifest", () => {
    const manifest: Manifest = {
      kind: MANIFEST_KIND,
      version: 1,
      k: 2,
      m: 1,
      size: 100,
      fileRoot: `0x${"ab".repeat(32)}`,
      shardSize: 56,
      shards: [0, 1, 2].map((index) => ({ index, root: `0x${"0c".repeat(32)}`, size: 56, node: "http://n" })),
    };
    it("round-trips, and plain bytes are not a manifest", () => {
      expect(parseManifest(manifestBytes(manifest))).to.deep.equal(manifest);
      expect(parseManifest(bytes(100))).to.equal(undefined);
      expect(parseManifest(Buffer.from('{"kind":"other"}'))).to.equal(undefined);
      expect(parseManifest(manifestBytes({ ...manifest, shards: manifest.shards.slice(1) }))).to.equal(undefined);
    });
  });

  describe("nodes", () => {
    it("refuses an empty node list with STORAGE_NO_NODES", () => {
      expectCode(() => nodeClients([]), "STORAGE_NO_NODES");
      expectCode(() => nodeClients([" ", ""]), "STORAGE_NO_NODES");
      expect(nodeClients(["http://a", "http://a", "http://b"]).map((n) => n.url)).to.deep.equal([
        "http://a",
        "http://b",
      ]);
    });
    it("places a segment by its flow segment mod the shard count", () => {
      expect(nodeKeeps({ shardId: 0, numShard: 1 }, 5000, 3)).to.equal(true);
      expect(nodeKeeps({ shardId: 1, numShard: 2 }, 1024, 0)).to.equal(true);
      expect(nodeKeeps({ shardId: 1, numShard: 2 }, 1024, 1)).to.equal(false);
    });
  });
});
