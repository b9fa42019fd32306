// The alignment:* Hardhat tasks run in-process against the fixture's deployment (its record written to a folder as a
// deployer's would be): mint, operator, attest, claim, report, enforce against a real compute provider, status.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { formatEther } from "ethers";
import { kindId } from "../../deploy/modules/alignment";
import { writeDeployment } from "../../offchain/common/deployments";
import { BAD_SIGNATURE, enforceFixture, EVIDENCE, nextEpoch, REWARD, ROOT } from "./helpers";

describe("alignment tasks", function () {
  let dir: string;
  let lines: string[];
  const log = console.log;

  async function setup() {
    const f = await loadFixture(enforceFixture);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-alignment-"));
    await writeDeployment(dir, f.ctx.record);
    lines = [];
    console.log = (line: string) => lines.push(line);
    return f;
  }
  afterEach(function () {
    console.log = log;
  });

  /** Runs a task as account `account` (an index). */
  const run = (name: string, account: string, args: Record<string, string> = {}) =>
    hre.run(name, { deployments: dir, account, ...args });

  describe("alignment:mint", function () {
    it("mints the next license as governance and refuses anyone else", async function () {
      const f = await setup();
      await run("alignment:mint", "0", { to: f.stranger.address });
      expect(lines[0]).to.match(new RegExp(`^minted license 4 to ${f.stranger.address} \\(tx 0x`));
      expect(await f.license.ownerOf(4)).to.equal(f.stranger.address);
      await expect(run("alignment:mint", "1", { to: f.stranger.address })).to.be.rejectedWith(
        /is not the license admin/,
      );
      await expect(run("alignment:mint", "0", { to: "0x12" })).to.be.rejectedWith(/--to 0x12 is not an address/);
    });
  });

  describe("alignment:operator", function () {
    it("delegates and clears as the owner, and refuses another account", async function () {
      const f = await setup();
      await run("alignment:operator", "1", { license: "1", operator: f.stranger.address });
      expect(await f.license.operatorOf(1)).to.equal(f.stranger.address);
      // The operator may act for the license but not re-delegate it.
      await expect(run("alignment:operator", "3", { license: "1", operator: f.other.address })).to.be.rejectedWith(
        /only the owner .* may set license 1's operator/,
      );
      await expect(run("alignment:operator", "2", { license: "1", operator: "none" })).to.be.rejectedWith(
        /is neither the owner .* nor the operator of license 1/,
      );
      await run("alignment:operator", "1", { license: "1", operator: "none" });
      expect(lines[1]).to.match(/^cleared the operator of license 1 /);
      expect(await f.license.operatorOf(1)).to.equal(hre.ethers.ZeroAddress);
    });
  });

  describe("alignment:attest and alignment:claim", function () {
    it("attests for the current epoch, then claims every unpaid ended epoch by default", async function () {
      const f = await setup();
      const e = await nextEpoch(f.rewards);
      await run("alignment:attest", "1", { license: "1", root: ROOT, checked: "12", failures: "2" });
      expect(lines[0]).to.match(new RegExp(`^license 1 attested in epoch ${e} \\(2/12 failed; tx 0x`));
      await run("alignment:attest", "2", { license: "2", root: ROOT });
      await expect(run("alignment:attest", "1", { license: "1", root: ROOT })).to.be.rejectedWith(
        new RegExp(`license 1 already attested in epoch ${e}`),
      );
      await expect(run("alignment:claim", "1", { license: "1" })).to.be.rejectedWith(/nothing to claim/);
      await nextEpoch(f.rewards);
      await run("alignment:attest", "1", { license: "1", root: ROOT });
      await nextEpoch(f.rewards);
      const before = await hre.ethers.provider.getBalance(f.alice.address);
      lines = [];
      await run("alignment:claim", "1", { license: "1" });
      const paid = REWARD / 2n + REWARD;
      expect(lines[0]).to.match(
        new RegExp(
          `^paid ${formatEther(paid).replace(".", "\\.")} to ${f.alice.address} for license 1, epochs ${e},${e + 1n} `,
        ),
      );
      expect(await hre.ethers.provider.getBalance(f.alice.address)).to.be.greaterThan(before + paid - 10n ** 16n);
      await expect(run("alignment:claim", "1", { license: "1", epochs: `${e}` })).to.be.rejectedWith(
        new RegExp(`epoch ${e} was already paid`),
      );
      await run("alignment:claim", "2", { license: "2", epochs: `${e}` });
      expect((await f.rewards.epochTotals(e)).claimed).to.equal(REWARD);
    });

    it("refuses bad input before sending anything", async function () {
      const f = await setup();
      const e = await nextEpoch(f.rewards);
      await expect(run("alignment:attest", "1", { license: "1", root: "0x1234" })).to.be.rejectedWith(
        /--root 0x1234 is not a non-zero 32-byte hex value/,
      );
      await expect(
        run("alignment:attest", "1", { license: "1", root: ROOT, checked: "1", failures: "2" }),
      ).to.be.rejectedWith(/need failures ≤ checked/);
      await expect(
        run("alignment:attest", "1", { license: "1", root: ROOT, epoch: String(e + 1n) }),
      ).to.be.rejectedWith(new RegExp(`only the current epoch \\(${e}\\) can be attested`));
      await expect(run("alignment:attest", "4", { license: "9", root: ROOT })).to.be.rejectedWith(
        /license 9 does not exist/,
      );
      await expect(run("alignment:claim", "1", { license: "1", epochs: `${e}` })).to.be.rejectedWith(
        new RegExp(`epoch ${e} has not ended`),
      );
      await expect(run("alignment:claim", "1", { license: "1", epochs: "0,0" })).to.be.rejectedWith(
        /names an epoch twice/,
      );
      expect((await f.rewards.epochTotals(e)).attestations).to.equal(0n);
    });
  });

  describe("alignment:report and alignment:enforce", function () {
    it("reports a real provider from two licenses and enforces the case, slashing it in Staking", async function () {
      const f = await setup();
      const e = await nextEpoch(f.rewards);
      const args = { service: f.provider.address, kind: "COMPUTE_BAD_SIGNATURE", evidence: EVIDENCE };
      await run("alignment:report", "1", { license: "1", ...args });
      expect(lines[0]).to.match(
        new RegExp(`^reported ${f.provider.address} for COMPUTE_BAD_SIGNATURE in epoch ${e}: 1/2 reports`),
      );
      await expect(run("alignment:report", "1", { license: "1", ...args })).to.be.rejectedWith(/already reported/);
      await expect(
        run("alignment:enforce", "5", { service: f.provider.address, kind: "COMPUTE_BAD_SIGNATURE", epoch: String(e) }),
      ).to.be.rejectedWith(/only 1 of the 2 reports needed/);
      await run("alignment:report", "2", { license: "2", ...args });
      const before = (await f.staking.getValidator(f.provider.address)).bonded.stake;
      await run("alignment:enforce", "5", { service: f.provider.address, kind: BAD_SIGNATURE, epoch: String(e) });
      expect(lines.at(-1)).to.match(
        new RegExp(`^slashed ${f.provider.address} by 10000 ppm for COMPUTE_BAD_SIGNATURE and jailed it`),
      );
      const after = await f.staking.getValidator(f.provider.address);
      expect(after.bonded.stake).to.equal(before - before / 100n);
      expect(after.jailed).to.equal(true);
      await expect(
        run("alignment:enforce", "5", { service: f.provider.address, kind: "COMPUTE_BAD_SIGNATURE", epoch: String(e) }),
      ).to.be.rejectedWith(/was enforced/);
      await expect(run("alignment:report", "1", { license: "1", ...args, kind: "INFT_BAD_PROOF" })).to.be.rejectedWith(
        /--kind INFT_BAD_PROOF has no rule/,
      );
      await expect(run("alignment:report", "1", { license: "1", ...args, kind: "lower" })).to.be.rejectedWith(
        /is not a kind name/,
      );
    });
  });

  describe("alignment:enforce with a record-only rule", function () {
    it("records a STORAGE_DOWN case (target none) without slashing anything", async function () {
      const f = await setup();
      const e = await nextEpoch(f.rewards);
      // A storage node has no stake; even an address that has stake is only recorded under a none-target rule.
      const args = { service: f.provider.address, kind: "STORAGE_DOWN", evidence: EVIDENCE };
      await run("alignment:report", "1", { license: "1", ...args });
      await run("alignment:report", "2", { license: "2", ...args });
      const before = await f.staking.getValidator(f.provider.address);
      await run("alignment:enforce", "5", { service: f.provider.address, kind: "STORAGE_DOWN", epoch: String(e) });
      expect(lines.at(-1)).to.match(
        new RegExp(`^recorded the case against ${f.provider.address} for STORAGE_DOWN \\(target none: nothing slashed`),
      );
      expect((await f.rewards.caseOf(f.provider.address, kindId("STORAGE_DOWN"), e)).enforced).to.equal(true);
      const after = await f.staking.getValidator(f.provider.address);
      expect(after.bonded.stake).to.equal(before.bonded.stake);
      expect(after.jailed).to.equal(false);
      await expect(
        run("alignment:enforce", "5", { service: f.provider.address, kind: "STORAGE_DOWN", epoch: String(e) }),
      ).to.be.rejectedWith(/was enforced/);
    });
  });

  describe("alignment:status", function () {
    it("shows the epoch, who attested and what each license can claim", async function () {
      const f = await setup();
      const e = await nextEpoch(f.rewards);
      await f.rewards.connect(f.alice).attest(1, e, ROOT, 5, 1);
      await f.rewards.connect(f.bob).attest(2, e, ROOT, 3, 0);
      await run("alignment:status", "0");
      expect(lines[0]).to.match(new RegExp(`^epoch ${e} \\(current\\): `));
      expect(lines[1]).to.equal(`reward ${formatEther(REWARD)}, 2 attestation(s), paid 0.0; licenses 3/16`);
      expect(lines[3].split(/\s+/).slice(0, 4)).to.deep.equal(["1", f.alice.address, "5", "1"]);
      expect(lines[3].split(/\s+/)[5]).to.equal("-");

      await nextEpoch(f.rewards);
      await f.rewards.connect(f.bob).claim(2, [e]);
      lines = [];
      await run("alignment:status", "0", { epoch: String(e), license: "1" });
      expect(lines[0]).to.match(new RegExp(`^epoch ${e} \\(ended\\)`));
      expect(lines[3].split(/\s+/)[5]).to.equal(formatEther(REWARD / 2n));
      expect(lines[4].split(/\s+/)[5]).to.equal("paid");
      expect(lines[5]).to.equal(
        `license 1: owner ${f.alice.address}, operator ${hre.ethers.ZeroAddress}, payee ${f.alice.address}`,
      );
      expect(lines[6]).to.equal(`claimable ${formatEther(REWARD / 2n)} for epochs ${e} (last 64 ended epochs)`);
      // Then the rules in force, with their targets (the devnet params' seven).
      expect(lines[7]).to.equal(`rules (7; DA registry ${f.ctx.record.contracts.DASignerRegistry.address}):`);
      expect(lines[8].split(/\s+/)).to.deep.equal(["kind", "target", "threshold", "slashPpm", "jail"]);
      const rows = lines.slice(9).map((l) => l.split(/\s+/));
      expect(rows).to.deep.include(["COMPUTE_BAD_SIGNATURE", "compute", "2", "10000", "yes"]);
      expect(rows).to.deep.include(["DA_DOWN", "da", "2", "1000", "no"]);
      expect(rows).to.deep.include(["STORAGE_DOWN", "none", "2", "0", "no"]);
      expect(rows).to.deep.include(["INFT_ORACLE_BAD_PROOF", "none", "2", "0", "no"]);
      // A removed rule is no longer listed.
      await f.rewards.setRule(kindId("COMPUTE_OVERBILLING"), 0, 0, false, 0);
      lines = [];
      await run("alignment:status", "0");
      expect(lines.find((l) => l.startsWith("rules ("))).to.match(/^rules \(6; /);
      expect(lines.some((l) => l.startsWith("COMPUTE_OVERBILLING"))).to.equal(false);
    });
  });
});
