import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { ethers, network, upgrades } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import { SLASHER_ROLE, STAKE, commitmentOf, daFixture, nextEpoch, payAndCertify, quorumFixture } from "./helpers";
import { makeBlob } from "./sampleReference";

const BOND = parseEther("1");
const WINDOW = 20;
const SLASH_PPM = 10_000n;
const PARAMS = { bond: BOND, responseWindow: WINDOW, slashPpm: SLASH_PPM, challengeEpochs: 2, jail: false };
const UNAVAILABLE = ethers.id("zg.da.DAChallenge.unavailable");

/** Four signers; a 64-column, 6-row blob certified in the current epoch by all but signer 3. */
async function blobFixture() {
  const f = await quorumFixture(4);
  const blob = makeBlob(64, 2, 6, "challenged");
  const cert = await payAndCertify(f, blob.dataRoot, [3]);
  return { ...f, blob, cert };
}

type F = Awaited<ReturnType<typeof blobFixture>>;

/** A challenge of (line, sub) with the blob's real certificate. */
function request(f: F, line: number, sub: number) {
  return {
    dataRoot: f.blob.dataRoot,
    epoch: f.epoch,
    quorumId: 0n,
    rowsRoot: f.blob.rowsRoot,
    cols: f.blob.cols,
    dataRows: f.blob.dataRows,
    codedRows: f.blob.codedRows,
    lineIndex: line,
    sublineIndex: sub,
    commitment: f.cert.commitment,
    nonSignerPubkeys: f.cert.nonSignerPubkeys,
  };
}

/** blobFixture with challenge 1 open on line 1, subline 1 (signer 1), opened by `stranger`. */
async function openFixture() {
  const f = await blobFixture();
  await f.challenge.connect(f.stranger).openChallenge(request(f, 1, 1), { value: BOND });
  return f;
}

describe("DAChallenge", function () {
  describe("initialize", function () {
    it("is deployed through deploy/ with the entrance and parameters", async function () {
      const f = await loadFixture(daFixture);
      const p = await f.challenge.getParams();
      expect([p.bond, p.responseWindow, p.slashPpm, p.challengeEpochs, p.jail]).to.deep.equal([
        BOND,
        BigInt(WINDOW),
        SLASH_PPM,
        2n,
        false,
      ]);
      expect(await f.challenge.contractName()).to.equal("DAChallenge");
      expect(await f.challenge.version()).to.equal("1.0.0");
      expect(await f.challenge.challengeCount()).to.equal(0n);
    });

    it("cannot be initialized twice, and refuses a zero entrance", async function () {
      const f = await loadFixture(daFixture);
      await expect(
        f.challenge.initialize(f.deployer.address, f.deployer.address, await f.entrance.getAddress(), PARAMS),
      ).to.be.revertedWithCustomError(f.challenge, "InvalidInitialization");
      const factory = await ethers.getContractFactory("DAChallenge");
      await expect(
        upgrades.deployProxy(factory, [f.deployer.address, f.deployer.address, ethers.ZeroAddress, PARAMS], {
          kind: "uups",
        }),
      ).to.be.revertedWithCustomError(factory, "DAChallengeZeroAddress");
    });
  });

  describe("setParams", function () {
    it("sets the parameters; only the admin; each bound named", async function () {
      const f = await loadFixture(daFixture);
      await expect(f.challenge.setParams({ ...PARAMS, jail: true })).to.emit(f.challenge, "ParamsUpdated");
      expect((await f.challenge.getParams()).jail).to.equal(true);
      await expect(f.challenge.connect(f.stranger).setParams(PARAMS)).to.be.revertedWithCustomError(
        f.challenge,
        "AccessControlUnauthorizedAccount",
      );
      const bad: [string, Partial<typeof PARAMS>, bigint | number][] = [
        ["bond", { bond: 0n }, 0],
        ["responseWindow", { responseWindow: 0 }, 0],
        ["responseWindow", { responseWindow: 1_000_001 }, 1_000_001],
        ["slashPpm", { slashPpm: 0n }, 0],
        ["slashPpm", { slashPpm: 1_000_001n }, 1_000_001],
        ["challengeEpochs", { challengeEpochs: 0 }, 0],
        ["challengeEpochs", { challengeEpochs: 1001 }, 1001],
      ];
      for (const [name, change, value] of bad) {
        await expect(f.challenge.setParams({ ...PARAMS, ...change }))
          .to.be.revertedWithCustomError(f.challenge, "DAChallengeInvalidParam")
          .withArgs(name, value);
      }
    });
  });

  describe("openChallenge", function () {
    it("opens a challenge against the line's signer with the bond, deadline now + window", async function () {
      const f = await loadFixture(blobFixture);
      const tx = f.challenge.connect(f.stranger).openChallenge(request(f, 5, 0), { value: BOND });
      const deadline = BigInt(await ethers.provider.getBlockNumber()) + 1n + BigInt(WINDOW);
      // Line 5 → member 5 mod 4 = signer 1.
      await expect(tx)
        .to.emit(f.challenge, "ChallengeOpened")
        .withArgs(1, f.signers[1].address, f.blob.dataRoot, f.stranger.address, f.epoch, 0, 5, 0, deadline);
      await expect(tx).to.changeEtherBalance(f.challenge, BOND);
      const c = await f.challenge.getChallenge(1);
      expect([c.challenger, c.signer, c.status, c.bond, c.deadline]).to.deep.equal([
        f.stranger.address,
        f.signers[1].address,
        1n,
        BOND,
        deadline,
      ]);
      expect(await f.challenge.openChallengeAt(f.blob.dataRoot, f.epoch, 0, 5, 0)).to.equal(1n);
    });

    it("reverts with DAChallengeWrongBond unless the exact bond is posted", async function () {
      const f = await loadFixture(blobFixture);
      for (const value of [0n, BOND - 1n, BOND + 1n]) {
        await expect(f.challenge.openChallenge(request(f, 0, 0), { value }))
          .to.be.revertedWithCustomError(f.challenge, "DAChallengeWrongBond")
          .withArgs(value, BOND);
      }
    });

    it("reverts with DAChallengeCertificateMismatch for other non-signers, another commitment or an unverified blob", async function () {
      const f = await loadFixture(blobFixture);
      const good = request(f, 0, 0);
      const unverified = makeBlob(32, 1, 3, "unverified");
      await f.entrance.submitOriginalData([unverified.dataRoot], { value: parseEther("0.001") });
      for (const bad of [
        { ...good, nonSignerPubkeys: [] },
        { ...good, commitment: commitmentOf(9) },
        { ...good, dataRoot: unverified.dataRoot },
      ]) {
        await expect(f.challenge.openChallenge(bad, { value: BOND }))
          .to.be.revertedWithCustomError(f.challenge, "DAChallengeCertificateMismatch")
          .withArgs(bad.dataRoot, f.epoch, 0);
      }
    });

    it("reverts with DAChallengeSignerDidNotSign against a non-signer", async function () {
      const f = await loadFixture(blobFixture);
      // Line 3 and line 7 would be signer 3, which the certificate lists as absent.
      await expect(f.challenge.openChallenge(request(f, 3, 0), { value: BOND }))
        .to.be.revertedWithCustomError(f.challenge, "DAChallengeSignerDidNotSign")
        .withArgs(f.signers[3].address);
    });

    it("reverts with DAChallengeAlreadyOpen on a position under an open challenge", async function () {
      const f = await loadFixture(openFixture);
      await expect(f.challenge.openChallenge(request(f, 1, 1), { value: BOND }))
        .to.be.revertedWithCustomError(f.challenge, "DAChallengeAlreadyOpen")
        .withArgs(1);
    });

    it("reverts with the SampleLib errors for a position outside the blob", async function () {
      const f = await loadFixture(blobFixture);
      await expect(f.challenge.openChallenge({ ...request(f, 6, 0) }, { value: BOND }))
        .to.be.revertedWithCustomError(f.challenge, "SampleLibPositionOutOfRange")
        .withArgs(6, 0);
      await expect(
        f.challenge.openChallenge({ ...request(f, 0, 0), codedRows: 7 }, { value: BOND }),
      ).to.be.revertedWithCustomError(f.challenge, "SampleLibDataRootMismatch");
    });

    it("reverts with DAChallengeEpochOutOfRange more than challengeEpochs after the blob's epoch", async function () {
      const f = await loadFixture(blobFixture);
      for (let i = 0; i < 3; i++) await nextEpoch(f.registry);
      await expect(f.challenge.openChallenge(request(f, 0, 0), { value: BOND }))
        .to.be.revertedWithCustomError(f.challenge, "DAChallengeEpochOutOfRange")
        .withArgs(f.epoch, f.epoch + 3n);
    });

    it("reverts when paused", async function () {
      const f = await loadFixture(blobFixture);
      await f.challenge.pause();
      await expect(f.challenge.openChallenge(request(f, 0, 0), { value: BOND })).to.be.revertedWithCustomError(
        f.challenge,
        "EnforcedPause",
      );
    });
  });

  describe("respondChallenge", function () {
    it("accepts the subline and its proof within the window (also while paused); the bond goes to the signer", async function () {
      const f = await loadFixture(openFixture);
      await f.challenge.pause();
      const tx = f.challenge
        .connect(f.signers[1].account)
        .respondChallenge(1, f.blob.subline(1, 1), f.blob.proof(1, 1));
      await expect(tx)
        .to.emit(f.challenge, "ChallengeAnswered")
        .withArgs(1, f.signers[1].address, f.signers[1].address, BOND);
      expect((await f.challenge.getChallenge(1)).status).to.equal(2n);
      expect(await f.challenge.credited(f.signers[1].address)).to.equal(BOND);
      expect(await f.challenge.openChallengeAt(f.blob.dataRoot, f.epoch, 0, 1, 1)).to.equal(0n);
      await expect(f.challenge.respondChallenge(1, f.blob.subline(1, 1), f.blob.proof(1, 1)))
        .to.be.revertedWithCustomError(f.challenge, "DAChallengeNotOpen")
        .withArgs(1);
      await expect(f.challenge.connect(f.signers[1].account).withdraw()).to.changeEtherBalance(
        f.signers[1].account,
        BOND,
      );
    });

    it("refuses another subline, a tampered proof, and an answer after the deadline", async function () {
      const f = await loadFixture(openFixture);
      await expect(
        f.challenge.respondChallenge(1, f.blob.subline(1, 0), f.blob.proof(1, 0)),
      ).to.be.revertedWithCustomError(f.challenge, "SampleLibInvalidProof");
      const proof = f.blob.proof(1, 1);
      proof[0] = ethers.ZeroHash;
      await expect(f.challenge.respondChallenge(1, f.blob.subline(1, 1), proof)).to.be.revertedWithCustomError(
        f.challenge,
        "SampleLibInvalidProof",
      );
      const deadline = (await f.challenge.getChallenge(1)).deadline;
      await mine(WINDOW + 1);
      await expect(f.challenge.respondChallenge(1, f.blob.subline(1, 1), f.blob.proof(1, 1)))
        .to.be.revertedWithCustomError(f.challenge, "DAChallengeWindowClosed")
        .withArgs(1, deadline);
    });
  });

  describe("finalizeChallenge", function () {
    it("slashes an unanswered signer's validator in Staking and returns the bond to the challenger", async function () {
      const f = await loadFixture(openFixture);
      const deadline = (await f.challenge.getChallenge(1)).deadline;
      await expect(f.challenge.finalizeChallenge(1))
        .to.be.revertedWithCustomError(f.challenge, "DAChallengeWindowOpen")
        .withArgs(1, deadline);
      await mine(WINDOW);
      const signer = f.signers[1].address;
      const before = await f.staking.effectiveStake(signer);
      const tx = f.challenge.finalizeChallenge(1);
      await expect(tx).to.emit(f.challenge, "ChallengeFinalized").withArgs(1, signer, true, SLASH_PPM, "0x");
      await expect(tx)
        .to.emit(f.registry, "SignerSlashed")
        .withArgs(signer, await f.challenge.getAddress(), SLASH_PPM, UNAVAILABLE, false);
      await expect(tx).to.emit(f.staking, "Slashed");
      expect(await f.staking.effectiveStake(signer)).to.equal(before - (STAKE * SLASH_PPM) / 1_000_000n);
      expect((await f.challenge.getChallenge(1)).status).to.equal(3n);
      expect(await f.challenge.credited(f.stranger.address)).to.equal(BOND);
      await expect(f.challenge.finalizeChallenge(1))
        .to.be.revertedWithCustomError(f.challenge, "DAChallengeNotOpen")
        .withArgs(1);
      // The position may be challenged again.
      await expect(f.challenge.openChallenge(request(f, 1, 1), { value: BOND })).to.emit(
        f.challenge,
        "ChallengeOpened",
      );
    });

    it("ends Unslashed and still returns the bond when Staking refuses the slash (over the service cap)", async function () {
      const f = await loadFixture(openFixture);
      await f.challenge.setParams({ ...PARAMS, slashPpm: 200_000n });
      await mine(WINDOW + 1);
      const tx = f.challenge.finalizeChallenge(1);
      await expect(tx).to.emit(f.challenge, "ChallengeFinalized");
      const receipt = await (await tx).wait();
      const event = receipt!.logs
        .map((l) => f.challenge.interface.parseLog(l))
        .find((e) => e?.name === "ChallengeFinalized")!;
      expect(event.args.slashed).to.equal(false);
      expect(f.staking.interface.parseError(event.args.slashError)!.name).to.equal("StakingSlashCapExceeded");
      expect((await f.challenge.getChallenge(1)).status).to.equal(4n);
      expect(await f.challenge.credited(f.stranger.address)).to.equal(BOND);
      expect(await f.staking.effectiveStake(f.signers[1].address)).to.equal(STAKE);
    });

    it("reverts when paused", async function () {
      const f = await loadFixture(openFixture);
      await mine(WINDOW + 1);
      await f.challenge.pause();
      await expect(f.challenge.finalizeChallenge(1)).to.be.revertedWithCustomError(f.challenge, "EnforcedPause");
    });
  });

  describe("withdraw", function () {
    it("reverts with DAChallengeNothingToWithdraw, and DAChallengeTransferFailed when the account rejects value", async function () {
      const f = await loadFixture(openFixture);
      await expect(f.challenge.withdraw())
        .to.be.revertedWithCustomError(f.challenge, "DAChallengeNothingToWithdraw")
        .withArgs(f.deployer.address);
      await mine(WINDOW + 1);
      await f.challenge.finalizeChallenge(1);
      await network.provider.send("hardhat_setCode", [f.stranger.address, "0x5f5ffd"]);
      await expect(f.challenge.connect(f.stranger).withdraw())
        .to.be.revertedWithCustomError(f.challenge, "DAChallengeTransferFailed")
        .withArgs(f.stranger.address);
      await network.provider.send("hardhat_setCode", [f.stranger.address, "0x"]);
      await expect(f.challenge.connect(f.stranger).withdraw())
        .to.emit(f.challenge, "BondWithdrawn")
        .withArgs(f.stranger.address, BOND);
    });
  });

  describe("DASignerRegistry.slashSigner", function () {
    it("is reserved to SLASHER_ROLE and to registered signers", async function () {
      const f = await loadFixture(blobFixture);
      await expect(
        f.registry.connect(f.stranger).slashSigner(f.signers[0].address, 1, UNAVAILABLE, false),
      ).to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount");
      await f.registry.grantRole(SLASHER_ROLE, f.deployer.address);
      await expect(f.registry.slashSigner(f.stranger.address, 1, UNAVAILABLE, false))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryUnknownSigner")
        .withArgs(f.stranger.address);
      await expect(f.registry.slashSigner(f.signers[0].address, 1000, UNAVAILABLE, true))
        .to.emit(f.registry, "SignerSlashed")
        .withArgs(f.signers[0].address, f.deployer.address, 1000, UNAVAILABLE, true);
      expect((await f.staking.getValidator(f.signers[0].address)).jailedUntil).to.be.greaterThan(0n);
    });
  });

  describe("custom errors", function () {
    it("every error of the sampler, the challenge contract and SampleLib is reached by a test in test/da", function () {
      const root = path.join(__dirname, "../../contracts/da");
      const files = ["interfaces/IDASampler.sol", "interfaces/IDAChallenge.sol", "libraries/SampleLib.sol"];
      const entranceErrors = [
        "DAEntranceInvalidServiceFee",
        "DAEntranceEpochNotOver",
        "DAEntranceFeesAlreadyReleased",
        "DAEntranceExceedsServiceFees",
      ];
      const errors = [
        ...files.flatMap((file) =>
          [...fs.readFileSync(path.join(root, file), "utf8").matchAll(/error (\w+)\(/g)].map((m) => m[1]),
        ),
        ...entranceErrors,
      ];
      expect(errors.length).to.be.greaterThan(30);
      const tests = fs
        .readdirSync(__dirname)
        .filter((file) => file.endsWith(".test.ts"))
        .map((file) => fs.readFileSync(path.join(__dirname, file), "utf8"))
        .join("\n");
      const missing = errors.filter((e) => !tests.includes(`"${e}"`));
      expect(missing, `errors never expected by a test: ${missing.join(", ")}`).to.deep.equal([]);
    });
  });
});
