import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as bls from "../../offchain/da/core/bls";
import {
  BLOB_PRICE,
  SERVICE_FEE_PPM,
  STAKE,
  certificate,
  certificateHash,
  commitmentOf,
  daFixture,
  makeSigner,
  nextEpoch,
  paidFixture,
  quorumFixture,
  root,
  testKeys,
  smallQuorumRegistry,
} from "./helpers";

async function fourSigners() {
  return quorumFixture(4);
}

async function eightSigners() {
  return quorumFixture(8, [STAKE, STAKE, STAKE, STAKE, STAKE, STAKE, STAKE, 3n * STAKE]);
}

function isStored(f: Awaited<ReturnType<typeof paidFixture>>, dataRoot: string) {
  return f.entrance.certificateHash(dataRoot, f.epoch, 0);
}

describe("DAEntrance", function () {
  describe("initialize", function () {
    it("is deployed through deploy/ with the registry and the default blob price", async function () {
      const f = await loadFixture(daFixture);
      expect(await f.entrance.registry()).to.equal(await f.registry.getAddress());
      expect(await f.entrance.blobPrice()).to.equal(BLOB_PRICE);
      expect(await f.entrance.contractName()).to.equal("DAEntrance");
      expect(await f.entrance.version()).to.equal("1.1.0");
      expect(await f.entrance.serviceFeePpm()).to.equal(SERVICE_FEE_PPM);
    });

    it("cannot be initialized twice", async function () {
      const f = await loadFixture(daFixture);
      await expect(
        f.entrance.initialize(f.deployer.address, f.deployer.address, await f.registry.getAddress(), 1n, 0),
      ).to.be.revertedWithCustomError(f.entrance, "InvalidInitialization");
    });

    it("refuses a zero registry", async function () {
      const f = await loadFixture(daFixture);
      const factory = await ethers.getContractFactory("DAEntrance");
      await expect(
        upgrades.deployProxy(factory, [f.deployer.address, f.deployer.address, ethers.ZeroAddress, 1n, 0], {
          kind: "uups",
        }),
      ).to.be.revertedWithCustomError(factory, "DAEntranceZeroRegistry");
    });
  });

  describe("submitOriginalData", function () {
    it("takes the price per root, emits the upload with epoch and quorum, and refunds the excess", async function () {
      const f = await loadFixture(fourSigners);
      const roots = [root(1), root(2)];
      const tx = f.entrance.connect(f.payer).submitOriginalData(roots, { value: 5n * BLOB_PRICE });
      await expect(tx).to.emit(f.entrance, "DataUploaded").withArgs(f.payer.address, roots[0], f.epoch, 0, BLOB_PRICE);
      await expect(tx).to.emit(f.entrance, "DataUploaded").withArgs(f.payer.address, roots[1], f.epoch, 0, BLOB_PRICE);
      await expect(tx).to.changeEtherBalances([f.payer, f.entrance], [-2n * BLOB_PRICE, 2n * BLOB_PRICE]);
      expect(await f.entrance.isPaid(roots[0], f.epoch, 0)).to.equal(true);
      expect(await f.entrance.isPaid(roots[0], f.epoch + 1n, 0)).to.equal(false);
      expect(await f.entrance.certificateHash(roots[0], f.epoch, 0)).to.equal(ethers.ZeroHash);
      expect(await f.entrance.isVerified(roots[0], f.epoch, 0)).to.equal(false);
      expect(await f.entrance.epochFees(f.epoch)).to.deep.equal([2n * BLOB_PRICE, false]);
    });

    it("assigns roots to the epoch's quorums round robin", async function () {
      const f = await loadFixture(daFixture);
      const registry = await smallQuorumRegistry(f);
      const g = { ...f, registry };
      for (let i = 0; i < 3; i++) await makeSigner(g, i);
      const entrance = await ethers.getContractAt(
        "DAEntrance",
        await (
          await upgrades.deployProxy(
            await ethers.getContractFactory("DAEntrance"),
            [f.deployer.address, f.deployer.address, await registry.getAddress(), 0n, 0],
            { kind: "uups" },
          )
        ).getAddress(),
      );
      const epoch = await nextEpoch(registry);
      const tx = entrance.submitOriginalData([root(1), root(2), root(3)]);
      await expect(tx).to.emit(entrance, "DataUploaded").withArgs(f.deployer.address, root(1), epoch, 0, 0);
      await expect(tx).to.emit(entrance, "DataUploaded").withArgs(f.deployer.address, root(2), epoch, 1, 0);
      await expect(tx).to.emit(entrance, "DataUploaded").withArgs(f.deployer.address, root(3), epoch, 0, 0);
      await expect(entrance.submitOriginalData([root(4)]))
        .to.emit(entrance, "DataUploaded")
        .withArgs(f.deployer.address, root(4), epoch, 1, 0);
    });

    it("reverts when the fee is short", async function () {
      const f = await loadFixture(paidFixture);
      await expect(f.entrance.submitOriginalData([root(2), root(3)], { value: 2n * BLOB_PRICE - 1n }))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceInsufficientFee")
        .withArgs(2n * BLOB_PRICE - 1n, 2n * BLOB_PRICE);
    });

    it("reverts for an empty or oversized batch, a zero root, or a root already paid this epoch", async function () {
      const f = await loadFixture(paidFixture);
      await expect(f.entrance.submitOriginalData([]))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceInvalidBatch")
        .withArgs(0, 64);
      const many = Array.from({ length: 65 }, (_, i) => root(100 + i));
      await expect(f.entrance.submitOriginalData(many, { value: 65n * BLOB_PRICE }))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceInvalidBatch")
        .withArgs(65, 64);
      await expect(
        f.entrance.submitOriginalData([ethers.ZeroHash], { value: BLOB_PRICE }),
      ).to.be.revertedWithCustomError(f.entrance, "DAEntranceZeroDataRoot");
      await expect(f.entrance.submitOriginalData([root(1)], { value: BLOB_PRICE }))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceAlreadySubmitted")
        .withArgs(root(1));
    });

    it("reverts when no quorum has members in the current epoch", async function () {
      const f = await loadFixture(daFixture);
      const epoch = await f.registry.currentEpoch();
      await expect(f.entrance.submitOriginalData([root(1)], { value: BLOB_PRICE }))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceNoQuorum")
        .withArgs(epoch);
    });

    it("reverts when the refund cannot be sent, and when paused", async function () {
      const f = await loadFixture(paidFixture);
      // The registry has no receive function: a refund to it fails.
      const registryAddr = await f.registry.getAddress();
      await ethers.provider.send("hardhat_impersonateAccount", [registryAddr]);
      await ethers.provider.send("hardhat_setBalance", [registryAddr, ethers.toBeHex(ethers.parseEther("1"))]);
      const asRegistry = await ethers.getSigner(registryAddr);
      await expect(f.entrance.connect(asRegistry).submitOriginalData([root(7)], { value: 2n * BLOB_PRICE }))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceTransferFailed")
        .withArgs(registryAddr);
      await f.entrance.pause();
      await expect(f.entrance.submitOriginalData([root(2)], { value: BLOB_PRICE })).to.be.revertedWithCustomError(
        f.entrance,
        "EnforcedPause",
      );
    });
  });

  describe("submitVerifiedCommitRoots", function () {
    it("accepts a certificate signed by every member and stores the commitment", async function () {
      const f = await loadFixture(paidFixture);
      const c = commitmentOf(1);
      const cert = certificate(f.signers, [], root(1), f.epoch, 0n, c);
      await expect(f.entrance.submitVerifiedCommitRoots([cert]))
        .to.emit(f.entrance, "CommitRootVerified")
        .withArgs(root(1), f.epoch, 0, [c.X, c.Y], 6n * STAKE, 6n * STAKE);
      expect(await isStored(f, root(1))).to.equal(certificateHash(c, []));
      expect(await f.entrance.isVerified(root(1), f.epoch, 0)).to.equal(true);
      expect(await f.entrance.isPaid(root(1), f.epoch, 0)).to.equal(true);
    });

    it("accepts exactly 2/3 of the weight, with the absent members subtracted", async function () {
      const f = await loadFixture(paidFixture);
      const cert = certificate(f.signers, [1, 4], root(1), f.epoch, 0n, commitmentOf(1));
      await expect(f.entrance.submitVerifiedCommitRoots([cert]))
        .to.emit(f.entrance, "CommitRootVerified")
        .withArgs(root(1), f.epoch, 0, anyPoint(commitmentOf(1)), 4n * STAKE, 6n * STAKE);
    });

    it("accepts several certificates in one call, in a later epoch", async function () {
      const f = await loadFixture(paidFixture);
      await f.entrance.submitOriginalData([root(2)], { value: BLOB_PRICE });
      await nextEpoch(f.registry);
      const certs = [
        certificate(f.signers, [0], root(1), f.epoch, 0n, commitmentOf(1)),
        certificate(f.signers, [5], root(2), f.epoch, 0n, commitmentOf(2)),
      ];
      await expect(f.entrance.submitVerifiedCommitRoots(certs)).to.emit(f.entrance, "CommitRootVerified");
      expect(await isStored(f, root(2))).to.not.equal(ethers.ZeroHash);
    });

    it("reverts with DAEntranceInsufficientSignedWeight when the signers hold under 2/3, storing nothing", async function () {
      const f = await loadFixture(eightSigners);
      await f.entrance.submitOriginalData([root(1)], { value: BLOB_PRICE });
      // Total 10 stakes; without the 3-stake member and one more only 6/10 signed.
      const cert = certificate(f.signers, [7, 0], root(1), f.epoch, 0n, commitmentOf(1));
      await expect(f.entrance.submitVerifiedCommitRoots([cert]))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceInsufficientSignedWeight")
        .withArgs(6n * STAKE, 10n * STAKE);
      expect(await f.entrance.certificateHash(root(1), f.epoch, 0)).to.equal(ethers.ZeroHash);
      // Without only the heavy member: 7/10 ≥ 2/3.
      const ok = certificate(f.signers, [7], root(1), f.epoch, 0n, commitmentOf(1));
      await expect(f.entrance.submitVerifiedCommitRoots([ok])).to.emit(f.entrance, "CommitRootVerified");
    });

    it("reverts with DAEntranceInvalidSignature for a wrong signature, a forged commitment or a wrong aggregate key", async function () {
      const f = await loadFixture(paidFixture);
      const good = certificate(f.signers, [2], root(1), f.epoch, 0n, commitmentOf(1));
      // Signed over another commitment than the one submitted.
      const forged = { ...good, commitment: commitmentOf(2) };
      // An absent member listed, but its signature still in the aggregate.
      const full = certificate(f.signers, [], root(1), f.epoch, 0n, commitmentOf(1));
      const extra = { ...good, sigma: full.sigma, apkG2: full.apkG2 };
      // The right signature with a G2 key that does not match the signers' G1 key.
      const wrongKey = { ...good, apkG2: bls.g2ToSol(testKeys(77).pk2) };
      // A signature by an outsider key.
      const outsider = {
        ...good,
        sigma: bls.g1ToSol(bls.sign(testKeys(77).secret, bls.commitMessage(root(1), f.epoch, 0n, commitmentOf(1)))),
      };
      for (const bad of [forged, extra, wrongKey, outsider]) {
        await expect(f.entrance.submitVerifiedCommitRoots([bad])).to.be.revertedWithCustomError(
          f.entrance,
          "DAEntranceInvalidSignature",
        );
      }
      expect(await isStored(f, root(1))).to.equal(ethers.ZeroHash);
    });

    it("reverts with DAEntranceAlreadyVerified for a replayed certificate", async function () {
      const f = await loadFixture(paidFixture);
      const cert = certificate(f.signers, [], root(1), f.epoch, 0n, commitmentOf(1));
      await f.entrance.submitVerifiedCommitRoots([cert]);
      await expect(f.entrance.submitVerifiedCommitRoots([cert]))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceAlreadyVerified")
        .withArgs(root(1));
      const other = certificate(f.signers, [], root(1), f.epoch, 0n, commitmentOf(3));
      await expect(f.entrance.submitVerifiedCommitRoots([other])).to.be.revertedWithCustomError(
        f.entrance,
        "DAEntranceAlreadyVerified",
      );
    });

    it("reverts with DAEntranceDataRootNotPaid for an unpaid root, another epoch or another quorum", async function () {
      const f = await loadFixture(paidFixture);
      for (const [r, e, q] of [
        [root(9), f.epoch, 0n],
        [root(1), f.epoch - 1n, 0n],
        [root(1), f.epoch, 1n],
      ] as const) {
        const cert = certificate(f.signers, [], r, e, q, commitmentOf(1));
        await expect(f.entrance.submitVerifiedCommitRoots([cert]))
          .to.be.revertedWithCustomError(f.entrance, "DAEntranceDataRootNotPaid")
          .withArgs(r, e, q);
      }
    });

    it("reverts with the registry's DASignerRegistryNotQuorumMember for a non-member non-signer", async function () {
      const f = await loadFixture(paidFixture);
      const cert = certificate(f.signers, [], root(1), f.epoch, 0n, commitmentOf(1));
      const stranger = bls.g1ToSol(testKeys(99).pk1);
      await expect(f.entrance.submitVerifiedCommitRoots([{ ...cert, nonSignerPubkeys: [stranger] }]))
        .to.be.revertedWithCustomError(f.registry, "DASignerRegistryNotQuorumMember")
        .withArgs(bls.pubkeyHash(stranger));
    });

    it("reverts with the registry's DASignerRegistryNonSignersNotSorted when a non-signer repeats", async function () {
      const f = await loadFixture(paidFixture);
      const cert = certificate(f.signers, [1], root(1), f.epoch, 0n, commitmentOf(1));
      const twice = [cert.nonSignerPubkeys[0], cert.nonSignerPubkeys[0]];
      await expect(
        f.entrance.submitVerifiedCommitRoots([{ ...cert, nonSignerPubkeys: twice }]),
      ).to.be.revertedWithCustomError(f.registry, "DASignerRegistryNonSignersNotSorted");
    });

    it("reverts when every member is absent (no signed weight)", async function () {
      const f = await loadFixture(paidFixture);
      const cert = certificate(f.signers, [0, 1, 2, 3, 4, 5], root(1), f.epoch, 0n, commitmentOf(1));
      await expect(f.entrance.submitVerifiedCommitRoots([cert]))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceInsufficientSignedWeight")
        .withArgs(0, 6n * STAKE);
    });

    it("stores nothing when one certificate of a batch fails", async function () {
      const f = await loadFixture(paidFixture);
      await f.entrance.submitOriginalData([root(2)], { value: BLOB_PRICE });
      const good = certificate(f.signers, [], root(1), f.epoch, 0n, commitmentOf(1));
      const bad = { ...certificate(f.signers, [], root(2), f.epoch, 0n, commitmentOf(2)), commitment: commitmentOf(5) };
      await expect(f.entrance.submitVerifiedCommitRoots([good, bad])).to.be.revertedWithCustomError(
        f.entrance,
        "DAEntranceInvalidSignature",
      );
      expect(await isStored(f, root(1))).to.equal(ethers.ZeroHash);
    });

    it("reverts for an empty or oversized batch, and when paused", async function () {
      const f = await loadFixture(paidFixture);
      await expect(f.entrance.submitVerifiedCommitRoots([])).to.be.revertedWithCustomError(
        f.entrance,
        "DAEntranceInvalidBatch",
      );
      const cert = certificate(f.signers, [], root(1), f.epoch, 0n, commitmentOf(1));
      await expect(f.entrance.submitVerifiedCommitRoots(Array(65).fill(cert)))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceInvalidBatch")
        .withArgs(65, 64);
      await f.entrance.pause();
      await expect(f.entrance.submitVerifiedCommitRoots([cert])).to.be.revertedWithCustomError(
        f.entrance,
        "EnforcedPause",
      );
    });
  });

  describe("commitMessage", function () {
    it("is keccak256 of the abi-encoded root, epoch, quorum and commitment (also callable in a transaction)", async function () {
      const f = await loadFixture(daFixture);
      const c = commitmentOf(4);
      expect(await f.entrance.commitMessage(root(1), 3n, 1n, c)).to.equal(bls.commitMessage(root(1), 3n, 1n, c));
      await (await f.entrance.commitMessage.send(root(1), 3n, 1n, c)).wait();
    });
  });

  describe("matchesCertificate", function () {
    it("is true only for the verified commitment with the exact non-signers", async function () {
      const f = await loadFixture(paidFixture);
      const cert = certificate(f.signers, [1, 4], root(1), f.epoch, 0n, commitmentOf(1));
      expect(await f.entrance.matchesCertificate(root(1), f.epoch, 0, cert.commitment, cert.nonSignerPubkeys)).to.equal(
        false,
      );
      await f.entrance.submitVerifiedCommitRoots([cert]);
      const match = (c: bls.G1Sol, keys: bls.G1Sol[]) => f.entrance.matchesCertificate(root(1), f.epoch, 0, c, keys);
      expect(await match(cert.commitment, cert.nonSignerPubkeys)).to.equal(true);
      expect(await match(cert.commitment, cert.nonSignerPubkeys.slice(1))).to.equal(false);
      expect(await match(commitmentOf(2), cert.nonSignerPubkeys)).to.equal(false);
      expect(await f.entrance.certificateHashOf(cert.commitment, cert.nonSignerPubkeys)).to.equal(
        certificateHash(cert.commitment, cert.nonSignerPubkeys),
      );
    });
  });
});

function anyPoint(c: bls.G1Sol): [bigint, bigint] {
  return [c.X, c.Y];
}
