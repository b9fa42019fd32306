// The storage:* and miner:* Hardhat tasks, run in-process against the fixture's deployment (its record written to
// a folder as a deployer's would be).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { writeDeployment } from "../../offchain/common/deployments";
import { fileRoot, loadHashers } from "../../offchain/storage/core";
import { storageFixture } from "./helpers";

describe("storage tasks", () => {
  it("storage:submit, storage:price, storage:epoch and miner:register", async () => {
    const f = await loadFixture(storageFixture);
    await loadHashers();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-storage-"));
    await writeDeployment(dir, f.ctx.record);
    const file = path.join(dir, "data.bin");
    const content = Buffer.alloc(5000, 7);
    fs.writeFileSync(file, content);
    const log = console.log;
    const lines: string[] = [];
    console.log = (line: string) => lines.push(line);
    try {
      const common = { deployments: dir };
      await hre.run("storage:submit", { ...common, account: "1", file, tags: "0x" });
      expect(await f.flow.submissionCount()).to.equal(1n);
      await hre.run("storage:price", common);
      await hre.run("storage:epoch", { ...common, make: true });
      await hre.run("miner:register", { ...common, account: "3", seed: "rig-1" });
      await expect(hre.run("storage:submit", { ...common, file: path.join(dir, "missing") })).to.be.rejectedWith(
        /does not exist/,
      );
    } finally {
      console.log = log;
    }
    const out = lines.join("\n");
    expect(out).to.include(`root ${fileRoot(new Uint8Array(content))}`);
    expect(out).to.include("price per sector 1000 wei");
    expect(out).to.match(/context\s+digest 0x[0-9a-f]{64}/);
    expect(out).to.match(/miner id 0x[0-9a-f]{64}/);
  });
});
