// What every step of `zg demo` shares: the devnet it runs against (read from devnet.json), two fresh demo accounts
// funded by the devnet's deployer, one chain client per account, a quiet logger for the libraries, and the printer.
import fs from "node:fs";
import path from "node:path";
import { formatEther, parseEther, Wallet } from "ethers";
import pino from "pino";
import { connectChain, type ChainClient } from "../../common/chain";
import { ZgError } from "../../common/errors";
import type { LogLevel } from "../../common/config";
import { createLogger, type Logger } from "../../common/logger";
import { devWallet } from "../devnet/nodes";
import type { DevnetServices } from "../devnet/workers";

export type DemoErrorCode = "DEMO_DEVNET_UNREADABLE" | "DEMO_DEVNET_INCOMPLETE" | "DEMO_STEP_FAILED";

/** The parts of `<dataDir>/devnet.json` the demo reads. */
export interface DevnetSummary {
  rpcUrl: string;
  chainId: number;
  deployment: string;
  workers: string[];
  services: DevnetServices;
  /** The dev accounts it prints; the first one deployed and is funded. */
  accounts?: { address: string; privateKey: string }[];
}

/** Tokens each demo account gets from the deployer (the devnet's first account): stake, fees, deposit, price. */
const FUNDING = parseEther("100");

export interface DemoContext {
  devnet: DevnetSummary;
  /** Folder of this run: the demo accounts' key files (and the receipt key) live here. */
  runDir: string;
  /** The user of the story: stakes, stores, publishes a blob, buys inference, mints and sells the agent. */
  alice: ChainClient & { signer: Wallet };
  /** The buyer of the agent. */
  bob: ChainClient & { signer: Wallet };
  logger: Logger;
  /** One line of a step's output (indented under its heading). */
  say(line: string): void;
}

/** Reads and checks `<dir>/devnet.json` as `zg devnet` writes it. */
export function readDevnetSummary(dir: string): DevnetSummary {
  const file = path.join(dir, "devnet.json");
  let summary: DevnetSummary;
  try {
    summary = JSON.parse(fs.readFileSync(file, "utf8")) as DevnetSummary;
  } catch (err) {
    throw new ZgError<DemoErrorCode>("DEMO_DEVNET_UNREADABLE", `cannot read ${file}: ${(err as Error).message}`, {
      hint: "pass the --data-dir of a running `zg devnet` (default .zg/devnet), or leave --devnet out to start one",
      cause: err,
    });
  }
  if (typeof summary.rpcUrl !== "string" || typeof summary.deployment !== "string" || !summary.services) {
    throw new ZgError<DemoErrorCode>("DEMO_DEVNET_UNREADABLE", `${file} is not a devnet summary`, {
      hint: "point --devnet at the folder `zg devnet --data-dir` wrote",
    });
  }
  // A devnet whose services list predates the oracle still names it among its workers.
  summary.services.inftOracles ??= summary.workers
    .filter((w) => w.startsWith("inft-oracle-"))
    .map((w) => /(http:\/\/\S+)/.exec(w)?.[1])
    .filter((u): u is string => u !== undefined);
  return summary;
}

/** What the story needs of the devnet: fails before anything is sent when a worker kind is missing. */
export function checkDevnet(summary: DevnetSummary): void {
  const need: [keyof DevnetServices, number, string][] = [
    ["storageNodes", 4, "--storage-nodes 4 (the dataset is erasure-coded 2+2, one shard per node)"],
    ["daSigners", 1, "--da-signers 4"],
    ["computeProviders", 1, "--compute-providers 1"],
    ["inftOracles", 1, "a devnet that starts the iNFT oracle"],
  ];
  const missing = need.filter(([kind, n]) => (summary.services[kind]?.length ?? 0) < n);
  if (missing.length > 0) {
    throw new ZgError<DemoErrorCode>(
      "DEMO_DEVNET_INCOMPLETE",
      `the devnet lacks ${missing.map(([kind, n]) => `${kind} (needs ${n})`).join(", ")}`,
      { hint: `start it with ${missing.map(([, , how]) => how).join(", ")}` },
    );
  }
}

/**
 * Two fresh accounts (so the story can run again on the same devnet), funded by the deployer, with their key files
 * in `runDir` so a person can carry on with the `zg` commands as either of them.
 */
export async function openDemo(summary: DevnetSummary, runDir: string, logLevel: LogLevel): Promise<DemoContext> {
  fs.mkdirSync(runDir, { recursive: true });
  const logger = createLogger(
    { level: logLevel },
    { bindings: { node: "demo" }, destination: pino.destination({ fd: 2, sync: true }) },
  );
  const connect = async (name: string) => {
    const wallet = Wallet.createRandom();
    const keyFile = path.join(runDir, `${name}.key`);
    fs.writeFileSync(keyFile, `${wallet.privateKey}\n`, { mode: 0o600 });
    const client = await connectChain(
      {
        rpcUrl: summary.rpcUrl,
        chainId: summary.chainId,
        deploymentsDir: path.dirname(summary.deployment),
        confirmations: 1,
        rpcTimeoutMs: 5000,
        keyFile,
      },
      logger,
    );
    return client as ChainClient & { signer: Wallet };
  };
  const alice = await connect("alice");
  const bob = await connect("bob");
  const funder = summary.accounts?.[0]?.privateKey ?? devWallet(0).privateKey;
  const deployer = new Wallet(funder, alice.provider);
  for (const account of [alice, bob]) {
    await (await deployer.sendTransaction({ to: account.signer.address, value: FUNDING })).wait();
  }
  const say = (line: string) => console.log(`    ${line}`);
  say(`alice ${alice.signer.address} and bob ${bob.signer.address}: ${formatEther(FUNDING)} tokens each`);
  say(`their keys: ${runDir}`);
  return { devnet: summary, runDir, alice, bob, logger, say };
}

export function closeDemo(ctx: DemoContext): void {
  ctx.alice.close();
  ctx.bob.close();
}
