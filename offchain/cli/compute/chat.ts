// `zg compute chat`: one prompt (arguments or piped stdin) or a small REPL on a terminal, answered by a provider's
// broker. The answer streams to stdout; each bill is checked, its receipt signed and posted by zgFetch, and the
// bill printed to stderr.
import readline from "node:readline/promises";
import { Command } from "commander";
import { ZgError } from "../../common/errors";
import * as sdk from "../../compute/client";
import type { SignedBill } from "../../compute/client";
import { address, connectUser, receiptKey, withUserFlags, type UserFlags } from "./common";

interface ChatFlags extends UserFlags {
  provider: string;
  url?: string;
  model?: string;
  system?: string;
  maxTokens: string;
  temperature: string;
  stream: boolean;
  ttl: string;
}

type Message = { role: "system" | "user" | "assistant"; content: string };

interface ChatTarget {
  base: string;
  model: string;
  token: string;
  fetch: sdk.ZgFetch;
  flags: ChatFlags;
}

function describeBill(s: SignedBill): string {
  const b = s.bill;
  return (
    `bill #${b.nonce}: ${b.inputTokens} input + ${b.outputTokens} output tokens, fee ${b.fee} wei; ` +
    (s.posted ? "receipt signed and sent" : "receipt signed, sent with the next request")
  );
}

async function brokerError(response: Response): Promise<never> {
  const text = await response.text();
  let message = text;
  let code: string | null = null;
  try {
    const body = JSON.parse(text) as { error?: { message?: string; code?: string | null } };
    message = body.error?.message ?? text;
    code = body.error?.code ?? null;
  } catch {
    // not OpenAI's shape: show the body as it is
  }
  const hint =
    code === "insufficient_quota"
      ? "move funds to the provider: zg compute transfer <tokens> --provider <address>"
      : code === "receipts_required"
        ? "sign the broker's outstanding bills (GET /v1/bills) before asking more"
        : "see docs/compute-client.md";
  throw new ZgError("COMPUTE_BROKER_REFUSED", `the broker answered ${response.status}: ${message}`, {
    hint,
    details: { code },
  });
}

/** Sends the conversation, writes the answer to stdout as it comes; resolves with the answer text. */
async function ask(target: ChatTarget, messages: Message[]): Promise<string> {
  const { flags } = target;
  const response = await target.fetch(`${target.base}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${target.token}` },
    body: JSON.stringify({
      model: target.model,
      messages,
      max_tokens: Number(flags.maxTokens),
      temperature: Number(flags.temperature),
      stream: flags.stream,
    }),
  });
  if (!response.ok) return brokerError(response);
  if (!flags.stream) {
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    const text = body.choices[0]?.message.content ?? "";
    process.stdout.write(`${text}\n`);
    return text;
  }
  let text = "";
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n")) {
        const data = line.startsWith("data:") ? line.slice(5).trim() : "";
        if (!data || data === "[DONE]") continue;
        const piece = (JSON.parse(data) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta
          ?.content;
        if (piece) {
          text += piece;
          process.stdout.write(piece);
        }
      }
    }
  }
  process.stdout.write("\n");
  return text;
}

async function repl(target: ChatTarget, history: Message[]) {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  console.error('chatting with the provider; an empty line or "exit" ends it');
  try {
    for (;;) {
      const line = (await rl.question("> ").catch(() => "")).trim();
      if (line === "" || line === "exit") return;
      history.push({ role: "user", content: line });
      history.push({ role: "assistant", content: await ask(target, history) });
    }
  } finally {
    rl.close();
    await target.fetch.flush();
  }
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += (chunk as Buffer).toString("utf8");
  return text.trim();
}

export function chatCommand(): Command {
  return withUserFlags(
    new Command("chat")
      .description("chat with a provider's model, paying per request with signed receipts")
      .argument("[prompt...]", "the prompt (default: a REPL on a terminal, or stdin)")
      .requiredOption("--provider <address>", "the provider (see `zg compute services`)")
      .option("--url <url>", "the broker's URL (default: the service's registered URL)")
      .option("--model <id>", "model id (default: the service's model)")
      .option("--system <text>", "a system message")
      .option("--max-tokens <n>", "most tokens to generate", "128")
      .option("--temperature <t>", "sampling temperature", "0.7")
      .option("--no-stream", "wait for the whole answer")
      .option("--ttl <seconds>", "how long the session signed for this chat lasts", "3600"),
  ).action(async (words: string[], flags: ChatFlags) => {
    const provider = address(flags.provider, "--provider");
    const ctx = await connectUser(flags);
    try {
      const service = await sdk.getService(ctx.contracts.serving, provider);
      const key = receiptKey(ctx);
      const fetch = sdk.zgFetch({
        receiptKey: key.privateKey,
        user: ctx.user,
        provider,
        prices: () => sdk.getService(ctx.contracts.serving, provider),
        billDomain: sdk.billDomain(ctx.client.chainId, await ctx.contracts.serving.getAddress()),
        onBill: (s) => console.error(describeBill(s)),
        onRefuse: (reason) => console.error(`warning: bill not signed: ${reason}`),
      });
      const token = await sdk.createSession(ctx.client.signer!, provider, ctx.client.chainId, Number(flags.ttl));
      const base = `${(flags.url ?? service.url).replace(/\/+$/, "").replace(/\/v1$/, "")}/v1`;
      const target: ChatTarget = { base, model: flags.model ?? service.model, token, fetch, flags };
      const history: Message[] = flags.system ? [{ role: "system", content: flags.system }] : [];
      let prompt = words.join(" ").trim();
      if (!prompt && process.stdin.isTTY) return await repl(target, history);
      if (!prompt) prompt = await readStdin();
      if (!prompt) {
        throw new ZgError("CONFIG_INVALID", "no prompt", { hint: "pass the prompt as arguments or on stdin" });
      }
      history.push({ role: "user", content: prompt });
      await ask(target, history);
      await fetch.flush();
      if (fetch.refusals.length > 0 && fetch.signed.length === 0) process.exitCode = 2;
    } finally {
      ctx.client.close();
    }
  });
}
