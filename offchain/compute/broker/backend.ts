// Opens the broker's Backend from its options: an upstream URL when one is set, else the embedded GGUF model.
import path from "node:path";
import type { Logger } from "../../common/logger";
import type { Backend } from "../backend/types";
import { UpstreamBackend } from "../backend/upstream";
import type { ProviderOptions } from "./options";

export async function openBackend(model: ProviderOptions["model"], logger: Logger): Promise<Backend> {
  if (model.upstream) {
    const backend = await UpstreamBackend.open({
      baseUrl: model.upstream,
      apiKey: model.upstreamApiKey,
      model: model.name,
    });
    logger.info({ upstream: model.upstream, model: backend.model }, "forwarding to an upstream model server");
    return backend;
  }
  // Loaded only here: node-llama-cpp's native binding is heavy and an upstream broker never needs it.
  const { createLlamaBackend } = await import("../backend/llama");
  const backend = await createLlamaBackend({
    modelPath: path.resolve(model.path),
    modelId: model.name,
    gpu: model.gpu === "off" ? false : "auto",
    threads: model.threads,
    contextSize: model.contextSize,
  });
  logger.info({ path: model.path, model: backend.model, contextSize: backend.contextSize }, "embedded model loaded");
  return backend;
}
