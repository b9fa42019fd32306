// End to end on `zg devnet` with real `zg storage-node` processes and the FineTuning contract: a user uploads a
// small dataset and orders a task; the fine-tuning worker (in-process, the real finetune.py when a python with torch
// exists) downloads it, trains, uploads the model, registers the deliverable and settles. A worker stopped after its
// upload resumes from its journal without a second upload or submission; a shutdown kills a running training job.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import {
  Contract,
  HDNodeWallet,
  JsonRpcProvider,
  Mnemonic,
  parseEther,
  toBeHex,
  zeroPadValue,
  type Wallet,
} from "ethers";
import { connectChain, type ChainClient } from "../../offchain/common/chain";
import { loadConfig } from "../../offchain/common/config";
import { Lifecycle } from "../../offchain/common/lifecycle";
import { createLogger } from "../../offchain/common/logger";
import { createMetricsRegistry } from "../../offchain/common/metrics";
import {
  FINETUNING_ABI,
  finetunerOptionsSchema,
  findPython,
  initFinetuner,
  pythonTrainer,
  TASK_STATUS,
  type Job,
  type Trainer,
} from "../../offchain/compute/finetune";
import { retrieve } from "../../offchain/storage/client/ec";
import { nodeClients } from "../../offchain/storage/client/nodes";
import { uploadFile } from "../../offchain/storage/client/upload";
import { loadHashers } from "../../offchain/storage/core";
import { runZg, startDevnet, startZg, waitFor, type Devnet, type Running } from "../helpers/process";
import { startStorageNode, type StorageNodeProcess } from "../helpers/storageNodes";
import { standInTrainerForTestsOnly } from "./finetuneHelpers";

const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const STAKING_ABI = [
  "function registerValidator(bytes consensusPubKey, string description, uint32 commissionPpm, uint32 maxCommissionPpm, uint32 maxChangePpm) payable returns (uint256)",
  "function optIn(address service)",
];
const FLOW_ABI = [
  "event Submit(address indexed sender, bytes32 indexed dataRoot, uint256 submissionIndex, uint256 startPos, uint256 length, uint256 fee, tuple(uint256 length, bytes tags, tuple(bytes32 root, uint256 height)[] nodes) submission)",
];
const FEE = parseEther("0.1");
const DAY = 24 * 3600;

const devWallet = (i: number, rpc: JsonRpcProvider) =>
  HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${i}`).connect(rpc) as unknown as Wallet;

/** A few KB of text the tiny model can learn something from. */
function dataset(): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    lines.push(`Storage node ${i} keeps segments of 256 KiB; the provider trains a model on dataset line ${i}.`);
  }
  return Buffer.from(lines.join("\n") + "\n");
}

describe("[e2e] compute fine-tuning worker on zg devnet", function () {
  this.timeout(900_000);
  const logger = createLogger({ level: "warn" } as never);
  let devnet: Devnet;
  let rpc: JsonRpcProvider;
  let provider: Wallet;
  let user: Wallet;
  let userClient: ChainClient;
  let fineTuning: Contract;
  let flow: Contract;
  const nodes: StorageNodeProcess[] = [];
  let dir: string;
  let providerKey: string;
  let trainer: Trainer;
  let realTrainer = false;
  let datasetRoot: string;

  const options = (dataDir: string) =>
    loadConfig(finetunerOptionsSchema, {
      flags: {
        "chain.rpcUrl": devnet.url,
        "chain.deploymentsDir": devnet.deployments,
        "chain.keyFile": providerKey,
        storageNodes: nodes.map((n) => n.url).join(","),
        dataDir,
        steps: 2,
        batch: 2,
        context: 32,
        threads: 1,
        device: "cpu",
        pollIntervalMs: 200,
        "logger.level": "warn",
      },
    });

  async function startWorker(dataDir: string, extra: { trainer?: Trainer; afterStep?: (j: Job) => unknown } = {}) {
    const lifecycle = new Lifecycle(logger);
    const worker = await initFinetuner(options(dataDir), {
      logger,
      lifecycle,
      registry: createMetricsRegistry({ processMetrics: false }),
      trainer: extra.trainer ?? trainer,
      afterStep: extra.afterStep as never,
    });
    return { worker, lifecycle };
  }

  async function createTask(spec = '{"steps": 2}'): Promise<bigint> {
    const tx = await (fineTuning.connect(user) as Contract).createTask(provider.address, datasetRoot, spec, FEE);
    await tx.wait();
    return (await fineTuning.taskCount()) as bigint;
  }

  before(async function () {
    await loadHashers();
    devnet = await startDevnet("zg-finetune-e2e-");
    rpc = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1 });
    const record = JSON.parse(fs.readFileSync(path.join(devnet.deployments, "31337.json"), "utf8")) as {
      contracts: Record<string, { address: string }>;
    };
    const addr = (name: string) => record.contracts[name].address;
    provider = devWallet(18, rpc);
    user = devWallet(19, rpc);
    fineTuning = new Contract(addr("FineTuning"), FINETUNING_ABI, rpc);
    flow = new Contract(addr("Flow"), FLOW_ABI, rpc);
    const staking = new Contract(addr("Staking"), STAKING_ABI, provider);
    await (
      await staking.registerValidator(zeroPadValue(toBeHex(0xf7), 48), "finetuner", 0, 0, 0, {
        value: parseEther("1000"),
      })
    ).wait();
    await (await staking.optIn(addr("ComputeServing"))).wait();

    dir = fs.mkdtempSync(path.join(devnet.dataDir, "finetune-"));
    providerKey = path.join(dir, "provider.key");
    fs.writeFileSync(providerKey, `${provider.privateKey}\n`, { mode: 0o600 });
    const userKey = path.join(dir, "user.key");
    fs.writeFileSync(userKey, `${user.privateKey}\n`, { mode: 0o600 });
    for (const name of ["a", "b"]) nodes.push(await startStorageNode(devnet, path.join(devnet.dataDir, name)));

    const chainFlags = ["--rpc", devnet.url, "--deployments", devnet.deployments];
    const reg = await runZg([
      "compute",
      "finetuner",
      "register",
      ...chainFlags,
      "--key-file",
      providerKey,
      "--model",
      "zg-tiny",
      "--url",
      "http://127.0.0.1:1",
      "--price",
      "1000",
    ]);
    expect(reg.code, reg.stderr).to.equal(0);
    expect(reg.stdout).to.include("registered fine-tuning service");
    const userFlags = [...chainFlags, "--key-file", userKey];
    const created = await runZg(["compute", "account", "--create", "--deposit", "2", ...userFlags]);
    expect(created.code, created.stderr).to.equal(0);
    const moved = await runZg(["compute", "transfer", "1", "--provider", provider.address, ...userFlags]);
    expect(moved.code, moved.stderr).to.equal(0);

    userClient = await connectChain(
      loadConfig(finetunerOptionsSchema.shape.chain, {
        flags: { rpcUrl: devnet.url, deploymentsDir: devnet.deployments, keyFile: userKey },
      }),
      logger,
    );
    const up = await uploadFile(userClient, dataset(), nodeClients(nodes.map((n) => n.url)), {
      logger,
      batchSegments: 8,
      concurrency: 2,
      syncTimeoutMs: 60_000,
    });
    datasetRoot = up.root;

    const { found, tried } = findPython();
    if (found) {
      trainer = pythonTrainer(found.python);
      realTrainer = true;
    } else {
      console.warn(`      (no python with torch: ${tried.join("; ")}; chain and storage paths use a stand-in trainer)`);
      trainer = standInTrainerForTestsOnly;
    }
  });

  after(async () => {
    userClient?.close();
    for (const n of nodes) await n.stop();
    rpc?.destroy();
    await devnet?.stop();
  });

  let taskId: bigint;
  let dataDir: string;
  let uploadedJob: Job | undefined;

  it("trains, uploads and stops after the upload; the journal says uploaded and nothing is submitted", async () => {
    taskId = await createTask();
    dataDir = path.join(dir, "worker");
    let stopAfterUpload: (() => void) | undefined;
    const stopped = new Promise<void>((resolve) => (stopAfterUpload = resolve));
    const { lifecycle } = await startWorker(dataDir, {
      afterStep: async (job: Job) => {
        if (job.phase !== "uploaded") return;
        uploadedJob = job;
        // Not awaited: close() waits for the loop, which is inside this call.
        void lifecycle.close().then(stopAfterUpload);
      },
    });
    await stopped;
    expect(uploadedJob!.taskId).to.equal(taskId.toString());
    const task = await fineTuning.getTask(taskId);
    expect(Number(task.status)).to.equal(TASK_STATUS.created);
    expect(await flow.queryFilter(flow.filters.Submit(null, uploadedJob!.modelRoot))).to.have.length(1);
  });

  it("a restarted worker resumes at the submission: one upload, one deliverable, the model hash on chain", async () => {
    const { worker, lifecycle } = await startWorker(dataDir);
    try {
      await waitFor(() => worker.journal.get(taskId)?.phase === "submitted", 120_000, "the deliverable");
    } finally {
      await lifecycle.close();
    }
    const job = worker.journal.get(taskId)!;
    const task = await fineTuning.getTask(taskId);
    expect(Number(task.status)).to.equal(TASK_STATUS.delivered);
    expect(task.modelRoot).to.equal(uploadedJob!.modelRoot);
    const model = fs.readFileSync(job.modelFile!);
    expect(task.modelHash).to.equal(`0x${createHash("sha256").update(model).digest("hex")}`);
    expect(await flow.queryFilter(flow.filters.Submit(null, task.modelRoot))).to.have.length(1);
    expect(await fineTuning.queryFilter(fineTuning.filters.DeliverableSubmitted(taskId))).to.have.length(1);
  });

  it("the deliverable root downloads byte-identical to the worker's model", async () => {
    const task = await fineTuning.getTask(taskId);
    const got = await retrieve(task.modelRoot as string, nodeClients(nodes.map((n) => n.url)), {
      logger,
      concurrency: 2,
    });
    const job = JSON.parse(fs.readFileSync(path.join(dataDir, "jobs", `${taskId}.json`), "utf8")) as Job;
    expect(Buffer.compare(got.data, fs.readFileSync(job.modelFile!))).to.equal(0);
    expect(`0x${createHash("sha256").update(got.data).digest("hex")}`).to.equal(task.modelHash);
  });

  it("the real training job lowered the held-out loss", function () {
    if (!realTrainer) {
      console.warn("      (skipped: no python with torch and numpy; set ZG_PYTHON to one that has them)");
      this.skip();
    }
    const job = JSON.parse(fs.readFileSync(path.join(dataDir, "jobs", `${taskId}.json`), "utf8")) as Job;
    expect(job.heldoutLossAfter).to.be.lessThan(job.heldoutLossBefore!);
  });

  it("settles the full fee once the user acknowledged; the provider is paid", async () => {
    await (await (fineTuning.connect(user) as Contract).acknowledge(taskId)).wait();
    const before = await rpc.getBalance(provider.address);
    const { worker, lifecycle } = await startWorker(dataDir);
    try {
      await waitFor(() => worker.journal.get(taskId)?.phase === "settled", 60_000, "the settlement");
    } finally {
      await lifecycle.close();
    }
    const job = worker.journal.get(taskId)!;
    const receipt = await rpc.getTransactionReceipt(job.settleTx!);
    const gas = receipt!.gasUsed * receipt!.gasPrice;
    expect(await rpc.getBalance(provider.address)).to.equal(before + FEE - gas);
    const task = await fineTuning.getTask(taskId);
    expect(Number(task.status)).to.equal(TASK_STATUS.settled);
    expect(task.paid).to.equal(FEE);
    expect(job.paid).to.equal(FEE.toString());
  });

  it("settles the fee less the penalty after the acknowledgement window of an unacknowledged task", async () => {
    const id = await createTask();
    const { worker, lifecycle } = await startWorker(path.join(dir, "worker2"));
    try {
      await waitFor(() => worker.journal.get(id)?.phase === "submitted", 180_000, "the deliverable");
      await rpc.send("evm_increaseTime", [DAY + 1]);
      await rpc.send("evm_mine", []);
      await waitFor(() => worker.journal.get(id)?.phase === "settled", 60_000, "the settlement");
    } finally {
      await lifecycle.close();
    }
    const task = await fineTuning.getTask(id);
    expect(task.paid).to.equal((FEE * (1_000_000n - BigInt(task.penaltyPpm))) / 1_000_000n);
  });

  it("skips a task whose user's sub-account no longer covers the fee, and trains nothing", async () => {
    const id = await createTask();
    const ledger = new Contract(
      await fineTuning.ledger(),
      [
        "function requestRefund(address provider, uint256 amount)",
        "function processRefunds(address provider) returns (uint256)",
        "function chargeable(address user, address provider) view returns (uint256)",
      ],
      user,
    );
    // The ledger's chargeable balance only drops once a refund has waited out its lock time (a day on devnet).
    const left = (await ledger.chargeable(user.address, provider.address)) as bigint;
    await (await ledger.requestRefund(provider.address, left)).wait();
    await rpc.send("evm_increaseTime", [DAY + 1]);
    await rpc.send("evm_mine", []);
    await (await ledger.processRefunds(provider.address)).wait();
    expect(await ledger.chargeable(user.address, provider.address)).to.equal(0n);
    let trained = 0;
    const counting: Trainer = (p, s, l) => (trained++, trainer(p, s, l));
    const { worker, lifecycle } = await startWorker(path.join(dir, "worker3"), { trainer: counting });
    try {
      await worker.tick();
      await worker.tick();
    } finally {
      await lifecycle.close();
    }
    expect(worker.journal.get(id)?.phase).to.equal("accepted");
    expect(trained).to.equal(0);
    expect(Number((await fineTuning.getTask(id)).status)).to.equal(TASK_STATUS.created);
  });

  it("a `zg compute finetuner` killed with SIGKILL mid-task finishes after a restart: one upload, one deliverable", async function () {
    if (!realTrainer) {
      console.warn("      (skipped: the zg process trains with finetune.py, which needs a python with torch)");
      this.skip();
    }
    // Funds for one more task (the previous test refunded the sub-account; its task stays open and is trained too).
    const ledger = new Contract(
      await fineTuning.ledger(),
      ["function transfer(address provider, uint256 amount)"],
      user,
    );
    await (await ledger.transfer(provider.address, 2n * FEE)).wait();
    const id = await createTask();
    const data = path.join(dir, "worker4");
    const args = [
      "compute",
      "finetuner",
      "--rpc",
      devnet.url,
      "--deployments",
      devnet.deployments,
      "--key-file",
      providerKey,
      "--storage-nodes",
      nodes.map((n) => n.url).join(","),
      "--data-dir",
      data,
      "--steps",
      "2",
      "--batch",
      "2",
      "--context",
      "32",
      "--threads",
      "1",
      "--device",
      "cpu",
      "--poll-interval",
      "200",
      "--log-level",
      "info",
    ];
    const phase = () => {
      const file = path.join(data, "jobs", `${id}.json`);
      return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Job).phase : undefined;
    };
    let run: Running = startZg(args);
    // Killed as soon as training is journaled: the upload or the submission is in flight or not yet begun.
    await waitFor(
      () => (phase() !== undefined && phase() !== "accepted") || run.child.exitCode !== null,
      300_000,
      "training",
    );
    run.child.kill("SIGKILL");
    await run.exited;
    run = startZg(args);
    try {
      await waitFor(() => phase() === "submitted" || run.child.exitCode !== null, 300_000, "the deliverable");
      expect(phase(), run.stderr()).to.equal("submitted");
    } finally {
      run.child.kill("SIGINT");
      await run.exited;
    }
    const task = await fineTuning.getTask(id);
    expect(Number(task.status)).to.equal(TASK_STATUS.delivered);
    expect(await flow.queryFilter(flow.filters.Submit(null, task.modelRoot))).to.have.length(1);
    expect(await fineTuning.queryFilter(fineTuning.filters.DeliverableSubmitted(id))).to.have.length(1);
  });
});
