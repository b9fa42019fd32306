import type { ChainClient } from "../../common/chain";
import type { Logger } from "../../common/logger";
import type { Registry } from "prom-client";

/** What the devnet hands a worker it starts. */
export interface DevnetWorkerContext {
  chain: ChainClient;
  dataDir: string;
  logger: Logger;
  metrics: Registry;
  signal: AbortSignal;
}

export interface DevnetWorker {
  name: string;
  /** Starts the worker; the returned function stops it. */
  start(ctx: DevnetWorkerContext): Promise<() => Promise<void>>;
}

/** The workers `zg devnet` starts, in order; each domain adds its node here as it lands. */
export const DEVNET_WORKERS: DevnetWorker[] = [];
