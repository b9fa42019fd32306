// `zg market services` as an operator runs it against `zg devnet` with 2 storage nodes, 2 DA signers and one compute
// provider: every kind is found and reported up with its facts, and a storage node nobody runs is reported down
// while the command still succeeds.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Contract, JsonRpcProvider, parseEther, parseUnits } from "ethers";
import type { ServicesReport } from "../../offchain/market/discovery";
import { devWallet } from "../../offchain/cli/devnet/nodes";
import { devAddress, freePort, runZg, startDevnet, type Devnet } from "../helpers/process";

interface DevnetSummary {
  contracts: Record<string, string>;
  services: { storageNodes: string[]; daSigners: string[]; computeProviders: string[] };
}

describe("[e2e] zg market services", function () {
  this.timeout(240_000);
  let devnet: Devnet;
  let summary: DevnetSummary;

  before(async () => {
    devnet = await startDevnet("zg-market-services-", [
      "--storage-nodes",
      "2",
      "--da-signers",
      "2",
      "--compute-providers",
      "1",
    ]);
    summary = JSON.parse(fs.readFileSync(path.join(devnet.dataDir, "devnet.json"), "utf8")) as DevnetSummary;
    // Fix this epoch's DA weights (anyone may), so the weights column has something to show.
    const provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true });
    const registry = new Contract(
      summary.contracts.DASignerRegistry,
      ["function currentEpoch() view returns (uint256)", "function snapshotWeights(uint256 epoch, uint256 quorumId)"],
      devWallet(1).connect(provider),
    );
    await (await registry.snapshotWeights(await registry.currentEpoch(), 0)).wait();
    provider.destroy();
  });

  after(async () => {
    await devnet?.stop();
  });

  it("devnet.json lists the storage nodes and DA signers by URL", () => {
    expect(summary.services.storageNodes).to.have.length(2);
    expect(summary.services.daSigners).to.have.length(2);
    for (const url of [...summary.services.storageNodes, ...summary.services.daSigners]) {
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
  });

  it("lists every kind up with its facts, and an unreachable storage node down", async () => {
    const deadPort = await freePort();
    const dead = `http://127.0.0.1:${deadPort}`;
    const run = await runZg(["market", "services", "--json", "--devnet", devnet.dataDir, "--storage-nodes", dead]);
    expect(run.code, run.stderr).to.equal(0);
    const report = JSON.parse(run.stdout) as ServicesReport;
    expect(report.chainId).to.equal(31337);
    expect(report.block).to.be.greaterThan(0);

    expect(report.compute).to.have.length(1);
    const [service] = report.compute;
    expect(service).to.include({
      provider: devAddress(10),
      model: "zg-tiny",
      inputPrice: parseUnits("1", "gwei").toString(),
      outputPrice: parseUnits("2", "gwei").toString(),
      verifiability: "zk",
      teeSigner: null,
      teeSignerAcknowledged: null,
      servedModel: "zg-tiny",
      settlementMode: "zk",
      modelMatches: true,
    });
    expect(service.health.state, service.health.reason).to.equal("up");
    expect(service.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect(report.storage.map((s) => s.url)).to.deep.equal([...summary.services.storageNodes, dead]);
    for (const node of report.storage.slice(0, 2)) {
      expect(node.health.state, node.health.reason).to.equal("up");
      expect(node).to.include({ shardId: 0, numShard: 1 });
      expect(node.syncedHeight).to.be.a("number");
      expect(node.lagBlocks).to.be.a("number").and.at.least(0);
    }
    const down = report.storage[2];
    expect(down.health.state).to.equal("down");
    expect(down.health.reason).to.include("ECONNREFUSED");
    expect(down).to.include({ shardId: null, syncedHeight: null });

    expect(report.da.quorums).to.have.length(1);
    const [quorum] = report.da.quorums;
    expect(quorum).to.include({ quorumId: 0, size: 2, snapshotted: true });
    expect(quorum.members.map((m) => m.address)).to.deep.equal([devAddress(2), devAddress(3)]);
    expect(quorum.members.map((m) => m.url)).to.deep.equal(summary.services.daSigners);
    // 1000 self-stake each, plus the devnet's delegations: 500 to the first validator, 250 + 300 to the second.
    const stakes = [parseEther("1500"), parseEther("1550")];
    quorum.members.forEach((member, i) => {
      expect(member.health.state, member.health.reason).to.equal("up");
      expect(member.stake).to.equal(stakes[i].toString());
      expect(member.weight).to.equal(stakes[i].toString());
      expect(member.totalWeight).to.equal(parseEther("3050").toString());
    });

    // The same facts as a table for people.
    const table = await runZg(["market", "services", "--devnet", devnet.dataDir, "--storage-nodes", dead]);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.include("5 of 6 services up");
    expect(table.stdout).to.include(`${dead}  down: `);
    expect(table.stdout).to.include("zg-tiny");
  });

  it("fails with one line and a hint when the RPC cannot be reached", async () => {
    const port = await freePort();
    const run = await runZg([
      "market",
      "services",
      "--rpc",
      `http://127.0.0.1:${port}`,
      "--deployments",
      devnet.deployments,
    ]);
    expect(run.code).to.equal(1);
    expect(run.stderr.trim().split("\n")).to.have.length(1);
    expect(run.stderr).to.match(/^error\[RPC_UNREACHABLE\]: .* — /);
  });
});
