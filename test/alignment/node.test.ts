// The alignment node in process against the hardhat network (the deployed protocol with a real compute provider),
// with discovery replaced by a fake network in which that provider serves another model than it registered: each
// node reports it once with its evidence hash and attests, the node that brings the case to its threshold enforces
// it (the provider is slashed and jailed), `report: false` only attests, and a foreign key is refused at start.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ChainClient } from "../../offchain/common/chain";
import { Lifecycle } from "../../offchain/common/lifecycle";
import { createLogger } from "../../offchain/common/logger";
import { createMetricsRegistry } from "../../offchain/common/metrics";
import { alignmentNodeOptionsSchema, initAlignmentNode } from "../../offchain/alignment/node";
import type { EpochReport } from "../../offchain/alignment/report";
import type { ServicesReport } from "../../offchain/market/discovery";
import { TOKENOMICS } from "../../deploy/modules/tokenomics";
import { enforceFixture, hardhatChain, nextEpoch, WRONG_MODEL } from "./helpers";

type Fixture = Awaited<ReturnType<typeof enforceFixture>>;

async function waitForAsync(predicate: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("alignment node (in process)", function () {
  this.timeout(60_000);
  const running: Lifecycle[] = [];
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-alignment-node-"));
  });

  afterEach(async () => {
    for (const lifecycle of running.splice(0)) await lifecycle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A network whose one compute provider answers with `served` while it registered `model`. */
  function fakeNetwork(provider: string, model: string, served: string): (c: ChainClient) => Promise<ServicesReport> {
    return async () => ({
      chainId: 31337,
      block: await ethers.provider.getBlockNumber(),
      compute: [
        {
          provider,
          model,
          url: "http://provider.test",
          inputPrice: "1",
          outputPrice: "1",
          verifiability: "zk",
          teeSigner: null,
          teeSignerAcknowledged: null,
          health: { state: "up", latencyMs: 1 },
          servedModel: served,
          settlementMode: "zk",
          modelMatches: served === model,
        },
      ],
      storage: [],
      da: { registry: ethers.ZeroAddress, epoch: "0", quorums: [] },
    });
  }

  async function start(
    f: Fixture,
    signer: HardhatEthersSigner,
    licenseId: number,
    network: ReturnType<typeof fakeNetwork>,
    extra = {},
  ) {
    const lines: string[] = [];
    const logger = createLogger({ level: "info" }, { destination: { write: (line: string) => lines.push(line) } });
    const lifecycle = new Lifecycle(logger);
    running.push(lifecycle);
    const chain = hardhatChain(f.ctx.record, signer);
    const options = alignmentNodeOptionsSchema.parse({
      licenseId,
      dataDir: path.join(dir, `license-${licenseId}`),
      pollIntervalMs: 100,
      ...extra,
    });
    const node = await initAlignmentNode(options, {
      logger,
      lifecycle,
      registry: createMetricsRegistry({ processMetrics: false }),
      chain,
      discover: network,
    });
    return { node, lifecycle, lines, options };
  }

  const attested = async (rewards: Awaited<ReturnType<typeof enforceFixture>>["rewards"], id: number, e: bigint) =>
    (await rewards.attestation(id, e)).attester !== ethers.ZeroAddress;

  it("reports a provider serving another model, and the node reaching the threshold enforces the case", async () => {
    const f = await loadFixture(enforceFixture);
    const epoch = await nextEpoch(f.rewards);
    const service = await f.serving.getService(f.provider.address);
    const network = fakeNetwork(f.provider.address, service.model, "not-the-registered-model");
    const stakeBefore = (await f.staking.getValidator(f.provider.address)).bonded.stake;

    const a = await start(f, f.alice, 1, network);
    await waitForAsync(() => attested(f.rewards, 1, epoch), 20_000, "license 1's attestation");
    expect(await f.rewards.hasReported(1, f.provider.address, WRONG_MODEL, epoch)).to.equal(true);
    expect([...(await f.rewards.caseOf(f.provider.address, WRONG_MODEL, epoch))]).to.deep.equal([1n, false]);

    const report = JSON.parse(
      fs.readFileSync(path.join(a.options.dataDir, "reports", `${epoch}.json`), "utf8"),
    ) as EpochReport;
    expect(report.failures).to.equal(1);
    expect(report.faults).to.have.length(1);
    const [reported] = await f.rewards.queryFilter(f.rewards.filters.Reported(1, f.provider.address, WRONG_MODEL));
    expect(reported.args.evidenceHash).to.equal(report.faults[0].evidenceHash);
    expect(reported.args.epoch).to.equal(epoch);
    const onChain = await f.rewards.attestation(1, epoch);
    expect([onChain.checked, onChain.failures]).to.deep.equal([1n, 1n]);

    await start(f, f.carol, 3, network);
    await waitForAsync(() => attested(f.rewards, 3, epoch), 20_000, "license 3's attestation");
    expect([...(await f.rewards.caseOf(f.provider.address, WRONG_MODEL, epoch))]).to.deep.equal([2n, true]);
    const [enforced] = await f.rewards.queryFilter(f.rewards.filters.Enforced(f.provider.address, WRONG_MODEL, epoch));
    expect(enforced.args.caller).to.equal(f.carol.address);
    const after = await f.staking.getValidator(f.provider.address);
    expect(after.bonded.stake).to.equal(stakeBefore - stakeBefore / 100n);
    expect(after.jailed).to.equal(true);
  });

  it("only attests with report off, and attests nothing wrong for a provider serving its model", async () => {
    const f = await loadFixture(enforceFixture);
    const epoch = await nextEpoch(f.rewards);
    const service = await f.serving.getService(f.provider.address);
    await start(f, f.alice, 1, fakeNetwork(f.provider.address, service.model, "other"), { report: false });
    await start(f, f.carol, 3, fakeNetwork(f.provider.address, service.model, service.model));
    await waitForAsync(
      async () => (await attested(f.rewards, 1, epoch)) && (await attested(f.rewards, 3, epoch)),
      20_000,
      "both attestations",
    );
    expect(await f.rewards.hasReported(1, f.provider.address, WRONG_MODEL, epoch)).to.equal(false);
    expect([...(await f.rewards.caseOf(f.provider.address, WRONG_MODEL, epoch))]).to.deep.equal([0n, false]);
    expect((await f.rewards.attestation(1, epoch)).failures).to.equal(1n);
    expect((await f.rewards.attestation(3, epoch)).failures).to.equal(0n);
  });

  it("keeps attesting when a claim is refused, and claims every unpaid epoch once the vault pays again", async () => {
    const f = await loadFixture(enforceFixture);
    const vault = await ethers.getContractAt("BudgetVault", f.ctx.record.contracts[TOKENOMICS.alignment].address);
    await vault.connect(f.deployer).grantRole(await vault.PAUSER_ROLE(), f.deployer.address);
    const service = await f.serving.getService(f.provider.address);
    const network = fakeNetwork(f.provider.address, service.model, service.model);
    const first = await nextEpoch(f.rewards);
    const a = await start(f, f.alice, 1, network);
    await waitForAsync(() => attested(f.rewards, 1, first), 20_000, "the first attestation");

    await vault.connect(f.deployer).pause();
    const second = await nextEpoch(f.rewards);
    await waitForAsync(() => attested(f.rewards, 1, second), 20_000, "the second attestation");
    await waitForAsync(async () => a.lines.some((l) => l.includes("claim failed")), 20_000, "the claim failure");
    expect((await f.rewards.attestation(1, first)).claimed).to.equal(false);

    await vault.connect(f.deployer).unpause();
    const third = await nextEpoch(f.rewards);
    await waitForAsync(
      async () => (await f.rewards.attestation(1, second)).claimed,
      20_000,
      "the claim of both unpaid epochs",
    );
    expect(await attested(f.rewards, 1, third)).to.equal(true);
    expect((await f.rewards.attestation(1, first)).claimed).to.equal(true);
    const claims = await f.rewards.queryFilter(f.rewards.filters.Claimed(1));
    expect(claims.map((c) => [...c.args.epochs])).to.deep.equal([[first, second]]);
  });

  it("accepts the license's operator and refuses any other key before sampling anything", async () => {
    const f = await loadFixture(enforceFixture);
    const epoch = await nextEpoch(f.rewards);
    let sampled = 0;
    const counting = async (c: ChainClient) => {
      sampled++;
      return fakeNetwork(f.provider.address, "m", "m")(c);
    };
    await expect(start(f, f.stranger, 1, counting)).to.be.rejectedWith(
      `${f.stranger.address} is neither the owner (${f.alice.address}) nor the operator (no operator) of license 1`,
    );
    await expect(start(f, f.alice, 99, counting)).to.be.rejectedWith("license 99 does not exist (minted: 1..3)");
    expect(sampled).to.equal(0);
    await f.license.connect(f.alice).setOperator(1, f.stranger.address);
    const { node } = await start(f, f.stranger, 1, counting);
    expect(node.owner).to.equal(f.alice.address);
    await waitForAsync(() => attested(f.rewards, 1, epoch), 20_000, "the operator's attestation");
    expect((await f.rewards.attestation(1, epoch)).attester).to.equal(f.stranger.address);
    expect(sampled).to.equal(1);
  });
});
