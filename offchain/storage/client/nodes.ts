/** JSON-RPC calls to `zg storage-node` (0G's zgs_* API), as the client makes them. */
import http from "node:http";
import https from "node:https";
import { ZgError, errorText } from "../../common/errors";
import type { SegmentWithProofJson } from "../node/segments";

export type ClientErrorCode =
  | "STORAGE_NO_NODES"
  | "STORAGE_NODE_UNREACHABLE"
  | "STORAGE_NODE_REFUSED"
  | "STORAGE_FILE_UNKNOWN"
  | "STORAGE_DOWNLOAD_FAILED"
  | "STORAGE_NO_SIGNER"
  | "STORAGE_FILE_UNREADABLE"
  | "STORAGE_NOT_ENOUGH_SHARDS"
  | "STORAGE_BAD_ROOT";

export interface FileInfo {
  tx: {
    seq?: number;
    dataMerkleRoot: string;
    startEntryIndex?: number;
    size: number;
    sectors?: number;
    txHash?: string;
  };
  finalized: boolean;
  uploadedSegNum: number;
  segments: number;
  shardSegments: number;
}

export interface ShardConfig {
  shardId: number;
  numShard: number;
}

/** An answer that came back with a JSON-RPC error: the node is up but refused. */
export class NodeRefused extends Error {
  constructor(
    readonly url: string,
    readonly code: number,
    readonly errorName: string | undefined,
    message: string,
  ) {
    super(`${url}: ${message}`);
  }
}

/** One storage node's API. Network failures throw ZgError STORAGE_NODE_UNREACHABLE, refusals NodeRefused. */
export class NodeClient {
  /** False once the node answered 404 to `POST /segments` (a node without the binary route): JSON-RPC then. */
  binaryUploads = true;
  /** The same for `GET /segments/<root>/<index>`. */
  binaryDownloads = true;
  // Frames go through node:http, which writes the buffer to the socket as is (fetch copies every request body).
  // Idle keep-alive sockets are unref'd by the agent: they never hold the process open.
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  constructor(
    readonly url: string,
    readonly timeoutMs = 30_000,
  ) {}

  call<T>(method: string, params: unknown[] = []): Promise<T> {
    return this.send<T>(method, requestBody(method, params));
  }

  /** Sends a request body built once by `requestBody` (the same bytes can go to several nodes). */
  async send<T>(method: string, request: string, raw = false): Promise<T> {
    let body: { result?: unknown; error?: { code: number; message: string; data?: { name?: string } } };
    try {
      const res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: request,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      body = (await res.json()) as typeof body;
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
      throw new ZgError<ClientErrorCode>(
        "STORAGE_NODE_UNREACHABLE",
        `storage node ${this.url} did not answer ${method}: ${errorText(cause)}`,
        {
          hint: "start the node or leave it out of --nodes",
          cause: err,
        },
      );
    }
    if (raw) return body as T;
    if (body.error) throw new NodeRefused(this.url, body.error.code, body.error.data?.name, body.error.message);
    return body.result as T;
  }

  /**
   * Sends a segment frame (frame.ts: its parts in order, as `frameParts` gives them) to `POST /segments`. Returns
   * false, and stops trying, when the node has no such route; refusals throw NodeRefused like a JSON-RPC error.
   */
  async sendFrame(frame: Uint8Array[]): Promise<boolean> {
    const answer = await this.binary("segments", "POST", frame, "did not take a segment upload");
    if (answer.status === 404) {
      this.binaryUploads = false;
      return false;
    }
    this.refusal(answer);
    return true;
  }

  /**
   * The frame of segment `index` of `root` with its proof, from `GET /segments/<root>/<index>` (unchecked: the
   * caller decodes and checks it); null when the node does not hold it, undefined (and no more tries) when the node
   * has no such route.
   */
  async downloadFrame(root: string, index: number): Promise<Buffer | null | undefined> {
    const answer = await this.binary(`segments/${root}/${index}`, "GET", undefined, "did not serve a segment");
    if (answer.status === 404) {
      this.binaryDownloads = false;
      return undefined;
    }
    if (answer.status === 204) return null;
    this.refusal(answer);
    return answer.body;
  }

  private async binary(route: string, method: "GET" | "POST", body: Uint8Array[] | undefined, what: string) {
    try {
      const base = this.url.endsWith("/") ? this.url : `${this.url}/`;
      return await httpBytes(new URL(route, base), method, body, this.agent, this.timeoutMs);
    } catch (err) {
      throw new ZgError<ClientErrorCode>(
        "STORAGE_NODE_UNREACHABLE",
        `storage node ${this.url} ${what}: ${errorText(err)}`,
        {
          hint: "start the node or leave it out of --nodes",
          cause: err,
        },
      );
    }
  }

  /** Throws NodeRefused for a JSON-RPC error body or any other status than 200. */
  private refusal(answer: { status: number; body: Buffer }): void {
    const json = answer.body.subarray(0, 1).toString() === "{";
    if (answer.status === 200 && !json) return;
    let parsed: { error?: { code: number; message: string; data?: { name?: string } } } = {};
    try {
      parsed = JSON.parse(answer.body.toString("utf8")) as typeof parsed;
    } catch {
      // not JSON: reported by status below
    }
    if (parsed.error) throw new NodeRefused(this.url, parsed.error.code, parsed.error.data?.name, parsed.error.message);
    if (answer.status !== 200) {
      const text = answer.body.toString("utf8").slice(0, 200);
      throw new NodeRefused(this.url, answer.status, undefined, `HTTP ${answer.status}: ${text}`);
    }
  }

  /** Which of a file's segments the node holds: one JSON-RPC batch of 1-sector `zgs_downloadSegment` probes. */
  async heldSegments(root: string, indexes: number[]): Promise<Set<number>> {
    const held = new Set<number>();
    for (let i = 0; i < indexes.length; i += 256) {
      const chunk = indexes.slice(i, i + 256);
      const body = JSON.stringify(
        chunk.map((index) => ({
          jsonrpc: "2.0",
          id: index,
          method: "zgs_downloadSegment",
          params: [root, index * 1024, index * 1024 + 1],
        })),
      );
      const answers = await this.send<unknown>("batch", body, true);
      if (!Array.isArray(answers)) continue;
      for (const a of answers as { id?: unknown; result?: unknown }[]) {
        if (typeof a.id === "number" && typeof a.result === "string") held.add(a.id);
      }
    }
    return held;
  }

  fileInfo(root: string) {
    return this.call<FileInfo | null>("zgs_getFileInfo", [root]);
  }
  shardConfig() {
    return this.call<ShardConfig>("zgs_getShardConfig");
  }
  finalized(root: string) {
    return this.call<boolean | null>("zgs_checkFileFinalized", [root]);
  }
  uploadSegments(segments: SegmentWithProofJson[]) {
    return this.call<null>("zgs_uploadSegments", [segments]);
  }
  downloadSegmentWithProof(root: string, index: number) {
    return this.call<SegmentWithProofJson | null>("zgs_downloadSegmentWithProof", [root, index]);
  }
}

/**
 * One HTTP request with an optional byte body, given in parts (written corked: one writev, no joined copy);
 * resolves with the status and the body's bytes.
 */
function httpBytes(
  url: URL,
  method: "GET" | "POST",
  body: Uint8Array[] | undefined,
  agent: http.Agent,
  timeoutMs: number,
) {
  return new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    const secure = url.protocol === "https:";
    const headers = body
      ? { "content-type": "application/octet-stream", "content-length": body.reduce((n, part) => n + part.length, 0) }
      : ({} as Record<string, string>);
    const req = (secure ? https : http).request(
      url,
      { method, headers, agent: secure ? undefined : agent, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.cork();
    for (const part of body ?? []) req.write(part);
    req.uncork();
    req.end();
  });
}

/** A JSON-RPC 2.0 request body. */
export function requestBody(method: string, params: unknown[]): string {
  return JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
}

/** Parses `--nodes url1,url2`: ZgError STORAGE_NO_NODES when empty. */
export function nodeClients(urls: string[], timeoutMs?: number): NodeClient[] {
  const clean = [...new Set(urls.map((u) => u.trim()).filter((u) => u.length > 0))];
  if (clean.length === 0) {
    throw new ZgError<ClientErrorCode>("STORAGE_NO_NODES", "no storage nodes given", {
      hint: "pass --nodes http://host:port[,http://host:port...] (the URLs `zg storage-node` prints)",
    });
  }
  return clean.map((u) => new NodeClient(u, timeoutMs));
}

/** The flow segment a file segment lands on, and whether a node's shard keeps it. */
export function nodeKeeps(shard: ShardConfig, startPos: number, index: number): boolean {
  return (Math.floor(startPos / 1024) + index) % shard.numShard === shard.shardId;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
