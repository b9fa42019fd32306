/**
 * The fine-tuning worker: polls FineTuning for this provider's tasks, and for each one downloads the dataset from
 * storage, trains, uploads the tuned model (paying the storage fee), registers the deliverable and settles once the
 * user acknowledged or the acknowledgement window closed. Every step is journaled before the next starts.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Contract } from "ethers";
import type { ChainClient } from "../../common/chain";
import { errorText, isZgError } from "../../common/errors";
import type { Logger } from "../../common/logger";
import { retrieve } from "../../storage/client/ec";
import type { NodeClient } from "../../storage/client/nodes";
import { uploadFile } from "../../storage/client/upload";
import { readTask, TASK_STATUS, type FineTuningTask } from "./chain";
import type { Job, Journal } from "./journal";
import type { FinetuneMetrics } from "./metrics";
import type { FinetunerOptions } from "./options";
import { trainingPlan } from "./plan";
import type { Trainer } from "./python";

export interface WorkerContext {
  options: FinetunerOptions;
  client: ChainClient;
  fineTuning: Contract;
  ledger: Contract;
  nodes: NodeClient[];
  journal: Journal;
  trainer: Trainer;
  metrics: FinetuneMetrics;
  logger: Logger;
  signal: AbortSignal;
  /** Tasks skipped for a short sub-account, so the log says it once until the balance covers the fee again. */
  skipped: Set<string>;
  /** Called after each journaled step (tests stop the worker here to check that a restart resumes). */
  afterStep?: (job: Job) => void | Promise<void>;
}

export const sha256File = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** Records this provider's new tasks in the journal and moves the cursor past every task seen. */
export async function scanTasks(ctx: WorkerContext, provider: string): Promise<number> {
  const count = (await ctx.fineTuning.taskCount()) as bigint;
  let next = ctx.journal.cursor();
  let found = 0;
  for (; next <= count && !ctx.signal.aborted; next++) {
    const task = await readTask(ctx.fineTuning, next);
    if (task.provider.toLowerCase() !== provider.toLowerCase()) continue;
    if (task.status !== TASK_STATUS.created || ctx.journal.get(next)) continue;
    const plan = trainingPlan(task.spec, ctx.options);
    const job = ctx.journal.put({
      taskId: next.toString(),
      phase: "accepted",
      user: task.user,
      fee: task.fee.toString(),
      datasetRoot: task.datasetRoot,
      steps: plan.steps,
      batch: plan.batch,
      context: plan.context,
      updatedAt: 0,
    });
    ctx.metrics.tasks.inc({ phase: "accepted" });
    ctx.logger.info({ taskId: job.taskId, user: task.user, fee: job.fee, plan, spec: task.spec }, "task accepted");
    found++;
  }
  ctx.journal.setCursor(next);
  return found;
}

/** Advances every open job as far as it can go now; a failing job is logged and retried on the next tick. */
export async function advanceAll(ctx: WorkerContext): Promise<void> {
  const open = ctx.journal.open();
  ctx.metrics.openJobs.set(open.length);
  for (const job of open) {
    if (ctx.signal.aborted) return;
    try {
      await advance(ctx, job);
    } catch (err) {
      if (ctx.signal.aborted && isZgError(err, "FINETUNE_ABORTED")) return;
      ctx.metrics.failures.inc({ phase: job.phase });
      ctx.logger.warn({ taskId: job.taskId, phase: job.phase, err }, `task step failed: ${errorText(err)}`);
    }
  }
}

async function step(ctx: WorkerContext, job: Job, next: Partial<Job>): Promise<Job> {
  const saved = ctx.journal.put({ ...job, ...next });
  ctx.metrics.tasks.inc({ phase: saved.phase });
  ctx.logger.info({ taskId: saved.taskId, phase: saved.phase }, `task ${saved.phase}`);
  await ctx.afterStep?.(saved);
  return saved;
}

async function chainTime(ctx: WorkerContext): Promise<bigint> {
  const block = await ctx.client.provider.getBlock("latest");
  return BigInt(block!.timestamp);
}

export async function advance(ctx: WorkerContext, start: Job): Promise<void> {
  let job = start;
  const id = BigInt(job.taskId);
  for (;;) {
    if (ctx.signal.aborted) return;
    const task = await readTask(ctx.fineTuning, id);
    if (task.status === TASK_STATUS.cancelled) {
      await step(ctx, job, { phase: "dropped", reason: "the user cancelled the task" });
      return;
    }
    if (task.status === TASK_STATUS.settled) {
      await step(ctx, job, { phase: "settled", paid: task.paid.toString() });
      return;
    }
    switch (job.phase) {
      case "accepted":
      case "trained":
      case "uploaded": {
        if (task.status !== TASK_STATUS.created) {
          // Registered before the journal could say so (a crash right after the transaction): the chain is the truth.
          job = await step(ctx, job, { phase: "submitted", modelRoot: task.modelRoot });
          continue;
        }
        if ((await chainTime(ctx)) > task.deliverBy) {
          await step(ctx, job, { phase: "dropped", reason: `the delivery deadline ${task.deliverBy} passed` });
          return;
        }
        if (job.phase === "accepted") {
          const next = await train(ctx, job, task);
          if (!next) return;
          job = next;
        } else if (job.phase === "trained") job = await upload(ctx, job);
        else job = await submit(ctx, job);
        continue;
      }
      case "submitted": {
        const now = await chainTime(ctx);
        const due =
          task.status === TASK_STATUS.acknowledged || (task.status === TASK_STATUS.delivered && now > task.ackDeadline);
        if (!due) return;
        const tx = await ctx.fineTuning.settle(id);
        await tx.wait(ctx.client.confirmations);
        const paid = (await readTask(ctx.fineTuning, id)).paid;
        ctx.metrics.paid.inc(Number(paid));
        ctx.logger.info(
          { taskId: job.taskId, paid: paid.toString(), acknowledged: task.status === TASK_STATUS.acknowledged },
          "task settled",
        );
        await step(ctx, job, { phase: "settled", settleTx: tx.hash as string, paid: paid.toString() });
        return;
      }
      default:
        return;
    }
  }
}

async function train(ctx: WorkerContext, job: Job, task: FineTuningTask): Promise<Job | undefined> {
  const provider = ctx.client.signer!.address;
  const chargeable = (await ctx.ledger.chargeable(task.user, provider)) as bigint;
  if (chargeable < task.fee) {
    if (ctx.skipped.has(job.taskId)) return undefined;
    ctx.skipped.add(job.taskId);
    ctx.metrics.tasks.inc({ phase: "skipped" });
    ctx.logger.info(
      { taskId: job.taskId, user: task.user, chargeable: chargeable.toString(), fee: task.fee.toString() },
      "task skipped: the user's sub-account no longer covers the fee (checked again on the next poll)",
    );
    return undefined;
  }
  ctx.skipped.delete(job.taskId);
  const dir = ctx.journal.workDir(job.taskId);
  const got = await retrieve(task.datasetRoot, ctx.nodes, {
    logger: ctx.logger.child({ module: "storage" }),
    concurrency: ctx.options.storage.concurrency,
  });
  if (got.data.length > ctx.options.maxDatasetBytes) {
    await step(ctx, job, {
      phase: "dropped",
      reason: `dataset of ${got.data.length} bytes is above the ${ctx.options.maxDatasetBytes}-byte limit`,
    });
    return undefined;
  }
  const data = path.join(dir, "dataset.txt");
  fs.writeFileSync(data, got.data);
  // A fresh folder per attempt: a job orphaned by a SIGKILLed worker may still be writing into an older one.
  const out = path.join(dir, `out-${Date.now()}`);
  const started = performance.now();
  let report;
  try {
    report = await ctx.trainer(
      {
        base: ctx.options.base,
        data,
        out,
        steps: job.steps,
        batch: job.batch,
        context: job.context,
        device: ctx.options.device,
        threads: ctx.options.threads,
      },
      ctx.signal,
      ctx.logger.child({ module: "train", taskId: job.taskId }),
    );
  } catch (err) {
    if (isZgError(err, "FINETUNE_BAD_INPUT")) {
      await step(ctx, job, { phase: "dropped", reason: errorText(err) });
      return undefined;
    }
    throw err;
  }
  ctx.metrics.trainSeconds.observe((performance.now() - started) / 1000);
  ctx.metrics.heldoutLoss.set({ when: "before" }, report.heldout_loss_before);
  ctx.metrics.heldoutLoss.set({ when: "after" }, report.heldout_loss_after);
  const modelFile = path.join(out, "model.gguf");
  const modelHash = sha256File(modelFile);
  if (modelHash !== report.gguf_sha256)
    throw new Error(`model.gguf hashes to ${modelHash}, the job said ${report.gguf_sha256}`);
  ctx.logger.info(
    { taskId: job.taskId, before: report.heldout_loss_before, after: report.heldout_loss_after, modelHash },
    "task trained",
  );
  return step(ctx, job, {
    phase: "trained",
    modelFile,
    modelHash,
    heldoutLossBefore: report.heldout_loss_before,
    heldoutLossAfter: report.heldout_loss_after,
  });
}

async function upload(ctx: WorkerContext, job: Job): Promise<Job> {
  const file = job.modelFile!;
  if (!fs.existsSync(file) || sha256File(file) !== job.modelHash) {
    ctx.logger.warn({ taskId: job.taskId, file }, "the trained model is missing or changed on disk; training again");
    return step(ctx, job, { phase: "accepted", modelFile: undefined, modelHash: undefined });
  }
  // A retry after a crash finds the Submit on chain and pays nothing again (ensureSubmitted).
  const up = await uploadFile(ctx.client, fs.readFileSync(file), ctx.nodes, {
    logger: ctx.logger.child({ module: "storage" }),
    batchSegments: ctx.options.storage.batchSegments,
    concurrency: ctx.options.storage.concurrency,
    syncTimeoutMs: ctx.options.storage.syncTimeoutMs,
    notify: (line) => ctx.logger.info({ taskId: job.taskId }, line),
  });
  ctx.metrics.storageFees.inc(Number(up.paid));
  return step(ctx, job, { phase: "uploaded", modelRoot: up.root, uploadTx: up.txHash });
}

async function submit(ctx: WorkerContext, job: Job): Promise<Job> {
  const tx = await ctx.fineTuning.submitDeliverable(BigInt(job.taskId), job.modelRoot!, `0x${job.modelHash!}`);
  await tx.wait(ctx.client.confirmations);
  return step(ctx, job, { phase: "submitted", submitTx: tx.hash as string });
}
