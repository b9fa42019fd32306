// End to end on `zg devnet` (one storage node, one DA signer, one compute provider): a real `zg alignment-node`
// process for license 1 (dev account 1) samples the services, probes the compute provider with one paid request to
// its real model (creating and funding its own ledger account), keeps its report, attests with the report's hash,
// survives a SIGKILL without attesting twice, attests the next epoch and claims the previous one; a key that is
// neither the owner nor the operator is refused at start.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Contract, HDNodeWallet, JsonRpcProvider, Mnemonic, ZeroAddress, keccak256 } from "ethers";
import { LICENSE_ABI, REWARDS_ABI } from "../../offchain/alignment/chain";
import type { EpochReport } from "../../offchain/alignment/report";
import { devAddress, freePort, startDevnet, startZg, waitFor, type Devnet, type Running } from "../helpers/process";

const DEV_MNEMONIC = "test test test test test test test test test test test junk";
const LICENSE_ID = 1n;

function devKey(index: number): string {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`).privateKey;
}

async function waitForAsync(predicate: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Attestation {
  reportRoot: string;
  attester: string;
  checked: bigint;
  failures: bigint;
  claimed: boolean;
}

describe("[e2e] zg alignment-node on zg devnet", function () {
  this.timeout(240_000);
  let devnet: Devnet;
  let provider: JsonRpcProvider;
  let rewards: Contract;
  let license: Contract;
  let storageNodes: string[];
  let node: Running | undefined;
  let firstEpoch: bigint;
  const dataDir = () => path.join(devnet.dataDir, "alignment-node");
  const keyFile = (index: number) => path.join(devnet.dataDir, `key-${index}`);

  function startNode(index = 1, extra: string[] = []): Running {
    return startZg([
      "alignment-node",
      "--rpc",
      devnet.url,
      "--deployments",
      devnet.deployments,
      "--key-file",
      keyFile(index),
      "--license",
      String(LICENSE_ID),
      "--data-dir",
      dataDir(),
      "--storage-nodes",
      storageNodes.join(","),
      "--poll-interval-ms",
      "300",
      ...extra,
    ]);
  }

  async function ready(run: Running) {
    await waitFor(
      () => run.stdout().includes("alignment-node ready") || run.child.exitCode !== null,
      60_000,
      "alignment-node ready",
    );
    expect(run.stdout(), run.stderr()).to.include(`alignment-node ready: license ${LICENSE_ID}`);
  }

  const attestation = async (epoch: bigint) => (await rewards.attestation(LICENSE_ID, epoch)) as Attestation;
  const attestedEvents = (epoch: bigint) =>
    rewards.queryFilter(rewards.filters.Attested(LICENSE_ID, epoch), 0, "latest");

  before(async () => {
    devnet = await startDevnet("zg-alignment-e2e-", [
      "--storage-nodes",
      "1",
      "--da-signers",
      "1",
      "--compute-providers",
      "1",
    ]);
    const summary = JSON.parse(fs.readFileSync(path.join(devnet.dataDir, "devnet.json"), "utf8")) as {
      contracts: Record<string, string>;
      services: { storageNodes: string[] };
    };
    storageNodes = summary.services.storageNodes;
    provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1 });
    rewards = new Contract(summary.contracts.AlignmentRewards, REWARDS_ABI, provider);
    license = new Contract(summary.contracts.AlignmentLicense, LICENSE_ABI, provider);
    for (const index of [1, 9]) fs.writeFileSync(keyFile(index), `${devKey(index)}\n`);
  });

  after(async () => {
    if (node && node.child.exitCode === null) {
      node.child.kill("SIGINT");
      await node.exited;
    }
    provider?.destroy();
    await devnet?.stop();
  });

  it("attests the current epoch with the keccak256 of the report it keeps", async () => {
    expect(await license.ownerOf(LICENSE_ID)).to.equal(devAddress(1));
    expect(storageNodes).to.have.length(1);
    node = startNode(1, ["--probe-compute"]);
    await ready(node);

    let epoch = 0n;
    await waitForAsync(
      async () => {
        epoch = (await rewards.currentEpoch()) as bigint;
        return (await attestation(epoch)).attester !== ZeroAddress;
      },
      60_000,
      "the Attested event of the current epoch",
    );
    firstEpoch = epoch;
    const onChain = await attestation(epoch);
    expect(onChain.attester).to.equal(devAddress(1));
    const events = await attestedEvents(epoch);
    expect(events).to.have.length(1);

    const file = path.join(dataDir(), "reports", `${epoch}.json`);
    const bytes = fs.readFileSync(file);
    expect(keccak256(bytes)).to.equal(onChain.reportRoot);
    const report = JSON.parse(bytes.toString("utf8")) as EpochReport;
    expect(report.epoch).to.equal(epoch.toString());
    expect(report.licenseId).to.equal("1");
    expect(BigInt(report.checked)).to.equal(onChain.checked);
    expect(BigInt(report.failures)).to.equal(onChain.failures);
    expect(report.failures).to.equal(report.checks.filter((c) => !c.ok).length);
    // The devnet's compute provider serves its registered model and its storage node answers.
    const compute = report.checks.filter((c) => c.service === "compute");
    const storage = report.checks.filter((c) => c.service === "storage");
    expect(compute).to.have.length(1);
    expect(compute[0].ok, JSON.stringify(compute[0])).to.equal(true);
    expect(storage.map((c) => [c.url, c.ok])).to.deep.equal([[storageNodes[0], true]]);
    // The devnet's DA signer is in the current quorum and answers.
    const da = report.checks.filter((c) => c.service === "da");
    expect(da.length).to.be.greaterThan(0);
    expect(da.every((c) => c.ok)).to.equal(true);
    // The probe paid the devnet's provider for a clean answer of its real model.
    const probes = report.checks.filter((c) => c.service === "compute-probe");
    expect(probes.map((c) => c.ok)).to.deep.equal([true]);
    const [probe] = report.probes!.records;
    expect(probe, JSON.stringify(probe)).to.include({ outcome: "ok", paid: true });
    expect(BigInt(probe.fee!) > 0n).to.equal(true);
    expect(node.stderr()).to.include(`probed 1 compute services, paid ${probe.fee} wei in signed bills`);
    expect(report.checked).to.equal(compute.length + probes.length + storage.length + da.length);
    expect(report.faults).to.deep.equal([]);
    expect(fs.readdirSync(path.join(dataDir(), "reports"))).to.deep.equal([`${epoch}.json`]);
  });

  it("does not attest twice after a SIGKILL and restart", async () => {
    node!.child.kill("SIGKILL");
    await node!.exited;
    node = startNode();
    await ready(node);
    await waitFor(
      () => node!.stderr().includes(`already attested in epoch ${firstEpoch}: not attesting again`),
      30_000,
      "the already-attested log line",
    );
    expect(await attestedEvents(firstEpoch)).to.have.length(1);
    expect(node.stderr()).to.not.include("epoch pass failed");
    expect(node.stderr()).to.not.include("revert");
  });

  it("stops cleanly on SIGINT, then attests the next epoch and claims the previous one", async () => {
    node!.child.kill("SIGINT");
    expect(await node!.exited).to.equal(0);
    expect(node!.stderr()).to.include("shutdown complete");

    const [, epochLength] = (await rewards.schedule()) as [bigint, bigint];
    await provider.send("evm_increaseTime", [Number(epochLength)]);
    await provider.send("evm_mine", []);
    const next = (await rewards.currentEpoch()) as bigint;
    expect(next).to.be.greaterThan(firstEpoch);
    const share = (await rewards.claimable(LICENSE_ID, firstEpoch)) as bigint;
    expect(share > 0n, "the first epoch's share").to.equal(true);
    const owner = devAddress(1);
    const balanceBefore = await provider.getBalance(owner);
    const blockBefore = await provider.getBlockNumber();

    const metricsPort = await freePort();
    // No probe here: its deposit would move the owner's balance by more than the gas.
    node = startNode(1, ["--metrics", "--metrics-port", String(metricsPort), "--no-probe-compute"]);
    await ready(node);
    await waitForAsync(
      async () => (await attestation(next)).attester !== ZeroAddress && (await attestation(firstEpoch)).claimed,
      60_000,
      "the next epoch's attestation and the previous one's claim",
    );
    await waitFor(() => node!.stderr().includes("claimed "), 10_000, "the claim's log line");
    expect(fs.existsSync(path.join(dataDir(), "reports", `${next}.json`))).to.equal(true);
    expect(await rewards.claimable(LICENSE_ID, firstEpoch)).to.equal(0n);

    // The owner's balance grew by the share, less the gas its key (the node's) paid meanwhile.
    const blockAfter = await provider.getBlockNumber();
    let gas = 0n;
    for (let b = blockBefore + 1; b <= blockAfter; b++) {
      const block = await provider.getBlock(b, true);
      for (const tx of block!.prefetchedTransactions) {
        if (tx.from !== owner) continue;
        const receipt = await provider.getTransactionReceipt(tx.hash);
        gas += receipt!.gasUsed * receipt!.gasPrice;
      }
    }
    expect(gas > 0n, "the node paid for its transactions").to.equal(true);
    expect((await provider.getBalance(owner, blockAfter)) - balanceBefore + gas).to.equal(share);
    const claims = await rewards.queryFilter(rewards.filters.Claimed(LICENSE_ID), blockBefore + 1, blockAfter);
    expect(claims).to.have.length(1);
    const args = (claims[0] as unknown as { args: { to: string; epochs: bigint[]; amount: bigint } }).args;
    expect(args.to).to.equal(owner);
    expect([...args.epochs]).to.deep.equal([firstEpoch]);
    expect(args.amount).to.equal(share);

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).to.match(/^zg_alignment_attestations_total 1$/m);
    expect(metrics).to.match(new RegExp(`^zg_alignment_last_attested_epoch ${next}$`, "m"));
    expect(metrics).to.match(new RegExp(`^zg_alignment_claimed_wei_total ${Number(share)}$`, "m"));
  });

  it("refuses at start, in one line, a key that is neither the license's owner nor its operator", async () => {
    const run = startNode(9);
    const code = await run.exited;
    expect(code).to.equal(1);
    expect(run.stdout()).to.not.include("ready");
    const lines = run.stderr().trim().split("\n");
    const last = lines[lines.length - 1];
    expect(last).to.match(
      new RegExp(`^error\\[ALIGNMENT_NOT_AUTHORIZED\\]: ${devAddress(9)} is neither the owner \\(${devAddress(1)}\\)`),
    );
    expect(last).to.include("alignment:operator");
    expect(lines.filter((l) => l.startsWith("error"))).to.have.length(1);
  });
});
