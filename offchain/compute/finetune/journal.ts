/**
 * The worker's durable job journal: one JSON file per task under <dataDir>/jobs, rewritten atomically (write a
 * temporary file, fsync, rename) after every step, plus the task cursor. A restart reads it back and resumes each
 * task at the step it reached, so nothing is trained, uploaded or submitted twice.
 */
import fs from "node:fs";
import path from "node:path";

/**
 * Steps in order. `accepted`: ours and open; `trained`: model file and its sha256 on disk; `uploaded`: the model's
 * storage root is stored; `submitted`: the deliverable is registered on chain; then one of the terminal ones.
 */
export const PHASES = ["accepted", "trained", "uploaded", "submitted", "settled", "dropped"] as const;
export type Phase = (typeof PHASES)[number];
export const TERMINAL: readonly Phase[] = ["settled", "dropped"];

export interface Job {
  taskId: string;
  phase: Phase;
  user: string;
  fee: string;
  datasetRoot: string;
  steps: number;
  batch: number;
  context: number;
  modelFile?: string;
  modelHash?: string;
  modelRoot?: string;
  heldoutLossBefore?: number;
  heldoutLossAfter?: number;
  uploadTx?: string;
  submitTx?: string;
  settleTx?: string;
  paid?: string;
  /** Why a job was dropped (cancelled, expired, refused by the job). */
  reason?: string;
  updatedAt: number;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export class Journal {
  private readonly jobsDir: string;
  private readonly cursorFile: string;

  constructor(readonly dataDir: string) {
    this.jobsDir = path.join(dataDir, "jobs");
    this.cursorFile = path.join(dataDir, "cursor.json");
    fs.mkdirSync(this.jobsDir, { recursive: true });
  }

  /** Where a task's files (dataset, model) live. */
  workDir(taskId: bigint | string): string {
    const dir = path.join(this.dataDir, "work", String(taskId));
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** The next task id to look at (tasks start at 1). */
  cursor(): bigint {
    if (!fs.existsSync(this.cursorFile)) return 1n;
    const { next } = JSON.parse(fs.readFileSync(this.cursorFile, "utf8")) as { next: string };
    return BigInt(next);
  }

  setCursor(next: bigint): void {
    writeAtomic(this.cursorFile, JSON.stringify({ next: next.toString() }));
  }

  get(taskId: bigint | string): Job | undefined {
    const file = path.join(this.jobsDir, `${taskId}.json`);
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Job) : undefined;
  }

  /** Writes the job, stamped now; the file is whole or absent whatever happens during the call. */
  put(job: Job): Job {
    const stamped = { ...job, updatedAt: Math.floor(Date.now() / 1000) };
    writeAtomic(path.join(this.jobsDir, `${job.taskId}.json`), JSON.stringify(stamped, null, 2));
    return stamped;
  }

  all(): Job[] {
    return fs
      .readdirSync(this.jobsDir)
      .filter((f) => /^\d+\.json$/.test(f))
      .map((f) => JSON.parse(fs.readFileSync(path.join(this.jobsDir, f), "utf8")) as Job)
      .sort((a, b) => Number(BigInt(a.taskId) - BigInt(b.taskId)));
  }

  /** Jobs not yet settled or dropped, oldest task first. */
  open(): Job[] {
    return this.all().filter((j) => !TERMINAL.includes(j.phase));
  }
}
