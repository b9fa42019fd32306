/**
 * Request bodies of the OpenAI routes the broker serves. Objects are not strict: OpenAI clients send fields the
 * broker does not use (user, logprobs, ...), which are ignored; what is used is checked, and a refusal names it.
 */
import { z } from "zod";
import type { ChatMessage } from "../backend/types";

const stop = z.union([z.string().min(1), z.array(z.string().min(1)).max(4)]).nullish();

const sampling = {
  model: z.string().min(1),
  max_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop,
  n: z.literal(1, { error: "only n = 1 is served" }).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
};

const textPart = z.object({
  type: z.literal("text", { error: "only text content parts are served" }),
  text: z.string(),
});

const message = z.object({
  // "developer" is OpenAI's newer name for the system role.
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: z.union([z.string(), z.array(textPart)]),
});

export const chatRequestSchema = z.object({
  ...sampling,
  messages: z.array(message).min(1),
  max_completion_tokens: z.number().int().positive().nullish(),
});

export const completionRequestSchema = z.object({
  ...sampling,
  prompt: z.union([z.string(), z.array(z.string()).length(1, { error: "only one prompt per request is served" })]),
});

export const receiptsRequestSchema = z.object({ receipts: z.array(z.unknown()).min(1).max(1024) });

export type ChatRequest = z.output<typeof chatRequestSchema>;
export type CompletionRequest = z.output<typeof completionRequestSchema>;

export function chatMessages(req: ChatRequest): ChatMessage[] {
  return req.messages.map((m) => ({
    role: m.role === "developer" ? "system" : m.role,
    content: typeof m.content === "string" ? m.content : m.content.map((p) => p.text).join(""),
  }));
}

export function promptText(req: CompletionRequest): string {
  return typeof req.prompt === "string" ? req.prompt : req.prompt[0];
}

export function stopList(value: string | string[] | null | undefined): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === "string" ? [value] : value;
}
