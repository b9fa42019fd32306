import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "../../..");
const FIXTURES = path.resolve(__dirname, "../fixtures");

export interface FixtureProcess {
  child: ChildProcess;
  /** Every stdout line so far; JSON lines parsed, others as `{ raw }`. */
  lines: Record<string, unknown>[];
  /** Resolves with the first line matching, rejects if the process exits or `timeoutMs` passes first. */
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Runs `test/offchain/fixtures/<name>.ts` in its own node process through ts-node. */
export function runFixture(name: string, args: string[] = []): FixtureProcess {
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(FIXTURES, `${name}.ts`), ...args],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let partial = "";
  let errors = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const parts = (partial + chunk.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) if (part) lines.push(parseLine(part));
    for (const wake of [...waiters]) wake();
  });
  child.stderr?.on("data", (chunk: Buffer) => (errors += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );

  function waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs = 30_000) {
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no matching line within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        const found = lines.find(match);
        if (found) done(undefined, found);
      };
      function done(err?: Error, line?: Record<string, unknown>) {
        clearTimeout(timer);
        const index = waiters.indexOf(check);
        if (index < 0) return;
        waiters.splice(index, 1);
        if (line) resolve(line);
        else reject(err ?? new Error("unreachable"));
      }
      waiters.push(check);
      void exited.then(({ code }) => {
        if (waiters.includes(check)) done(new Error(`${name} exited (${code}) first; stderr:\n${errors}`));
      });
      check();
    });
  }

  return { child, lines, waitForLine, exited, stderr: () => errors };
}

function parseLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { raw: line };
  }
}
