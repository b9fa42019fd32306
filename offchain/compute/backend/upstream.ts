/**
 * A Backend that forwards to any OpenAI-compatible server (vLLM, llama.cpp server, another zg broker). Token
 * counts come from the upstream's `usage`, which these servers compute with the model's own tokenizer; a
 * streamed request asks for it with `stream_options.include_usage`.
 */
import type { Backend, ChatMessage, GenerateOptions, Generation } from "./types";

export interface UpstreamOptions {
  /** Base URL that ends before /chat/completions, e.g. http://127.0.0.1:8000/v1. */
  baseUrl: string;
  apiKey?: string;
  /** Model id to ask the upstream for; its first /models entry when unset. */
  model?: string;
  /** Context size when the upstream does not report one (vLLM reports max_model_len). */
  contextSize?: number;
  timeoutMs?: number;
}

export class UpstreamError extends Error {
  override name = "UpstreamError";
}

interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

interface UpstreamChunk {
  choices?: { delta?: { content?: string | null }; text?: string; finish_reason?: string | null }[];
  usage?: Usage | null;
}

interface UpstreamAnswer {
  choices?: { message?: { content?: string | null }; text?: string; finish_reason?: string | null }[];
  usage?: Usage;
}

export class UpstreamBackend implements Backend {
  private constructor(
    private readonly opts: UpstreamOptions,
    readonly model: string,
    readonly contextSize: number,
  ) {}

  /** Connects: reads /models to learn (or check) the model id and its context size. */
  static async open(opts: UpstreamOptions): Promise<UpstreamBackend> {
    const base = opts.baseUrl.replace(/\/+$/, "");
    const self = { ...opts, baseUrl: base };
    const res = await request(self, "GET", "/models");
    const list = ((await res.json()) as { data?: { id: string; max_model_len?: number }[] }).data ?? [];
    const entry = opts.model ? list.find((m) => m.id === opts.model) : list[0];
    if (!entry) {
      const ids = list.map((m) => m.id).join(", ") || "none";
      throw new UpstreamError(`the upstream at ${base} does not serve ${opts.model ?? "any model"} (serves: ${ids})`);
    }
    return new UpstreamBackend(self, entry.id, entry.max_model_len ?? opts.contextSize ?? 4096);
  }

  /** The upstream's /tokenize (vLLM and llama.cpp server both have one at the root); an estimate when absent. */
  async countTokens(text: string): Promise<number> {
    const root = this.opts.baseUrl.replace(/\/v1$/, "");
    try {
      const res = await fetch(`${root}/tokenize`, {
        method: "POST",
        headers: this.headers(),
        body: JSON.stringify({ model: this.model, prompt: text, content: text, add_special: false }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
      if (res.ok) {
        const j = (await res.json()) as { count?: number; tokens?: unknown[] };
        if (typeof j.count === "number") return j.count;
        if (Array.isArray(j.tokens)) return j.tokens.length;
      }
    } catch {
      // fall through to the estimate: only used to bound a request's worst case before billing
    }
    return Math.ceil(Buffer.byteLength(text, "utf8") / 2);
  }

  chat(messages: ChatMessage[], options: GenerateOptions, onText?: (delta: string) => void): Promise<Generation> {
    return this.generate("/chat/completions", { messages }, options, onText);
  }

  complete(prompt: string, options: GenerateOptions, onText?: (delta: string) => void): Promise<Generation> {
    return this.generate("/completions", { prompt }, options, onText);
  }

  async close(): Promise<void> {}

  private headers(): Record<string, string> {
    return {
      "content-type": "application/json",
      ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}),
    };
  }

  private async generate(
    route: string,
    input: Record<string, unknown>,
    options: GenerateOptions,
    onText?: (delta: string) => void,
  ): Promise<Generation> {
    const stream = onText !== undefined;
    const body = {
      ...input,
      model: this.model,
      max_tokens: options.maxTokens,
      temperature: options.temperature,
      ...(options.topP !== undefined ? { top_p: options.topP } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.stop?.length ? { stop: options.stop } : {}),
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    };
    let res: Response;
    try {
      res = await request(this.opts, "POST", route, body, options.signal);
    } catch (err) {
      if (options.signal?.aborted) return { text: "", inputTokens: 0, outputTokens: 0, finishReason: "abort" };
      throw err;
    }
    if (!stream) {
      const answer = (await res.json()) as UpstreamAnswer;
      const choice = answer.choices?.[0];
      return this.result(choice?.message?.content ?? choice?.text ?? "", answer.usage, choice?.finish_reason);
    }
    let text = "";
    let usage: Usage | undefined;
    let finish: string | null | undefined;
    try {
      for await (const chunk of sseEvents(res)) {
        const choice = chunk.choices?.[0];
        const delta = choice?.delta?.content ?? choice?.text ?? "";
        if (delta) {
          text += delta;
          onText(delta);
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
    } catch (err) {
      if (!options.signal?.aborted) throw err;
      // Aborted mid-stream: the upstream stops with the connection; what it produced is counted below.
      return { text, inputTokens: 0, outputTokens: await this.countTokens(text), finishReason: "abort" };
    }
    return this.result(text, usage, finish);
  }

  private result(text: string, usage: Usage | undefined, finish: string | null | undefined): Generation {
    if (typeof usage?.prompt_tokens !== "number" || typeof usage.completion_tokens !== "number") {
      throw new UpstreamError("the upstream reported no token usage; the broker cannot bill without it");
    }
    return {
      text,
      inputTokens: usage.prompt_tokens,
      outputTokens: usage.completion_tokens,
      finishReason: finish === "length" ? "length" : "stop",
    };
  }
}

async function request(
  opts: UpstreamOptions,
  method: string,
  route: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<Response> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 600_000);
  const res = await fetch(`${opts.baseUrl}${route}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  if (!res.ok) {
    const text = await res.text().catch(() => "");
    throw new UpstreamError(`the upstream answered ${res.status} to ${method} ${route}: ${text.slice(0, 500)}`);
  }
  return res;
}

/** The JSON events of an SSE body, up to `data: [DONE]`. */
async function* sseEvents(res: Response): AsyncGenerator<UpstreamChunk> {
  if (!res.body) throw new UpstreamError("the upstream sent no body");
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(part, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, end).replace(/\r$/, "");
      buffer = buffer.slice(end + 1);
      if (!line.startsWith("data:")) continue;
      const data = line.slice(5).trim();
      if (data === "[DONE]") return;
      if (data) yield JSON.parse(data) as UpstreamChunk;
    }
  }
}
