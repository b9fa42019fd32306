import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { id, parseEther } from "ethers";
import { SELF_STAKE } from "../staking/helpers";
import { governanceFixture } from "./helpers";

/** A proposal by op1 that sets the storage price per sector through the timelock (which shares admin on a devnet). */
async function priceProposal(f: Awaited<ReturnType<typeof governanceFixture>>, price: bigint) {
  const market = await ethers.getContractAt("Market", f.ctx.record.contracts.Market.address);
  const targets = [await market.getAddress()];
  const values = [0n];
  const calldatas = [market.interface.encodeFunctionData("setPricePerSector", [price])];
  const description = `set the storage price to ${price}`;
  await f.governor.connect(f.op1).propose(targets, values, calldatas, description);
  const proposalId = await f.governor.hashProposal(targets, values, calldatas, id(description));
  return { market, targets, values, calldatas, descriptionHash: id(description), proposalId };
}

describe("ZgGovernor", () => {
  describe("constructor (through the governor deploy module)", () => {
    it("uses StakeVotes and ZgTimelock with the params' settings", async () => {
      const { governor, votes, timelock, ctx } = await loadFixture(governanceFixture);
      const p = ctx.params.governor;
      expect(await governor.name()).to.equal("ZgGovernor");
      expect(await governor.token()).to.equal(await votes.getAddress());
      expect(await governor.timelock()).to.equal(await timelock.getAddress());
      expect(await governor.votingDelay()).to.equal(BigInt(p.votingDelay));
      expect(await governor.votingPeriod()).to.equal(BigInt(p.votingPeriod));
      expect(await governor.proposalThreshold()).to.equal(parseEther(p.proposalThreshold));
      expect(await governor["quorumNumerator()"]()).to.equal(BigInt(p.quorumPercent));
      expect(await governor.CLOCK_MODE()).to.equal("mode=blocknumber&from=default");
    });

    it("holds the timelock's proposer and canceller roles; the deployer no longer administers the timelock", async () => {
      const { governor, timelock, deployer, ctx } = await loadFixture(governanceFixture);
      const g = await governor.getAddress();
      expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), g)).to.equal(true);
      expect(await timelock.hasRole(await timelock.CANCELLER_ROLE(), g)).to.equal(true);
      expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer.address)).to.equal(false);
      expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), await timelock.getAddress())).to.equal(true);
      expect(await timelock.getMinDelay()).to.equal(BigInt(ctx.params.governance.timelockDelay));
    });

    it("gives the timelock admin and upgrade rights on every upgradeable contract of a devnet, next to the deployer's", async () => {
      const { timelock, deployer, ctx } = await loadFixture(governanceFixture);
      const t = await timelock.getAddress();
      for (const [name, entry] of Object.entries(ctx.record.contracts)) {
        if (entry.kind !== "uups") continue;
        const c = await ethers.getContractAt("AccessControlUpgradeable", entry.address);
        expect(await c.hasRole(ethers.ZeroHash, t), name).to.equal(true);
        expect(await c.hasRole(id("UPGRADER_ROLE"), t), name).to.equal(true);
        expect(await c.hasRole(ethers.ZeroHash, deployer.address), name).to.equal(true);
      }
    });
  });

  describe("propose", () => {
    it("reverts for an account below the proposal threshold", async () => {
      const { governor, stranger } = await loadFixture(governanceFixture);
      await expect(governor.connect(stranger).propose([stranger.address], [0n], ["0x"], "nothing"))
        .to.be.revertedWithCustomError(governor, "GovernorInsufficientProposerVotes")
        .withArgs(stranger.address, 0n, parseEther("1"));
    });
  });

  describe("castVote", () => {
    it("counts the voter's stake at the snapshot, not stake added after it", async () => {
      const f = await loadFixture(governanceFixture);
      const { proposalId } = await priceProposal(f, 7n);
      await mine(2);
      await f.staking.connect(f.op2).delegate(f.op2.address, { value: parseEther("500") });
      await f.governor.connect(f.op2).castVote(proposalId, 1);
      const [, forVotes] = await f.governor.proposalVotes(proposalId);
      expect(forVotes).to.equal(SELF_STAKE);
    });
  });

  describe("quorum", () => {
    it("defeats a proposal whose for and abstain votes stay under quorumPercent of the stake at the snapshot", async () => {
      const f = await loadFixture(governanceFixture);
      await f.staking.connect(f.alice).delegate(f.op1.address, { value: parseEther("20") });
      const p = await priceProposal(f, 9n);
      await mine(2);
      // 320 tokens counted at the snapshot: the quorum is 32, alice's 20 are not enough on their own.
      expect(await f.governor.quorum(await f.governor.proposalSnapshot(p.proposalId))).to.equal(parseEther("32"));
      await f.governor.connect(f.alice).castVote(p.proposalId, 1);
      await mine(f.ctx.params.governor.votingPeriod);
      expect(await f.governor.state(p.proposalId)).to.equal(3n); // Defeated
    });
  });

  describe("queue and execute", () => {
    it("run a passed proposal through the timelock after its delay", async () => {
      const f = await loadFixture(governanceFixture);
      const p = await priceProposal(f, 123n);
      expect(await f.governor.state(p.proposalId)).to.equal(0n); // Pending
      await mine(2);
      await f.governor.connect(f.op1).castVote(p.proposalId, 1);
      await f.governor.connect(f.op2).castVote(p.proposalId, 2);
      await f.governor.connect(f.op3).castVote(p.proposalId, 0);
      await mine(f.ctx.params.governor.votingPeriod);
      // for 100 > against 100 is false: a tie fails even with quorum reached.
      expect(await f.governor.state(p.proposalId)).to.equal(3n); // Defeated

      const q = await priceProposal(f, 321n);
      await mine(2);
      await f.governor.connect(f.op1).castVote(q.proposalId, 1);
      await mine(f.ctx.params.governor.votingPeriod);
      expect(await f.governor.state(q.proposalId)).to.equal(4n); // Succeeded
      await f.governor.queue(q.targets, q.values, q.calldatas, q.descriptionHash);
      await expect(
        f.governor.execute(q.targets, q.values, q.calldatas, q.descriptionHash),
      ).to.be.revertedWithCustomError(f.timelock, "TimelockUnexpectedOperationState");
      await time.increase(f.ctx.params.governance.timelockDelay);
      await f.governor.execute(q.targets, q.values, q.calldatas, q.descriptionHash);
      expect(await q.market.pricePerSector()).to.equal(321n);
      expect(await f.governor.state(q.proposalId)).to.equal(7n); // Executed
    });
  });

  describe("setVotingPeriod", () => {
    it("refuses a direct call: settings change only through a proposal", async () => {
      const { governor, deployer } = await loadFixture(governanceFixture);
      await expect(governor.connect(deployer).setVotingPeriod(5))
        .to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor")
        .withArgs(deployer.address);
    });
  });
});
