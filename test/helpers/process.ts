import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HDNodeWallet, Mnemonic } from "ethers";

export const ZG_BIN = path.resolve(__dirname, "..", "..", "bin", "zg.js");

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `zg <args>` as a real process, collecting its output. */
export function startZg(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [ZG_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs `zg <args>` to completion. */
export async function runZg(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = startZg(args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Waits until `predicate` holds, polling; throws with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on the port. */
export async function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const DEV_MNEMONIC = "test test test test test test test test test test test junk";
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli");

/** Address of the `index`-th funded account of a local `hardhat node` (`zg devnet`). */
export function devAddress(index: number): string {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`).address;
}

/** Runs `npx hardhat --network localhost <args>` against a devnet, as an operator would; resolves its output. */
export function runTask(rpcUrl: string, deployments: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ZG_LOCAL_RPC: rpcUrl, ZG_DEPLOYMENTS_DIR: deployments };
    // A parent `hardhat test` exports its own network choice, which `--network` would fight.
    delete env.HARDHAT_NETWORK;
    const child = spawn(process.execPath, [HARDHAT_CLI, "--network", "localhost", ...args], {
      cwd: path.resolve(__dirname, "..", ".."),
      env,
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${args[0]} exited ${code}:\n${out}`))));
  });
}

export interface Devnet {
  process: Running;
  url: string;
  dataDir: string;
  deployments: string;
  /** Ctrl-C, as an operator stops it, then removes its data dir; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `zg devnet` on a free port with its own data dir and waits until it is ready. Its own storage nodes and
 * DA signers are off unless `args` asks for them: suites start the nodes they test as processes.
 */
export async function startDevnet(
  prefix = "zg-devnet-",
  args: string[] = ["--storage-nodes", "0", "--da-signers", "0", "--compute-providers", "0"],
): Promise<Devnet> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const port = await freePort();
  const devnet = startZg(["devnet", "--port", String(port), "--data-dir", dataDir, ...args]);
  await waitFor(() => devnet.stdout().includes("devnet ready") || devnet.child.exitCode !== null, 150_000, "devnet");
  if (!devnet.stdout().includes("devnet ready")) throw new Error(`zg devnet did not start:\n${devnet.stderr()}`);
  return {
    process: devnet,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    deployments: path.join(dataDir, "deployments"),
    async stop() {
      devnet.child.kill("SIGINT");
      const code = await devnet.exited;
      // Its chain, nodes' stores and uploads: a 256 MiB benchmark leaves gigabytes. ZG_KEEP_TEST_DIRS=1 keeps them.
      if (!process.env.ZG_KEEP_TEST_DIRS) fs.rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
