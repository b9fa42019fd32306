// The alignment node in process with real discovery against the hardhat network and real local servers: a staked DA
// signer whose registered socket refuses connections and a storage node URL nobody listens on are each tried
// `downAfter` times, reported by two licenses with the hash of their tries, and the second node enforces: the signer's
// validator is slashed through DASignerRegistry, the storage case is recorded (target None) with no slash; a storage
// node that fails its first try and then serves is not reported.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Lifecycle } from "../../offchain/common/lifecycle";
import { createLogger } from "../../offchain/common/logger";
import { createMetricsRegistry } from "../../offchain/common/metrics";
import { alignmentNodeOptionsSchema, initAlignmentNode } from "../../offchain/alignment/node";
import { storageNodeAddress } from "../../offchain/alignment/infra";
import type { EpochReport } from "../../offchain/alignment/report";
import { ALIGNMENT, kindId, targetId } from "../../deploy/modules/alignment";
import { daFixture, makeSigner, nextEpoch as nextDaEpoch } from "../da/helpers";
import { hardhatChain, nextEpoch } from "./helpers";

const DA_DOWN = kindId("DA_DOWN");
const STORAGE_DOWN = kindId("STORAGE_DOWN");
/** deploy/params/hardhat.json: DA_DOWN slashes 1000 ppm without jail (target DA); STORAGE_DOWN has target None. */
const DA_PPM = 1_000n;
const PPM = 1_000_000n;

/** A URL on 127.0.0.1 nobody listens on (a port just bound and released). */
async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** A storage node's JSON-RPC (zgs_getStatus, zgs_getShardConfig) that answers HTTP 503 to its first `failFirst` calls. */
async function flakyStorageNode(failFirst: number) {
  let calls = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      calls++;
      if (calls <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      const { id, method } = JSON.parse(body) as { id: number; method: string };
      const result =
        method === "zgs_getStatus"
          ? { logSyncHeight: 1, flowLength: 0, networkIdentity: { chainId: 31337 } }
          : { shardId: 0, numShard: 1 };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, result }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, calls: () => calls };
}

/** The protocol with a staked DA signer in the current DA epoch's quorum, and the alignment contracts. */
async function infraFixture() {
  const f = await daFixture();
  const signer = await makeSigner(f, 0);
  await nextDaEpoch(f.registry);
  const [, alice, bob] = await ethers.getSigners();
  const c = f.ctx.record.contracts;
  return {
    ...f,
    signer,
    alice,
    bob,
    rewards: await ethers.getContractAt("AlignmentRewards", c[ALIGNMENT.rewards].address),
  };
}

type Fixture = Awaited<ReturnType<typeof infraFixture>>;

async function waitFor(predicate: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("alignment node: storage and DA down (in process)", function () {
  this.timeout(60_000);
  const running: Lifecycle[] = [];
  const servers: http.Server[] = [];
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-alignment-infra-"));
  });

  afterEach(async () => {
    for (const lifecycle of running.splice(0)) await lifecycle.close();
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A node for `licenseId` signing with `signer`, real discovery, tries 100 ms apart. */
  async function start(f: Fixture, signer: HardhatEthersSigner, licenseId: number, storageNodes: string[]) {
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
      storageNodes,
      probe: { compute: false, downAfter: 3, downIntervalMs: 100 },
    });
    await initAlignmentNode(options, {
      logger,
      lifecycle,
      registry: createMetricsRegistry({ processMetrics: false }),
      chain,
    });
    return { ...options, lines };
  }

  const attested = async (f: Fixture, id: number, epoch: bigint) =>
    (await f.rewards.attestation(id, epoch)).attester !== ethers.ZeroAddress;

  const readReport = (dataDir: string, epoch: bigint) =>
    JSON.parse(fs.readFileSync(path.join(dataDir, "reports", `${epoch}.json`), "utf8")) as EpochReport;

  it("reports a dead DA signer and storage node from two licenses; the second slashes the signer and records the storage case", async function () {
    const f = await loadFixture(infraFixture);
    await f.registry.connect(f.signer.account).updateSocket(await deadUrl());
    const storage = await deadUrl();
    const storageAddress = storageNodeAddress(storage);
    const epoch = await nextEpoch(f.rewards);
    const stakeBefore = (await f.staking.getValidator(f.signer.address)).bonded.stake;

    const a = await start(f, f.alice, 1, [storage]);
    await waitFor(() => attested(f, 1, epoch), 20_000, "license 1's attestation");
    expect(await f.rewards.hasReported(1, f.signer.address, DA_DOWN, epoch)).to.equal(true);
    expect(await f.rewards.hasReported(1, storageAddress, STORAGE_DOWN, epoch)).to.equal(true);
    expect([...(await f.rewards.caseOf(f.signer.address, DA_DOWN, epoch))]).to.deep.equal([1n, false]);

    // The report keeps every try; the evidence hash on chain is the hash of the report's evidence.
    const report = readReport(a.dataDir, epoch);
    const daFault = report.faults.find((x) => x.kind === "DA_DOWN")!;
    expect(daFault.service).to.equal(f.signer.address);
    const tries = daFault.evidence.tries as { ok: boolean; error: string; at: string }[];
    expect(tries).to.have.length(3);
    expect(tries.every((t) => !t.ok && /ECONNREFUSED/.test(t.error))).to.equal(true);
    expect(new Date(tries[2].at).getTime() - new Date(tries[0].at).getTime()).to.be.at.least(150);
    const [reported] = await f.rewards.queryFilter(f.rewards.filters.Reported(1, f.signer.address, DA_DOWN));
    expect(reported.args.evidenceHash).to.equal(daFault.evidenceHash);
    expect(report.faults.find((x) => x.kind === "STORAGE_DOWN")!.service).to.equal(storageAddress);
    expect((await f.rewards.attestation(1, epoch)).failures).to.equal(2n);

    const b = await start(f, f.bob, 2, [storage]);
    await waitFor(() => attested(f, 2, epoch), 20_000, "license 2's attestation");
    // The enforcing node logs where each case went.
    expect(b.lines.some((l) => l.includes(`enforced the case against ${f.signer.address} (target da)`))).to.equal(true);
    expect(b.lines.some((l) => l.includes(`enforced the case against ${storageAddress} (target none)`))).to.equal(true);
    expect([...(await f.rewards.caseOf(f.signer.address, DA_DOWN, epoch))]).to.deep.equal([2n, true]);
    const [daEnforced] = await f.rewards.queryFilter(f.rewards.filters.Enforced(f.signer.address, DA_DOWN, epoch));
    expect(daEnforced.args.caller).to.equal(f.bob.address);
    expect(daEnforced.args.target).to.equal(BigInt(targetId("da")));
    const after = await f.staking.getValidator(f.signer.address);
    expect(after.bonded.stake).to.equal(stakeBefore - (stakeBefore * DA_PPM + PPM - 1n) / PPM);
    expect(after.jailed).to.equal(false);

    expect([...(await f.rewards.caseOf(storageAddress, STORAGE_DOWN, epoch))]).to.deep.equal([2n, true]);
    const [storageEnforced] = await f.rewards.queryFilter(
      f.rewards.filters.Enforced(storageAddress, STORAGE_DOWN, epoch),
    );
    expect(storageEnforced.args.target).to.equal(BigInt(targetId("none")));
    const receipt = await storageEnforced.getTransactionReceipt();
    const stakingAddress = (await f.staking.getAddress()).toLowerCase();
    expect(receipt.logs.filter((l) => l.address.toLowerCase() === stakingAddress)).to.deep.equal([]);
  });

  it("does not report a storage node that fails its first try and then serves, nor a DA signer that answers", async function () {
    const f = await loadFixture(infraFixture);
    const flaky = await flakyStorageNode(2); // both calls of the first try fail
    servers.push(flaky.server);
    const signerNode = http.createServer((_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ signer: f.signer.address })),
    );
    servers.push(signerNode);
    await new Promise<void>((resolve) => signerNode.listen(0, "127.0.0.1", resolve));
    const { port } = signerNode.address() as AddressInfo;
    await f.registry.connect(f.signer.account).updateSocket(`http://127.0.0.1:${port}`);
    const epoch = await nextEpoch(f.rewards);

    const a = await start(f, f.alice, 1, [flaky.url]);
    await waitFor(() => attested(f, 1, epoch), 20_000, "license 1's attestation");
    expect(await f.rewards.hasReported(1, storageNodeAddress(flaky.url), STORAGE_DOWN, epoch)).to.equal(false);
    expect(await f.rewards.hasReported(1, f.signer.address, DA_DOWN, epoch)).to.equal(false);
    expect((await f.rewards.attestation(1, epoch)).failures).to.equal(0n);
    const report = readReport(a.dataDir, epoch);
    expect(report.faults).to.deep.equal([]);
    const record = report.infra!.records.find((r) => r.kind === "STORAGE_DOWN")!;
    expect(record.tries.map((t) => t.ok)).to.deep.equal([false, true]);
    expect(record.tries[0].error).to.match(/HTTP 503/);
    expect(flaky.calls()).to.equal(4);
  });
});
