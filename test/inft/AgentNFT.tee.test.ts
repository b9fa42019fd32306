// TEE-mode transfers and clones with real ECDSA keys: the oracle's EIP-712 proof and the receiver's consent.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";
import { decryptData, openTee } from "../../offchain/inft";
import { entryTransfer, type InftFixture, inftFixture, PLAINTEXT, teeProof } from "./helpers";

describe("AgentNFT: TEE-mode transfers", function () {
  let f: InftFixture;

  beforeEach(async function () {
    f = await loadFixture(inftFixture);
  });

  async function expectUnchanged() {
    expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.alice.address);
    expect(await f.nft.transferNonce(f.tokenId)).to.equal(0n);
  }

  describe("iTransferFrom", function () {
    it("moves the token, publishes the key sealed to the receiver, and the receiver decrypts the same bytes", async function () {
      const entry = await entryTransfer(f, f.bob.address);
      const proof = await teeProof(f, entry, f.keys.bob.publicKey, f.bob);
      await expect(f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]))
        .to.emit(f.nft, "Transferred")
        .withArgs(f.tokenId, f.alice.address, f.bob.address)
        .and.to.emit(f.nft, "PublishedSealedKey")
        .withArgs(f.bob.address, f.tokenId, [proof.sealedKey])
        .and.to.emit(f.nft, "Transfer")
        .withArgs(f.alice.address, f.bob.address, f.tokenId);
      expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.bob.address);
      expect(await f.nft.transferNonce(f.tokenId)).to.equal(1n);
      const [sealed] = await f.nft.sealedKeysOf(f.tokenId);
      const key = openTee(sealed, f.keys.bob.privateKey);
      expect(decryptData(key, f.blob)).to.deep.equal(PLAINTEXT);
    });

    it("accepts a proof submitted by an approved operator", async function () {
      await f.nft.connect(f.alice).approve(f.dave.address, f.tokenId);
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await f.nft.connect(f.dave).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]);
      expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.bob.address);
      expect(await f.nft.getApproved(f.tokenId)).to.equal(ethers.ZeroAddress);
    });

    it("accepts a consent signed by the receiver's access delegate", async function () {
      await f.nft.connect(f.bob).delegateAccess(f.dave.address);
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.dave);
      await f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]);
      expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.bob.address);
    });

    it("refuses a proof made for another receiver", async function () {
      // The oracle re-sealed to bob; carol consents and the owner submits it to carol.
      const forBob = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      const carolEntry = await entryTransfer(f, f.carol.address);
      const carolConsent = await teeProof(f, carolEntry, f.keys.bob.publicKey, f.carol);
      const mixed = { ...carolConsent, sealedKey: forBob.sealedKey, proof: forBob.proof };
      await expect(
        f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.carol.address, f.tokenId, [mixed]),
      ).to.be.revertedWithCustomError(f.tee, "TeeTransferVerifierUnknownOracle");
      await expectUnchanged();
    });

    it("refuses a sealed key swapped after the oracle signed", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      const other = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.carol.publicKey, f.bob);
      await expect(
        f.nft
          .connect(f.alice)
          .iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [{ ...proof, sealedKey: other.sealedKey }]),
      ).to.be.revertedWithCustomError(f.tee, "TeeTransferVerifierUnknownOracle");
      await expectUnchanged();
    });

    it("refuses a stale proof (deadline passed)", async function () {
      const entry = await entryTransfer(f, f.bob.address, { deadline: BigInt(await time.latest()) + 60n });
      const proof = await teeProof(f, entry, f.keys.bob.publicKey, f.bob);
      await time.increase(120);
      await expect(f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTProofExpired")
        .withArgs(entry.deadline);
      await expectUnchanged();
    });

    it("refuses a replayed proof", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]);
      // Bob gives it back with a fresh proof; the first proof (nonce 0) cannot move it to bob again.
      const back = await teeProof(f, await entryTransfer(f, f.alice.address), f.keys.alice.publicKey, f.alice);
      await f.nft.connect(f.bob).iTransferFrom(f.bob.address, f.alice.address, f.tokenId, [back]);
      await expect(f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTStaleNonce")
        .withArgs(2n, 0n);
      expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.alice.address);
    });

    it("refuses a proof whose nonce was changed (the consent no longer matches)", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await expect(
        f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [{ ...proof, nonce: 1n }]),
      ).to.be.revertedWithCustomError(f.nft, "AgentNFTStaleNonce");
      await expectUnchanged();
    });

    it("refuses a consent signed by someone else", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.stranger);
      await expect(f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTInvalidConsent")
        .withArgs(f.stranger.address);
      await expectUnchanged();
    });

    it("refuses a malformed consent", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await expect(
        f.nft
          .connect(f.alice)
          .iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [{ ...proof, consent: "0x1234" }]),
      )
        .to.be.revertedWithCustomError(f.nft, "AgentNFTInvalidConsent")
        .withArgs(ethers.ZeroAddress);
      await expectUnchanged();
    });

    it("refuses a proof signed by an unacknowledged oracle key", async function () {
      const rogue = Wallet.createRandom();
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob, {
        oracleKey: rogue.privateKey,
      });
      await expect(f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]))
        .to.be.revertedWithCustomError(f.tee, "TeeTransferVerifierUnknownOracle")
        .withArgs(rogue.address);
      await expectUnchanged();
    });

    it("refuses proofs from an oracle key governance revoked", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await expect(f.tee.revokeOracle(f.oracle.address)).to.emit(f.tee, "OracleRevoked").withArgs(f.oracle.address);
      await expect(
        f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]),
      ).to.be.revertedWithCustomError(f.tee, "TeeTransferVerifierUnknownOracle");
    });

    it("refuses a malformed oracle signature", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await expect(
        f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [{ ...proof, proof: "0x" }]),
      ).to.be.revertedWithCustomError(f.tee, "TeeTransferVerifierMalformedSignature");
    });

    it("refuses a caller that is neither owner nor approved", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await expect(
        f.nft.connect(f.stranger).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]),
      ).to.be.revertedWithCustomError(f.nft, "ERC721InsufficientApproval");
      await expectUnchanged();
    });

    it("refuses the wrong `from`, the zero receiver and a wrong number of proofs", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await f.nft.connect(f.alice).setApprovalForAll(f.dave.address, true);
      // Naming oneself as `from` passes the approval check trivially; the ownership check stops it.
      await expect(
        f.nft.connect(f.dave).iTransferFrom(f.dave.address, f.bob.address, f.tokenId, [proof]),
      ).to.be.revertedWithCustomError(f.nft, "ERC721IncorrectOwner");
      await expect(
        f.nft.connect(f.alice).iTransferFrom(f.carol.address, f.bob.address, f.tokenId, [proof]),
      ).to.be.revertedWithCustomError(f.nft, "ERC721InsufficientApproval");
      await expect(
        f.nft.connect(f.alice).iTransferFrom(f.alice.address, ethers.ZeroAddress, f.tokenId, [proof]),
      ).to.be.revertedWithCustomError(f.nft, "AgentNFTZeroAddress");
      await expect(f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, []))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTLengthMismatch")
        .withArgs(1n, 0n);
      await expectUnchanged();
    });

    it("refuses a mode whose verifier governance disabled", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await f.nft.setVerifier(0, ethers.ZeroAddress);
      await expect(f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTModeDisabled")
        .withArgs(0);
    });

    it("refuses when a verifier answers false instead of reverting", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      const mock = await ethers.deployContract("FalseVerifierMock");
      await f.nft.setVerifier(0, await mock.getAddress());
      await expect(f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTInvalidProof")
        .withArgs(0n);
      await expectUnchanged();
    });

    it("exposes the digest the oracle signs", async function () {
      const entry = await entryTransfer(f, f.bob.address);
      const proof = await teeProof(f, entry, f.keys.bob.publicKey, f.bob);
      const [data] = await f.nft.intelligentDatasOf(f.tokenId);
      const digest = await f.tee.ownershipProofDigest(f.nftAddress, {
        tokenId: f.tokenId,
        receiver: f.bob.address,
        dataHash: data.dataHash,
        keyCommitment: data.keyCommitment,
        nonce: entry.nonce,
        deadline: entry.deadline,
        receiverKey: proof.receiverKey,
        sealedKey: proof.sealedKey,
      });
      expect(ethers.recoverAddress(digest, proof.proof)).to.equal(f.oracle.address);
    });

    it("refuses while the verifier is paused", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await f.tee.pause();
      await expect(
        f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]),
      ).to.be.revertedWithCustomError(f.tee, "EnforcedPause");
    });

    it("clears authorized users on transfer", async function () {
      await f.nft.connect(f.alice).authorizeUsage(f.tokenId, f.carol.address);
      await f.nft.connect(f.alice).authorizeUsage(f.tokenId, f.dave.address);
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [proof]);
      expect(await f.nft.authorizedUsersOf(f.tokenId)).to.deep.equal([]);
      expect(await f.nft.isAuthorizedUser(f.tokenId, f.carol.address)).to.equal(false);
      await f.nft.connect(f.bob).authorizeUsage(f.tokenId, f.carol.address);
      expect(await f.nft.authorizedUsersOf(f.tokenId)).to.deep.equal([f.carol.address]);
    });

    it("delivers to a contract receiver only after the keys are written (CEI)", async function () {
      const receiver = await ethers.deployContract("AgentReceiverMock", [await f.nft.getAddress()]);
      const to = await receiver.getAddress();
      // A contract cannot sign: its access delegate (bob) consents for it.
      await receiver.delegate(f.bob.address);
      const proof = await teeProof(f, await entryTransfer(f, to), f.keys.bob.publicKey, f.bob);
      await f.nft.connect(f.alice).iTransferFrom(f.alice.address, to, f.tokenId, [proof]);
      expect(await receiver.seenOwner()).to.equal(to);
      expect(await receiver.seenNonce()).to.equal(1n);
      expect(await receiver.seenSealedKey()).to.equal(proof.sealedKey);
    });
  });

  describe("iCloneFrom", function () {
    it("mints a clone with the same entries and the key sealed to the receiver; the source stays", async function () {
      const entry = await entryTransfer(f, f.bob.address, { isClone: true });
      const proof = await teeProof(f, entry, f.keys.bob.publicKey, f.bob);
      await expect(f.nft.connect(f.alice).iCloneFrom(f.alice.address, f.bob.address, f.tokenId, [proof]))
        .to.emit(f.nft, "Cloned")
        .withArgs(f.tokenId, 2n, f.alice.address, f.bob.address)
        .and.to.emit(f.nft, "PublishedSealedKey")
        .withArgs(f.bob.address, 2n, [proof.sealedKey]);
      expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.alice.address);
      expect(await f.nft.ownerOf(2n)).to.equal(f.bob.address);
      expect(await f.nft.transferNonce(f.tokenId)).to.equal(1n);
      const [source] = await f.nft.intelligentDatasOf(f.tokenId);
      const [clone] = await f.nft.intelligentDatasOf(2n);
      expect(clone).to.deep.equal(source);
      const key = openTee((await f.nft.sealedKeysOf(2n))[0], f.keys.bob.privateKey);
      expect(decryptData(key, f.blob)).to.deep.equal(PLAINTEXT);
    });

    it("refuses a transfer consent used for a clone", async function () {
      const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
      await expect(
        f.nft.connect(f.alice).iCloneFrom(f.alice.address, f.bob.address, f.tokenId, [proof]),
      ).to.be.revertedWithCustomError(f.nft, "AgentNFTInvalidConsent");
    });

    it("refuses a caller that is neither owner nor approved", async function () {
      const proof = await teeProof(
        f,
        await entryTransfer(f, f.bob.address, { isClone: true }),
        f.keys.bob.publicKey,
        f.bob,
      );
      await expect(
        f.nft.connect(f.bob).iCloneFrom(f.alice.address, f.bob.address, f.tokenId, [proof]),
      ).to.be.revertedWithCustomError(f.nft, "ERC721InsufficientApproval");
    });
  });
});
