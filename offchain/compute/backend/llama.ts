import fs from "node:fs";
import path from "node:path";
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import type { Backend, ChatMessage, GenerateOptions, Generation } from "./types";

/** The model this repository trains and commits (scripts/compute/train_model.py). */
export const DEFAULT_MODEL_PATH = path.resolve(__dirname, "../../../models/zg-tiny/model.gguf");
export const DEFAULT_MODEL_ID = "zg-tiny";

export interface LlamaBackendOptions {
  modelPath?: string;
  /** "auto" uses a GPU when a prebuilt binary for it loads and falls back to the CPU otherwise. */
  gpu?: "auto" | false;
  /** 1 on a 2-core machine: two threads stalled there (see TOOLCHAIN.md). */
  threads?: number;
  contextSize?: number;
  /** Sequences of the one context; requests beyond this many wait their turn. */
  parallel?: number;
  modelId?: string;
}

export class LlamaBackendError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LlamaBackendError";
  }
}

/** The prompt alone does not fit the context: the caller should answer 400, not 500. */
export class ContextOverflowError extends LlamaBackendError {
  constructor(
    readonly promptTokens: number,
    readonly contextSize: number,
  ) {
    super(`prompt is ${promptTokens} tokens; the model's context holds ${contextSize}`);
    this.name = "ContextOverflowError";
  }
}

/**
 * The model was trained on plain prose, never on dialogue markup, so the template is plain text
 * too (the same one is stored as tokenizer.chat_template in the GGUF). A reply ends where the
 * model starts the next "User:" turn.
 */
export function formatChat(messages: ChatMessage[]): string {
  let out = "";
  for (const m of messages) {
    if (m.role === "system") out += `${m.content}\n\n`;
    else if (m.role === "user") out += `User: ${m.content}\n`;
    else out += `Assistant: ${m.content}\n`;
  }
  return `${out}Assistant:`;
}
export const CHAT_STOP = ["\nUser:"];

function checkModelFile(modelPath: string): void {
  let fd: number;
  try {
    fd = fs.openSync(modelPath, "r");
  } catch (err) {
    throw new LlamaBackendError(
      `model file ${modelPath} cannot be read (${(err as Error).message}); ` +
        "train one with scripts/compute/train_model.py or pass modelPath",
      { cause: err },
    );
  }
  const magic = Buffer.alloc(4);
  try {
    fs.readSync(fd, magic, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (magic.toString("latin1") !== "GGUF") {
    throw new LlamaBackendError(`model file ${modelPath} is not a GGUF file (bad magic)`);
  }
}

/** Longest suffix of `text` that is a proper prefix of some stop string: held back while streaming. */
function heldBack(text: string, stops: string[]): number {
  let hold = 0;
  for (const s of stops) {
    for (let n = Math.min(s.length - 1, text.length); n > hold; n--) {
      if (text.endsWith(s.slice(0, n))) {
        hold = n;
        break;
      }
    }
  }
  return hold;
}

class SequencePool {
  private readonly free: LlamaContextSequence[];
  private readonly waiting: ((s: LlamaContextSequence) => void)[] = [];

  constructor(sequences: LlamaContextSequence[]) {
    this.free = [...sequences];
  }

  async acquire(): Promise<LlamaContextSequence> {
    const s = this.free.pop();
    if (s) return s;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(s: LlamaContextSequence): void {
    const next = this.waiting.shift();
    if (next) next(s);
    else this.free.push(s);
  }
}

export class LlamaBackend implements Backend {
  private closed = false;
  /** Requests accepted before close(): close() lets them finish before freeing the model. */
  private readonly inflight = new Set<Promise<Generation>>();

  constructor(
    readonly model: string,
    readonly contextSize: number,
    private readonly llama: Llama,
    private readonly llamaModel: LlamaModel,
    private readonly context: LlamaContext,
    private readonly pool: SequencePool,
  ) {}

  /** The model's own tokenization of `text` (no BOS). */
  tokenize(text: string): number[] {
    return this.llamaModel.tokenize(text);
  }

  detokenize(tokens: readonly number[]): string {
    return this.llamaModel.detokenize(tokens as Token[]);
  }

  async countTokens(text: string): Promise<number> {
    if (this.closed) throw new LlamaBackendError("backend is closed");
    return this.llamaModel.tokenize(text).length;
  }

  chat(messages: ChatMessage[], options: GenerateOptions, onText?: (delta: string) => void): Promise<Generation> {
    const stop = [...CHAT_STOP, ...(options.stop ?? [])];
    return this.complete(formatChat(messages), { ...options, stop }, onText);
  }

  complete(prompt: string, options: GenerateOptions, onText?: (delta: string) => void): Promise<Generation> {
    if (this.closed) return Promise.reject(new LlamaBackendError("backend is closed"));
    const run = this.run(prompt, options, onText);
    this.inflight.add(run);
    const forget = () => this.inflight.delete(run);
    run.then(forget, forget);
    return run;
  }

  private async run(prompt: string, options: GenerateOptions, onText?: (delta: string) => void): Promise<Generation> {
    // Billed input = the prompt's tokens; the BOS the backend adds is its own framing.
    const promptTokens = this.llamaModel.tokenize(prompt);
    const bos = this.llamaModel.tokens.bos;
    const input: Token[] = bos === null ? promptTokens : [bos, ...promptTokens];
    if (input.length >= this.contextSize) {
      throw new ContextOverflowError(input.length, this.contextSize);
    }
    const seq = await this.pool.acquire();
    try {
      await seq.clearHistory();
      return await this.generate(seq, input, promptTokens.length, options, onText);
    } finally {
      this.pool.release(seq);
    }
  }

  private async generate(
    seq: LlamaContextSequence,
    input: Token[],
    inputTokens: number,
    options: GenerateOptions,
    onText?: (delta: string) => void,
  ): Promise<Generation> {
    const stops = (options.stop ?? []).filter((s) => s.length > 0);
    const maxStop = stops.reduce((m, s) => Math.max(m, s.length), 0);
    const budget = Math.min(options.maxTokens, this.contextSize - input.length);
    const eos = this.llamaModel.tokens.eos;
    let text = ""; // decoded output, complete characters only
    let emitted = 0; // chars of `text` handed to onText
    let pending: Token[] = []; // tokens whose bytes do not yet end on a character boundary
    let outputTokens = 0;
    let finishReason: Generation["finishReason"] = "length";
    const emit = (upTo: number) => {
      if (upTo > emitted) {
        onText?.(text.slice(emitted, upTo));
        emitted = upTo;
      }
    };

    if (options.signal?.aborted || budget <= 0) {
      return { text, inputTokens, outputTokens, finishReason: budget <= 0 ? "length" : "abort" };
    }
    const gen = seq.evaluate(input, {
      temperature: options.temperature,
      topP: options.topP,
      seed: options.seed,
    });
    try {
      for await (const token of gen) {
        if (options.signal?.aborted) {
          finishReason = "abort";
          break;
        }
        if (token === eos) {
          finishReason = "stop";
          break;
        }
        outputTokens++;
        pending.push(token);
        const piece = this.llamaModel.detokenize(pending);
        // A token can end inside a multi-byte character; wait for the rest before emitting.
        if (!piece.endsWith("\uFFFD")) {
          const from = Math.max(0, text.length - maxStop);
          text += piece;
          pending = [];
          const at = stops.length === 0 ? -1 : firstStop(text, stops, from);
          if (at >= 0) {
            text = text.slice(0, at);
            finishReason = "stop";
            break;
          }
          emit(text.length - heldBack(text, stops));
        }
        if (outputTokens >= budget) break;
      }
    } finally {
      await gen.return();
    }
    if (pending.length > 0 && finishReason !== "stop") text += this.llamaModel.detokenize(pending);
    emit(text.length);
    return { text, inputTokens, outputTokens, finishReason };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    await this.context.dispose();
    await this.llamaModel.dispose();
    await this.llama.dispose();
  }
}

function firstStop(text: string, stops: string[], from: number): number {
  let best = -1;
  for (const s of stops) {
    const i = text.indexOf(s, from);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}

/**
 * node-llama-cpp is ESM with top-level await, which require() cannot load, and TypeScript compiles
 * `import()` to require() under "module": "commonjs"; a Function-built import() stays a real one.
 */
const importLlamaCpp = new Function('return import("node-llama-cpp")') as () => Promise<
  typeof import("node-llama-cpp")
>;

export async function createLlamaBackend(options: LlamaBackendOptions = {}): Promise<LlamaBackend> {
  const modelPath = options.modelPath ?? DEFAULT_MODEL_PATH;
  for (const key of ["threads", "contextSize", "parallel"] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) {
      throw new LlamaBackendError(`${key} must be a positive integer, got ${v}`);
    }
  }
  checkModelFile(modelPath);
  const { getLlama, LlamaLogLevel } = await importLlamaCpp();
  // "never": a machine without a matching prebuilt binary must not start a compile or a download.
  const base = { build: "never", progressLogs: false, logLevel: LlamaLogLevel.error } as const;
  let llama: Llama;
  try {
    llama = await getLlama({ ...base, gpu: options.gpu ?? "auto" });
  } catch (err) {
    if (options.gpu === false) throw new LlamaBackendError("llama.cpp did not load", { cause: err });
    llama = await getLlama({ ...base, gpu: false });
  }
  let llamaModel: LlamaModel;
  try {
    llamaModel = await llama.loadModel({ modelPath, gpuLayers: llama.gpu === false ? 0 : "auto" });
  } catch (err) {
    await llama.dispose();
    throw new LlamaBackendError(`model file ${modelPath} could not be loaded: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const trained = llamaModel.trainContextSize;
  const contextSize = Math.min(options.contextSize ?? trained, trained);
  const parallel = options.parallel ?? 1;
  const threads = options.threads ?? 1;
  let context: LlamaContext;
  try {
    context = await llamaModel.createContext({ contextSize, sequences: parallel, threads });
  } catch (err) {
    await llamaModel.dispose();
    await llama.dispose();
    throw new LlamaBackendError(`context creation failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const sequences = Array.from({ length: parallel }, () => context.getSequence());
  return new LlamaBackend(
    options.modelId ?? DEFAULT_MODEL_ID,
    contextSize,
    llama,
    llamaModel,
    context,
    new SequencePool(sequences),
  );
}
