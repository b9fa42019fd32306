// The da:* Hardhat tasks, run in-process against the fixture's deployment (its record written to a folder as a
// deployer's would be).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { writeDeployment } from "../../offchain/common/deployments";
import { payAndCertify, quorumFixture } from "./helpers";
import { makeBlob } from "./sampleReference";

async function blobFixture() {
  const f = await quorumFixture(4);
  const blob = makeBlob(64, 2, 6, "tasks");
  await payAndCertify(f, blob.dataRoot, [3]);
  return { ...f, blob };
}

describe("da tasks", function () {
  it("da:sample-info, da:challenge, da:finalize and da:claim", async function () {
    const f = await loadFixture(blobFixture);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-da-"));
    await writeDeployment(dir, f.ctx.record);
    const log = console.log;
    const lines: string[] = [];
    console.log = (line: string) => lines.push(line);
    try {
      const common = { deployments: dir };
      await hre.run("da:sample-info", common);
      const shape = {
        dataRoot: f.blob.dataRoot,
        epoch: String(f.epoch),
        quorum: "0",
        rowsRoot: f.blob.rowsRoot,
        cols: "64",
        dataRows: "2",
        codedRows: "6",
        subline: "1",
      };
      await expect(hre.run("da:challenge", { ...common, ...shape, line: "3" })).to.be.rejectedWith(
        /DAChallengeSignerDidNotSign/,
      );
      await expect(hre.run("da:challenge", { ...common, ...shape, epoch: "1", line: "0" })).to.be.rejectedWith(
        /no verified certificate/,
      );
      await hre.run("da:challenge", { ...common, ...shape, line: "2" });
      expect((await f.challenge.getChallenge(1)).signer).to.equal(f.signers[2].address);
      await mine(21);
      await hre.run("da:finalize", { ...common, id: "1" });
      await hre.run("da:claim", common);
      await hre.run("da:claim", common);
    } finally {
      console.log = log;
    }
    const out = lines.join("\n");
    expect(out).to.match(/round {8}\d+ \(16 blocks each\)/);
    expect(out).to.include(`challenge 1 against ${f.signers[2].address}`);
    expect(out).to.include("challenge 1: signer slashed; bond returned");
    expect(out).to.include("claimed 0.0 in rewards and 1.0 in bonds");
    expect(out).to.include("nothing to claim");
  });
});
