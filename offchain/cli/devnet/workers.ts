import type { ChainClient } from "../../common/chain";
import type { Logger } from "../../common/logger";
import type { Registry } from "prom-client";
import type { DevnetAccounts } from "./accounts";
import type { DevnetOptions } from "./options";
import { alignmentNodeWorker } from "./alignmentNode";
import { computeProvidersWorker } from "./computeProviders";
import { daSignersWorker } from "./daSigners";
import { inftOracleWorker } from "./inftOracle";
import { storageNodesWorker } from "./storageNodes";

/** What the devnet hands a worker it starts. */
export interface DevnetWorkerContext {
  chain: ChainClient;
  rpcUrl: string;
  deploymentsDir: string;
  options: DevnetOptions;
  /** The account of each role: hardhat's dev accounts, or keys derived from --key and funded on an external chain. */
  accounts: DevnetAccounts;
  dataDir: string;
  logger: Logger;
  metrics: Registry;
  signal: AbortSignal;
  /** The services the workers before this one started (the alignment node checks the storage nodes). */
  services: DevnetServices;
}

/** The devnet's service URLs by kind, written to devnet.json for tools (`zg market services --devnet`) to read. */
export interface DevnetServices {
  storageNodes: string[];
  daSigners: string[];
  computeProviders: string[];
  /** iNFT transfer oracles acknowledged on TeeTransferVerifier (`zg market fulfill --oracle`). */
  inftOracles: string[];
}

export interface StartedWorker {
  /** Stops what the worker started. */
  stop(): Promise<void>;
  /** What an operator would connect to, one line each (printed in the summary). */
  endpoints: string[];
  /** The same endpoints as bare URLs by kind, for scripts; the free-text lines above are for people. */
  services?: Partial<DevnetServices>;
}

export interface DevnetWorker {
  name: string;
  start(ctx: DevnetWorkerContext): Promise<StartedWorker>;
}

/** The workers `zg devnet` starts, in order; each domain adds its nodes here as it lands. */
export const DEVNET_WORKERS: DevnetWorker[] = [
  storageNodesWorker,
  daSignersWorker,
  computeProvidersWorker,
  inftOracleWorker,
  alignmentNodeWorker,
];
