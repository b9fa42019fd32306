// gov:sync and gov:delegate on the devnet fixture, its record written to a folder as a deployer's would be.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { formatEther, parseEther } from "ethers";
import { writeDeployment } from "../../offchain/common/deployments";
import { REASON } from "../staking/helpers";
import { governanceFixture } from "./helpers";
import { runTaskCapturing } from "../helpers/tasks";

const run = runTaskCapturing;

describe("gov:sync and gov:delegate", () => {
  it("bring a slashed delegator's votes down and move them to a delegate and back", async () => {
    const f = await loadFixture(governanceFixture);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-gov-tasks-"));
    await writeDeployment(dir, f.ctx.record);
    const common = { deployments: dir };
    await f.staking.connect(f.alice).delegate(f.op1.address, { value: parseEther("100") });
    await f.staking.connect(f.service).slash(f.op1.address, 100_000, REASON, false);
    const value = await f.votes.stakeValue(f.alice.address);
    const lines = await run("gov:sync", { ...common, account: f.stranger.address, who: f.alice.address });
    expect(lines.at(-1)).to.match(new RegExp(`^${f.alice.address}: 100\\.0 -> ${formatEther(value)} voting units`));
    expect(await f.votes.getVotes(f.alice.address)).to.equal(value);

    const moved = await run("gov:delegate", { ...common, account: f.alice.address, to: f.bob.address });
    expect(moved.at(-1)).to.match(new RegExp(`delegates ${formatEther(value)} votes to ${f.bob.address} `));
    expect(await f.votes.getVotes(f.bob.address)).to.equal(value);
    await run("gov:delegate", { ...common, account: f.alice.address });
    expect(await f.votes.getVotes(f.alice.address)).to.equal(value);
    await expect(hre.run("gov:delegate", { ...common, account: f.alice.address, to: "0x12" })).to.be.rejectedWith(
      /--to 0x12 is not an address/,
    );
  });
});
