// The store's data files: segment bytes in segments/<root>.seg with an empty LevelDB marker, older stores (bytes in
// LevelDB) still served, bytes without a marker not counted, a failed data write acknowledging nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ClassicLevel } from "classic-level";
import fc from "fast-check";
import { BYTES_PER_SEGMENT, layoutFile, loadHashers, type FileLayout } from "../../offchain/storage/core";
import { SegmentFiles } from "../../offchain/storage/node/segmentFiles";
import { checkSegment, segmentWithProof } from "../../offchain/storage/node/segments";
import { StorageStore } from "../../offchain/storage/node/store";
import { bytes } from "./helpers";

describe("[offchain] storage node data files", () => {
  let dir: string;
  let data: Uint8Array;
  let layout: FileLayout;
  let root: string;
  const one = { shardId: 0, numShards: 1 };
  const item = (i: number) => {
    const seg = segmentWithProof(data, layout, i);
    return { seg: checkSegment(seg), proof: seg.proof };
  };
  const bytesOf = (i: number) => Buffer.from(item(i).seg.data);

  before(async () => {
    await loadHashers();
    data = bytes(3 * 256 * 1024 + 4321, 31);
    layout = layoutFile(data);
    root = segmentWithProof(data, layout, 0).root.toLowerCase();
  });
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-storage-files-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps segment bytes in the root's data file and only an empty marker in LevelDB", async () => {
    const store = await StorageStore.open(dir, one, 1 << 30);
    const { results, error } = await store.putSegments([0, 1, 2, 3].map(item));
    expect(error).to.equal(undefined);
    expect(results.map((r) => r.finalized)).to.deep.equal([false, false, false, false]); // no Submit seen yet
    await store.close();

    const file = path.join(dir, "segments", `${root.slice(2)}.seg`);
    expect(fs.statSync(file).size).to.equal(3 * 256 * 1024 + bytesOf(3).length);
    const db = new ClassicLevel<string, Uint8Array>(path.join(dir, "storage.db"), { valueEncoding: "view" });
    const markers = await db.values({ gte: `g/${root}/`, lt: `g/${root}0` }).all();
    await db.close();
    expect(markers.map((m) => m.length)).to.deep.equal([0, 0, 0, 0]);

    const again = await StorageStore.open(dir, one, 1 << 30);
    for (const i of [0, 1, 2, 3]) expect(Buffer.from((await again.getSegment(root, i))!)).to.deep.equal(bytesOf(i));
    expect(again.file(root)).to.deep.include({ held: 4 });
    await again.close();
  });

  it("serves a store written before data files, whose LevelDB values hold the bytes", async () => {
    const db = new ClassicLevel<string, Uint8Array>(path.join(dir, "storage.db"), { valueEncoding: "view" });
    await db.put(`f/${root}`, Buffer.from(JSON.stringify({ root, size: data.length })));
    await db.put(`g/${root}/0000000001`, bytesOf(1));
    await db.close();
    const store = await StorageStore.open(dir, one, 1 << 30);
    expect(store.file(root)).to.deep.include({ held: 1 });
    expect(Buffer.from((await store.getSegment(root, 1))!)).to.deep.equal(bytesOf(1));
    expect(await store.getSegment(root, 0)).to.equal(undefined);
    await store.close();
  });

  it("does not count bytes that reached the data file without their marker (a crash in between)", async () => {
    await SegmentFiles.open(path.join(dir, "segments")).write([{ root, index: 2, data: item(2).seg.data }]);
    const store = await StorageStore.open(dir, one, 1 << 30);
    expect(store.file(root)).to.equal(undefined);
    expect(await store.getSegment(root, 2)).to.equal(undefined);
    expect((await store.putSegment(item(2).seg, item(2).proof)).stored).to.equal(true);
    expect(Buffer.from((await store.getSegment(root, 2))!)).to.deep.equal(bytesOf(2));
    await store.close();
  });

  it("stores a batch up to its first refused segment and returns that error", async () => {
    const store = await StorageStore.open(dir, one, 2 * 256 * 1024);
    const { results, error } = await store.putSegments([0, 0, 1, 2].map(item));
    expect(results.map((r) => r.stored)).to.deep.equal([true, false, true]);
    expect((error as Error & { errorName?: string }).errorName).to.equal("PENDING_FULL");
    expect(store.file(root)).to.deep.include({ held: 2 });
    expect(await store.getSegment(root, 2)).to.equal(undefined);
    await store.close();
  });

  it("acknowledges nothing when the data file cannot be written", async () => {
    const store = await StorageStore.open(dir, one, 1 << 30);
    const file = path.join(dir, "segments", `${root.slice(2)}.seg`);
    fs.mkdirSync(file); // a folder where the data file goes: the write fails with EISDIR
    let failed: unknown;
    await store.putSegments([0, 1].map(item)).catch((err) => (failed = err));
    expect((failed as NodeJS.ErrnoException).code).to.equal("EISDIR");
    expect(store.file(root)).to.equal(undefined);
    fs.rmdirSync(file);
    expect((await store.putSegments([0, 1].map(item))).results.map((r) => r.stored)).to.deep.equal([true, true]);
    await store.close();
  });

  it("writes with O_DIRECT the same bytes as through the page cache: runs past a scratch, gaps, short ends", async function () {
    const direct = SegmentFiles.open(path.join(dir, "direct"));
    if (!direct.writesDirect) this.skip(); // this filesystem refuses O_DIRECT: every write is buffered
    const buffered = SegmentFiles.open(path.join(dir, "buffered"), false);
    expect(buffered.writesDirect).to.equal(false);
    const segment = (seed: number, length: number) =>
      Buffer.alloc(length, seed).fill(seed + 1, 0, Math.min(17, length));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 13 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: BYTES_PER_SEGMENT }),
        async (indices, lastLength) => {
          const root = `0x${(++n).toString(16).padStart(64, "0")}`;
          const last = Math.max(...indices);
          const writes = indices.map((index) => ({
            root,
            index,
            data: segment(index, index === last ? lastLength : BYTES_PER_SEGMENT),
          }));
          await direct.write(writes);
          await buffered.write(writes);
          for (const w of writes) {
            const got = await direct.read(root, w.index, w.data.length);
            expect(Buffer.compare(Buffer.from(got!), w.data), `segment ${w.index}`).to.equal(0);
          }
          const file = `${root.slice(2)}.seg`;
          const a = fs.readFileSync(path.join(dir, "direct", file));
          expect(a.length, "no padding past the last byte").to.equal(last * BYTES_PER_SEGMENT + lastLength);
          expect(Buffer.compare(a, fs.readFileSync(path.join(dir, "buffered", file)))).to.equal(0);
        },
      ),
      { numRuns: 25 },
    );
    expect(direct.writesDirect, "no write fell back to the page cache").to.equal(true);
    expect(fs.readdirSync(path.join(dir, "direct")).filter((f) => !f.endsWith(".seg"))).to.deep.equal([]);
  });

  it("writes through the page cache when told to, and its store says which", async () => {
    const store = await StorageStore.open(dir, one, 1 << 30, false);
    expect(store.writesDirect()).to.equal(false);
    await store.putSegments([0, 3].map(item));
    expect(Buffer.from((await store.getSegment(root, 3))!)).to.deep.equal(bytesOf(3));
    await store.close();
  });
});
