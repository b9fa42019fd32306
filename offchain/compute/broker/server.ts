/**
 * The broker's HTTP API (fastify), OpenAI-compatible: /v1/models, /v1/chat/completions, /v1/completions, plus
 * /v1/bills and /v1/receipts (the receipt protocol), /v1/status and /metrics. Every error has OpenAI's shape.
 */
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { Logger } from "../../common/logger";
import type { Backend } from "../backend/types";
import { apiErrors, BillError, billJson, ComputeApiError, openAIError, parseBillSignatures } from "../core";
import type { AgentExecutor } from "./agents";
import { registerAgentRoutes } from "./agents/setup";
import type { Billing } from "./billing";
import { parseBody, receiptsFromHeader, serveGeneration, type RawBodyRequest } from "./inference";
import type { BrokerMetrics } from "./metrics";
import { receiptsRequestSchema } from "./schemas";

export interface ServerDeps {
  backend: Backend;
  billing: Billing;
  metrics: BrokerMetrics;
  registry: Registry;
  logger: Logger;
  provider: string;
  defaultMaxTokens: number;
  maxRequestBytes: number;
  /** The agent executor, when agents.executorKeyFile is set. */
  agents?: AgentExecutor;
  status(): Promise<Record<string, unknown>>;
}

export function buildBrokerServer(deps: ServerDeps): FastifyInstance {
  const { backend, billing, metrics, logger } = deps;
  const app = Fastify({ bodyLimit: deps.maxRequestBytes, logger: false });

  // Keep the exact bytes: the bill's request hash covers what the client sent, not a re-serialization.
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (req, body, done) => {
    (req as RawBodyRequest).rawBody = body as Buffer;
    if ((body as Buffer).length === 0) return done(null, {});
    try {
      done(null, JSON.parse((body as Buffer).toString("utf8")));
    } catch (err) {
      done(apiErrors.invalidRequest(`the body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    let e: ComputeApiError;
    if (err instanceof ComputeApiError) e = err;
    else if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      e = apiErrors.tooLarge(`the body is over ${deps.maxRequestBytes} bytes; send a shorter prompt`);
    } else if (err.statusCode === 415) e = apiErrors.invalidRequest("send the body as application/json");
    else if (err.statusCode && err.statusCode < 500) e = apiErrors.invalidRequest(err.message);
    else {
      logger.error({ err }, "request failed");
      e = apiErrors.server("the provider failed to handle the request; see its log");
    }
    metrics.refused.inc({ code: e.code ?? e.type });
    return reply.code(e.status).send(e.toJSON());
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(openAIError(`no route ${req.method} ${req.url}`, "invalid_request_error", "unknown_url")),
  );
  // On the socket's close, so streamed (hijacked) answers are counted too.
  app.addHook("onRequest", async (req, reply) => {
    const started = performance.now();
    reply.raw.once("close", () => {
      const route = req.routeOptions.url ?? "none";
      metrics.requests.inc({ route, status: String(reply.raw.statusCode) });
      metrics.requestSeconds.observe({ route }, (performance.now() - started) / 1000);
    });
  });

  const inference = { backend, billing, defaultMaxTokens: deps.defaultMaxTokens, agents: deps.agents };
  app.post("/v1/chat/completions", (req, reply) => serveGeneration("chat", inference, req, reply));
  app.post("/v1/completions", (req, reply) => serveGeneration("completion", inference, req, reply));

  app.get("/v1/models", async () => ({
    object: "list",
    data: [backend.model, ...(deps.agents?.models() ?? [])].map((id) => ({
      id,
      object: "model",
      created: 0,
      owned_by: deps.provider,
    })),
  }));
  if (deps.agents) registerAgentRoutes(app, deps.agents, billing);

  app.get("/v1/bills", async (req) => {
    const session = billing.authenticate(req.headers.authorization);
    await receiptsFromHeader(billing, session.user, req.headers["x-zg-receipts"]);
    const bills = await billing.unsignedBills(session.user);
    return {
      object: "list",
      data: bills.map(billJson),
      unsignedFee: bills.reduce((s, b) => s + b.fee, 0n).toString(),
    };
  });

  app.post("/v1/receipts", async (req) => {
    const session = billing.authenticate(req.headers.authorization);
    const body = parseBody(receiptsRequestSchema, req.body);
    let sigs;
    try {
      sigs = parseBillSignatures(body.receipts);
    } catch (err) {
      if (err instanceof BillError) throw apiErrors.invalidRequest(err.message, "receipts");
      throw err;
    }
    const accepted = await billing.acceptReceipts(session.user, sigs);
    const left = await billing.unsignedBills(session.user);
    return { accepted, unsigned: left.length, unsignedFee: left.reduce((s, b) => s + b.fee, 0n).toString() };
  });

  app.get("/v1/status", async () => deps.status());

  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", deps.registry.contentType);
    return deps.registry.metrics();
  });
  return app;
}
