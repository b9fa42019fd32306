// The alignment node in process against the hardhat network and real iNFT oracle servers (offchain/inft/oracle.ts):
// an acknowledged honest oracle passes; an oracle whose key TeeTransferVerifier does not acknowledge, one that signs
// a transfer whose key does not match the commitment, and a URL nobody listens on are reported by two licenses
// (INFT_ORACLE_BAD_PROOF, INFT_ORACLE_DOWN) with their evidence's hash, and the second node enforces (target None).
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Lifecycle } from "../../offchain/common/lifecycle";
import { createLogger } from "../../offchain/common/logger";
import { createMetricsRegistry } from "../../offchain/common/metrics";
import { handleTransfer, parseTransferRequest, startOracleServer } from "../../offchain/inft/oracle";
import { teePublicKey } from "../../offchain/inft/tee";
import { alignmentNodeOptionsSchema, initAlignmentNode } from "../../offchain/alignment/node";
import { storageNodeAddress } from "../../offchain/alignment/infra";
import type { EpochReport } from "../../offchain/alignment/report";
import { kindId, targetId } from "../../deploy/modules/alignment";
import { alignmentFixture, hardhatChain, nextEpoch } from "./helpers";

const BAD_PROOF = kindId("INFT_ORACLE_BAD_PROOF");
const DOWN = kindId("INFT_ORACLE_DOWN");

async function oracleFixture() {
  const f = await alignmentFixture();
  const tee = await ethers.getContractAt("TeeTransferVerifier", f.ctx.record.contracts.TeeTransferVerifier.address);
  const honest = Wallet.createRandom();
  const cheat = Wallet.createRandom();
  await tee.acknowledgeOracle(honest.address);
  await tee.acknowledgeOracle(cheat.address);
  return { ...f, tee, honest, cheat, unacknowledged: Wallet.createRandom() };
}
type Fixture = Awaited<ReturnType<typeof oracleFixture>>;

/** An acknowledged oracle that signs anything: it skips the key-commitment check (commitment 0 means none). */
async function signsAnything(key: string) {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const reply = (status: number, value: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      if (req.url === "/v1/info") return reply(200, { address: new Wallet(key).address, publicKey: teePublicKey(key) });
      const request = parseTransferRequest(JSON.parse(body));
      handleTransfer(key, { ...request, keyCommitment: "0" }).then(
        (answer) => reply(200, answer),
        (error: Error) => reply(400, { error: error.message }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

async function waitFor(predicate: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("alignment node: iNFT oracle canaries (in process)", function () {
  this.timeout(60_000);
  const running: Lifecycle[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-alignment-oracle-"));
  });

  afterEach(async () => {
    for (const lifecycle of running.splice(0)) await lifecycle.close();
    for (const close of closers.splice(0)) await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(f: Fixture, signer: HardhatEthersSigner, licenseId: number, inftOracles: string[]) {
    const lines: string[] = [];
    const logger = createLogger({ level: "info" }, { destination: { write: (line: string) => lines.push(line) } });
    const lifecycle = new Lifecycle(logger);
    running.push(lifecycle);
    const chain = hardhatChain(f.ctx.record, signer);
    const options = alignmentNodeOptionsSchema.parse({
      licenseId,
      dataDir: path.join(dir, `license-${licenseId}`),
      pollIntervalMs: 100,
      probeTimeoutMs: 1000,
      inftOracles,
      probe: { compute: false, downAfter: 2, downIntervalMs: 100 },
    });
    const registry = createMetricsRegistry({ processMetrics: false });
    await initAlignmentNode(options, { logger, lifecycle, registry, chain });
    return { ...options, lines, registry };
  }

  const attested = async (f: Fixture, id: number, epoch: bigint) =>
    (await f.rewards.attestation(id, epoch)).attester !== ethers.ZeroAddress;

  const readReport = (dataDir: string, epoch: bigint) =>
    JSON.parse(fs.readFileSync(path.join(dataDir, "reports", `${epoch}.json`), "utf8")) as EpochReport;

  it("passes an honest oracle; two licenses report and enforce (target None) a lying and a dead one", async function () {
    const f = await loadFixture(oracleFixture);
    const honest = await startOracleServer(f.honest.privateKey);
    const unacknowledged = await startOracleServer(f.unacknowledged.privateKey);
    const cheat = await signsAnything(f.cheat.privateKey);
    closers.push(honest.close, unacknowledged.close, () => new Promise((r) => cheat.server.close(r)));
    const dead = await deadUrl();
    const urls = [honest.url, unacknowledged.url, cheat.url, dead];
    const epoch = await nextEpoch(f.rewards);

    const a = await start(f, f.alice, 1, urls);
    await waitFor(() => attested(f, 1, epoch), 20_000, "license 1's attestation");
    const report = readReport(a.dataDir, epoch);
    expect(report.version).to.equal(3);
    expect(report.checks.filter((c) => c.service === "inft-oracle").map((c) => [c.url, c.ok, c.kind])).to.deep.equal([
      [honest.url, true, undefined],
      [unacknowledged.url, false, "INFT_ORACLE_BAD_PROOF"],
      [cheat.url, false, "INFT_ORACLE_BAD_PROOF"],
      [dead, false, "INFT_ORACLE_DOWN"],
    ]);
    const records = report.oracles!.records;
    expect(records[0].service).to.equal(f.honest.address);
    expect(records[1].findings.map((x) => x.check)).to.deep.equal(["acknowledged"]);
    // The cheat signs a claim with commitment 0 (not the canary's) and signs the mismatched canary.
    expect(records[2].findings.map((x) => x.check)).to.deep.equal(["signature", "mismatch"]);
    expect(records[3].tries.map((t) => t.ok)).to.deep.equal([false, false]);

    const services = {
      unacknowledged: storageNodeAddress(unacknowledged.url),
      cheat: storageNodeAddress(cheat.url),
      dead: storageNodeAddress(dead),
    };
    expect(report.faults.map((x) => [x.kind, x.service])).to.deep.equal([
      ["INFT_ORACLE_BAD_PROOF", services.unacknowledged],
      ["INFT_ORACLE_BAD_PROOF", services.cheat],
      ["INFT_ORACLE_DOWN", services.dead],
    ]);
    expect(await f.rewards.hasReported(1, f.honest.address, BAD_PROOF, epoch)).to.equal(false);
    const [reported] = await f.rewards.queryFilter(f.rewards.filters.Reported(1, services.cheat, BAD_PROOF));
    expect(reported.args.evidenceHash).to.equal(report.faults[1].evidenceHash);
    expect((await f.rewards.attestation(1, epoch)).failures).to.equal(3n);
    const metrics = await a.registry.getSingleMetricAsString("zg_alignment_oracle_probes_total");
    expect(metrics)
      .to.match(/result="ok"[^\n]* 1/)
      .and.match(/result="fault"[^\n]* 2/)
      .and.match(/result="down"[^\n]* 1/);

    const b = await start(f, f.bob, 2, urls);
    await waitFor(() => attested(f, 2, epoch), 20_000, "license 2's attestation");
    for (const [service, kind] of [
      [services.unacknowledged, BAD_PROOF],
      [services.cheat, BAD_PROOF],
      [services.dead, DOWN],
    ]) {
      expect([...(await f.rewards.caseOf(service, kind, epoch))]).to.deep.equal([2n, true]);
      const [enforced] = await f.rewards.queryFilter(f.rewards.filters.Enforced(service, kind, epoch));
      expect(enforced.args.caller).to.equal(f.bob.address);
      expect(enforced.args.target).to.equal(BigInt(targetId("none")));
      expect(b.lines.some((l) => l.includes(`enforced the case against ${service} (target none)`))).to.equal(true);
    }
  });
});
