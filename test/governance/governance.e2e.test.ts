// End to end on the in-process network: the protocol deployed with production rights (adminIsDeployer=false, so
// the timelock alone administers every contract), then two proposals driven through the gov:* tasks: one sets the
// storage price, one upgrades StakeVotes and sets the storage service fee in the same batch.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, ZeroHash } from "ethers";
import { createDeployContext, deployAll, prepareUpgrade } from "../../deploy";
import { PARAMS_DIR } from "../../deploy/params";
import { runTaskCapturing } from "../helpers/tasks";

const DELAY = 3600;

async function productionFixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zg-gov-"));
  const devnet = JSON.parse(fs.readFileSync(path.join(PARAMS_DIR, "hardhat.json"), "utf8"));
  const paramsFile = path.join(dir, "params.json");
  fs.writeFileSync(
    paramsFile,
    JSON.stringify({ ...devnet, governance: { timelockDelay: DELAY, adminIsDeployer: false } }, null, 2),
  );
  const ctx = await createDeployContext(hre, { deploymentsDir: dir, paramsFile });
  await deployAll(ctx);
  const [deployer, , , , , op, alice] = await ethers.getSigners();
  const records = ctx.record.contracts;
  const staking = await ethers.getContractAt("Staking", records.Staking.address);
  const votes = await ethers.getContractAt("StakeVotes", records.StakeVotes.address);
  const timelock = await ethers.getContractAt("ZgTimelock", records.ZgTimelock.address);
  const governor = await ethers.getContractAt("ZgGovernor", records.ZgGovernor.address);
  const market = await ethers.getContractAt("Market", records.Market.address);
  await staking.connect(op).registerValidator(ethers.zeroPadValue("0x01", 48), "op", 50_000, 200_000, 10_000, {
    value: parseEther("2000"),
  });
  await staking.connect(alice).delegate(op.address, { value: parseEther("500") });
  return { ctx, dir, deployer, op, alice, staking, votes, timelock, governor, market };
}

const run = runTaskCapturing;

function proposalIdOf(lines: string[]): string {
  const m = /^proposed (\d+) with/.exec(lines.at(-1) ?? "");
  if (!m) throw new Error(`no proposal id in ${JSON.stringify(lines)}`);
  return m[1];
}

/** Votes for, waits out voting and the timelock, queues and executes `proposal` through the tasks. */
async function pass(f: Awaited<ReturnType<typeof productionFixture>>, proposal: string) {
  const common = { deployments: f.dir };
  expect((await run("gov:state", { ...common, proposal })).at(-1)).to.match(
    new RegExp(`^proposal ${proposal}: Pending;`),
  );
  await mine(f.ctx.params.governor.votingDelay + 1);
  expect(
    (await run("gov:vote", { ...common, account: f.op.address, proposal, support: "for", reason: "yes" })).at(-1),
  ).to.match(new RegExp(`^voted for on ${proposal} with 2500\\.0 votes`));
  await mine(f.ctx.params.governor.votingPeriod);
  expect((await run("gov:state", { ...common, proposal })).at(-1)).to.match(
    new RegExp(`^proposal ${proposal}: Succeeded; for 2500\\.0, against 0\\.0, abstain 0\\.0; quorum 250\\.0;`),
  );
  expect((await run("gov:queue", { ...common, proposal })).at(-1)).to.match(
    new RegExp(`^queued ${proposal}; executable from \\d+`),
  );
  await expect(hre.run("gov:execute", { ...common, proposal })).to.be.rejectedWith(/is executable from \d+, in \d+ s/);
  await time.increase(DELAY);
  expect((await run("gov:execute", { ...common, proposal })).at(-1)).to.match(new RegExp(`^executed ${proposal} `));
  expect((await run("gov:state", { ...common, proposal })).at(-1)).to.match(
    new RegExp(`^proposal ${proposal}: Executed;`),
  );
}

describe("governance end to end (gov:* tasks, timelock-held admin)", function () {
  this.timeout(600_000);

  it("deploys with the timelock as the only admin and the deployer left with no governance rights", async () => {
    const f = await loadFixture(productionFixture);
    const t = await f.timelock.getAddress();
    expect(await f.staking.stakeObserver()).to.equal(await f.votes.getAddress());
    expect(await f.timelock.getMinDelay()).to.equal(BigInt(DELAY));
    for (const role of [ZeroHash, await f.timelock.PROPOSER_ROLE(), await f.timelock.CANCELLER_ROLE()]) {
      expect(await f.timelock.hasRole(role, f.deployer.address)).to.equal(false);
    }
    for (const c of [f.staking, f.votes, f.market]) {
      expect(await c.hasRole(ZeroHash, t)).to.equal(true);
      expect(await c.hasRole(ZeroHash, f.deployer.address)).to.equal(false);
    }
    await expect(f.market.setPricePerSector(1n)).to.be.revertedWithCustomError(
      f.market,
      "AccessControlUnauthorizedAccount",
    );
    expect(await f.votes.getVotes(f.op.address)).to.equal(parseEther("2000"));
  });

  it("changes the storage price through propose, vote, queue and execute", async () => {
    const f = await loadFixture(productionFixture);
    const common = { deployments: f.dir };
    expect((await run("gov:delegate", { ...common, account: f.alice.address, to: f.op.address })).at(-1)).to.match(
      new RegExp(`delegates 500\\.0 votes to ${f.op.address} .*; ${f.op.address} has 2500\\.0 votes`),
    );
    await mine(1);
    await expect(
      hre.run("gov:propose", {
        ...common,
        account: "9",
        target: "Market",
        function: "setPricePerSector(uint256)",
        args: '["12345"]',
        description: "nobody's proposal",
      }),
    ).to.be.rejectedWith(/has 0\.0 votes, below the proposal threshold of 1\.0/);
    const lines = await run("gov:propose", {
      ...common,
      account: f.op.address,
      target: "Market",
      function: "setPricePerSector(uint256)",
      args: '["12345"]',
      description: "Storage: price per sector 12345 wei",
    });
    const proposal = proposalIdOf(lines);
    await pass(f, proposal);
    expect(await f.market.pricePerSector()).to.equal(12345n);
  });

  it("upgrades a contract and sets a fee in one proposal given as several actions", async () => {
    const f = await loadFixture(productionFixture);
    const common = { deployments: f.dir };
    await f.votes.connect(f.alice).delegate(f.op.address);
    await mine(1);
    const implementation = await prepareUpgrade(f.ctx, "StakeVotes", "StakeVotesV2Mock");
    const actions = [
      { target: "StakeVotes", function: "upgradeToAndCall(address,bytes)", args: [implementation, "0x"] },
      { target: "Market", calldata: f.market.interface.encodeFunctionData("setServiceFee", [30_000n]) },
    ];
    const file = path.join(f.dir, "actions.json");
    fs.writeFileSync(file, JSON.stringify(actions));
    const proposal = proposalIdOf(
      await run("gov:propose", {
        ...common,
        account: f.op.address,
        actions: `@${file}`,
        description: "Upgrade StakeVotes to 2.0.0-mock; storage service fee 3 %",
      }),
    );
    await pass(f, proposal);
    expect(await f.votes.version()).to.equal("2.0.0-mock");
    expect(await hre.upgrades.erc1967.getImplementationAddress(await f.votes.getAddress())).to.equal(implementation);
    expect(await f.market.serviceFeePpm()).to.equal(30_000n);
    // The upgrade kept the state: votes, checkpoints and the staking hook still work.
    expect(await f.votes.getVotes(f.op.address)).to.equal(parseEther("2500"));
    await f.staking.connect(f.alice).delegate(f.op.address, { value: parseEther("10") });
    expect(await f.votes.getVotes(f.op.address)).to.equal(parseEther("2510"));
  });

  it("refuses malformed actions and votes before sending anything", async () => {
    const f = await loadFixture(productionFixture);
    const common = { deployments: f.dir, account: f.op.address };
    const propose = (extra: Record<string, unknown>) =>
      hre.run("gov:propose", { ...common, description: "x", ...extra });
    await expect(propose({ target: "Nope", function: "f()" })).to.be.rejectedWith(/Nope is not deployed on chain/);
    await expect(
      propose({ target: "Market", function: "setPricePerSector(uint256)", args: '["x"]' }),
    ).to.be.rejectedWith(/action 1: arguments \["x"\] do not fit setPricePerSector\(uint256\)/);
    await expect(propose({ target: "Market", calldata: "0x123" })).to.be.rejectedWith(/is not 0x-hex bytes/);
    await expect(propose({ target: "Market", function: "f()", calldata: "0x" })).to.be.rejectedWith(/not both/);
    await expect(propose({})).to.be.rejectedWith(/give --target/);
    await expect(propose({ actions: "[]" })).to.be.rejectedWith(/at least one action/);
    await expect(hre.run("gov:vote", { ...common, proposal: "1", support: "maybe" })).to.be.rejectedWith(
      /choose for, against or abstain/,
    );
    await expect(hre.run("gov:state", { ...common, proposal: "77" })).to.be.rejectedWith(
      /no proposal 77 on ZgGovernor/,
    );
  });
});
