/**
 * JSON-RPC 2.0 over HTTP POST / (fastify), single calls or batches. Bodies are parsed here, not by fastify, so
 * malformed JSON is a JSON-RPC parse error like any other; every failure is `{jsonrpc, id, error: {code, message,
 * data: {name}}}` with a stable code. HTTP status is 200 for every JSON-RPC answer, 413 for an oversized body.
 */
import type { IncomingMessage } from "node:http";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { z } from "zod";
import type { Logger } from "../../common/logger";
import { BodyBuffers, dropRest } from "./bodies";
import { RpcError } from "./errors";
import type { StorageNodeMetrics } from "./metrics";
import { YoungCollector } from "./youngGc";

export interface RpcMethod {
  /** Positional params, as 0G's clients send them. */
  params: z.ZodType<unknown[]>;
  handler(params: unknown[]): Promise<unknown>;
}

export type RpcMethods = Record<string, RpcMethod>;

/** A POST route whose body is binary (not JSON-RPC); it answers like a JSON-RPC call with id null. */
export interface BinaryRoute {
  path: string;
  /** The name its latency and refusals are recorded under. */
  method: string;
  handler(body: Buffer): Promise<unknown>;
}

/**
 * A GET route answering bytes: 200 with `application/octet-stream`, 204 when there is nothing (null), or a refusal
 * as a JSON-RPC error body with HTTP 400.
 */
export interface BinaryGetRoute {
  path: string;
  method: string;
  handler(params: Record<string, string>): Promise<Uint8Array | null>;
}

/** Free body buffers a server keeps: a few frames in flight from each of a few clients. */
const KEEP_BODY_BYTES = 32 * 1024 * 1024;
/** Body bytes between two minor collections (youngGc.ts): in the 4-node benchmark 16 MiB left the mark-compacts. */
const YOUNG_GC_BYTES = 4 * 1024 * 1024;

const requestSchema = z.object({
  jsonrpc: z.literal("2.0"),
  id: z.union([z.string(), z.number(), z.null()]).optional(),
  method: z.string().min(1),
  params: z.array(z.unknown()).optional(),
});

interface Answer {
  jsonrpc: "2.0";
  id: string | number | null;
  result?: unknown;
  error?: ReturnType<RpcError["toJson"]>;
}

export function buildRpcServer(
  methods: RpcMethods,
  deps: { metrics: StorageNodeMetrics; logger: Logger; maxRequestBytes: number; namespace: string },
  binary: BinaryRoute[] = [],
  binaryGets: BinaryGetRoute[] = [],
): FastifyInstance {
  const { metrics, logger, maxRequestBytes } = deps;
  const app = Fastify({ bodyLimit: maxRequestBytes, logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  // Segment frames, the bulk of what a node reads, go into reused buffers; a route gives its body back when done.
  const bodies = new BodyBuffers(KEEP_BODY_BYTES);
  const young = new YoungCollector(YOUNG_GC_BYTES);
  app.addContentTypeParser("application/octet-stream", (req: FastifyRequest, payload: IncomingMessage) => {
    const declared = Number.parseInt(req.headers["content-length"] ?? "", 10);
    return bodies.read(payload, Number.isNaN(declared) ? undefined : declared, maxRequestBytes);
  });
  /** A route is done with its body: the buffer goes back, and its bytes count toward the next minor collection. */
  const doneWith = (body: unknown) => {
    bodies.release(body);
    young.received(body instanceof Uint8Array ? body.length : 0);
  };

  const refuse = (id: Answer["id"], err: RpcError): Answer => {
    metrics.refused.inc({ code: err.errorName });
    return { jsonrpc: "2.0", id, error: err.toJson() };
  };

  async function answer(method: string, id: Answer["id"], run: () => Promise<unknown>): Promise<Answer> {
    const started = performance.now();
    try {
      return { jsonrpc: "2.0", id, result: (await run()) ?? null };
    } catch (err) {
      if (err instanceof RpcError) return refuse(id, err);
      logger.error({ err, method }, "JSON-RPC call failed");
      return refuse(id, new RpcError("INTERNAL", `${method} failed inside the node; see its log`));
    } finally {
      metrics.rpcSeconds.observe({ method }, (performance.now() - started) / 1000);
    }
  }

  async function call(raw: unknown): Promise<Answer> {
    const req = requestSchema.safeParse(raw);
    const id = (raw as { id?: unknown } | null)?.id;
    const safeId = typeof id === "string" || typeof id === "number" ? id : null;
    if (!req.success) {
      const issue = req.error.issues[0];
      return refuse(
        safeId,
        new RpcError(
          "INVALID_REQUEST",
          `not a JSON-RPC 2.0 request: ${issue.path.join(".") || "body"}: ${issue.message} (send {"jsonrpc":"2.0","id":1,"method":"zgs_getStatus","params":[]})`,
        ),
      );
    }
    const method = Object.hasOwn(methods, req.data.method) ? methods[req.data.method] : undefined;
    if (!method) {
      return refuse(
        safeId,
        new RpcError(
          "METHOD_NOT_FOUND",
          `no method ${req.data.method} on this server (it serves: ${Object.keys(methods).join(", ")})`,
        ),
      );
    }
    return answer(req.data.method, safeId, async () => {
      const params = method.params.safeParse(req.data.params ?? []);
      if (!params.success) {
        const issue = params.error.issues[0];
        throw new RpcError("INVALID_PARAMS", `${req.data.method} params[${issue.path.join(".")}]: ${issue.message}`);
      }
      return method.handler(params.data);
    });
  }

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      // Fastify closes the connection after a refused body. One refused from its length alone was never read, and
      // stays so; one refused part way through is read to its end (up to a bound), so the client still sending it
      // gets this answer rather than a broken pipe.
      if (req.headers["content-length"] === undefined) {
        reply.removeHeader("connection");
        if (!req.raw.complete) dropRest(req.raw, maxRequestBytes);
      }
      const refusal = refuse(
        null,
        new RpcError("TOO_LARGE", `the body is over ${maxRequestBytes} bytes: send fewer segments per request`),
      );
      return reply.code(413).send(refusal);
    }
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send(refuse(null, new RpcError("INVALID_REQUEST", err.message)));
    }
    logger.error({ err }, "request failed");
    return reply.code(500).send(refuse(null, new RpcError("INTERNAL", "the node failed to handle the request")));
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send(refuse(null, new RpcError("INVALID_REQUEST", `no route ${req.method} ${req.url}: JSON-RPC is at POST /`))),
  );

  app.post("/", async (req) => {
    const body = req.body as Buffer | undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse((body ?? Buffer.alloc(0)).toString("utf8"));
    } catch (err) {
      return refuse(null, new RpcError("PARSE_ERROR", `the body is not valid JSON: ${(err as Error).message}`));
    } finally {
      doneWith(body);
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) return refuse(null, new RpcError("INVALID_REQUEST", "an empty batch"));
      const answers: Answer[] = [];
      for (const one of parsed) answers.push(await call(one));
      return answers;
    }
    return call(parsed);
  });
  for (const route of binaryGets) {
    app.get(route.path, async (req, reply) => {
      let bytes: Uint8Array | null = null;
      const answered = await answer(route.method, null, async () => {
        bytes = await route.handler(req.params as Record<string, string>);
      });
      if (answered.error) return reply.code(400).send(answered);
      if (bytes === null) return reply.code(204).send();
      return reply.type("application/octet-stream").send(Buffer.from(bytes as Uint8Array));
    });
  }
  for (const route of binary) {
    app.post(route.path, async (req) => {
      try {
        return await answer(route.method, null, () =>
          route.handler((req.body as Buffer | undefined) ?? Buffer.alloc(0)),
        );
      } finally {
        doneWith(req.body);
      }
    });
  }
  return app;
}
