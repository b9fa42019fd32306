// [e2e] `zg devnet --rpc --key` against a chain it did not start (a hardhat node behind a TCP proxy the test can
// cut), and the faults an operator lives with: the chain's RPC unreachable for a while, a storage node killed with
// SIGKILL mid-upload and restarted from the config file the devnet wrote, a DA signer killed mid-dispersal. Nothing
// acknowledged is lost and each worker recovers by itself. (A compute broker restarted with its bills:
// test/market/agent.e2e.test.ts and test/compute; more DA signer faults: test/da/e2e.test.ts.)
import { expect } from "chai";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Contract, HDNodeWallet, JsonRpcProvider, Mnemonic, parseEther } from "ethers";
import pino from "pino";
import { startHardhatNode } from "../../offchain/cli/devnet/hardhatNode";
import { devAddress, freePort, runZg, startZg, waitFor, type Running } from "../helpers/process";
import { startSigner, startSignerSet, stopSigners, type SignerProcess } from "../helpers/daSigners";
import { startTcpProxy, type TcpProxy } from "../helpers/tcpProxy";

const DEV_KEY = (i: number) =>
  HDNodeWallet.fromMnemonic(
    Mnemonic.fromPhrase("test test test test test test test test test test test junk"),
    `m/44'/60'/0'/0/${i}`,
  );

interface Summary {
  rpcUrl: string;
  external: boolean;
  accounts: { address: string; privateKey: string | null }[];
  validators: { address: string; stake: string; delegations: { delegator: string; amount: string }[] }[];
  services: { storageNodes: string[]; daSigners: string[] };
}

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

describe("[e2e] a devnet on an external chain, and its faults", function () {
  this.timeout(900_000);
  const abort = new AbortController();
  let dir: string;
  let chain: Awaited<ReturnType<typeof startHardhatNode>>;
  let proxy: TcpProxy;
  let devnet: Running;
  let summary: Summary;
  let provider: JsonRpcProvider;
  let payerKeyFile: string;
  let signers: SignerProcess[] = [];
  const zg = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = await runZg(args, env);
    expect(r.code, `zg ${args.slice(0, 2).join(" ")}:\n${r.stderr}`).to.equal(0);
    return r;
  };
  const chainFlags = () => ["--rpc", proxy.url, "--deployments", path.join(dir, "deployments")];
  const writeKey = (name: string, key: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
    return file;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-faults-"));
    const port = await freePort();
    chain = await startHardhatNode(
      {
        host: "127.0.0.1",
        port,
        logFile: path.join(dir, "external-chain.log"),
        timeoutMs: 60_000,
        signal: abort.signal,
      },
      pino({ level: "silent" }),
    );
    proxy = await startTcpProxy(port);
    // No response cache: the signer set sends several transactions from one account back to back.
    provider = new JsonRpcProvider(chain.url, 31337, { staticNetwork: true, cacheTimeout: -1 });
    payerKeyFile = writeKey("payer.key", DEV_KEY(5).privateKey);
    devnet = startZg([
      "devnet",
      "--rpc",
      proxy.url,
      "--key",
      writeKey("deployer.key", DEV_KEY(0).privateKey),
      "--data-dir",
      path.join(dir, "devnet"),
      "--storage-nodes",
      "2",
      "--da-signers",
      "2",
      "--compute-providers",
      "0",
    ]);
    await waitFor(() => devnet.stdout().includes("devnet ready") || devnet.child.exitCode !== null, 300_000, "devnet");
    expect(devnet.stdout(), devnet.stderr()).to.include("devnet ready");
    summary = JSON.parse(fs.readFileSync(path.join(dir, "devnet", "devnet.json"), "utf8")) as Summary;
    fs.cpSync(path.join(dir, "devnet", "deployments"), path.join(dir, "deployments"), { recursive: true });
  });

  after(async () => {
    if (devnet && devnet.child.exitCode === null) {
      devnet.child.kill("SIGINT");
      await devnet.exited;
    }
    await stopSigners(signers);
    await proxy?.close();
    provider?.destroy();
    abort.abort();
    await chain?.stop();
  });

  it("deploys to a chain it did not start, with accounts derived from --key and funded by it", async () => {
    expect(summary).to.include({ rpcUrl: proxy.url, external: true });
    expect(summary.accounts).to.deep.equal([{ address: DEV_KEY(0).address, privateKey: null }]);
    // The validators' operators are the deployer's derived accounts, not the chain's public dev accounts.
    expect(summary.validators).to.have.length(2);
    for (const v of summary.validators) {
      expect([devAddress(2), devAddress(3)]).to.not.include(v.address);
      expect(await provider.getBalance(v.address)).to.be.greaterThan(0n);
    }
    // Two delegators, one of them on both validators: 1000 self + 500, and 1000 + 250 + 300.
    expect(summary.validators.map((v) => v.stake)).to.deep.equal([
      parseEther("1500").toString(),
      parseEther("1550").toString(),
    ]);
    expect(summary.validators.map((v) => v.delegations.length)).to.deep.equal([1, 2]);
    const staking = new Contract(
      JSON.parse(fs.readFileSync(path.join(dir, "deployments", "31337.json"), "utf8")).contracts.Staking.address,
      ["function sharesOf(address, address) view returns (uint256)"],
      provider,
    );
    const [first] = summary.validators[1].delegations;
    expect(await staking.sharesOf(first.delegator, summary.validators[1].address)).to.be.greaterThan(0n);
  });

  it("rides out the chain's RPC going away: nodes keep serving, then sync and store a new upload", async () => {
    const [node] = summary.services.storageNodes;
    const before = await rpc<{ logSyncHeight: number }>(node, "zgs_getStatus", []);
    await proxy.cut();
    // Blocks the workers cannot see while the proxy is down.
    for (let i = 0; i < 5; i++) await provider.send("evm_mine", []);
    await new Promise((r) => setTimeout(r, 6_000));
    // What the node has on disk is still served.
    expect((await rpc<{ logSyncHeight: number }>(node, "zgs_getStatus", [])).logSyncHeight).to.be.at.least(
      before.logSyncHeight,
    );
    expect(devnet.child.exitCode).to.equal(null);
    await proxy.restore();

    const data = Buffer.alloc(700_000, 7);
    const file = path.join(dir, "after-outage.bin");
    fs.writeFileSync(file, data);
    const nodes = summary.services.storageNodes.join(",");
    const up = await zg(["storage", "upload", file, "--nodes", nodes, "--key-file", payerKeyFile, ...chainFlags()]);
    const root = up.stdout.trim();
    for (const url of summary.services.storageNodes) {
      expect(await rpc(url, "zgs_checkFileFinalized", [root]), url).to.equal(true);
    }
    expect((await rpc<{ logSyncHeight: number }>(node, "zgs_getStatus", [])).logSyncHeight).to.be.greaterThan(
      before.logSyncHeight,
    );
    const out = path.join(dir, "after-outage.out");
    await zg(["storage", "download", root, "--nodes", nodes, "--out", out]);
    expect(fs.readFileSync(out).equals(data)).to.equal(true);
  });

  it("a storage node killed with SIGKILL mid-upload restarts from its devnet config; the upload resumes, nothing paid twice", async () => {
    // The config the devnet wrote for node 1, as an operator copies it, with its own data dir.
    const written = JSON.parse(
      fs.readFileSync(path.join(dir, "devnet", "storage-nodes", "node-1", "config.json"), "utf8"),
    ) as Record<string, unknown>;
    const config = path.join(dir, "extra-node.json");
    fs.writeFileSync(config, JSON.stringify({ ...written, dataDir: path.join(dir, "extra-node") }));
    const startNode = async () => {
      const run = startZg(["storage-node", "--config", config]);
      await waitFor(() => run.stdout().includes("storage-node ready") || run.child.exitCode !== null, 60_000, "node");
      const url = /storage-node ready: (\S+)/.exec(run.stdout())?.[1];
      expect(url, run.stderr()).to.be.a("string");
      return { run, url: url! };
    };
    let node = await startNode();

    const data = Buffer.alloc(3 * 1024 * 1024 + 999);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    const file = path.join(dir, "killed.bin");
    fs.writeFileSync(file, data);
    const args = () => ["storage", "upload", file, "--nodes", node.url, "--key-file", payerKeyFile, ...chainFlags()];
    const first = startZg(args(), { ZG_BATCH_SEGMENTS: "1" });
    await waitFor(() => /submitted 0x/.test(first.stderr()) || first.child.exitCode !== null, 120_000, "the Submit");
    const root = /submitted (0x[0-9a-f]{64})/.exec(first.stderr())![1];
    let stored = 0;
    const deadline = Date.now() + 60_000;
    while (stored === 0 && Date.now() < deadline) {
      stored = (await rpc<{ uploadedSegNum: number } | null>(node.url, "zgs_getFileInfo", [root]))?.uploadedSegNum ?? 0;
      if (stored === 0) await new Promise((r) => setTimeout(r, 20));
    }
    node.run.child.kill("SIGKILL");
    await node.run.exited;
    await first.exited;
    expect(stored).to.be.greaterThan(0);

    node = await startNode();
    const kept = await rpc<{ uploadedSegNum: number; finalized: boolean }>(node.url, "zgs_getFileInfo", [root]);
    expect(kept.uploadedSegNum).to.be.at.least(stored);
    const second = JSON.parse((await zg([...args(), "--json"])).stdout) as { root: string; paid: string };
    expect(second).to.include({ root, paid: "0" });
    expect(await rpc(node.url, "zgs_checkFileFinalized", [root])).to.equal(true);
    const out = path.join(dir, "killed.out");
    await zg(["storage", "download", root, "--nodes", node.url, "--out", out]);
    expect(fs.readFileSync(out).equals(data)).to.equal(true);
    node.run.child.kill("SIGINT");
    await node.run.exited;
  });

  it("a DA signer killed with SIGKILL mid-dispersal: the blob is certified all the same, and the signer restarts with its rows", async () => {
    // Three more signers as processes (dev validators 2..4, which the devnet's derived accounts leave alone).
    const net = { process: devnet, url: proxy.url, dataDir: dir, deployments: path.join(dir, "deployments") };
    signers = await startSignerSet({ ...net, stop: async () => null }, provider, 3);
    const blob = path.join(dir, "blob.bin");
    fs.writeFileSync(blob, crypto.randomBytes(512 * 1024));
    const disperse = startZg(["da", "disperse", blob, "--key-file", payerKeyFile, "--json", ...chainFlags()]);
    const [victim] = signers;
    let held = 0;
    const deadline = Date.now() + 60_000;
    while (held === 0 && disperse.child.exitCode === null && Date.now() < deadline) {
      held = ((await (await fetch(`${victim.url}/v1/status`)).json()) as { blobs: number }).blobs;
      if (held === 0) await new Promise((r) => setTimeout(r, 10));
    }
    victim.run.child.kill("SIGKILL");
    await victim.run.exited;
    expect(await disperse.exited, disperse.stderr()).to.equal(0);
    const result = JSON.parse(disperse.stdout()) as { signers: string[]; submitted: boolean };
    // 2 devnet signers + 3 processes, one of them killed: at least 4 of 5 equal weights is over 2/3.
    expect(result.submitted).to.equal(true);
    expect(result.signers.length).to.be.at.least(4);

    signers[0] = await startSigner({ ...net, stop: async () => null }, 0, victim.port, victim.operatorKey);
    const status = (await (await fetch(`${signers[0].url}/v1/status`)).json()) as { blobs: number };
    expect(status.blobs).to.be.at.least(held);
  });

  it("stops its workers on SIGINT and leaves the external chain running", async () => {
    devnet.child.kill("SIGINT");
    expect(await devnet.exited).to.equal(0);
    expect(await provider.getBlockNumber()).to.be.greaterThan(0);
  });
});
