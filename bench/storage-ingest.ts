// What a storage node spends on one uploaded 256 KiB segment, in process (no HTTP, no other workers): reading the
// body (JSON with base64 as zgs_uploadSegments sends it, or a binary frame as POST /segments does), the checks (the
// segment's merkle root against its proof), and the store (bytes to a data file + one synced LevelDB batch per call
// of 8). CPU milliseconds per segment from process.cpuUsage; writes bench/reports/storage-ingest.json.
//
//   npx ts-node -T bench/storage-ingest.ts
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { layoutFile, loadHashers, merkleRoot, sectorLeaves, sectorTreeRoot } from "../offchain/storage/core";
import { decodeFrame, frameOf } from "../offchain/storage/node/frame";
import { checkUpload, fromJson, segmentWithProof, segmentWithProofSchema } from "../offchain/storage/node/segments";
import { StorageStore } from "../offchain/storage/node/store";
import { writeReport } from "./report";

const SEGMENTS = 512;
const BATCH = 8;

/** CPU ms per segment of `fn` (user + system), and wall ms per segment. */
async function perSegment(fn: () => unknown): Promise<{ cpuMs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    cpuMs: round((used.user + used.system) / 1000 / SEGMENTS),
    wallMs: round((performance.now() - start) / SEGMENTS),
  };
}

async function main() {
  await loadHashers();
  const data = Buffer.alloc(SEGMENTS * 256 * 1024);
  for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
  const layout = layoutFile(data);
  const batches = Array.from({ length: SEGMENTS / BATCH }, (_, b) =>
    Array.from({ length: BATCH }, (_, j) => b * BATCH + j),
  );
  const jsonBodies = batches.map((idx) =>
    Buffer.from(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "zgs_uploadSegments",
        params: [idx.map((i) => segmentWithProof(data, layout, i))],
      }),
    ),
  );
  const frames = batches.map((idx) => frameOf(data, layout, idx));
  const params = z.tuple([z.array(segmentWithProofSchema).min(1).max(64)]);

  const json = await perSegment(() => {
    for (const body of jsonBodies) {
      const [segs] = params.parse((JSON.parse(body.toString("utf8")) as { params: unknown }).params);
      for (const seg of segs) fromJson(seg);
    }
  });
  const frame = await perSegment(() => {
    for (const body of frames) decodeFrame(body, 64);
  });
  const decoded = frames.flatMap((body) => {
    const f = decodeFrame(body, 64);
    return f.segments.map((s) => ({
      root: f.root,
      fileSize: f.fileSize,
      index: s.index,
      proof: { lemma: s.lemma, path: s.path },
      data: s.data,
    }));
  });
  // The segment's tree in one WebAssembly call (what the check does), and through 2047 hash-wasm calls.
  const segmentRoot = await perSegment(() => {
    for (const s of decoded) sectorTreeRoot(s.data, 0, 1024);
  });
  const segmentRootPerHash = await perSegment(() => {
    for (const s of decoded) merkleRoot(sectorLeaves(s.data, 0, 1024));
  });
  const checked = decoded.map((s) => ({ seg: checkUpload(s), proof: s.proof }));
  const check = await perSegment(() => {
    for (const s of decoded) checkUpload(s);
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-ingest-bench-"));
  try {
    const store = await StorageStore.open(dir, { shardId: 0, numShards: 1 }, 2 ** 40);
    const put = await perSegment(async () => {
      for (let i = 0; i < SEGMENTS; i += BATCH) await store.putSegments(checked.slice(i, i + BATCH));
    });
    await store.close();
    const results = {
      segments: SEGMENTS,
      batch: BATCH,
      readJsonBody: json,
      readFrame: frame,
      segmentRoot,
      segmentRootPerHash,
      checkSegment: check,
      storeBatchOf8: put,
    };
    console.log(JSON.stringify(results, null, 2));
    console.log(`wrote ${writeReport("storage-ingest", results)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
