/**
 * Runs the training job (scripts/compute/finetune.py) in a python that has torch. The job is a child process so a
 * shutdown can kill it and a crash of the job cannot take the worker down.
 */
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { ZgError } from "../../common/errors";
import type { Logger } from "../../common/logger";

export type FinetuneErrorCode = "FINETUNE_NO_TORCH" | "FINETUNE_JOB_FAILED" | "FINETUNE_BAD_INPUT" | "FINETUNE_ABORTED";

export const FINETUNE_SCRIPT = path.resolve(__dirname, "../../../scripts/compute/finetune.py");
export const DEFAULT_BASE_MODEL = path.resolve(__dirname, "../../../models/zg-tiny");

/** The pythons tried, in order: ZG_PYTHON, `python3` on PATH, the system's /usr/bin/python3. */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = [env.ZG_PYTHON, "python3", "/usr/bin/python3"].filter((p): p is string => Boolean(p));
  return [...new Set(list)];
}

export interface PythonFound {
  python: string;
  torch: string;
}

/** The first candidate that imports torch and numpy, or undefined with what each one said. */
export function findPython(candidates = pythonCandidates()): { found?: PythonFound; tried: string[] } {
  const tried: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", "import numpy, torch; print(torch.__version__)"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    if (r.status === 0) return { found: { python, torch: r.stdout.trim() }, tried };
    const why = r.error ? r.error.message : (r.stderr.trim().split("\n").pop() ?? `exit ${r.status}`);
    tried.push(`${python}: ${why}`);
  }
  return { tried };
}

/** Like findPython, but a ZgError naming every python tried when none has torch. */
export function requirePython(candidates = pythonCandidates()): PythonFound {
  const { found, tried } = findPython(candidates);
  if (found) return found;
  throw new ZgError<FinetuneErrorCode>(
    "FINETUNE_NO_TORCH",
    `no python with torch and numpy found (${tried.join("; ")})`,
    {
      hint: "install torch (pip install torch numpy) or point ZG_PYTHON at a python that has it",
    },
  );
}

export interface TrainParams {
  base: string;
  data: string;
  out: string;
  steps: number;
  batch: number;
  context: number;
  device: "auto" | "cpu" | "cuda";
  threads: number;
}

/** The job's report line (the fields the worker uses; the rest is kept as is). */
export interface TrainReport {
  heldout_loss_before: number;
  heldout_loss_after: number;
  gguf_sha256: string;
  gguf_bytes: number;
  train_seconds: number;
  device: string;
  [key: string]: unknown;
}

/** What trains a model: the real job, or (tests without torch only) a stand-in with the same contract. */
export type Trainer = (params: TrainParams, signal: AbortSignal, logger: Logger) => Promise<TrainReport>;

export function trainArgs(p: TrainParams): string[] {
  return [
    FINETUNE_SCRIPT,
    "--base",
    p.base,
    "--data",
    p.data,
    "--out",
    p.out,
    "--steps",
    String(p.steps),
    "--batch",
    String(p.batch),
    "--context",
    String(p.context),
    "--device",
    p.device,
    "--threads",
    String(p.threads),
  ];
}

/** The real trainer: finetune.py in `python`; SIGTERM (then SIGKILL after 5 s) when `signal` aborts. */
export function pythonTrainer(python: string): Trainer {
  return (params, signal, logger) =>
    new Promise<TrainReport>((resolve, reject) => {
      if (signal.aborted) return reject(aborted());
      const child = spawn(python, trainArgs(params), { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => {
        err += c.toString();
        for (const line of c.toString().split("\n")) if (line.startsWith("step ")) logger.debug({ line }, "training");
      });
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        child.kill("SIGTERM");
        killTimer = setTimeout(() => child.kill("SIGKILL"), 5000);
        killTimer.unref();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      child.once("error", (e) => reject(e));
      child.once("exit", (code, sig) => {
        signal.removeEventListener("abort", onAbort);
        if (killTimer) clearTimeout(killTimer);
        if (signal.aborted) return reject(aborted());
        if (code === 0) {
          const line = out.trim().split("\n").pop() ?? "";
          try {
            return resolve(JSON.parse(line) as TrainReport);
          } catch {
            return reject(jobFailed(`the job printed no report line (stdout: ${line.slice(0, 200)})`));
          }
        }
        const reason = /finetune: (.*)/.exec(err)?.[1];
        if (code === 2 && reason) {
          return reject(
            new ZgError<FinetuneErrorCode>("FINETUNE_BAD_INPUT", `the training job refused the task: ${reason}`, {
              hint: "the dataset or spec cannot be trained on; the task is left for the user to cancel",
            }),
          );
        }
        reject(jobFailed(`exit ${code ?? sig}: ${err.trim().split("\n").slice(-3).join(" | ")}`));
      });
    });
}

function aborted(): ZgError<FinetuneErrorCode> {
  return new ZgError<FinetuneErrorCode>("FINETUNE_ABORTED", "training was stopped by shutdown", {
    hint: "a restart trains the task again from its dataset",
  });
}

function jobFailed(why: string): ZgError<FinetuneErrorCode> {
  return new ZgError<FinetuneErrorCode>("FINETUNE_JOB_FAILED", `the training job failed: ${why}`, {
    hint: "see the job's output above; the worker retries the task on its next poll",
  });
}
