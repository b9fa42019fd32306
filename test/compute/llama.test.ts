import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  ContextOverflowError,
  createLlamaBackend,
  DEFAULT_MODEL_PATH,
  formatChat,
  LlamaBackend,
  LlamaBackendError,
} from "../../offchain/compute/backend";

const report = JSON.parse(
  fs.readFileSync(path.join(path.dirname(DEFAULT_MODEL_PATH), "training_report.json"), "utf8"),
) as { greedy_check: { prompt: string; tokens: number[] } };

/** Deterministic strings over ASCII, Latin-1, CJK, emoji (surrogate pairs) and whitespace. */
function samples(n: number): string[] {
  const pools = [
    [0x20, 0x7e],
    [0xa0, 0xff],
    [0x4e00, 0x4fff],
    [0x1f300, 0x1f5ff],
    [0x09, 0x0d],
  ];
  let x = 12345;
  const rnd = (m: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % m;
  };
  return Array.from({ length: n }, () => {
    let s = "";
    const len = 1 + rnd(40);
    for (let i = 0; i < len; i++) {
      const [lo, hi] = pools[rnd(pools.length)];
      s += String.fromCodePoint(lo + rnd(hi - lo + 1));
    }
    return s;
  });
}

describe("[offchain] LlamaBackend (zg-tiny, CPU)", function () {
  let backend: LlamaBackend;

  before(async function () {
    backend = await createLlamaBackend({ gpu: false, threads: 1 });
  });

  after(async function () {
    await backend?.close();
  });

  describe("createLlamaBackend", function () {
    it("serves the committed model with its trained context", function () {
      expect(backend.model).to.equal("zg-tiny");
      expect(backend.contextSize).to.equal(256);
    });

    it("refuses a missing model file with the path and what to do", async function () {
      const missing = path.join(os.tmpdir(), "zg-no-such-model.gguf");
      const err = await createLlamaBackend({ modelPath: missing, gpu: false }).catch((e) => e);
      expect(err).to.be.instanceOf(LlamaBackendError);
      expect(err.message).to.contain(missing).and.contain("train_model.py");
    });

    it("refuses a file that is not GGUF", async function () {
      const file = path.join(os.tmpdir(), `zg-not-gguf-${process.pid}.gguf`);
      fs.writeFileSync(file, "this is not a model");
      const err = await createLlamaBackend({ modelPath: file, gpu: false }).catch((e) => e);
      fs.rmSync(file);
      expect(err).to.be.instanceOf(LlamaBackendError);
      expect(err.message).to.contain("not a GGUF file");
    });

    it("refuses a non-positive thread count before loading anything", async function () {
      const err = await createLlamaBackend({ threads: 0 }).catch((e) => e);
      expect(err).to.be.instanceOf(LlamaBackendError);
      expect(err.message).to.contain("threads");
    });

    it("refuses a truncated GGUF file", async function () {
      const file = path.join(os.tmpdir(), `zg-truncated-${process.pid}.gguf`);
      fs.writeFileSync(file, fs.readFileSync(DEFAULT_MODEL_PATH).subarray(0, 200_000));
      const err = await createLlamaBackend({ modelPath: file, gpu: false }).catch((e) => e);
      fs.rmSync(file);
      expect(err).to.be.instanceOf(LlamaBackendError);
      expect(err.message).to.contain("could not be loaded");
    });
  });

  describe("tokenize / countTokens", function () {
    it("round-trips arbitrary text, non-ASCII included, exactly", function () {
      const texts = [
        "Call me Ishmael.",
        "héllo wörld — 日本語 🐋 \t\n  x",
        "  leading and trailing  ",
        ...samples(200),
      ];
      for (const t of texts) expect(backend.detokenize(backend.tokenize(t))).to.equal(t);
    });

    it("counts what the tokenizer produces", async function () {
      for (const t of ["", "a", "The Congress of the United States", ...samples(20)]) {
        expect(await backend.countTokens(t)).to.equal(backend.tokenize(t).length);
      }
    });

    it("merges common words into single tokens (a trained BPE, not bytes)", async function () {
      const text = "the whale and the ship";
      expect(await backend.countTokens(text)).to.be.lessThan(text.length / 3);
    });
  });

  describe("complete", function () {
    const greedy = { maxTokens: 24, temperature: 0 };

    it("reproduces the training script's own greedy continuation (same weights, rotary, tokens)", async function () {
      const { prompt, tokens } = report.greedy_check;
      const g = await backend.complete(prompt, greedy);
      // Q8_0 weights and activations drift from the f32 reference eventually; the start must agree.
      expect(backend.tokenize(g.text).slice(0, 8)).to.deep.equal(tokens.slice(0, 8));
    });

    it("is deterministic at temperature 0", async function () {
      const a = await backend.complete("It was the best of times", greedy);
      const b = await backend.complete("It was the best of times", greedy);
      expect(a).to.deep.equal(b);
      expect(a.text.length).to.be.greaterThan(0);
    });

    it("is deterministic for a fixed seed at temperature > 0", async function () {
      const opts = { maxTokens: 24, temperature: 0.9, topP: 0.95, seed: 42 };
      const a = await backend.complete("The ship", opts);
      const b = await backend.complete("The ship", opts);
      expect(a.text).to.equal(b.text);
    });

    it("reports input tokens as the tokenizer counts the prompt", async function () {
      const prompt = "Fellow-Citizens of the Senate and House of Representatives:";
      const g = await backend.complete(prompt, { maxTokens: 4, temperature: 0 });
      expect(g.inputTokens).to.equal(await backend.countTokens(prompt));
    });

    it("stops at maxTokens with finishReason length", async function () {
      for (const maxTokens of [1, 7, 30]) {
        const g = await backend.complete("The whale", { maxTokens, temperature: 0 });
        expect(g.outputTokens).to.equal(maxTokens);
        expect(g.finishReason).to.equal("length");
      }
    });

    it("cuts the text before a stop string and says stop", async function () {
      const full = await backend.complete("The whale", { maxTokens: 30, temperature: 0 });
      const stop = full.text.slice(12, 16);
      const cut = await backend.complete("The whale", { maxTokens: 30, temperature: 0, stop: [stop] });
      expect(cut.finishReason).to.equal("stop");
      expect(cut.text).to.equal(full.text.slice(0, full.text.indexOf(stop)));
      expect(cut.outputTokens).to.be.lessThan(30);
    });

    it("streams deltas that concatenate to the final text", async function () {
      for (const opts of [
        { maxTokens: 40, temperature: 0 },
        { maxTokens: 40, temperature: 0, stop: ["the"] },
        { maxTokens: 60, temperature: 3, seed: 7 }, // wild sampling: byte tokens, partial characters
      ]) {
        const deltas: string[] = [];
        const g = await backend.complete("Call me", opts, (d) => deltas.push(d));
        expect(deltas.join("")).to.equal(g.text);
        for (const d of deltas) {
          expect(d.length).to.be.greaterThan(0);
          expect(/[\uD800-\uDBFF]$/.test(d), "delta ends inside a surrogate pair").to.equal(false);
        }
      }
    });

    it("never streams text that turns out to be part of a stop string", async function () {
      const full = await backend.complete("The whale", { maxTokens: 30, temperature: 0 });
      const stop = full.text.slice(12, 20);
      const deltas: string[] = [];
      const g = await backend.complete("The whale", { maxTokens: 30, temperature: 0, stop: [stop] }, (d) =>
        deltas.push(d),
      );
      expect(g.finishReason).to.equal("stop");
      expect(deltas.join("")).to.equal(g.text);
      expect(deltas.join("")).to.not.contain(stop);
    });

    it("aborts mid-generation and keeps what was produced", async function () {
      const ctl = new AbortController();
      const deltas: string[] = [];
      const g = await backend.complete("The whale", { maxTokens: 200, temperature: 0, signal: ctl.signal }, (d) => {
        deltas.push(d);
        if (deltas.length === 3) ctl.abort();
      });
      expect(g.finishReason).to.equal("abort");
      expect(g.outputTokens).to.be.lessThan(200);
      expect(deltas.join("")).to.equal(g.text);
    });

    it("returns at once for a signal aborted before the call", async function () {
      const ctl = new AbortController();
      ctl.abort();
      const g = await backend.complete("The whale", { maxTokens: 20, temperature: 0, signal: ctl.signal });
      expect(g).to.deep.include({ text: "", outputTokens: 0, finishReason: "abort" });
    });

    it("serves concurrent requests as if one after another", async function () {
      const prompts = ["The whale", "Our country", "In the year"];
      const alone = [];
      for (const p of prompts) alone.push(await backend.complete(p, { maxTokens: 12, temperature: 0 }));
      const together = await Promise.all(prompts.map((p) => backend.complete(p, { maxTokens: 12, temperature: 0 })));
      expect(together).to.deep.equal(alone);
    });

    it("refuses a prompt longer than the context with ContextOverflowError", async function () {
      const err = await backend.complete("whale ".repeat(400), { maxTokens: 4, temperature: 0 }).catch((e) => e);
      expect(err).to.be.instanceOf(ContextOverflowError);
      expect(err.contextSize).to.equal(256);
    });

    it("caps generation at the end of the context", async function () {
      const prompt = "whale ".repeat(240);
      const n = await backend.countTokens(prompt);
      const g = await backend.complete(prompt, { maxTokens: 100, temperature: 0 });
      expect(g.outputTokens).to.be.at.most(256 - n - 1);
      expect(g.finishReason).to.be.oneOf(["length", "stop"]);
    });
  });

  describe("chat", function () {
    const messages = [
      { role: "system" as const, content: "A conversation about ships." },
      { role: "user" as const, content: "Where is the whale?" },
    ];

    it("formats with the plain-text template and counts that prompt", async function () {
      expect(formatChat(messages)).to.equal("A conversation about ships.\n\nUser: Where is the whale?\nAssistant:");
      const g = await backend.chat(messages, { maxTokens: 16, temperature: 0 });
      expect(g.inputTokens).to.equal(await backend.countTokens(formatChat(messages)));
      expect(g.outputTokens).to.be.at.most(16);
    });

    it("ends the reply where the model starts the next user turn", async function () {
      const g = await backend.chat(messages, { maxTokens: 200, temperature: 0.8, seed: 1 });
      expect(g.text).to.not.contain("\nUser:");
    });
  });

  describe("close", function () {
    it("lets accepted requests finish, then refuses work", async function () {
      const b = await createLlamaBackend({ gpu: false });
      const running = b.complete("The whale", { maxTokens: 20, temperature: 0 });
      await b.close();
      expect((await running).outputTokens).to.equal(20);
      const err = await b.countTokens("x").catch((e) => e);
      expect(err).to.be.instanceOf(LlamaBackendError);
    });

    it("refuses work after close", async function () {
      const b = await createLlamaBackend({ gpu: false });
      await b.close();
      await b.close(); // idempotent
      const err = await b.complete("x", { maxTokens: 1, temperature: 0 }).catch((e) => e);
      expect(err).to.be.instanceOf(LlamaBackendError);
    });
  });
});
