import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, ZeroAddress } from "ethers";
import { DAY, REASON, SELF_STAKE } from "../staking/helpers";
import { bondedValue, governanceFixture } from "./helpers";

describe("StakeVotes", () => {
  describe("initialize", () => {
    it("sets the staking contract and the admin, and runs once", async () => {
      const { votes, staking, deployer } = await loadFixture(governanceFixture);
      expect(await votes.staking()).to.equal(await staking.getAddress());
      expect(await votes.hasRole(await votes.DEFAULT_ADMIN_ROLE(), deployer.address)).to.equal(true);
      expect(await votes.contractName()).to.equal("StakeVotes");
      expect(await votes.CLOCK_MODE()).to.equal("mode=blocknumber&from=default");
      await expect(votes.initialize(deployer.address, deployer.address)).to.be.revertedWithCustomError(
        votes,
        "InvalidInitialization",
      );
    });

    it("reverts on a zero admin or a zero staking address", async () => {
      const { votes, deployer } = await loadFixture(governanceFixture);
      const factory = await ethers.getContractFactory("StakeVotes");
      for (const args of [
        [ZeroAddress, deployer.address],
        [deployer.address, ZeroAddress],
      ]) {
        await expect(upgrades.deployProxy(factory, args, { kind: "uups" })).to.be.revertedWithCustomError(
          votes,
          "StakeVotesZeroAddress",
        );
      }
    });
  });

  describe("onStakeChanged", () => {
    it("reverts when anyone but Staking calls it", async () => {
      const { votes, stranger, op1 } = await loadFixture(governanceFixture);
      await expect(votes.connect(stranger).onStakeChanged(stranger.address, op1.address))
        .to.be.revertedWithCustomError(votes, "StakeVotesNotStaking")
        .withArgs(stranger.address);
    });

    it("credits a registering operator its self-stake and makes it its own delegate", async () => {
      const { votes, op1 } = await loadFixture(governanceFixture);
      expect(await votes.votingUnits(op1.address)).to.equal(SELF_STAKE);
      expect(await votes.delegates(op1.address)).to.equal(op1.address);
      expect(await votes.getVotes(op1.address)).to.equal(SELF_STAKE);
      expect(await votes.validatorsOf(op1.address)).to.deep.equal([op1.address]);
      expect(await votes.totalVotingUnits()).to.equal(3n * SELF_STAKE);
    });

    it("follows a delegation, with an event naming the old and new units", async () => {
      const { votes, staking, alice, op1, op2 } = await loadFixture(governanceFixture);
      await expect(staking.connect(alice).delegate(op1.address, { value: parseEther("40") }))
        .to.emit(votes, "VotingUnitsChanged")
        .withArgs(alice.address, 0n, parseEther("40"));
      await staking.connect(alice).delegate(op2.address, { value: parseEther("2") });
      expect(await votes.votingUnits(alice.address)).to.equal(parseEther("42"));
      expect(await votes.getVotes(alice.address)).to.equal(parseEther("42"));
      expect(await votes.validatorsOf(alice.address)).to.deep.equal([op1.address, op2.address]);
      expect(await votes.totalVotingUnits()).to.equal(3n * SELF_STAKE + parseEther("42"));
    });

    it("follows an undelegation and forgets a validator once no share is left", async () => {
      const { votes, staking, alice, op1, op2 } = await loadFixture(governanceFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("40") });
      await staking.connect(alice).delegate(op2.address, { value: parseEther("10") });
      const shares = await staking.sharesOf(alice.address, op1.address);
      await staking.connect(alice).undelegate(op1.address, shares / 4n);
      expect(await votes.votingUnits(alice.address)).to.equal(await bondedValue(staking, alice.address));
      await staking.connect(alice).undelegate(op1.address, await staking.sharesOf(alice.address, op1.address));
      expect(await votes.votingUnits(alice.address)).to.equal(parseEther("10"));
      expect(await votes.validatorsOf(alice.address)).to.deep.equal([op2.address]);
    });

    it("does not count stake waiting in the unbonding queue, nor change when it is withdrawn", async () => {
      const { votes, staking, alice, op1 } = await loadFixture(governanceFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("40") });
      await staking.connect(alice).undelegate(op1.address, await staking.sharesOf(alice.address, op1.address));
      expect(await votes.votingUnits(alice.address)).to.equal(0n);
      await time.increase(7 * DAY);
      await expect(staking.connect(alice).withdraw([1])).to.not.emit(votes, "VotingUnitsChanged");
      expect(await votes.getVotes(alice.address)).to.equal(0n);
    });

    it("follows a redelegation on both sides and counts the locked destination shares", async () => {
      const { votes, staking, alice, op1, op2 } = await loadFixture(governanceFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("40") });
      const shares = await staking.sharesOf(alice.address, op1.address);
      await staking.connect(alice).redelegate(op1.address, op2.address, shares);
      expect(await staking.lockedShares(alice.address, op2.address)).to.be.greaterThan(0n);
      expect(await votes.validatorsOf(alice.address)).to.deep.equal([op2.address]);
      expect(await votes.votingUnits(alice.address)).to.equal(await bondedValue(staking, alice.address));
      expect(await votes.votingUnits(alice.address)).to.be.closeTo(parseEther("40"), 10n);
    });

    it("moves the units of a delegated account to its delegate", async () => {
      const { votes, staking, alice, bob, op1 } = await loadFixture(governanceFixture);
      await votes.connect(alice).delegate(bob.address);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("40") });
      expect(await votes.delegates(alice.address)).to.equal(bob.address);
      expect(await votes.getVotes(bob.address)).to.equal(parseEther("40"));
      expect(await votes.getVotes(alice.address)).to.equal(0n);
      await staking.connect(alice).undelegate(op1.address, (await staking.sharesOf(alice.address, op1.address)) / 2n);
      expect(await votes.getVotes(bob.address)).to.equal(await votes.votingUnits(alice.address));
    });

    it("keeps an account's choice of no delegate instead of delegating it to itself again", async () => {
      const { votes, staking, alice, op1 } = await loadFixture(governanceFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("40") });
      await votes.connect(alice).delegate(ZeroAddress);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("5") });
      expect(await votes.delegates(alice.address)).to.equal(ZeroAddress);
      expect(await votes.getVotes(alice.address)).to.equal(0n);
      expect(await votes.votingUnits(alice.address)).to.equal(parseEther("45"));
      expect(await votes.totalVotingUnits()).to.equal(3n * SELF_STAKE + parseEther("45"));
    });

    it("records checkpoints, so past blocks keep the stake they had", async () => {
      const { votes, staking, alice, op1 } = await loadFixture(governanceFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("40") });
      const first = await ethers.provider.getBlockNumber();
      await staking.connect(alice).delegate(op1.address, { value: parseEther("20") });
      const second = await ethers.provider.getBlockNumber();
      await staking.connect(alice).undelegate(op1.address, await staking.sharesOf(alice.address, op1.address));
      await mine(1);
      expect(await votes.getPastVotes(alice.address, first - 1)).to.equal(0n);
      expect(await votes.getPastVotes(alice.address, first)).to.equal(parseEther("40"));
      expect(await votes.getPastVotes(alice.address, second)).to.equal(parseEther("60"));
      expect(await votes.getVotes(alice.address)).to.equal(0n);
      expect(await votes.getPastTotalSupply(second)).to.equal(3n * SELF_STAKE + parseEther("60"));
      await expect(votes.getPastVotes(alice.address, second + 100)).to.be.revertedWithCustomError(
        votes,
        "ERC5805FutureLookup",
      );
    });
  });

  describe("sync", () => {
    it("lowers the units of everyone a slash reached, whoever calls it", async () => {
      const { votes, staking, service, alice, op1, stranger } = await loadFixture(governanceFixture);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("100") });
      await staking.connect(service).slash(op1.address, 100_000, REASON, false);
      // The slash touched no account: the cached units are stale until a sync.
      expect(await votes.votingUnits(alice.address)).to.equal(parseEther("100"));
      const value = await bondedValue(staking, alice.address);
      expect(await votes.stakeValue(alice.address)).to.equal(value);
      expect(value).to.be.closeTo(parseEther("90"), 10n);
      await expect(votes.connect(stranger).sync(alice.address))
        .to.emit(votes, "VotingUnitsChanged")
        .withArgs(alice.address, parseEther("100"), value);
      expect(await votes.getVotes(alice.address)).to.equal(value);
      await votes.syncMany([op1.address]);
      expect(await votes.votingUnits(op1.address)).to.equal(await bondedValue(staking, op1.address));
      expect(await votes.totalVotingUnits()).to.equal(
        value + (await bondedValue(staking, op1.address)) + 2n * SELF_STAKE,
      );
    });

    it("raises the units after rewards raised the share price", async () => {
      const { votes, staking, alice, op2, stranger } = await loadFixture(governanceFixture);
      await staking.connect(alice).delegate(op2.address, { value: parseEther("100") });
      await staking.connect(stranger).distributeRewards(op2.address, { value: parseEther("10") });
      await votes.sync(alice.address);
      expect(await votes.votingUnits(alice.address)).to.equal(await bondedValue(staking, alice.address));
      expect(await votes.votingUnits(alice.address)).to.be.greaterThan(parseEther("100"));
    });

    it("drops a validator whose locked shares a slash of the source burned entirely", async () => {
      const { votes, staking, alice, op1, op2, stranger } = await loadFixture(governanceFixture);
      await staking.registerService(stranger.address, "total", 1_000_000);
      await staking.connect(op1).optIn(stranger.address);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("40") });
      await staking
        .connect(alice)
        .redelegate(op1.address, op2.address, await staking.sharesOf(alice.address, op1.address));
      await staking.connect(stranger).slash(op1.address, 1_000_000, REASON, false);
      expect(await staking.sharesOf(alice.address, op2.address)).to.equal(0n);
      await votes.sync(alice.address);
      expect(await votes.validatorsOf(alice.address)).to.deep.equal([]);
      expect(await votes.votingUnits(alice.address)).to.equal(0n);
    });

    it("changes nothing and emits nothing for an account already up to date, or one that never staked", async () => {
      const { votes, op1, stranger } = await loadFixture(governanceFixture);
      await expect(votes.sync(op1.address)).to.not.emit(votes, "VotingUnitsChanged");
      await expect(votes.sync(stranger.address)).to.not.emit(votes, "VotingUnitsChanged");
      expect(await votes.delegates(stranger.address)).to.equal(ZeroAddress);
    });
  });

  describe("delegate", () => {
    it("moves all current units to the new delegate and back", async () => {
      const { votes, op1, op2 } = await loadFixture(governanceFixture);
      await votes.connect(op1).delegate(op2.address);
      expect(await votes.getVotes(op2.address)).to.equal(2n * SELF_STAKE);
      expect(await votes.getVotes(op1.address)).to.equal(0n);
      await votes.connect(op1).delegate(op1.address);
      expect(await votes.getVotes(op1.address)).to.equal(SELF_STAKE);
    });
  });

  describe("upgradeToAndCall", () => {
    it("refuses anyone without UPGRADER_ROLE", async () => {
      const { votes, stranger } = await loadFixture(governanceFixture);
      await expect(votes.connect(stranger).upgradeToAndCall(stranger.address, "0x")).to.be.revertedWithCustomError(
        votes,
        "AccessControlUnauthorizedAccount",
      );
    });
  });
});

describe("Staking stake observer", () => {
  describe("setStakeObserver", () => {
    it("is wired to StakeVotes by the deployment", async () => {
      const { votes, staking } = await loadFixture(governanceFixture);
      expect(await staking.stakeObserver()).to.equal(await votes.getAddress());
    });

    it("lets only the admin set it, emits the change, and zero stops the reports", async () => {
      const { votes, staking, alice, op1, stranger } = await loadFixture(governanceFixture);
      await expect(staking.connect(stranger).setStakeObserver(stranger.address)).to.be.revertedWithCustomError(
        staking,
        "AccessControlUnauthorizedAccount",
      );
      await expect(staking.setStakeObserver(ZeroAddress))
        .to.emit(staking, "StakeObserverUpdated")
        .withArgs(await votes.getAddress(), ZeroAddress);
      await expect(staking.connect(alice).delegate(op1.address, { value: parseEther("5") })).to.not.emit(
        votes,
        "VotingUnitsChanged",
      );
      expect(await votes.votingUnits(alice.address)).to.equal(0n);
    });
  });
});

describe("StakeVotes (stake bonded before the observer)", () => {
  describe("syncValidator", () => {
    it("credits shares bonded while Staking reported to no one, which sync alone cannot find", async () => {
      const { votes, staking, alice, op1, stranger } = await loadFixture(governanceFixture);
      await staking.setStakeObserver(ZeroAddress);
      await staking.connect(alice).delegate(op1.address, { value: parseEther("30") });
      await staking.setStakeObserver(await votes.getAddress());
      await votes.sync(alice.address);
      expect(await votes.votingUnits(alice.address)).to.equal(0n);
      await expect(votes.connect(stranger).syncValidator(alice.address, op1.address))
        .to.emit(votes, "VotingUnitsChanged")
        .withArgs(alice.address, 0n, parseEther("30"));
      expect(await votes.validatorsOf(alice.address)).to.deep.equal([op1.address]);
      expect(await votes.getVotes(alice.address)).to.equal(parseEther("30"));
    });
  });
});
