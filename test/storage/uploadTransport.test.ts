// The client's upload transport: binary frames to POST /segments, and zgs_uploadSegments (JSON) for a node that
// answers 404 there, as an older node or another zgs implementation does. The node here is a recording HTTP server.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import pino from "pino";
import { NodeClient } from "../../offchain/storage/client/nodes";
import { entryOf, uploadEntries } from "../../offchain/storage/client/upload";
import { loadHashers } from "../../offchain/storage/core";
import { decodeFrame } from "../../offchain/storage/node/frame";
import { bytes } from "./helpers";

interface Seen {
  path: string;
  method?: string;
  indexes: number[];
}

async function recordingNode(binary: boolean, root: string, segments: number) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (req.url === "/segments") {
        if (!binary) return reply(404, { message: "Route POST:/segments not found" });
        seen.push({ path: "/segments", indexes: decodeFrame(body, 64).segments.map((s) => s.index) });
        return reply(200, { jsonrpc: "2.0", id: null, result: { stored: 1 } });
      }
      const { method, params } = JSON.parse(body.toString()) as { method: string; params: unknown[] };
      const upload = method === "zgs_uploadSegments" ? (params[0] as { index: number }[]) : [];
      seen.push({ path: "/", method, indexes: upload.map((s) => s.index) });
      const results: Record<string, unknown> = {
        zgs_getFileInfo: {
          tx: { dataMerkleRoot: root, startEntryIndex: 0, size: 1 },
          finalized: false,
          uploadedSegNum: 0,
          segments,
        },
        zgs_getShardConfig: { shardId: 0, numShard: 1 },
        zgs_checkFileFinalized: true,
      };
      reply(200, { jsonrpc: "2.0", id: 1, result: results[method] ?? null });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe("[offchain] storage client upload transport", () => {
  before(loadHashers);
  const opts = { logger: pino({ level: "silent" }), batchSegments: 2, concurrency: 1, syncTimeoutMs: 5000 };

  it("sends binary frames to a node that takes them, each batch once", async () => {
    const entry = entryOf(bytes(5 * 256 * 1024, 41));
    const node = await recordingNode(true, entry.root, 5);
    try {
      expect(await uploadEntries([entry], [[new NodeClient(node.url)]], opts)).to.equal(5);
      const uploads = node.seen.filter((s) => s.indexes.length > 0);
      expect(uploads).to.deep.equal([
        { path: "/segments", indexes: [0, 1] },
        { path: "/segments", indexes: [2, 3] },
        { path: "/segments", indexes: [4] },
      ]);
    } finally {
      await node.close();
    }
  });

  it("falls back to zgs_uploadSegments after a 404 and does not try frames again", async () => {
    const entry = entryOf(bytes(5 * 256 * 1024, 42));
    const node = await recordingNode(false, entry.root, 5);
    const client = new NodeClient(node.url);
    try {
      await uploadEntries([entry], [[client]], opts);
      expect(client.binaryUploads).to.equal(false);
      const uploads = node.seen.filter((s) => s.method === "zgs_uploadSegments");
      expect(uploads.map((s) => s.indexes)).to.deep.equal([[0, 1], [2, 3], [4]]);
    } finally {
      await node.close();
    }
  });
});
