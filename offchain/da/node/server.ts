/**
 * The signer's HTTP API (fastify): POST /v1/rows takes a blob's rows and answers with a BLS signature,
 * GET /v1/rows/:dataRoot/:epoch/:quorumId serves what it holds, GET /v1/status says who it is. Every error is
 * `{ error: { code, message } }` with a status that says whose fault it was.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import type { Logger } from "../../common/logger";
import {
  blobIdSchema,
  storeRowsRequestSchema,
  type DaApiErrorCode,
  type RowsResponse,
  type StoreRowsResponse,
} from "../protocol";
import type { SignerMetrics } from "./metrics";
import { DaRequestError } from "./rows";
import type { SignerStore } from "./store";

const STATUS: Record<DaApiErrorCode, number> = {
  BAD_REQUEST: 400,
  TOO_LARGE: 413,
  NOT_PAID: 402,
  NOT_MEMBER: 403,
  NOT_ASSIGNED: 422,
  BAD_SHAPE: 422,
  BAD_ROOT: 422,
  BAD_INCLUSION: 422,
  BAD_DEGREE: 422,
  BAD_COMMITMENT: 422,
  CONFLICT: 409,
  NOT_FOUND: 404,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ServerDeps {
  store: SignerStore;
  metrics: SignerMetrics;
  logger: Logger;
  storeRows(body: ReturnType<typeof storeRowsRequestSchema.parse>): Promise<StoreRowsResponse>;
  status(): Promise<Record<string, unknown>>;
}

function send(reply: FastifyReply, code: DaApiErrorCode, message: string) {
  return reply.code(STATUS[code]).send({ error: { code, message } });
}

export function buildSignerServer(deps: ServerDeps, maxRequestBytes: number): FastifyInstance {
  const { store, metrics, logger } = deps;
  const app = Fastify({ bodyLimit: maxRequestBytes, logger: false });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof DaRequestError) {
      metrics.refused.inc({ code: err.code });
      return send(reply, err.code, err.message);
    }
    if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      metrics.refused.inc({ code: "TOO_LARGE" });
      return send(reply, "TOO_LARGE", `the body is over ${maxRequestBytes} bytes; send fewer rows per request`);
    }
    if (err.statusCode && err.statusCode < 500) {
      metrics.refused.inc({ code: "BAD_REQUEST" });
      return send(reply, "BAD_REQUEST", err.message);
    }
    logger.error({ err }, "request failed");
    return send(reply, "INTERNAL", "the signer failed to handle the request; see its log");
  });
  app.setNotFoundHandler((req, reply) => send(reply, "NOT_FOUND", `no route ${req.method} ${req.url}`));
  app.addHook("onResponse", async (req, reply) => {
    metrics.requestSeconds.observe({ route: req.routeOptions.url ?? "none" }, reply.elapsedTime / 1000);
  });

  app.post("/v1/rows", async (req) => {
    const parsed = storeRowsRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DaRequestError("BAD_REQUEST", `${issue.path.join(".") || "body"}: ${issue.message}`);
    }
    const answer = await deps.storeRows(parsed.data);
    metrics.blobsSigned.inc();
    metrics.rowsStored.inc(parsed.data.rows.length);
    logger.info({ blob: parsed.data.blob, rows: answer.stored }, "rows stored and signed");
    return answer;
  });

  app.get("/v1/rows/:dataRoot/:epoch/:quorumId", async (req, reply) => {
    const parsed = blobIdSchema.safeParse(req.params);
    if (!parsed.success) throw new DaRequestError("BAD_REQUEST", parsed.error.issues[0].message);
    const blob = await store.getBlob(parsed.data);
    if (!blob) return send(reply, "NOT_FOUND", "this signer holds no rows of that blob");
    const rows = await store.getRows(parsed.data, blob.rows);
    const answer: RowsResponse = {
      blob: blob.blob,
      shape: blob.shape,
      rowsRoot: blob.rowsRoot,
      commitment: blob.commitment,
      degreeProof: blob.degreeProof,
      rows,
    };
    return answer;
  });

  app.get("/v1/status", async () => deps.status());
  return app;
}
