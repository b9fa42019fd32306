// The storage client end to end on a real devnet: `zg devnet`, four `zg storage-node` processes, and the client in
// this process (core layout + submission, one batchSubmit, segments to the nodes in parallel, download with every
// proof checked and the file root verified): plain to 4, 2 and 1 of the nodes (`--replicas`), and erasure-coded
// 2+2 (one shard per node). Reports upload and download MB/s, CPU seconds per process and the peak RSS (VmHWM) of
// the node processes. Writes bench/reports/storage-client.json.
//
//   npx ts-node -T bench/storage-client.ts        (BENCH_MIB=32,256 sets the file sizes, default 32)
import fs from "node:fs";
import path from "node:path";
import { HDNodeWallet, Mnemonic } from "ethers";
import pino from "pino";
import { connectChain } from "../offchain/common/chain";
import { retrieve, uploadFileEc } from "../offchain/storage/client/ec";
import { nodeClients } from "../offchain/storage/client/nodes";
import { uploadFile } from "../offchain/storage/client/upload";
import { SegmentHasher, loadHashers } from "../offchain/storage/core";
import { startDevnet } from "../test/helpers/process";
import { startStorageNode, type StorageNodeProcess } from "../test/helpers/storageNodes";
import { writeReport } from "./report";

const MiB = 1024 * 1024;
const SIZES = (process.env.BENCH_MIB ?? "32").split(",").map((s) => Number(s) * MiB);
// Plain uploads to every node (4 copies), to 2 and to 1 of them (`--replicas`), and 2+2 erasure coding (one shard
// per node: the file survives 2 lost nodes at twice its size, as 3 copies would at 3 times).
const RUNS: { ec: boolean; replicas?: number }[] = [
  { ec: false },
  { ec: false, replicas: 2 },
  { ec: false, replicas: 1 },
  { ec: true },
];

function vmHwmMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** CPU seconds (user + system) a process has used, from /proc: load on a shared machine does not change it. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Pseudo-random bytes in shared memory, as `zg storage upload` reads a large file (the hasher threads use it as is). */
function randomish(n: number, seed: number): Buffer {
  const out = Buffer.from(new SharedArrayBuffer(n));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.writeUInt32LE(x, Math.min(i, n - 4));
  }
  return out;
}

async function main() {
  await loadHashers();
  const devnet = await startDevnet("zg-storage-client-bench-");
  const nodes: StorageNodeProcess[] = [];
  const results: Record<string, unknown>[] = [];
  const logger = pino({ level: "warn" });
  try {
    for (const name of ["a", "b", "c", "d"])
      nodes.push(await startStorageNode(devnet, path.join(devnet.dataDir, name)));
    const wallet = HDNodeWallet.fromMnemonic(
      Mnemonic.fromPhrase("test test test test test test test test test test test junk"),
      "m/44'/60'/0'/0/12",
    );
    const client = await connectChain(
      {
        rpcUrl: devnet.url,
        deploymentsDir: devnet.deployments,
        privateKey: wallet.privateKey,
        confirmations: 1,
        rpcTimeoutMs: 30_000,
      } as Parameters<typeof connectChain>[0],
      logger,
    );
    const clients = nodeClients(nodes.map((n) => n.url));
    const hasher = await SegmentHasher.start();
    const opts = { logger, batchSegments: 8, concurrency: 2, syncTimeoutMs: 120_000, hasher };
    try {
      for (const size of SIZES) {
        for (const { ec, replicas } of RUNS) {
          const data = randomish(size, size + (ec ? 1 : 0) + 2 * (replicas ?? 0));
          const pids = [...nodes.map((n) => n.run.child.pid!), process.pid];
          const cpuBefore = pids.map(cpuSeconds);
          const uploadFrom = performance.now();
          let segmentsFrom = uploadFrom;
          const progress = { start: () => (segmentsFrom = performance.now()), add() {}, stop() {} };
          const root = ec
            ? (await uploadFileEc(client, data, clients, { k: 2, m: 2 }, { ...opts, progress })).manifestRoot
            : (await uploadFile(client, data, clients, { ...opts, progress, replicas })).root;
          const uploadS = (performance.now() - uploadFrom) / 1000;
          const cpu = pids.map((pid, i) => Math.round((cpuSeconds(pid) - cpuBefore[i]) * 100) / 100);
          const t = performance.now();
          const back = await retrieve(root, clients, { logger, concurrency: 8 });
          const downloadS = (performance.now() - t) / 1000;
          if (!back.data.equals(data)) throw new Error("downloaded bytes differ");
          const row = {
            mib: size / MiB,
            ec: ec ? "2+2" : "none",
            copies: ec
              ? "k+m = 2+2 shards, one per node"
              : `${replicas ?? nodes.length} whole cop${(replicas ?? nodes.length) === 1 ? "y" : "ies"}`,
            uploadMBps: Math.round((size / 1e6 / uploadS) * 10) / 10,
            downloadMBps: Math.round((size / 1e6 / downloadS) * 10) / 10,
            uploadS: Math.round(uploadS * 100) / 100,
            // Before the segments: layout and roots, the Submit mined, the nodes seeing it.
            uploadPrepareS: Math.round(segmentsFrom - uploadFrom) / 1000,
            uploadCpuS: { nodes: cpu.slice(0, -1), client: cpu[cpu.length - 1] },
            downloadS: Math.round(downloadS * 100) / 100,
            nodePeakRssMiB: nodes.map((n) => vmHwmMiB(n.run.child.pid!)),
          };
          console.log(JSON.stringify(row));
          results.push(row);
        }
      }
    } finally {
      await hasher.close();
      client.close();
    }
  } finally {
    for (const n of nodes) await n.stop();
    await devnet.stop();
  }
  console.log(`wrote ${writeReport("storage-client", { nodes: 4, batchSegments: 8, runs: results })}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
