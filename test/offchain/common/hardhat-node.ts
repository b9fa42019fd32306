import path from "node:path";
import { startHardhatNode as startDevChain } from "../../../offchain/cli/devnet/hardhatNode";
import { freePort, memoryLogger, tempDir } from "./helpers";

export interface HardhatNode {
  url: string;
  stop(): Promise<void>;
}

/** A real `hardhat node` on a free port, started the way `zg devnet` starts its chain. */
export async function startHardhatNode(timeoutMs = 60_000): Promise<HardhatNode> {
  const node = await startDevChain(
    {
      host: "127.0.0.1",
      port: await freePort(),
      logFile: path.join(tempDir("chain"), "chain.log"),
      timeoutMs,
      signal: new AbortController().signal,
    },
    memoryLogger("warn").logger,
  );
  return { url: node.url, stop: () => node.stop() };
}
