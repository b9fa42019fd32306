// Starts `zg storage-node` processes against a `zg devnet`, as the storage e2e tests need them.
import { freePort, startZg, waitFor, type Devnet, type Running } from "./process";

export interface StorageNodeProcess {
  run: Running;
  url: string;
  adminUrl: string;
  metricsUrl: string;
  dataDir: string;
  /** SIGINT, as an operator stops it; resolves when it has exited. */
  stop(): Promise<void>;
}

/** A storage node on free ports, polling the chain every 100 ms; `extra` flags are appended. */
export async function startStorageNode(
  devnet: Devnet,
  dataDir: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<StorageNodeProcess> {
  const metricsPort = await freePort();
  const run = startZg(
    [
      "storage-node",
      "--rpc",
      devnet.url,
      "--deployments",
      devnet.deployments,
      "--port",
      "0",
      "--admin-port",
      "0",
      "--data-dir",
      dataDir,
      "--poll-interval-ms",
      "100",
      "--metrics",
      "--metrics-port",
      String(metricsPort),
      ...extra,
    ],
    env,
  );
  await waitFor(() => run.stdout().includes("storage-node ready") || run.child.exitCode !== null, 60_000, "node");
  const m = /storage-node ready: (\S+) \(admin (\S+)\)/.exec(run.stdout());
  if (!m) throw new Error(`zg storage-node did not start:\n${run.stderr()}`);
  return {
    run,
    url: m[1],
    adminUrl: m[2],
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    dataDir,
    async stop() {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill("SIGINT");
        await run.exited;
      }
    },
  };
}
