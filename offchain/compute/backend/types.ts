/**
 * The contract between the compute broker and whatever produces tokens. The broker bills by the
 * token counts a Backend reports, so those counts must come from the model's own tokenizer.
 */
export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface GenerateOptions {
  maxTokens: number;
  temperature: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  signal?: AbortSignal;
}

export interface Generation {
  text: string;
  inputTokens: number;
  outputTokens: number;
  finishReason: "stop" | "length" | "abort";
}

export interface Backend {
  /** The model id served at /v1/models. */
  readonly model: string;
  readonly contextSize: number;
  countTokens(text: string): Promise<number>;
  /** Formats messages with the model's chat template and counts the prompt with the model's tokenizer. */
  chat(messages: ChatMessage[], options: GenerateOptions, onText?: (delta: string) => void): Promise<Generation>;
  complete(prompt: string, options: GenerateOptions, onText?: (delta: string) => void): Promise<Generation>;
  close(): Promise<void>;
}
