// zg-tiny on CPU through the backend the broker uses: load time, prompt (prefill) and generation tokens/s
// with one thread (two stalled on the 2-core machines), file size.
// Run: npm run bench:compute-model  (writes bench/reports/compute-model.json; BENCH_RUNS, BENCH_THREADS)
import fs from "node:fs";
import { createLlamaBackend, DEFAULT_MODEL_PATH } from "../offchain/compute/backend";
import { stats, timeRuns, writeReport } from "./report";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const THREADS = Number(process.env.BENCH_THREADS ?? 1);

async function main() {
  const t0 = performance.now();
  const backend = await createLlamaBackend({ gpu: false, threads: THREADS });
  const loadMs = performance.now() - t0;

  // Prefill: a prompt that nearly fills the context, one output token.
  let prompt = "";
  while ((await backend.countTokens(prompt + " Call me Ishmael.")) < backend.contextSize - 40) {
    prompt += " Call me Ishmael.";
  }
  const promptTokens = await backend.countTokens(prompt);
  const prefill = await timeRuns(RUNS, () => backend.complete(prompt, { maxTokens: 1, temperature: 0 }));

  // Generation: a short prompt, then as many tokens as the context allows, greedy (no early stop
  // expected from this model, but the count is read from the result).
  const genTokens: number[] = [];
  const gen = await timeRuns(RUNS, async () => {
    const g = await backend.complete("The whale", { maxTokens: 200, temperature: 0 });
    genTokens.push(g.outputTokens);
  });
  await backend.close();

  const prefillStats = stats(prefill);
  const genStats = stats(gen);
  const meanGenTokens = genTokens.reduce((a, b) => a + b, 0) / genTokens.length;
  const results = {
    model: "zg-tiny",
    modelPath: "models/zg-tiny/model.gguf",
    fileBytes: fs.statSync(DEFAULT_MODEL_PATH).size,
    threads: THREADS,
    loadMs: Math.round(loadMs),
    prompt: {
      tokens: promptTokens,
      ...prefillStats,
      tokensPerSecond: Math.round(promptTokens / (prefillStats.p50Ms / 1000)),
    },
    generation: {
      tokens: meanGenTokens,
      ...genStats,
      tokensPerSecond: Math.round(meanGenTokens / (genStats.p50Ms / 1000)),
    },
  };
  console.log(JSON.stringify(results, null, 2));
  console.log(`wrote ${writeReport("compute-model", results)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
