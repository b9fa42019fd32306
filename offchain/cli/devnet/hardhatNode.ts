import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { ZgError } from "../../common/errors";
import type { Logger } from "../../common/logger";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli");

export interface HardhatProcess {
  child: ChildProcess;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Runs `hardhat <args>` from the repository root with its output appended to `logFile`. */
export function runHardhat(args: string[], logFile: string, env: NodeJS.ProcessEnv = {}): HardhatProcess {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, [HARDHAT_CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...inheritedEnv(), HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", ...env },
    stdio: ["ignore", log, log],
    // Its own process group: a Ctrl-C at the terminal reaches only the devnet, which then stops its
    // children in order (workers before the chain they talk to).
    detached: true,
  });
  fs.closeSync(log);
  // A forced exit (second Ctrl-C) skips the orderly stop; the chain must not outlive us all the same.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      process.off("exit", killOnExit);
      resolve(code);
    }),
  );
  return {
    child,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

// A parent run under `hardhat test` exports its network choice, which `hardhat node` and `--network` refuse.
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.HARDHAT_NETWORK;
  return env;
}

/** Refuses a port someone else listens on before anything starts, instead of a crash in a child process. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new ZgError("DEVNET_PORT_IN_USE", `${host}:${port} is not free (${err.code ?? err.message})`, {
          hint: "stop whatever listens there (another devnet or `hardhat node`?) or pass --port <free port>",
        }),
      ),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/**
 * Starts `hardhat node` and waits until it answers `eth_chainId`. When it dies or stays silent, the error
 * carries the end of its log, which says why (a compile error, a port taken in the meantime).
 */
export async function startHardhatNode(
  options: { host: string; port: number; logFile: string; timeoutMs: number; signal: AbortSignal },
  logger: Logger,
): Promise<HardhatProcess & { url: string; chainId: number }> {
  fs.rmSync(options.logFile, { force: true });
  const node = runHardhat(["node", "--hostname", options.host, "--port", String(options.port)], options.logFile);
  const url = `http://${options.host}:${options.port}`;
  logger.info({ url, pid: node.child.pid, log: options.logFile }, "starting hardhat node");
  const deadline = Date.now() + options.timeoutMs;
  let exitCode: number | null | undefined;
  void node.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline && !options.signal.aborted) {
    if (exitCode !== undefined) break;
    const chainId = await probeChainId(url);
    if (chainId !== undefined) return { ...node, url, chainId };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await node.stop();
  const reason = options.signal.aborted
    ? "start was interrupted"
    : exitCode !== undefined
      ? `it exited with code ${exitCode}`
      : `it did not answer within ${options.timeoutMs} ms`;
  throw new ZgError("DEVNET_CHAIN_FAILED", `the local chain did not start: ${reason}; ${logTail(options.logFile)}`, {
    hint: `read ${options.logFile}; raise --start-timeout-ms on a slow machine`,
  });
}

async function probeChainId(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    const body = (await res.json()) as { result?: string };
    return body.result ? Number(body.result) : undefined;
  } catch {
    return undefined;
  }
}

/** The last non-empty line of a log, for error messages. */
export function logTail(file: string): string {
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return lines.length ? `last log line: ${lines[lines.length - 1].trim()}` : "its log is empty";
}
