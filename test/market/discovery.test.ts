// The discovery library's pure parts (tables) and its probes against a real local HTTP server started per test.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { probeHttpJson, probeJsonRpc } from "../../offchain/market/discovery/probe";
import { probeStorageNode } from "../../offchain/market/discovery/storage";
import { bytesCell, formatTable, renderServices, tokensCell } from "../../offchain/market/discovery/table";
import type { ServicesReport } from "../../offchain/market/discovery";
import { freePort } from "../helpers/process";

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

/** A server on a free loopback port; `close` also drops requests left hanging (the timeout case). */
async function serve(handler: Handler): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
}

const up = { state: "up" as const, latencyMs: 4 };

function report(): ServicesReport {
  return {
    chainId: 31337,
    block: 120,
    compute: [
      {
        provider: "0x00000000000000000000000000000000000000aa",
        model: "zg-tiny",
        url: "http://127.0.0.1:9000",
        inputPrice: "1000000000",
        outputPrice: "2000000000",
        verifiability: "zk",
        teeSigner: null,
        teeSignerAcknowledged: null,
        health: up,
        servedModel: "zg-tiny",
        settlementMode: "zk",
        modelMatches: true,
      },
    ],
    storage: [
      {
        url: "http://127.0.0.1:9100",
        health: up,
        shardId: 1,
        numShard: 4,
        syncedHeight: 118,
        lagBlocks: 2,
        freeBytes: 3 * 1024 ** 3,
        flowLength: 10,
      },
      {
        url: "http://127.0.0.1:1",
        health: { state: "down", latencyMs: 2, reason: "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1" },
        shardId: null,
        numShard: null,
        syncedHeight: null,
        lagBlocks: null,
        freeBytes: null,
        flowLength: null,
      },
    ],
    da: {
      registry: "0x00000000000000000000000000000000000000bb",
      epoch: "7",
      quorums: [
        {
          quorumId: 0,
          size: 1,
          snapshotted: true,
          members: [
            {
              address: "0x00000000000000000000000000000000000000cc",
              index: 0,
              url: "http://127.0.0.1:9200",
              weight: "1000000000000000000000",
              totalWeight: "1000000000000000000000",
              stake: "1000000000000000000000",
              health: up,
            },
          ],
        },
      ],
    },
  };
}

describe("[offchain] market discovery", function () {
  describe("formatTable", () => {
    it("pads every column to its widest cell and trims trailing blanks", () => {
      const text = formatTable(
        ["A", "LONG HEADER", "C"],
        [
          ["wide cell", "x", ""],
          ["y", "z", "end"],
        ],
      );
      expect(text.split("\n")).to.deep.equal([
        "A          LONG HEADER  C",
        "wide cell  x",
        "y          z            end",
      ]);
    });
  });

  describe("cells", () => {
    it("shows sizes in binary units and token amounts without a trailing .0", () => {
      expect(bytesCell(null)).to.equal("-");
      expect(bytesCell(512)).to.equal("512 B");
      expect(bytesCell(1536)).to.equal("1.5 KiB");
      expect(bytesCell(3 * 1024 ** 3)).to.equal("3.0 GiB");
      expect(tokensCell("1000000000000000000000")).to.equal("1000");
      expect(tokensCell("1500000000000000000")).to.equal("1.5");
      expect(tokensCell(null)).to.equal("-");
    });
  });

  describe("renderServices", () => {
    it("counts the services up and lists each kind with its facts", () => {
      const lines = renderServices(report()).split("\n");
      expect(lines[0]).to.equal("chain 31337 at block 120: 3 of 4 services up");
      const computeRow = lines.find((l) => l.startsWith("0x00000000000000000000000000000000000000aa"))!;
      expect(computeRow.split(/\s{2,}/)).to.deep.equal([
        "0x00000000000000000000000000000000000000aa",
        "zg-tiny",
        "1000000000",
        "2000000000",
        "zk",
        "zk",
        "-",
        "http://127.0.0.1:9000",
        "up",
        "4 ms",
        "yes",
      ]);
      const storageUp = lines.find((l) => l.startsWith("http://127.0.0.1:9100"))!;
      expect(storageUp.split(/\s{2,}/)).to.deep.equal([
        "http://127.0.0.1:9100",
        "up",
        "4 ms",
        "1/4",
        "118",
        "2",
        "3.0 GiB",
      ]);
      const storageDown = lines.find((l) => l.startsWith("http://127.0.0.1:1 "))!;
      expect(storageDown).to.include("down: ECONNREFUSED");
      expect(lines).to.include("epoch 7");
      const member = lines.find((l) => l.includes("0x00000000000000000000000000000000000000cc"))!;
      expect(member.split(/\s{2,}/)).to.deep.equal([
        "0",
        "0",
        "0x00000000000000000000000000000000000000cc",
        "1000",
        "1000",
        "http://127.0.0.1:9200",
        "up",
        "4 ms",
      ]);
    });

    it("says so when a kind has nothing to list", () => {
      const empty = { ...report(), compute: [], storage: [], da: { registry: "0x", epoch: "0", quorums: [] } };
      const text = renderServices(empty);
      expect(text).to.include("0 of 0 services up");
      expect(text).to.include("no compute services registered");
      expect(text).to.include("no storage nodes given");
      expect(text).to.include("epoch 0: no DA quorums");
    });
  });

  describe("probeHttpJson", () => {
    it("is up with the decoded body when the server answers JSON", async () => {
      const server = await serve((_req, _body, res) => json(res, 200, { model: "zg-tiny" }));
      try {
        const probe = await probeHttpJson<{ model: string }>(`${server.url}/v1/status`, 2000);
        expect(probe.health.state).to.equal("up");
        expect(probe.health.reason).to.equal(undefined);
        expect(probe.health.latencyMs).to.be.a("number").and.at.least(0);
        expect(probe.body).to.deep.equal({ model: "zg-tiny" });
      } finally {
        await server.close();
      }
    });

    it("is down with the status when the server answers an error", async () => {
      const server = await serve((_req, _body, res) => json(res, 503, { error: "starting" }));
      try {
        const probe = await probeHttpJson(`${server.url}/v1/status`, 2000);
        expect(probe.health.state).to.equal("down");
        expect(probe.health.reason).to.match(/^HTTP 503/);
        expect(probe.body).to.equal(undefined);
      } finally {
        await server.close();
      }
    });

    it("is down when the answer is not JSON", async () => {
      const server = await serve((_req, _body, res) => res.writeHead(200).end("<html>hello</html>"));
      try {
        const probe = await probeHttpJson(`${server.url}/v1/status`, 2000);
        expect(probe.health).to.include({ state: "down" });
        expect(probe.health.reason).to.include("not JSON");
      } finally {
        await server.close();
      }
    });

    it("is down with the timeout as the reason when the server never answers", async () => {
      const server = await serve(() => undefined);
      try {
        const probe = await probeHttpJson(`${server.url}/v1/status`, 150);
        expect(probe.health.state).to.equal("down");
        expect(probe.health.reason).to.equal("no answer within 150 ms");
      } finally {
        await server.close();
      }
    });

    it("is down with the socket error when nothing listens", async () => {
      const port = await freePort();
      const probe = await probeHttpJson(`http://127.0.0.1:${port}/v1/status`, 2000);
      expect(probe.health.state).to.equal("down");
      expect(probe.health.reason).to.include("ECONNREFUSED");
    });
  });

  describe("probeJsonRpc", () => {
    it("sends a JSON-RPC 2.0 call and is up with its result", async () => {
      const server = await serve((_req, body, res) => {
        const call = JSON.parse(body) as { jsonrpc: string; method: string; id: number };
        json(res, 200, { jsonrpc: call.jsonrpc, id: call.id, result: { method: call.method } });
      });
      try {
        const probe = await probeJsonRpc(server.url, "zgs_getShardConfig", [], 2000);
        expect(probe.health.state).to.equal("up");
        expect(probe.body).to.deep.equal({ method: "zgs_getShardConfig" });
      } finally {
        await server.close();
      }
    });

    it("is down with the node's message when it answers a JSON-RPC error", async () => {
      const server = await serve((_req, _body, res) =>
        json(res, 200, { jsonrpc: "2.0", id: 1, error: { code: -32601, message: "method not found" } }),
      );
      try {
        const probe = await probeJsonRpc(server.url, "zgs_getStatus", [], 2000);
        expect(probe.health.state).to.equal("down");
        expect(probe.health.reason).to.equal("zgs_getStatus refused: method not found (code -32601)");
      } finally {
        await server.close();
      }
    });
  });

  describe("probeStorageNode", () => {
    // A server speaking the two zgs_* calls as a node of chain 5 would answer them.
    const otherChain: Handler = (_req, body, res) => {
      const call = JSON.parse(body) as { method: string; id: number };
      const result =
        call.method === "zgs_getStatus"
          ? { logSyncHeight: 90, flowLength: 3, networkIdentity: { chainId: 5, flowAddress: "0x" } }
          : { shardId: 0, numShard: 2 };
      json(res, 200, { jsonrpc: "2.0", id: call.id, result });
    };

    it("reads shard, sync height and lag from a node of this chain", async () => {
      const server = await serve(otherChain);
      try {
        const record = await probeStorageNode(server.url, 5, 100, 2000);
        expect(record.health.state).to.equal("up");
        expect(record).to.include({ shardId: 0, numShard: 2, syncedHeight: 90, lagBlocks: 10, flowLength: 3 });
        expect(record.freeBytes).to.equal(null);
      } finally {
        await server.close();
      }
    });

    it("is down when the node serves another chain", async () => {
      const server = await serve(otherChain);
      try {
        const record = await probeStorageNode(server.url, 31337, 100, 2000);
        expect(record.health.state).to.equal("down");
        expect(record.health.reason).to.equal("serves chain 5, not 31337");
      } finally {
        await server.close();
      }
    });
  });
});
