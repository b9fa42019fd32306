import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { layoutFile, loadHashers, createSubmission, FlowTree, type FileLayout } from "../../offchain/storage/core";
import { RpcError, type RpcErrorName } from "../../offchain/storage/node/errors";
import { loadConfig } from "../../offchain/common/config";
import { storageNodeOptionsSchema } from "../../offchain/storage/node/options";
import {
  checkSegment,
  expectedSegmentBytes,
  fileShape,
  inShard,
  segmentWithProof,
  type SegmentWithProofJson,
} from "../../offchain/storage/node/segments";
import { StorageStore, type SubmissionRecord } from "../../offchain/storage/node/store";
import { bytes } from "./helpers";

function refusedWith(fn: () => unknown, name: RpcErrorName) {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(RpcError);
    expect((err as RpcError).errorName, (err as Error).message).to.equal(name);
    return (err as RpcError).message;
  }
  throw new Error(`expected ${name}`);
}

async function refusedAsync(p: Promise<unknown>, name: RpcErrorName) {
  try {
    await p;
  } catch (err) {
    expect((err as RpcError).errorName, (err as Error).message).to.equal(name);
    return;
  }
  throw new Error(`expected ${name}`);
}

function withData(seg: SegmentWithProofJson, edit: (d: Buffer) => Buffer): SegmentWithProofJson {
  return { ...seg, data: edit(Buffer.from(seg.data, "base64")).toString("base64") };
}

function submissionRecord(data: Uint8Array, flow: FlowTree, seq: number): SubmissionRecord {
  const layout = layoutFile(data);
  const sub = createSubmission(data, "0x", layout);
  const startPos = flow.append(sub.nodes);
  return {
    seq,
    root: `0x${Buffer.from(layout.root).toString("hex")}`,
    startPos,
    sectors: layout.paddedSectors,
    size: data.length,
    nodes: sub.nodes,
    tx: `0x${"00".repeat(32)}`,
    block: 1,
  };
}

describe("[offchain] storage node segment checks", () => {
  const size = 3 * 256 * 1024 + 1000; // 4 segments, the last one short
  let data: Uint8Array;
  let layout: FileLayout;
  before(async () => {
    await loadHashers();
    data = bytes(size, 7);
    layout = layoutFile(data);
  });

  it("accepts every segment of a file, the short last one included", () => {
    expect(layout.segments).to.equal(4);
    for (let i = 0; i < layout.segments; i++) {
      const checked = checkSegment(segmentWithProof(data, layout, i));
      expect(checked.data.length).to.equal(expectedSegmentBytes(fileShape(size), i));
    }
    expect(checkSegment(segmentWithProof(data, layout, 3)).data.length).to.be.below(256 * 1024);
  });

  it("accepts a one-segment file (no proof siblings) and a one-sector file", () => {
    for (const n of [1, 256, 5000, 256 * 1024]) {
      const d = bytes(n, n);
      expect(checkSegment(segmentWithProof(d, layoutFile(d), 0)).index).to.equal(0);
    }
  });

  it("refuses corrupted data with BAD_PROOF", () => {
    const seg = withData(segmentWithProof(data, layout, 1), (d) => {
      d[100] ^= 1;
      return d;
    });
    refusedWith(() => checkSegment(seg), "BAD_PROOF");
  });

  it("refuses a segment sent under another index", () => {
    const seg = segmentWithProof(data, layout, 1);
    refusedWith(() => checkSegment({ ...seg, index: 2 }), "BAD_PROOF");
    refusedWith(() => checkSegment({ ...seg, index: 4 }), "INDEX_OUT_OF_RANGE");
  });

  it("refuses a proof for another root", () => {
    const other = bytes(size, 8);
    const otherSeg = segmentWithProof(other, layoutFile(other), 1);
    const seg = segmentWithProof(data, layout, 1);
    refusedWith(() => checkSegment({ ...seg, proof: otherSeg.proof }), "BAD_PROOF");
    refusedWith(() => checkSegment({ ...seg, root: otherSeg.root }), "BAD_PROOF");
  });

  it("refuses a wrong length and non-zero bytes past the file's end", () => {
    const seg = segmentWithProof(data, layout, 3);
    refusedWith(() => checkSegment(withData(seg, (d) => d.subarray(0, d.length - 256))), "BAD_DATA_LENGTH");
    refusedWith(() => checkSegment(withData(seg, (d) => Buffer.concat([d, Buffer.alloc(256)]))), "BAD_DATA_LENGTH");
    const full = segmentWithProof(data, layout, 0);
    refusedWith(() => checkSegment(withData(full, (d) => d.subarray(0, 1000))), "BAD_DATA_LENGTH");
    refusedWith(
      () =>
        checkSegment(
          withData(seg, (d) => {
            d[d.length - 1] = 1;
            return d;
          }),
        ),
      "BAD_PADDING",
    );
  });

  it("refuses a fileSize other than the submitted one", () => {
    refusedWith(() => checkSegment(segmentWithProof(data, layout, 0), size + 1), "SIZE_MISMATCH");
  });

  it("places segments in shards by flow segment position", () => {
    const shard = { shardId: 1, numShards: 4 };
    expect(inShard(shard, 0, 1)).to.equal(true);
    expect(inShard(shard, 1024, 0)).to.equal(true);
    expect(inShard(shard, 1024 * 4, 1)).to.equal(true);
    expect(inShard(shard, 512, 0)).to.equal(false);
  });

  it("validates options: shards, loopback admin, defaults", () => {
    const d = storageNodeOptionsSchema.parse({});
    expect(d.port).to.equal(5678);
    expect(d.shard).to.deep.equal({ shardId: 0, numShards: 1 });
    expect(d.admin.host).to.equal("127.0.0.1");
    expect(d.directWrites).to.equal(true);
    expect(loadConfig(storageNodeOptionsSchema, { env: { ZG_DIRECT_WRITES: "false" } }).directWrites).to.equal(false);
    expect(storageNodeOptionsSchema.safeParse({ shard: { shardId: 2, numShards: 2 } }).success).to.equal(false);
    expect(storageNodeOptionsSchema.safeParse({ shard: { shardId: 0, numShards: 3 } }).success).to.equal(false);
    expect(storageNodeOptionsSchema.safeParse({ admin: { host: "0.0.0.0" } }).success).to.equal(false);
    expect(storageNodeOptionsSchema.safeParse({ prot: 1 }).success).to.equal(false);
  });
});

describe("[offchain] storage node store", () => {
  let dir: string;
  let data: Uint8Array;
  let layout: FileLayout;
  const one = { shardId: 0, numShards: 1 };
  before(async () => {
    await loadHashers();
    data = bytes(2 * 256 * 1024 + 77, 3);
    layout = layoutFile(data);
  });
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-storage-store-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const put = (store: StorageStore, i: number) => {
    const seg = segmentWithProof(data, layout, i);
    return store.putSegment(checkSegment(seg, store.knownSize(seg.root)), seg.proof);
  };

  it("holds segments before the Submit, adopts them when it arrives, keeps everything across a reopen", async () => {
    const store = await StorageStore.open(dir, one, 10 * 1024 * 1024);
    expect((await put(store, 0)).pending).to.equal(true);
    expect(store.pendingBytes()).to.equal(256 * 1024);
    const flow = new FlowTree();
    const rec = submissionRecord(data, flow, 0);
    const applied = await store.applyBlocks([rec], [], 10);
    expect(applied.adopted).to.deep.equal([{ root: rec.root, kept: 1, dropped: 0 }]);
    expect(store.pendingBytes()).to.equal(0);
    expect((await put(store, 1)).pending).to.equal(false);
    expect(await put(store, 1)).to.deep.include({ stored: false });
    expect((await put(store, 2)).finalized).to.equal(true);
    expect(store.flow.root()).to.equal(flow.root());
    await store.close();

    const again = await StorageStore.open(dir, one, 10 * 1024 * 1024);
    expect(again.cursor()).to.equal(10);
    expect(again.flow.root()).to.equal(flow.root());
    expect(again.file(rec.root)).to.deep.include({ held: 3, finalized: true });
    expect(Buffer.from((await again.getSegment(rec.root, 2))!)).to.deep.equal(
      Buffer.from(checkSegment(segmentWithProof(data, layout, 2)).data),
    );
    await again.close();
  });

  it("refuses pending segments beyond maxPendingBytes and stores nothing for them", async () => {
    const store = await StorageStore.open(dir, one, 300 * 1024);
    await put(store, 0);
    await refusedAsync(put(store, 1), "PENDING_FULL");
    expect(store.file(segmentWithProof(data, layout, 0).root)!.held).to.equal(1);
    expect(await store.getSegment(segmentWithProof(data, layout, 0).root, 1)).to.equal(undefined);
    await store.close();
  });

  it("with shards, refuses a submitted file's segments of other shards and drops pending ones", async () => {
    const store = await StorageStore.open(dir, { shardId: 1, numShards: 2 }, 10 * 1024 * 1024);
    await put(store, 0);
    await put(store, 1);
    const rec = submissionRecord(data, new FlowTree(), 0); // startPos 0: segments 1 is in shard 1
    const applied = await store.applyBlocks([rec], [], 5);
    expect(applied.adopted).to.deep.equal([{ root: rec.root, kept: 1, dropped: 1 }]);
    expect(await store.getSegment(rec.root, 0)).to.equal(undefined);
    await refusedAsync(put(store, 2), "NOT_IN_SHARD");
    expect(store.file(rec.root)).to.deep.include({ held: 1, finalized: true });
    await store.close();
  });
});
