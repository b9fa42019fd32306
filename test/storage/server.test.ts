import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { z } from "zod";
import { createLogger } from "../../offchain/common/logger";
import { createMetricsRegistry, MetricsFactory } from "../../offchain/common/metrics";
import { createStorageNodeMetrics } from "../../offchain/storage/node/metrics";
import { buildRpcServer } from "../../offchain/storage/node/server";

const KiB = 1024;
const LIMIT = 256 * KiB;

interface Sent {
  status: number;
  connection: string | undefined;
  text: string;
  /** Whether the whole body was written before the connection closed. */
  whole: boolean;
}

/**
 * POSTs a chunked body (no content-length): `before` bytes, then waits for the answer, then `after` more bytes.
 * A server that closed the socket on refusing would fail these later writes.
 */
function sendChunked(url: string, path: string, type: string, before: number, after: number): Promise<Sent> {
  return new Promise((resolve) => {
    const agent = new http.Agent({ keepAlive: true });
    const req = http.request(`${url}${path}`, { method: "POST", agent, headers: { "content-type": type } });
    let answer: Omit<Sent, "whole"> | undefined;
    let whole = false;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      agent.destroy();
      resolve({ ...answer!, whole });
    };
    // A write into a socket the server closed fails (EPIPE, ECONNRESET), or the request just closes.
    req.on("error", finish);
    req.on("close", finish);
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => {
        answer = { status: res.statusCode!, connection: res.headers.connection, text };
        // The rest of the body, in pieces, each written only once the last one left.
        let left = after;
        const next = () => {
          if (left <= 0) {
            return req.end(() => {
              whole = true;
              setTimeout(finish, 50);
            });
          }
          const piece = Math.min(16 * KiB, left);
          left -= piece;
          req.write(Buffer.alloc(piece, 2), () => setImmediate(next));
        };
        next();
      });
    });
    req.write(Buffer.alloc(before, 1));
  });
}

describe("[offchain] storage node RPC server: bodies over the limit", function () {
  let server: ReturnType<typeof buildRpcServer>;
  let url: string;
  let frames = 0;

  before(async function () {
    const metrics = createStorageNodeMetrics(new MetricsFactory(createMetricsRegistry({ processMetrics: false })));
    const methods = { zgs_echo: { params: z.array(z.unknown()), handler: async (params: unknown[]) => params } };
    server = buildRpcServer(
      methods,
      { metrics, logger: createLogger({ level: "fatal" }), maxRequestBytes: LIMIT, namespace: "zgs" },
      [{ path: "/frames", method: "frame", handler: async () => ({ stored: ++frames }) }],
    );
    await server.listen({ host: "127.0.0.1", port: 0 });
    url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });

  after(async function () {
    await server?.close();
  });

  for (const [what, path, type] of [
    ["a frame", "/frames", "application/octet-stream"],
    ["a JSON-RPC call", "/", "application/json"],
  ] as const) {
    it(`answers ${what} that crosses the limit while arriving with 413, and reads the rest so the client gets it`, async function () {
      const sent = await sendChunked(url, path, type, LIMIT + 16 * KiB, LIMIT / 2);
      expect(sent.whole, "the client's writes after the answer succeed").to.equal(true);
      expect(sent.status).to.equal(413);
      expect(JSON.parse(sent.text).error.code).to.equal(-32000);
      expect(sent.connection, "the connection stays usable").to.not.equal("close");
    });
  }

  it("closes the connection when the rest of a refused body goes on past another limit's worth", async function () {
    const sent = await sendChunked(url, "/frames", "application/octet-stream", LIMIT + 16 * KiB, 4 * LIMIT);
    expect(sent.status).to.equal(413);
    expect(sent.whole, "the connection closed before the body's end").to.equal(false);
  });

  it("still takes bodies under the limit on the same server, and never ran the route for a refused one", async function () {
    const before = frames;
    const res = await fetch(`${url}/frames`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: Buffer.alloc(LIMIT, 3),
    });
    expect(((await res.json()) as { result: unknown }).result).to.deep.equal({ stored: before + 1 });
    expect(before, "no refused frame reached the route").to.equal(0);
  });
});
