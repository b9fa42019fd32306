import { expect } from "chai";
import { YoungCollector } from "../../offchain/storage/node/youngGc";

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("[offchain] storage node young collections (YoungCollector)", function () {
  it("runs a minor collection once every `every` body bytes, not before", function () {
    const young = new YoungCollector(4096);
    young.received(4095);
    expect(young.runs).to.equal(0);
    young.received(1);
    expect(young.runs).to.equal(1);
    young.received(10_000);
    expect(young.runs, "one collection however far past the mark").to.equal(2);
    young.received(0);
    expect(young.runs).to.equal(2);
  });

  it("frees dead young ArrayBuffers that no allocation of JavaScript objects would have collected", async function () {
    const young = new YoungCollector(1);
    const base = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 256; i++) new Uint8Array(new ArrayBuffer(64 * 1024)).fill(1);
    expect(process.memoryUsage().arrayBuffers - base, "16 MiB of dead chunks, still counted").to.be.at.least(8 * MiB);
    young.received(1);
    // V8 frees the swept buffers on a background task, just after the collection.
    const deadline = Date.now() + 2000;
    while (process.memoryUsage().arrayBuffers - base > MiB && Date.now() < deadline) await sleep(10);
    expect(process.memoryUsage().arrayBuffers - base).to.be.below(MiB);
  });

  it("leaves gc off the process's own globals", function () {
    new YoungCollector(1);
    expect((globalThis as { gc?: unknown }).gc).to.equal(undefined);
  });
});
