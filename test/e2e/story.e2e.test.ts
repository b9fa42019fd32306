// [e2e] `zg demo` as a process: it starts its own devnet (4 storage nodes, 4 DA signers, a compute provider with
// the embedded model, the iNFT oracle) on a free port and a temp data dir, runs the story, and keeps the devnet up
// (--keep-running) so the chain can be checked afterwards: every step's output, then what the chain holds. Then a
// story whose storage nodes are gone stops at that step with one line and a non-zero exit, and one SIGINT stops it all.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Contract, JsonRpcProvider } from "ethers";
import { freePort, isListening, runZg, startZg, waitFor, type Running } from "../helpers/process";

const HASH = "(0x[0-9a-f]{64})";
const ADDRESS = "(0x[0-9a-fA-F]{40})";

/** The first match of `pattern` in `text`, or a failure that shows the output. */
function match(text: string, pattern: string): RegExpExecArray {
  const m = new RegExp(pattern).exec(text);
  expect(m, `${pattern} in:\n${text}`).to.not.equal(null);
  return m!;
}

describe("[e2e] zg demo: the story on a devnet", function () {
  // Two cores shared with other suites: the devnet takes one to two minutes to start, the story one to three.
  this.timeout(1_200_000);
  let demo: Running | undefined;
  let dataDir: string;
  let port: number;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-demo-e2e-"));
    port = await freePort();
  });

  // Stopped as an operator stops it, so its chain goes down too; SIGKILL would orphan the chain process.
  after(async () => {
    if (demo && demo.child.exitCode === null) {
      demo.child.kill("SIGINT");
      const timer = setTimeout(() => demo?.child.kill("SIGKILL"), 30_000);
      await demo.exited;
      clearTimeout(timer);
    }
  });

  it("prints every step with its transaction and figure, and the chain shows each of them", async () => {
    demo = startZg(["demo", "--port", String(port), "--data-dir", dataDir, "--keep-running"]);
    await waitFor(
      () => demo!.stdout().includes("devnet still running") || demo!.child.exitCode !== null,
      1_100_000,
      "the demo",
    );
    const out = demo.stdout();
    expect(out, demo.stderr().slice(-3000)).to.match(/demo done: 5 steps in [\d.]+ s/);
    for (const [i, name] of ["stake", "storage", "da", "compute", "agent"].entries()) {
      expect(out).to.include(`[${i + 1}/5] ${name}: `);
    }
    expect(out.match(/ {4}ok in [\d.]+ s/g)).to.have.length(5);
    const [, alice, bob] = match(out, `alice ${ADDRESS} and bob ${ADDRESS}`);

    const summary = JSON.parse(fs.readFileSync(path.join(dataDir, "devnet.json"), "utf8")) as {
      rpcUrl: string;
      deployment: string;
    };
    const record = JSON.parse(fs.readFileSync(summary.deployment, "utf8")) as {
      contracts: Record<string, { address: string }>;
    };
    const rpc = new JsonRpcProvider(summary.rpcUrl, undefined, { staticNetwork: true });
    const at = (name: string, abi: string[]) => new Contract(record.contracts[name].address, abi, rpc);
    // Every transaction the demo names was mined and succeeded.
    const hashes = [...out.matchAll(/tx (0x[0-9a-f]{64})/g)].map((m) => m[1]);
    expect(hashes).to.have.length(10);
    for (const hash of hashes) expect((await rpc.getTransactionReceipt(hash))?.status, hash).to.equal(1);

    // 1. stake: alice holds the shares printed, of the validator printed.
    const [, validator] = match(out, `delegated 10\\.0 tokens to validator ${ADDRESS} \\(tx ${HASH}\\)`);
    const [, shares] = match(out, "shares (\\d+), worth (?:9\\.9\\d*|10\\.0) tokens");
    const staking = at("Staking", ["function sharesOf(address, address) view returns (uint256)"]);
    expect((await staking.sharesOf(alice, validator)).toString()).to.equal(shares);

    // 2. storage: the Flow has one Submit per shard and for the manifest, and the shard's node holds it finalized.
    const [, manifest] = match(out, `manifest ${HASH} \\(tx ${HASH}, paid`);
    const shards = [...out.matchAll(new RegExp(`shard (\\d) ${HASH} on (http\\S+): Flow submission (\\d+)`, "g"))];
    expect(shards.map((s) => s[1])).to.deep.equal(["0", "1", "2", "3"]);
    const flow = at("Flow", [
      "event Submit(address indexed sender, bytes32 indexed dataRoot, uint256 submissionIndex, uint256 startPos, uint256 length, uint256 fee, tuple(uint256 length, bytes tags, tuple(bytes32 root, uint256 height)[] nodes) submission)",
    ]);
    for (const root of [manifest, ...shards.map((s) => s[2])]) {
      const submits = await flow.queryFilter(flow.filters.Submit(alice, root));
      expect(submits, root).to.have.length(1);
    }
    for (const [, , root, node, index] of shards) {
      const submit = (await flow.queryFilter(flow.filters.Submit(alice, root)))[0] as unknown as {
        args: { submissionIndex: bigint };
      };
      expect(submit.args.submissionIndex.toString()).to.equal(index);
      const info = (await (
        await fetch(node, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "zgs_getFileInfo", params: [root] }),
        })
      ).json()) as { result: { finalized: boolean } | null };
      expect(info.result?.finalized, `${root} on ${node}`).to.equal(true);
    }
    expect(out).to.include("downloaded 98304 bytes back through the manifest: identical");

    // 3. DA: the blob's certificate is verified on chain with at least 2/3 of the quorum's weight.
    const [, dataRoot, epoch, quorum] = match(out, `as blob ${HASH} \\(epoch (\\d+), quorum (\\d+), tx ${HASH}\\)`);
    const [, signed, total] = match(out, "weight (\\d+)/(\\d+); isVerified true");
    expect(3n * BigInt(signed) >= 2n * BigInt(total)).to.equal(true);
    const entrance = at("DAEntrance", ["function isVerified(bytes32, uint256, uint256) view returns (bool)"]);
    expect(await entrance.isVerified(dataRoot, epoch, quorum)).to.equal(true);

    // 4. compute: the provider's settled nonce for alice moved to the last bill, paid through a zk settlement.
    const [, provider] = match(out, `to provider ${ADDRESS}'s sub-account`);
    const [, first, last] = match(out, `settled nonces (\\d+)\\.\\.(\\d+) with a zk proof \\(tx ${HASH}\\)`);
    const [, nonceBefore, nonceAfter] = match(out, "provider's settled nonce (\\d+) -> (\\d+)");
    expect([nonceBefore, nonceAfter, first]).to.deep.equal(["0", last, "1"]);
    const serving = at("ComputeServing", ["function nonceOf(address, address) view returns (uint64)"]);
    expect((await serving.nonceOf(alice, provider)).toString()).to.equal(last);
    const [, fall, fees] = match(out, "\\(down (\\d+), fees (\\d+)\\)");
    expect(fall).to.equal(fees);
    expect(BigInt(fees) > 0n).to.equal(true);

    // 5. agent: bob owns the token, the listing is sold, and bob opened the manifest alice minted.
    const [, tokenId, agentData] = match(out, `minted agent (\\d+) "zg demo navigator", data ${HASH}`);
    const [, listingId] = match(out, "listed it as listing (\\d+) for 1\\.5 tokens");
    const nft = at("AgentNFT", [
      "function ownerOf(uint256) view returns (address)",
      "function intelligentDatasOf(uint256 tokenId) view returns (tuple(string dataDescription, bytes32 dataHash, bytes32 keyCommitment)[])",
    ]);
    expect(await nft.ownerOf(tokenId)).to.equal(bob);
    expect((await nft.intelligentDatasOf(tokenId))[0].dataHash).to.equal(agentData);
    const market = at("AgentMarket", [
      "function listing(uint256) view returns (tuple(uint256 tokenId, address seller, uint128 price, uint8 status))",
    ]);
    const sold = await market.listing(listingId);
    expect([sold.seller, Number(sold.status)]).to.deep.equal([alice, 3]);
    expect(out).to.include(`bob opened it from storage with his own key: "zg demo navigator"`);
    expect(out).to.include("alice no longer can (AGENT_NOT_OWNER)");
    rpc.destroy();
  });

  it("stops at the step that fails, with one line naming it and a non-zero exit", async () => {
    // The same devnet, but storage nodes that are gone: the stake step runs, the storage step fails.
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), "zg-demo-broken-"));
    const summary = JSON.parse(fs.readFileSync(path.join(dataDir, "devnet.json"), "utf8")) as {
      services: { storageNodes: string[] };
    };
    const dead = await Promise.all(
      summary.services.storageNodes.map(async () => `http://127.0.0.1:${await freePort()}`),
    );
    summary.services.storageNodes = dead;
    fs.writeFileSync(path.join(broken, "devnet.json"), JSON.stringify(summary));
    const r = await runZg(["demo", "--devnet", broken]);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/\[1\/5\] stake: [^\n]*\n(?: {4}[^\n]*\n)* {4}ok in/);
    expect(r.stdout).to.include("[2/5] storage: ");
    expect(r.stdout).to.not.include("[3/5]");
    const lines = r.stderr.trim().split("\n");
    expect(lines[lines.length - 1]).to.match(/^error\[DEMO_STEP_FAILED\]: step 2 \(storage\) failed: .+ — .+/);
  });

  it("refuses a folder without a devnet, and stops its devnet on one SIGINT", async () => {
    const none = await runZg(["demo", "--devnet", path.join(dataDir, "none")]);
    expect(none.code).to.equal(1);
    expect(none.stderr.trim()).to.match(/^error\[DEMO_DEVNET_UNREADABLE\]: cannot read .*devnet\.json/);

    demo!.child.kill("SIGINT");
    expect(await demo!.exited).to.equal(0);
    expect(await isListening(port)).to.equal(false);
  });
});
