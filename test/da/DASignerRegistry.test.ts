import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as bls from "../../offchain/da/core/bls";
import {
  STAKE,
  daFixture,
  fundedAccount,
  makeSigner,
  makeValidator,
  nextEpoch,
  proofOfPossession,
  quorumFixture,
  sortedKeys,
  testKeys,
  smallQuorumRegistry,
} from "./helpers";

async function fourSigners() {
  return quorumFixture(4, [STAKE, 2n * STAKE, 3n * STAKE, 4n * STAKE]);
}

/** A validator opted into DA but not yet registered as a signer. */
async function candidateFixture() {
  const f = await daFixture();
  const account = await fundedAccount();
  await makeValidator(f, account, 0);
  const address = await account.getAddress();
  const keys = testKeys(0);
  return { ...f, account, address, keys, pk1: bls.g1ToSol(keys.pk1), pk2: bls.g2ToSol(keys.pk2) };
}

describe("DASignerRegistry", function () {
  describe("initialize", function () {
    it("is deployed through deploy/ with the default parameters and registered as the DA service", async function () {
      const f = await loadFixture(daFixture);
      expect(await f.registry.epochLength()).to.equal(24n * 3600n);
      expect(await f.registry.maxQuorumSize()).to.equal(128n);
      expect(await f.registry.staking()).to.equal(await f.staking.getAddress());
      expect(await f.registry.contractName()).to.equal("DASignerRegistry");
      expect(await f.registry.version()).to.equal("1.1.0");
      expect((await f.staking.getService(await f.registry.getAddress())).name).to.equal("da");
      await expect(
        f.registry.initialize(f.deployer.address, f.deployer.address, await f.staking.getAddress(), 3600, 4),
      ).to.be.revertedWithCustomError(f.registry, "InvalidInitialization");
    });

    it("refuses a zero staking address and out-of-bounds parameters", async function () {
      const f = await loadFixture(daFixture);
      const factory = await ethers.getContractFactory("DASignerRegistry");
      const staking = await f.staking.getAddress();
      const admin = f.deployer.address;
      const deploy = (args: unknown[]) => upgrades.deployProxy(factory, args, { kind: "uups" });
      await expect(deploy([admin, admin, ethers.ZeroAddress, 3600, 4])).to.be.revertedWithCustomError(
        factory,
        "DASignerRegistryZeroStaking",
      );
      await expect(deploy([admin, admin, staking, 59, 4]))
        .to.be.revertedWithCustomError(factory, "DASignerRegistryInvalidParam")
        .withArgs("epochLength", 59);
      await expect(deploy([admin, admin, staking, 31 * 24 * 3600, 4])).to.be.revertedWithCustomError(
        factory,
        "DASignerRegistryInvalidParam",
      );
      await expect(deploy([admin, admin, staking, 3600, 0]))
        .to.be.revertedWithCustomError(factory, "DASignerRegistryInvalidParam")
        .withArgs("maxQuorumSize", 0);
      await expect(deploy([admin, admin, staking, 3600, 257])).to.be.revertedWithCustomError(
        factory,
        "DASignerRegistryInvalidParam",
      );
    });
  });

  describe("register", function () {
    it("stores the signer, from the next epoch on, and updates the quorum key incrementally", async function () {
      const f = await loadFixture(candidateFixture);
      const epoch = await f.registry.currentEpoch();
      const pop = await proofOfPossession(f.address, f.keys);
      await expect(f.registry.connect(f.account).register(f.pk1, f.pk2, pop, "http://a:1"))
        .to.emit(f.registry, "SignerRegistered")
        .withArgs(f.address, bls.pubkeyHash(f.pk1), 0, epoch + 1n, "http://a:1");
      const s = await f.registry.getSigner(f.address);
      expect(s.activeFromEpoch).to.equal(epoch + 1n);
      expect([s.pk1.X, s.pk1.Y]).to.deep.equal([f.pk1.X, f.pk1.Y]);
      expect([...s.pk2.X, ...s.pk2.Y]).to.deep.equal([...f.pk2.X, ...f.pk2.Y]);
      expect(s.socket).to.equal("http://a:1");
      expect(await f.registry.signerOf(bls.pubkeyHash(f.pk1))).to.equal(f.address);
      expect(await f.registry.signerCount()).to.equal(1n);
      expect(await f.registry.quorumMember(0, 0)).to.equal(f.address);
      // Not counted in the current epoch, counted in the next.
      expect((await f.registry.quorumAt(epoch, 0)).size).to.equal(0n);
      expect(await f.registry.quorumCount(epoch)).to.equal(0n);
      expect(await f.registry.quorumCount(epoch + 1n)).to.equal(1n);
      const [size, apk] = await f.registry.quorumAt(epoch + 1n, 0);
      expect(size).to.equal(1n);
      expect([apk.X, apk.Y]).to.deep.equal([f.pk1.X, f.pk1.Y]);
    });

    it("keeps earlier epochs' aggregate keys when later signers join", async function () {
      const f = await loadFixture(daFixture);
      const a = await makeSigner(f, 0);
      const b = await makeSigner(f, 1);
      const e1 = await nextEpoch(f.registry);
      const c = await makeSigner(f, 2);
      const e2 = e1 + 1n;
      const key = (list: (typeof a)[]) => bls.g1ToSol(bls.aggregateG1(list.map((s) => s.keys.pk1)));
      const [s1, apk1] = await f.registry.quorumAt(e1, 0);
      expect(s1).to.equal(2n);
      expect([apk1.X, apk1.Y]).to.deep.equal(Object.values(key([a, b])));
      const [s2, apk2] = await f.registry.quorumAt(e2 + 5n, 0);
      expect(s2).to.equal(3n);
      expect([apk2.X, apk2.Y]).to.deep.equal(Object.values(key([a, b, c])));
      expect(await f.registry.quorumCount(e1 - 1n)).to.equal(0n);
      expect(await f.registry.quorumCount(e2)).to.equal(1n);
    });

    it("fills quorums in order and opens a new one when the last is full", async function () {
      const f = await loadFixture(daFixture);
      const g = { ...f, registry: await smallQuorumRegistry(f) };
      const signers = [];
      for (let i = 0; i < 5; i++) signers.push(await makeSigner(g, i));
      const epoch = (await g.registry.currentEpoch()) + 1n;
      expect(await g.registry.quorumCount(epoch)).to.equal(3n);
      expect((await g.registry.getSigner(signers[4].address)).quorumId).to.equal(2n);
      expect((await g.registry.getSigner(signers[3].address)).index).to.equal(1n);
      expect((await g.registry.quorumAt(epoch, 1)).size).to.equal(2n);
      expect((await g.registry.quorumAt(epoch, 2)).size).to.equal(1n);
      // A member of quorum 1 is not a member of quorum 0.
      const now = await nextEpoch(g.registry);
      await g.registry.snapshotWeights(now, 0);
      await expect(g.registry.signersAggregate(now, 0, [signers[2].pk1]))
        .to.be.revertedWithCustomError(g.registry, "DASignerRegistryNotQuorumMember")
        .withArgs(signers[2].hash);
      const [, signed, total] = await g.registry.signersAggregate(now, 0, [signers[1].pk1]);
      expect([signed, total]).to.deep.equal([STAKE, 2n * STAKE]);
    });

    it("reverts when the validator is already registered", async function () {
      const f = await loadFixture(candidateFixture);
      const pop = await proofOfPossession(f.address, f.keys);
      await f.registry.connect(f.account).register(f.pk1, f.pk2, pop, "http://a:1");
      await expect(f.registry.connect(f.account).register(f.pk1, f.pk2, pop, "http://a:1"))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryAlreadyRegistered")
        .withArgs(f.address);
    });

    it("reverts when the caller is not a validator opted into the DA service", async function () {
      const f = await loadFixture(candidateFixture);
      const pop = await proofOfPossession(f.stranger.address, f.keys);
      await expect(f.registry.connect(f.stranger).register(f.pk1, f.pk2, pop, "http://a:1"))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryNotOptedIn")
        .withArgs(f.stranger.address);
    });

    it("reverts when the socket is empty or too long", async function () {
      const f = await loadFixture(candidateFixture);
      const pop = await proofOfPossession(f.address, f.keys);
      await expect(f.registry.connect(f.account).register(f.pk1, f.pk2, pop, ""))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryInvalidSocket")
        .withArgs(0);
      await expect(f.registry.connect(f.account).register(f.pk1, f.pk2, pop, "x".repeat(257)))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryInvalidSocket")
        .withArgs(257);
    });

    it("reverts when pk1 is infinity or off the curve", async function () {
      const f = await loadFixture(candidateFixture);
      const pop = await proofOfPossession(f.address, f.keys);
      for (const bad of [
        { X: 0n, Y: 0n },
        { X: 1n, Y: 3n },
      ]) {
        await expect(
          f.registry.connect(f.account).register(bad, f.pk2, pop, "http://a:1"),
        ).to.be.revertedWithCustomError(f.registry, "DASignerRegistryInvalidPubkey");
      }
    });

    it("reverts when the key is already registered by another signer", async function () {
      const f = await loadFixture(candidateFixture);
      const first = await makeSigner(f, 5);
      const pop = await proofOfPossession(f.address, first.keys);
      await expect(f.registry.connect(f.account).register(first.pk1, first.pk2, pop, "http://a:1"))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryPubkeyInUse")
        .withArgs(first.address);
    });

    it("reverts when the proof of possession is for another address, or pk1 and pk2 differ", async function () {
      const f = await loadFixture(candidateFixture);
      const wrongSigner = await proofOfPossession(f.stranger.address, f.keys);
      await expect(
        f.registry.connect(f.account).register(f.pk1, f.pk2, wrongSigner, "http://a:1"),
      ).to.be.revertedWithCustomError(f.registry, "DASignerRegistryInvalidProofOfPossession");
      const pop = await proofOfPossession(f.address, f.keys);
      const otherPk2 = bls.g2ToSol(testKeys(9).pk2);
      await expect(
        f.registry.connect(f.account).register(f.pk1, otherPk2, pop, "http://a:1"),
      ).to.be.revertedWithCustomError(f.registry, "DASignerRegistryInvalidProofOfPossession");
      // A rogue key: pk1 of someone else with a signature from our own secret.
      const otherPk1 = bls.g1ToSol(testKeys(9).pk1);
      await expect(
        f.registry.connect(f.account).register(otherPk1, f.pk2, pop, "http://a:1"),
      ).to.be.revertedWithCustomError(f.registry, "DASignerRegistryInvalidProofOfPossession");
    });

    it("reverts with BN254PrecompileFailed when pk2 is not a G2 point", async function () {
      const f = await loadFixture(candidateFixture);
      const pop = await proofOfPossession(f.address, f.keys);
      const bn = await ethers.getContractAt("BN254Harness", await f.registry.getAddress());
      await expect(
        f.registry.connect(f.account).register(f.pk1, { X: [1n, 2n], Y: [3n, 4n] }, pop, "http://a:1"),
      ).to.be.revertedWithCustomError(bn, "BN254PrecompileFailed");
    });

    it("reverts when paused", async function () {
      const f = await loadFixture(candidateFixture);
      await f.registry.pause();
      const pop = await proofOfPossession(f.address, f.keys);
      await expect(
        f.registry.connect(f.account).register(f.pk1, f.pk2, pop, "http://a:1"),
      ).to.be.revertedWithCustomError(f.registry, "EnforcedPause");
    });
  });

  describe("updateSocket", function () {
    it("changes the socket", async function () {
      const f = await loadFixture(fourSigners);
      const s = f.signers[0];
      await expect(f.registry.connect(s.account).updateSocket("http://new:9"))
        .to.emit(f.registry, "SocketUpdated")
        .withArgs(s.address, "http://new:9");
      expect((await f.registry.getSigner(s.address)).socket).to.equal("http://new:9");
    });

    it("reverts when paused", async function () {
      const f = await loadFixture(fourSigners);
      await f.registry.pause();
      await expect(f.registry.connect(f.signers[0].account).updateSocket("http://x")).to.be.revertedWithCustomError(
        f.registry,
        "EnforcedPause",
      );
    });

    it("reverts for an unknown signer and for a bad socket", async function () {
      const f = await loadFixture(fourSigners);
      await expect(f.registry.connect(f.stranger).updateSocket("http://x"))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryUnknownSigner")
        .withArgs(f.stranger.address);
      await expect(f.registry.connect(f.signers[0].account).updateSocket("")).to.be.revertedWithCustomError(
        f.registry,
        "DASignerRegistryInvalidSocket",
      );
      await expect(f.registry.getSigner(f.stranger.address)).to.be.revertedWithCustomError(
        f.registry,
        "DASignerRegistryUnknownSigner",
      );
    });
  });

  describe("snapshotWeights", function () {
    it("fixes each member's service stake and the total for the epoch", async function () {
      const f = await loadFixture(fourSigners);
      for (const [i, s] of f.signers.entries()) {
        const [w, total, taken] = await f.registry.weightAt(f.epoch, 0, s.address);
        expect(w).to.equal(BigInt(i + 1) * STAKE);
        expect(total).to.equal(10n * STAKE);
        expect(taken).to.equal(true);
      }
    });

    it("counts a validator that left the service or was jailed as 0 from the next snapshot", async function () {
      const f = await loadFixture(fourSigners);
      await f.staking.connect(f.signers[3].account).optOut(await f.registry.getAddress());
      const epoch = await nextEpoch(f.registry);
      // Opt-out waits out the unbonding delay (7 days): still counted a day later.
      await expect(f.registry.snapshotWeights(epoch, 0))
        .to.emit(f.registry, "WeightsSnapshotted")
        .withArgs(epoch, 0, 4, 10n * STAKE);
      for (let i = 0; i < 7; i++) await nextEpoch(f.registry);
      const later = await f.registry.currentEpoch();
      await expect(f.registry.snapshotWeights(later, 0))
        .to.emit(f.registry, "WeightsSnapshotted")
        .withArgs(later, 0, 4, 6n * STAKE);
      expect((await f.registry.weightAt(later, 0, f.signers[3].address))[0]).to.equal(0n);
    });

    it("can be taken late for a past epoch, so paid blobs are never stranded", async function () {
      const f = await loadFixture(fourSigners);
      const later = await nextEpoch(f.registry);
      await nextEpoch(f.registry);
      await expect(f.registry.snapshotWeights(later, 0))
        .to.emit(f.registry, "WeightsSnapshotted")
        .withArgs(later, 0, 4, 10n * STAKE);
      // Before the first member counted, the quorum has no members.
      await expect(f.registry.snapshotWeights(f.epoch - 1n, 0))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryUnknownQuorum")
        .withArgs(f.epoch - 1n, 0);
    });

    it("reverts when taken twice, for a future epoch, or for a quorum without members", async function () {
      const f = await loadFixture(fourSigners);
      await expect(f.registry.snapshotWeights(f.epoch, 0))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryAlreadySnapshotted")
        .withArgs(f.epoch, 0);
      await expect(f.registry.snapshotWeights(f.epoch + 1n, 0))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryFutureEpoch")
        .withArgs(f.epoch + 1n, f.epoch);
      await expect(f.registry.snapshotWeights(f.epoch, 1))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryUnknownQuorum")
        .withArgs(f.epoch, 1);
      await f.registry.pause();
      await expect(f.registry.snapshotWeights(f.epoch, 0)).to.be.revertedWithCustomError(f.registry, "EnforcedPause");
    });
  });

  describe("signersAggregate", function () {
    it("subtracts the non-signers' keys and weights", async function () {
      const f = await loadFixture(fourSigners);
      const absent = [f.signers[1], f.signers[3]];
      const [apk, signed, total] = await f.registry.signersAggregate(f.epoch, 0, sortedKeys(absent));
      const expected = bls.g1ToSol(bls.aggregateG1([f.signers[0], f.signers[2]].map((s) => s.keys.pk1)));
      expect([apk.X, apk.Y]).to.deep.equal([expected.X, expected.Y]);
      expect(signed).to.equal(4n * STAKE);
      expect(total).to.equal(10n * STAKE);
    });

    it("reverts when the non-signers are unsorted or repeated", async function () {
      const f = await loadFixture(fourSigners);
      const sorted = sortedKeys([f.signers[0], f.signers[1]]);
      await expect(f.registry.signersAggregate(f.epoch, 0, [sorted[1], sorted[0]]))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryNonSignersNotSorted")
        .withArgs(1);
      await expect(f.registry.signersAggregate(f.epoch, 0, [sorted[0], sorted[0]]))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryNonSignersNotSorted")
        .withArgs(1);
    });

    it("reverts when a non-signer is not a member counted in the epoch", async function () {
      const f = await loadFixture(fourSigners);
      const stranger = bls.g1ToSol(testKeys(50).pk1);
      await expect(f.registry.signersAggregate(f.epoch, 0, [stranger]))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryNotQuorumMember")
        .withArgs(bls.pubkeyHash(stranger));
      const late = await makeSigner(f, 10);
      await expect(f.registry.signersAggregate(f.epoch, 0, [late.pk1]))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryNotQuorumMember")
        .withArgs(late.hash);
    });

    it("reverts for an unknown quorum or an epoch without a snapshot", async function () {
      const f = await loadFixture(fourSigners);
      await expect(f.registry.signersAggregate(f.epoch, 1, []))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryUnknownQuorum")
        .withArgs(f.epoch, 1);
      await expect(f.registry.signersAggregate(f.epoch + 1n, 0, []))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryNotSnapshotted")
        .withArgs(f.epoch + 1n, 0);
    });
  });

  describe("upgrade", function () {
    it("refuses an implementation with another contract name", async function () {
      const f = await loadFixture(daFixture);
      const other = await (await ethers.getContractFactory("DAEntrance")).deploy();
      await expect(f.registry.upgradeToAndCall(await other.getAddress(), "0x")).to.be.revertedWithCustomError(
        f.registry,
        "ProtocolUpgradeNameMismatch",
      );
    });
  });
});
