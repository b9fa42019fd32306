// The alignment node's compute probe in process against the hardhat network: a real provider broker (initProviderBroker
// with a deterministic one-token-per-word backend) behind a small HTTP proxy that is the service's registered URL,
// found by the real discovery. Each node pays from its own ledger account through the SDK. Through an honest proxy
// the probe is clean and its receipt reaches the broker; a proxy that re-issues bills under another key makes two
// licenses report COMPUTE_BAD_SIGNATURE with their evidence hashes and the second enforces it; a proxy that doubles
// the fee (and signs the inflated bill with the provider's key, as a dishonest provider would) is reported as
// COMPUTE_OVERBILLING and its bill is never signed by the node.
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
import type { EpochReport } from "../../offchain/alignment/report";
import type { Backend, ChatMessage, GenerateOptions, Generation } from "../../offchain/compute/backend";
import { initProviderBroker, providerOptionsSchema, type ProviderBroker } from "../../offchain/compute/broker";
import {
  billDomain,
  billJson,
  decodeBill,
  encodeBill,
  signBillAsProvider,
  type Bill,
} from "../../offchain/compute/core";
import { BAD_SIGNATURE, enforceFixture, hardhatChain, nextEpoch, OVERBILLING } from "./helpers";

type Fixture = Awaited<ReturnType<typeof enforceFixture>>;
const MODEL = "zg-echo";
const INPUT_PRICE = 1_000_000_000n;
const OUTPUT_PRICE = 3_000_000_000n;

/** One token per word; answers ` w0 w1 …` up to maxTokens: a real Backend with fixed token counts. */
class EchoBackend implements Backend {
  readonly model = MODEL;
  readonly contextSize = 512;
  countTokens(text: string) {
    return Promise.resolve(text.split(/\s+/).filter(Boolean).length);
  }
  async chat(messages: ChatMessage[], options: GenerateOptions): Promise<Generation> {
    const inputTokens = (await this.countTokens(messages.map((m) => m.content).join(" "))) + 2 * messages.length;
    const words = Array.from({ length: options.maxTokens }, (_, i) => ` w${i}`);
    return { text: words.join(""), inputTokens, outputTokens: words.length, finishReason: "length" };
  }
  complete(prompt: string, options: GenerateOptions) {
    return this.chat([{ role: "user", content: prompt }], options);
  }
  close() {
    return Promise.resolve();
  }
}

type Rewrite = "none" | "foreign-key" | "overbill" | "huge";

/**
 * An HTTP proxy to `target` that may rewrite the bill of a chat completion (header and body alike); `resign` signs a
 * rewritten bill with the provider's key, as the provider itself would when it overbills.
 */
async function startProxy(
  target: string,
  mode: () => Rewrite,
  foreign: string,
  resign: (bill: Bill) => Promise<string>,
) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const headers: Record<string, string> = {};
        for (const h of ["content-type", "authorization", "x-zg-receipts"]) {
          if (typeof req.headers[h] === "string") headers[h] = req.headers[h];
        }
        const upstream = await fetch(`${target}${req.url}`, {
          method: req.method,
          headers,
          body: req.method === "GET" ? undefined : Buffer.concat(chunks),
        });
        let text = await upstream.text();
        const out: Record<string, string> = { "content-type": upstream.headers.get("content-type") ?? "text/plain" };
        const header = upstream.headers.get("x-zg-bill");
        if (header) {
          const bill: Bill = decodeBill(header);
          const m = mode();
          if (m === "foreign-key") bill.provider = foreign;
          if (m === "overbill") bill.fee *= 2n;
          const body = JSON.parse(text) as Record<string, unknown>;
          body.zg_bill = billJson(bill);
          if (m === "huge") body.padding = "x".repeat(100_000);
          if (m === "overbill") body.zg_bill_signature = await resign(bill);
          text = JSON.stringify(body);
          out["x-zg-bill"] = encodeBill(bill);
          if (typeof body.zg_bill_signature === "string") out["x-zg-bill-signature"] = body.zg_bill_signature;
        }
        res.writeHead(upstream.status, out).end(text);
      })().catch((err: unknown) => res.writeHead(502).end(String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function waitForAsync(predicate: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("alignment node compute probe (in process, real broker)", function () {
  this.timeout(90_000);
  const running: Lifecycle[] = [];
  const servers: http.Server[] = [];
  let dir: string;
  let rewrite: Rewrite;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-alignment-probe-"));
    rewrite = "none";
  });

  afterEach(async () => {
    for (const lifecycle of running.splice(0).reverse()) await lifecycle.close();
    for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const quiet = () => createLogger({ level: "info" }, { destination: { write: () => undefined } });

  /** The provider's broker (no settlement) behind the proxy, the proxy registered as the service's URL. */
  async function startProvider(f: Fixture): Promise<ProviderBroker> {
    const logger = quiet();
    const lifecycle = new Lifecycle(logger);
    running.push(lifecycle);
    const options = providerOptionsSchema.parse({
      dataDir: path.join(dir, "broker"),
      port: 0,
      chainCacheMs: 0,
      settlement: { enabled: false },
    });
    const broker = await initProviderBroker(options, {
      logger,
      lifecycle,
      registry: createMetricsRegistry({ processMetrics: false }),
      chain: hardhatChain(f.ctx.record, f.provider),
      backend: new EchoBackend(),
    });
    const domain = billDomain(31337, f.ctx.record.contracts.ComputeServing.address);
    const proxy = await startProxy(
      broker.url,
      () => rewrite,
      f.stranger.address,
      (bill) => signBillAsProvider(f.provider, domain, bill),
    );
    servers.push(proxy.server);
    await f.serving.connect(f.provider).registerService({
      model: MODEL,
      url: proxy.url,
      inputPrice: INPUT_PRICE,
      outputPrice: OUTPUT_PRICE,
      verifiability: 0,
      teeSigner: ethers.ZeroAddress,
    });
    return broker;
  }

  async function startNode(f: Fixture, signer: HardhatEthersSigner, licenseId: number, probe = {}) {
    const lines: string[] = [];
    const logger = createLogger({ level: "info" }, { destination: { write: (line: string) => lines.push(line) } });
    const lifecycle = new Lifecycle(logger);
    running.push(lifecycle);
    const options = alignmentNodeOptionsSchema.parse({
      licenseId,
      dataDir: path.join(dir, `license-${licenseId}`),
      pollIntervalMs: 100,
      probeTimeoutMs: 5000,
      probe: { compute: true, ...probe },
    });
    const registry = createMetricsRegistry({ processMetrics: false });
    await initAlignmentNode(options, { logger, lifecycle, registry, chain: hardhatChain(f.ctx.record, signer) });
    return { lines, options, registry };
  }

  const attested = async (f: Fixture, id: number, e: bigint) =>
    (await f.rewards.attestation(id, e)).attester !== ethers.ZeroAddress;
  const reportOf = (options: { dataDir: string }, epoch: bigint) =>
    JSON.parse(fs.readFileSync(path.join(options.dataDir, "reports", `${epoch}.json`), "utf8")) as EpochReport;

  it("probes an honest provider clean, paying from its own ledger account and posting the receipt", async () => {
    const f = await loadFixture(enforceFixture);
    const broker = await startProvider(f);
    const epoch = await nextEpoch(f.rewards);
    const a = await startNode(f, f.alice, 1);
    await waitForAsync(() => attested(f, 1, epoch), 30_000, "license 1's attestation");

    const report = reportOf(a.options, epoch);
    expect(report.probes?.user).to.equal(f.alice.address);
    const [probe] = report.probes!.records;
    expect(probe).to.include({ provider: f.provider.address, outcome: "ok", paid: true });
    expect(probe.findings).to.deep.equal([]);
    expect(report.faults).to.deep.equal([]);
    expect(report.failures).to.equal(0);
    expect((await f.rewards.attestation(1, epoch)).checked).to.equal(2n);
    const bill = decodeBill(probe.exchange!.billHeader!);
    expect(bill.fee).to.equal(BigInt(bill.inputTokens) * INPUT_PRICE + BigInt(bill.outputTokens) * OUTPUT_PRICE);
    expect(probe.fee).to.equal(bill.fee.toString());
    await waitForAsync(
      async () => Boolean((await broker.store.getBill(f.alice.address, bill.nonce))?.signature),
      10_000,
      "the receipt at the broker",
    );
    const sub = await f.ledger.getSubAccount(f.alice.address, f.provider.address);
    expect(sub.balance).to.be.greaterThanOrEqual(bill.fee);
    expect(a.lines.some((l) => l.includes("clean: paid"))).to.equal(true);
    const metrics = await a.registry.getSingleMetricAsString("zg_alignment_probes_total");
    expect(metrics).to.include('zg_alignment_probes_total{result="ok"} 1');
    expect(await f.rewards.hasReported(1, f.provider.address, BAD_SIGNATURE, epoch)).to.equal(false);
  });

  it("reports bills issued under another key than the registered one, and the second license enforces", async () => {
    const f = await loadFixture(enforceFixture);
    await startProvider(f);
    rewrite = "foreign-key";
    const epoch = await nextEpoch(f.rewards);
    const stakeBefore = (await f.staking.getValidator(f.provider.address)).bonded.stake;

    const a = await startNode(f, f.alice, 1);
    await waitForAsync(() => attested(f, 1, epoch), 30_000, "license 1's attestation");
    const report = reportOf(a.options, epoch);
    const [fault] = report.faults;
    expect(report.faults).to.have.length(1);
    expect(fault).to.include({ kind: "COMPUTE_BAD_SIGNATURE", service: f.provider.address });
    expect(fault.evidence).to.include({ user: f.alice.address, provider: f.provider.address });
    expect(String(fault.evidence.reason)).to.include(`issued by ${f.stranger.address}`);
    expect(report.probes!.records[0]).to.include({ outcome: "fault", paid: false });
    const [reported] = await f.rewards.queryFilter(f.rewards.filters.Reported(1, f.provider.address, BAD_SIGNATURE));
    expect(reported.args.evidenceHash).to.equal(fault.evidenceHash);
    expect((await f.rewards.attestation(1, epoch)).failures).to.equal(1n);

    await startNode(f, f.carol, 3);
    await waitForAsync(() => attested(f, 3, epoch), 30_000, "license 3's attestation");
    expect([...(await f.rewards.caseOf(f.provider.address, BAD_SIGNATURE, epoch))]).to.deep.equal([2n, true]);
    const after = await f.staking.getValidator(f.provider.address);
    expect(after.bonded.stake).to.equal(stakeBefore - stakeBefore / 100n);
    expect(after.jailed).to.equal(true);
  });

  it("reports a fee above the registered prices as overbilling and never signs that bill", async () => {
    const f = await loadFixture(enforceFixture);
    const broker = await startProvider(f);
    rewrite = "overbill";
    const epoch = await nextEpoch(f.rewards);
    const a = await startNode(f, f.alice, 1);
    await waitForAsync(() => attested(f, 1, epoch), 30_000, "license 1's attestation");

    const report = reportOf(a.options, epoch);
    expect(report.faults.map((x) => x.kind)).to.deep.equal(["COMPUTE_OVERBILLING"]);
    const [record] = report.probes!.records;
    expect(record).to.include({ outcome: "fault", paid: false });
    const bill = decodeBill(record.exchange!.billHeader!);
    expect(String(report.faults[0].evidence.reason)).to.include(`charges ${bill.fee} wei`);
    const [reported] = await f.rewards.queryFilter(f.rewards.filters.Reported(1, f.provider.address, OVERBILLING));
    expect(reported.args.evidenceHash).to.equal(report.faults[0].evidenceHash);
    expect([...(await f.rewards.caseOf(f.provider.address, OVERBILLING, epoch))]).to.deep.equal([1n, false]);
    expect((await broker.store.getBill(f.alice.address, bill.nonce))?.signature).to.equal(undefined);
  });

  it("records an answer too large to keep as a failed probe, not a fault, and keeps its head", async () => {
    const f = await loadFixture(enforceFixture);
    await startProvider(f);
    rewrite = "huge";
    const epoch = await nextEpoch(f.rewards);
    const a = await startNode(f, f.alice, 1);
    await waitForAsync(() => attested(f, 1, epoch), 30_000, "license 1's attestation");
    const report = reportOf(a.options, epoch);
    const [record] = report.probes!.records;
    expect(record.outcome).to.equal("error");
    expect(record.reason).to.match(/^the answer has \d+ characters, more than the 65536/);
    expect(record.exchange!.response).to.have.length(1024);
    expect(record.paid, "no receipt for an answer the node did not keep whole").to.equal(false);
    expect(report.faults).to.deep.equal([]);
    expect(report.failures).to.equal(0);
    expect(await a.registry.getSingleMetricAsString("zg_alignment_probes_total")).to.include('{result="error"} 1');
  });

  it("skips probes over maxFeePerEpoch and stays off without a funded account unless asked", async () => {
    const f = await loadFixture(enforceFixture);
    await startProvider(f);
    const epoch = await nextEpoch(f.rewards);
    const capped = await startNode(f, f.alice, 1, { maxFeePerEpoch: "1" });
    const off = await startNode(f, f.carol, 3, { compute: undefined });
    await waitForAsync(
      async () => (await attested(f, 1, epoch)) && (await attested(f, 3, epoch)),
      30_000,
      "both attestations",
    );
    const [record] = reportOf(capped.options, epoch).probes!.records;
    expect(record.outcome).to.equal("skipped");
    expect(record.reason).to.include("probe.maxFeePerEpoch");
    expect((await f.ledger.getAccount(f.alice.address)).exists).to.equal(false);
    expect(reportOf(off.options, epoch).probes).to.equal(undefined);
    expect(off.lines.some((l) => l.includes("compute probe off"))).to.equal(true);
  });
});
