/**
 * `zg compute finetuner`: the provider side of fine-tuning. Built by `initFinetuner` in dependency order (chain,
 * journal, trainer, storage nodes, the poll loop, metrics); `close()` (the lifecycle) stops the loop, which kills a
 * running training job, then the rest in reverse.
 */
import path from "node:path";
import type { Registry } from "prom-client";
import { connectChain, type ChainClient } from "../../common/chain";
import { ZgError, errorText } from "../../common/errors";
import type { Lifecycle } from "../../common/lifecycle";
import type { Logger } from "../../common/logger";
import { MetricsFactory, startMetricsServer } from "../../common/metrics";
import { nodeClients } from "../../storage/client/nodes";
import { loadHashers } from "../../storage/core";
import { finetuneContracts } from "./chain";
import { Journal, type Job } from "./journal";
import { createFinetuneMetrics } from "./metrics";
import type { FinetunerOptions } from "./options";
import { pythonTrainer, requirePython, type Trainer } from "./python";
import { advanceAll, scanTasks, type WorkerContext } from "./worker";

export interface Finetuner {
  provider: string;
  journal: Journal;
  /** The python that trains (undefined when a trainer was injected). */
  python?: string;
  /** One scan and one pass over the open jobs (the loop runs these on its own; tests may call it). */
  tick(): Promise<void>;
}

export interface FinetunerDeps {
  logger: Logger;
  lifecycle: Lifecycle;
  registry: Registry;
  chain?: ChainClient;
  /** A trainer to use instead of finetune.py in a python with torch (tests on machines without torch only). */
  trainer?: Trainer;
  afterStep?: (job: Job) => void | Promise<void>;
}

export async function initFinetuner(options: FinetunerOptions, deps: FinetunerDeps): Promise<Finetuner> {
  const { logger, lifecycle } = deps;
  const { signal } = lifecycle;
  const client = deps.chain ?? (await connectChain(options.chain, logger.child({ module: "chain" }), { signal }));
  if (!deps.chain) lifecycle.add("chain", () => client.close());
  if (!client.signer) {
    throw new ZgError("FINETUNE_NO_KEY", "the fine-tuning worker needs the provider's Ethereum key", {
      hint: "pass --key-file <file>: the address tasks name, which submits deliverables and pays storage fees",
    });
  }
  const provider = client.signer.address;
  const { fineTuning, ledger } = finetuneContracts(client);
  const journal = new Journal(path.resolve(options.dataDir));
  // The storage client's merkle hashing (dataset check, model root) runs on the wasm hashers.
  await loadHashers();
  let python: string | undefined;
  let trainer = deps.trainer;
  if (!trainer) {
    const found = requirePython();
    python = found.python;
    trainer = pythonTrainer(found.python);
    logger.info({ python: found.python, torch: found.torch }, "training with finetune.py");
  }
  const metrics = createFinetuneMetrics(new MetricsFactory(deps.registry));
  const ctx: WorkerContext = {
    options,
    client,
    fineTuning,
    ledger,
    nodes: nodeClients(options.storageNodes),
    journal,
    trainer,
    metrics,
    logger,
    signal,
    skipped: new Set(),
    afterStep: deps.afterStep,
  };
  if (!(await fineTuning.isEligible(provider))) {
    logger.warn({ provider }, "this provider lacks the service stake FineTuning requires; users cannot order tasks");
  }

  // One tick at a time: the loop and a test's tick() never overlap.
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running.then(async () => {
      if (signal.aborted) return;
      await scanTasks(ctx, provider);
      await advanceAll(ctx);
    });
    return running;
  };
  const loop = (async () => {
    while (!signal.aborted) {
      try {
        await tick();
      } catch (err) {
        logger.warn({ err }, `poll failed: ${errorText(err)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, options.pollIntervalMs);
        signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  })();
  // The abort has already reached a running training job (it kills it); this waits until the loop let go.
  lifecycle.add("worker", () => loop.then(() => running.catch(() => undefined)));

  const metricsServer = await startMetricsServer(options.metrics, deps.registry, logger.child({ module: "metrics" }));
  if (metricsServer) lifecycle.add("metrics", () => metricsServer.close());
  logger.info({ provider, dataDir: journal.dataDir, open: journal.open().length }, "fine-tuning worker started");
  return { provider, journal, python, tick };
}

export { finetunerOptionsSchema, type FinetunerOptions } from "./options";
export { FINETUNING_ABI, TASK_STATUS, readTask } from "./chain";
export { Journal, type Job, type Phase } from "./journal";
export { trainingPlan } from "./plan";
export { findPython, pythonTrainer, requirePython, type TrainParams, type TrainReport, type Trainer } from "./python";
