// The upstream backend against an OpenAI-compatible stand-in: model discovery, usage-based counts, streaming.
import type http from "node:http";
import { expect } from "chai";
import { UpstreamBackend, UpstreamError } from "../../offchain/compute/backend/upstream";
import { startFakeUpstream } from "./brokerUpstream";

describe("UpstreamBackend [offchain]", function () {
  let fake: { url: string; server: http.Server };
  before(async function () {
    fake = await startFakeUpstream();
  });
  after(function () {
    fake.server.close();
  });

  it("takes the model id and context from /models and token counts from usage, streamed or not", async function () {
    const backend = await UpstreamBackend.open({ baseUrl: fake.url });
    expect(backend.model).to.equal("fake-echo");
    expect(backend.contextSize).to.equal(512);
    const msgs = [{ role: "user" as const, content: "one two three" }];
    const plain = await backend.chat(msgs, { maxTokens: 3, temperature: 0 });
    expect(plain).to.deep.include({ text: " w0 w1 w2", inputTokens: 5, outputTokens: 3, finishReason: "length" });
    const deltas: string[] = [];
    const streamed = await backend.complete("a b", { maxTokens: 2, temperature: 0 }, (d) => deltas.push(d));
    expect(deltas).to.deep.equal([" w0", " w1"]);
    expect(streamed).to.deep.include({ text: " w0 w1", inputTokens: 4, outputTokens: 2 });
    expect(await backend.countTokens("x y z")).to.equal(3);
  });

  it("refuses an upstream that does not serve the named model", async function () {
    const err = await UpstreamBackend.open({ baseUrl: fake.url, model: "other" }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UpstreamError);
    expect((err as Error).message).to.match(/serves: fake-echo/);
  });
});
