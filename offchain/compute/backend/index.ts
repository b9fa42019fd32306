export type { Backend, ChatMessage, ChatRole, GenerateOptions, Generation } from "./types";
export {
  CHAT_STOP,
  ContextOverflowError,
  createLlamaBackend,
  DEFAULT_MODEL_ID,
  DEFAULT_MODEL_PATH,
  formatChat,
  LlamaBackend,
  LlamaBackendError,
  type LlamaBackendOptions,
} from "./llama";
