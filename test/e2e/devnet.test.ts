import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Contract, JsonRpcProvider } from "ethers";
import { freePort, isListening, runZg, startZg, waitFor, type Running } from "../helpers/process";

interface DevnetSummary {
  workers: string[];
  rpcUrl: string;
  chainId: number;
  deployment: string;
  contracts: Record<string, string>;
  validators: { address: string; stake: string; delegations: unknown[] }[];
}

describe("[e2e] zg devnet", function () {
  this.timeout(180_000);
  let dataDir: string;
  let port: number;
  let devnet: Running | undefined;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-devnet-"));
    port = await freePort();
  });

  // Stopped as an operator stops it, so it takes its chain down; SIGKILL would orphan the chain process.
  afterEach(async () => {
    if (devnet && devnet.child.exitCode === null) {
      devnet.child.kill("SIGINT");
      const timer = setTimeout(() => devnet?.child.kill("SIGKILL"), 20_000);
      await devnet.exited;
      clearTimeout(timer);
    }
    devnet = undefined;
  });

  it("starts a chain, deploys everything, and stops it all on one SIGINT", async () => {
    devnet = startZg(["devnet", "--port", String(port), "--data-dir", dataDir]);
    await waitFor(() => devnet!.stdout().includes("devnet ready") || devnet!.child.exitCode !== null, 150_000, "ready");
    expect(devnet.stdout()).to.include(`devnet ready: http://127.0.0.1:${port}`);

    const summary = JSON.parse(fs.readFileSync(path.join(dataDir, "devnet.json"), "utf8")) as DevnetSummary;
    expect(summary.chainId).to.equal(31337);
    const provider = new JsonRpcProvider(summary.rpcUrl, summary.chainId, { staticNetwork: true });
    for (const [name, address] of Object.entries(summary.contracts)) {
      expect(await provider.getCode(address), name).to.not.equal("0x");
      expect(devnet.stdout()).to.include(address);
    }
    expect(Object.keys(summary.contracts)).to.include.members(["ZgTimelock", "ReceiptVerifier"]);

    // Its workers: 4 storage nodes, 4 DA signers, a compute provider and the iNFT oracle, each answering at the URL the summary prints.
    expect(summary.workers.filter((w) => w.startsWith("storage-"))).to.have.length(4);
    expect(summary.workers.filter((w) => w.includes("mining"))).to.have.length(1);
    expect(summary.workers.filter((w) => w.startsWith("da-signer-"))).to.have.length(4);
    expect(summary.workers.filter((w) => w.startsWith("compute-"))).to.have.length(1);
    expect(summary.workers.filter((w) => w.startsWith("inft-oracle-"))).to.have.length(1);
    // Five validators (4 DA, 1 compute), the first two with delegations from two more accounts.
    expect(summary.validators).to.have.length(5);
    expect(summary.validators.map((v) => v.delegations.length)).to.deep.equal([1, 2, 0, 0, 0]);
    expect(summary.validators[0].stake).to.equal((1500n * 10n ** 18n).toString());
    // The alignment node (no HTTP endpoint): a license minted to dev account 9, which it signs for.
    const alignment = summary.workers.filter((w) => w.startsWith("alignment-node-"));
    expect(alignment).to.have.length(1);
    const [, licenseId, owner] = /license (\d+)\s+(0x[0-9a-fA-F]{40})/.exec(alignment[0])!;
    const licenses = new Contract(
      summary.contracts.AlignmentLicense,
      ["function ownerOf(uint256) view returns (address)"],
      provider,
    );
    expect(await licenses.ownerOf(licenseId)).to.equal(owner);
    expect(fs.existsSync(/\(config (\S+)\)/.exec(alignment[0])![1])).to.equal(true);
    // It attests the current epoch (every devnet service answers, so no retries hold it back).
    const rewards = new Contract(
      summary.contracts.AlignmentRewards,
      [
        "function currentEpoch() view returns (uint256)",
        "function attestation(uint256, uint256) view returns (tuple(bytes32, address attester, uint32, uint32, bool))",
      ],
      provider,
    );
    const attester = async () =>
      ((await rewards.attestation(licenseId, await rewards.currentEpoch())) as { attester: string }).attester;
    for (let deadline = Date.now() + 60_000; (await attester()) !== owner;) {
      if (Date.now() > deadline) throw new Error("the devnet alignment node did not attest the current epoch in 60 s");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    provider.destroy();
    for (const line of summary.workers.filter((w) => !w.startsWith("alignment-node-"))) {
      const url = /(http:\/\/\S+)/.exec(line)![1];
      const response = line.startsWith("storage-")
        ? await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "zgs_getStatus", params: [] }),
          })
        : await fetch(`${url}/v1/${line.startsWith("inft-oracle-") ? "info" : "status"}`);
      expect(response.status, line).to.equal(200);
      const config = /\(config (\S+)\)/.exec(line)![1];
      expect(fs.existsSync(config), config).to.equal(true);
    }
    const signerStatus = (await (await fetch(`${/(http:\/\/\S+)/.exec(summary.workers[4])![1]}/v1/status`)).json()) as {
      record: { activeFromEpoch: string } | null;
      epoch: string;
    };
    // The compute provider's service is registered on chain and its broker serves the embedded model.
    const computeUrl = /(http:\/\/\S+)/.exec(summary.workers.find((w) => w.startsWith("compute-"))!)![1];
    const models = (await (await fetch(`${computeUrl}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).to.include("zg-tiny");
    // The devnet moved its clock into the epoch where the signers count.
    expect(BigInt(signerStatus.record!.activeFromEpoch) <= BigInt(signerStatus.epoch)).to.equal(true);

    // What an operator runs next against the same chain.
    const chain = await runZg(["chain", "--rpc", summary.rpcUrl, "--deployments", path.dirname(summary.deployment)]);
    expect(chain.code, chain.stderr).to.equal(0);
    expect(chain.stdout).to.match(/chain 31337, head block \d+/);

    const missing = await runZg(["chain", "--rpc", summary.rpcUrl, "--deployments", path.join(dataDir, "none")]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr.trim()).to.match(/^error\[DEPLOYMENT_MISSING\]: .*31337.* — .*deploy/);

    devnet.child.kill("SIGINT");
    expect(await devnet.exited).to.equal(0);
    expect(devnet.stderr()).to.include("shutdown complete");
    expect(await isListening(port)).to.equal(false);
  });

  it("refuses a port that is taken, in one line, starting nothing", async () => {
    const noNodes = ["--storage-nodes", "0", "--da-signers", "0", "--compute-providers", "0", "--no-alignment"];
    const blocker = startZg(["devnet", "--port", String(port), "--data-dir", dataDir, ...noNodes]);
    devnet = blocker;
    await waitFor(() => blocker.stdout().includes("devnet ready") || blocker.child.exitCode !== null, 150_000, "ready");
    const second = await runZg(["devnet", "--port", String(port), "--data-dir", `${dataDir}-2`, ...noNodes]);
    expect(second.code).to.equal(1);
    expect(second.stderr.trim()).to.match(
      /^error\[DEVNET_PORT_IN_USE\]: 127\.0\.0\.1:\d+ is not free .* — stop whatever/,
    );
    expect(second.stderr.trim().split("\n")).to.have.length(1);
    expect(fs.existsSync(`${dataDir}-2`)).to.equal(false);
    const blocked = JSON.parse(fs.readFileSync(path.join(dataDir, "devnet.json"), "utf8")) as DevnetSummary;
    expect(blocked.workers.filter((w) => w.startsWith("alignment-node-"))).to.deep.equal([]);

    blocker.child.kill("SIGINT");
    expect(await blocker.exited).to.equal(0);
    expect(await isListening(port)).to.equal(false);
  });
});
