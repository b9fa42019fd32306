/**
 * One OpenAI generation request from admission to bill: session, body, model, receipts, balance, generation,
 * bill, answer (JSON or SSE). A client that disconnects aborts generation; what was produced is still billed.
 */
import crypto from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { Backend, GenerateOptions, Generation } from "../backend/types";
import {
  apiErrors,
  type Bill,
  BillError,
  billJson,
  ComputeApiError,
  decodeReceiptsHeader,
  encodeBill,
  worstCaseFee,
  ZG_HEADERS,
} from "../core";
import type { AgentRun, AgentServing } from "./agents";
import type { Billing } from "./billing";
import {
  chatMessages,
  chatRequestSchema,
  completionRequestSchema,
  promptText,
  stopList,
  type ChatRequest,
  type CompletionRequest,
} from "./schemas";

export type RequestKind = "chat" | "completion";

export interface InferenceDeps {
  backend: Backend;
  billing: Billing;
  defaultMaxTokens: number;
  /** Agents (`model: "agent:<tokenId>"`) this broker runs, when its executor is configured. */
  agents?: AgentServing;
}

/** The raw body bytes (the request hash covers exactly what the client sent). */
export type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

/** Parses with zod; the first issue becomes a 400 naming its param. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue.path.map(String).join(".") || null;
  throw apiErrors.invalidRequest(`${param ?? "body"}: ${issue.message}`, param);
}

/** X-ZG-Receipts on any authenticated request: verified (all or none) and attached before anything else. */
export async function receiptsFromHeader(billing: Billing, user: string, header: string | string[] | undefined) {
  if (header === undefined) return;
  try {
    const sigs = decodeReceiptsHeader(Array.isArray(header) ? header.join("") : header);
    if (sigs.length) await billing.acceptReceipts(user, sigs);
  } catch (err) {
    if (err instanceof BillError) throw apiErrors.invalidRequest(`X-ZG-Receipts: ${err.message}`, "X-ZG-Receipts");
    throw err;
  }
}

export async function serveGeneration(
  kind: RequestKind,
  deps: InferenceDeps,
  req: RawBodyRequest,
  reply: FastifyReply,
) {
  const { backend, billing } = deps;
  const session = billing.authenticate(req.headers.authorization);
  const body = kind === "chat" ? parseBody(chatRequestSchema, req.body) : parseBody(completionRequestSchema, req.body);
  let agent: AgentRun | undefined;
  if (deps.agents && body.model.startsWith("agent:")) {
    if (kind !== "chat") throw apiErrors.invalidRequest("agents answer chat completions only", "model");
    agent = await deps.agents.admit(body.model, session.user);
  } else if (body.model !== backend.model) {
    throw apiErrors.notFound(
      `the model '${body.model}' does not exist here; this provider serves '${backend.model}'`,
      "model",
    );
  }
  await receiptsFromHeader(billing, session.user, req.headers[ZG_HEADERS.receipts]);
  const prices = await billing.prices();

  // An agent's system prompt comes first; the bill's request hash still covers exactly what the client sent.
  const chat =
    kind === "chat"
      ? [
          ...(agent ? [{ role: "system" as const, content: agent.manifest.systemPrompt }] : []),
          ...chatMessages(body as ChatRequest),
        ]
      : undefined;
  const prompt = kind === "completion" ? promptText(body as CompletionRequest) : undefined;
  // The prompt's size before the chat template (a few tokens per message short of it): enough to bound the cost.
  const inputEstimate = chat
    ? (await backend.countTokens(chat.map((m) => m.content).join("\n"))) + 4 * chat.length
    : await backend.countTokens(prompt ?? "");
  const requested =
    (body as ChatRequest).max_completion_tokens ??
    body.max_tokens ??
    agent?.manifest.maxTokens ??
    deps.defaultMaxTokens;
  if (inputEstimate >= backend.contextSize) {
    throw apiErrors.invalidRequest(
      `the prompt is about ${inputEstimate} tokens; this model's context is ${backend.contextSize} tokens`,
      kind === "chat" ? "messages" : "prompt",
      "context_length_exceeded",
    );
  }
  const maxTokens = Math.min(requested, backend.contextSize - inputEstimate);
  const worstCase = worstCaseFee(inputEstimate, maxTokens, prices);
  await billing.admit(session.user, worstCase);

  const abort = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) abort.abort();
  };
  reply.raw.on("close", onClose);
  const options: GenerateOptions = {
    maxTokens,
    temperature: body.temperature ?? agent?.manifest.temperature ?? 1,
    topP: body.top_p ?? undefined,
    seed: body.seed ?? undefined,
    stop: stopList(body.stop),
    signal: abort.signal,
  };
  const run = (onText?: (delta: string) => void): Promise<Generation> =>
    chat ? backend.chat(chat, options, onText) : backend.complete(prompt ?? "", options, onText);
  const raw = req.rawBody ?? Buffer.from(JSON.stringify(req.body ?? {}));
  const answer = new Answer(kind, agent ? agent.model : backend.model);
  try {
    if (!body.stream) {
      const gen = await run().catch((err: unknown) => {
        throw asApiError(err);
      });
      const bill = await billing.bill(session.user, raw, gen, prices);
      const signature = await billing.sign(bill);
      reply.header("X-ZG-Bill", encodeBill(bill));
      reply.header("X-ZG-Bill-Signature", signature);
      return answer.json(gen, bill, signature);
    }
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const send = (chunk: unknown) => {
      if (!out.destroyed) out.write(`data: ${JSON.stringify(chunk)}\n\n`);
    };
    if (kind === "chat") send(answer.chunk({ role: "assistant", content: "" }, null));
    let gen: Generation;
    try {
      gen = await run((delta) => send(answer.chunk(kind === "chat" ? { content: delta } : delta, null)));
    } catch (err) {
      send(asApiError(err).toJSON());
      out.end("data: [DONE]\n\n");
      return;
    }
    const bill = await billing.bill(session.user, raw, gen, prices);
    const signature = await billing.sign(bill);
    send(answer.chunk(kind === "chat" ? {} : "", gen.finishReason === "length" ? "length" : "stop"));
    send(answer.last(gen, bill, signature));
    out.end("data: [DONE]\n\n");
  } finally {
    reply.raw.off("close", onClose);
    billing.release(session.user, worstCase);
  }
}

/** A backend failure as the client sees it: a prompt over the context is the client's 400, the rest a 500. */
function asApiError(err: unknown): ComputeApiError {
  if (err instanceof ComputeApiError) return err;
  const e = err as Error & { promptTokens?: number };
  if (e.name === "ContextOverflowError") {
    return apiErrors.invalidRequest(e.message, "messages", "context_length_exceeded");
  }
  return apiErrors.server(`generation failed: ${e.message}`);
}

/** The OpenAI response objects of one request. */
class Answer {
  readonly id: string;
  readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private readonly kind: RequestKind,
    private readonly model: string,
  ) {
    this.id = `${kind === "chat" ? "chatcmpl" : "cmpl"}-${crypto.randomBytes(12).toString("hex")}`;
  }

  private usage(gen: Generation) {
    return {
      prompt_tokens: gen.inputTokens,
      completion_tokens: gen.outputTokens,
      total_tokens: gen.inputTokens + gen.outputTokens,
    };
  }

  private head(object: string) {
    return { id: this.id, object, created: this.created, model: this.model };
  }

  json(gen: Generation, bill: Bill, signature: string) {
    const finish = gen.finishReason === "length" ? "length" : "stop";
    const choice =
      this.kind === "chat"
        ? { index: 0, message: { role: "assistant", content: gen.text }, finish_reason: finish, logprobs: null }
        : { index: 0, text: gen.text, finish_reason: finish, logprobs: null };
    const object = this.kind === "chat" ? "chat.completion" : "text_completion";
    return {
      ...this.head(object),
      choices: [choice],
      usage: this.usage(gen),
      zg_bill: billJson(bill),
      zg_bill_signature: signature,
    };
  }

  chunk(delta: Record<string, string> | string, finish: string | null) {
    const choice =
      typeof delta === "string"
        ? { index: 0, text: delta, finish_reason: finish, logprobs: null }
        : { index: 0, delta, finish_reason: finish, logprobs: null };
    return { ...this.head(this.kind === "chat" ? "chat.completion.chunk" : "text_completion"), choices: [choice] };
  }

  /** The last chunk before [DONE]: OpenAI's usage chunk (no choices) carrying the bill and its signature. */
  last(gen: Generation, bill: Bill, signature: string) {
    const object = this.kind === "chat" ? "chat.completion.chunk" : "text_completion";
    return {
      ...this.head(object),
      choices: [],
      usage: this.usage(gen),
      zg_bill: billJson(bill),
      zg_bill_signature: signature,
    };
  }
}
