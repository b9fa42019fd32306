// End to end on `zg devnet`: the storage contracts deployed again with a test difficulty (as Mine.test.ts deploys
// them, through the deploy module and the deployer), a `zg storage-node --mine` process holding an uploaded file,
// and its PoRA answer accepted by the Mine, the reward credited by ChunkRewards and withdrawn to the miner's key.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Contract, HDNodeWallet, JsonRpcProvider, Mnemonic, parseEther, type Log } from "ethers";
import { createSubmission, layoutFile, loadHashers, toHex } from "../../offchain/storage/core";
import { minerIdOf } from "../../offchain/storage/miner";
import { segmentWithProof } from "../../offchain/storage/node/segments";
import { freePort, runTask, startDevnet, startZg, waitFor, type Devnet, type Running } from "../helpers/process";
import { bytes } from "./helpers";

const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const wallet = (i: number) => HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${i}`);

const ABI = [
  "function submit(tuple(uint256 length, bytes tags, tuple(bytes32 root, uint256 height)[] nodes) submission) payable returns (uint256, bytes32, uint256, uint256)",
  "function fee(uint256 sectors) view returns (uint256)",
  "function blocksPerEpoch() view returns (uint256)",
  "function donate() payable",
  "function owed(address account) view returns (uint256)",
  "event AnswerAccepted(uint256 indexed epoch, bytes32 indexed minerId, uint256 recallPosition, uint256 quality, uint256 reward)",
  "event RewardWithdrawn(address indexed account, uint256 amount)",
];

/** Storage parameters for the test: a difficulty that finds an answer in a nonce or two, short epochs. */
const PARAMS = {
  governance: { timelockDelay: 60, adminIsDeployer: true },
  storage: {
    pricePerSector: "1000",
    serviceFeePpm: 100_000,
    rewardLifetime: 1000,
    baseReward: "1",
    blocksPerEpoch: 20,
    initialDifficulty: 64,
    targetAnswers: 2,
  },
};

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const answer = (await res.json()) as { result?: T; error?: { message: string } };
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result as T;
}

async function waitForAsync(predicate: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("[e2e] storage miner on zg devnet", function () {
  this.timeout(240_000);
  let devnet: Devnet;
  let provider: JsonRpcProvider;
  let node: Running | undefined;

  before(async () => {
    await loadHashers();
    devnet = await startDevnet("zg-miner-e2e-");
    provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1 });
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed" && node) console.log(node.stderr().slice(-6000));
  });

  after(async () => {
    if (node && node.child.exitCode === null) {
      node.child.kill("SIGINT");
      await node.exited;
    }
    provider?.destroy();
    await devnet?.stop();
  });

  it("mines a held file: the answer is accepted, the reward credited and withdrawn to the miner", async () => {
    // Fresh storage contracts with the test difficulty, deployed by the devnet's deployer into their own record.
    const deployments = path.join(devnet.dataDir, "deployments-mining");
    fs.mkdirSync(deployments, { recursive: true });
    const record = JSON.parse(fs.readFileSync(path.join(devnet.deployments, "31337.json"), "utf8")) as {
      contracts: Record<string, { address: string }>;
    };
    for (const name of ["Flow", "Market", "ChunkRewards", "Mine"]) delete record.contracts[name];
    fs.writeFileSync(path.join(deployments, "31337.json"), JSON.stringify(record, null, 2));
    const paramsFile = path.join(devnet.dataDir, "mining-params.json");
    fs.writeFileSync(paramsFile, JSON.stringify(PARAMS));
    await runTask(devnet.url, deployments, ["deploy", "--only", "storage", "--params", paramsFile]);
    const contracts = (
      JSON.parse(fs.readFileSync(path.join(deployments, "31337.json"), "utf8")) as {
        contracts: Record<string, { address: string }>;
      }
    ).contracts;

    const user = wallet(7).connect(provider);
    const flow = new Contract(contracts.Flow.address, ABI, user);
    const mine = new Contract(contracts.Mine.address, ABI, provider);
    const rewards = new Contract(contracts.ChunkRewards.address, ABI, user);
    // The base pool pays `baseReward` per accepted answer.
    await (await rewards.donate({ value: parseEther("10") })).wait();

    const miner = wallet(5);
    const keyFile = path.join(devnet.dataDir, "miner.key");
    fs.writeFileSync(keyFile, `${miner.privateKey}\n`, { mode: 0o600 });
    const before = await provider.getBalance(miner.address);
    const metricsPort = await freePort();
    node = startZg(
      [
        "storage-node",
        "--rpc",
        devnet.url,
        "--deployments",
        deployments,
        "--port",
        "0",
        "--admin-port",
        "0",
        "--data-dir",
        path.join(devnet.dataDir, "storage-node"),
        "--poll-interval-ms",
        "100",
        "--metrics",
        "--metrics-port",
        String(metricsPort),
        "--mine",
        "--key-file",
        keyFile,
      ],
      { ZG_MINE__INTERVAL_MS: "200" },
    );
    await waitFor(() => node!.stdout().includes("storage-node ready") || node!.child.exitCode !== null, 60_000, "node");
    const m = /storage-node ready: (\S+)/.exec(node.stdout());
    if (!m) throw new Error(`zg storage-node --mine did not start:\n${node.stderr()}`);
    const url = m[1];
    expect(node.stderr()).to.include("miner registered");

    // A 1 MiB file (4 segments, one PoRA load each) submitted and uploaded: the node holds the whole flow.
    const data = bytes(1024 * 1024, 21);
    const layout = layoutFile(data);
    const fee = (await flow.fee(layout.paddedSectors)) as bigint;
    await (await flow.submit(createSubmission(data, "0x", layout), { value: fee })).wait();
    const root = toHex(layout.root);
    await waitForAsync(async () => (await rpc(url, "zgs_getFileInfo", [root])) !== null, 30_000, "the Submit");
    for (let i = 0; i < layout.segments; i++) {
      await rpc(url, "zgs_uploadSegment", [segmentWithProof(data, layout, i)]);
    }
    expect(await rpc(url, "zgs_checkFileFinalized", [root])).to.equal(true);

    // The submit fixed its epoch's context before the file entered: the next epoch's context covers it.
    await provider.send("hardhat_mine", [`0x${Number(await flow.blocksPerEpoch()).toString(16)}`]);
    const minerId = minerIdOf(miner.address, "0x01");
    let accepted: Log | undefined;
    await waitForAsync(
      async () => {
        [accepted] = await mine.queryFilter(mine.filters.AnswerAccepted(null, minerId), 0, "latest");
        return accepted !== undefined;
      },
      60_000,
      "an accepted answer",
    );
    const reward = mine.interface.parseLog(accepted!)!.args.reward as bigint;
    expect(reward).to.be.at.least(parseEther("1"));
    let withdrawn: Log | undefined;
    await waitForAsync(
      async () => {
        [withdrawn] = await rewards.queryFilter(rewards.filters.RewardWithdrawn(miner.address), 0, "latest");
        return withdrawn !== undefined;
      },
      30_000,
      "the reward withdrawn",
    );
    expect(rewards.interface.parseLog(withdrawn!)!.args.amount).to.equal(reward);
    expect(await rewards.owed(miner.address)).to.equal(0n);
    // Paid in full: the reward (1 token) is far above the gas of registering, fixing contexts, mining and claiming.
    expect(await provider.getBalance(miner.address)).to.be.greaterThan(before + parseEther("0.9"));

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).to.include("zg_storage_miner_answers_total 1");
    expect(metrics).to.include("zg_storage_miner_claims_total 1");
    const hashes = /zg_storage_miner_hashes_total (\d+)/.exec(metrics);
    expect(Number(hashes?.[1])).to.be.greaterThan(0);
    expect(metrics).to.match(/zg_storage_miner_hash_rate \d+/);
    expect(node.stderr()).to.include('"msg":"answer accepted"');

    // Ctrl-C: the signal stops the pass, the worker thread is terminated, the node exits cleanly.
    node.child.kill("SIGINT");
    expect(await node.exited).to.equal(0);
    expect(node.stderr()).to.include('"module":"miner","durationMs"');
  });
});
