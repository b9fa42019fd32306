// An OpenAI-compatible stand-in server for the broker tests (one token per word).
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Only when the embedded model has not been trained in this checkout: an OpenAI-compatible stand-in (one token per
 * word) so the suite still checks the broker, through its upstream backend. The suite says so in its output.
 */
export async function startFakeUpstream(): Promise<{ url: string; server: http.Server }> {
  const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const send = (j: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(j));
      if (req.url === "/v1/models") return send({ data: [{ id: "fake-echo", max_model_len: 512 }] });
      if (req.url === "/tokenize") return send({ count: words((JSON.parse(body) as { prompt: string }).prompt) });
      const r = JSON.parse(body) as {
        messages?: { content: string }[];
        prompt?: string;
        max_tokens: number;
        stream: boolean;
      };
      const prompt = r.messages ? r.messages.map((m) => m.content).join(" ") : (r.prompt ?? "");
      const out = Array.from({ length: r.max_tokens }, (_, i) => ` w${i}`);
      const usage = { prompt_tokens: words(prompt) + 2, completion_tokens: out.length };
      const choice = r.messages ? { message: { content: out.join("") } } : { text: out.join("") };
      if (!r.stream) return send({ choices: [{ ...choice, finish_reason: "length" }], usage });
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const w of out)
        res.write(`data: ${JSON.stringify({ choices: [r.messages ? { delta: { content: w } } : { text: w }] })}\n\n`);
      res.write(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: "length" }] })}\n\n`);
      res.end(`data: ${JSON.stringify({ choices: [], usage })}\n\ndata: [DONE]\n\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}
