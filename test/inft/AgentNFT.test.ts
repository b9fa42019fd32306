// AgentNFT outside of transfers: deployment, mint, update, plain transfers, usage authorization, delegates,
// governance and views.
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  decryptData,
  encryptData,
  dataHashOf,
  intelligentData,
  openTee,
  randomDataKey,
  sealTee,
} from "../../offchain/inft";
import { inftParams, inftParamsSchema } from "../../deploy/modules/inft";
import { isolated } from "../fixtures";
import { type InftFixture, inftFixture, PLAINTEXT } from "./helpers";

describe("AgentNFT", function () {
  let f: InftFixture;

  beforeEach(async function () {
    f = await loadFixture(inftFixture);
  });

  describe("deployment", function () {
    it("is deployed by the inft module with both verifiers and the deployer's roles on a devnet", async function () {
      expect(await f.nft.name()).to.equal("zg Agents");
      expect(await f.nft.symbol()).to.equal("AGENT");
      expect(await f.nft.verifier(0)).to.equal(await f.tee.getAddress());
      expect(await f.nft.verifier(1)).to.equal(await f.zk.getAddress());
      expect(await f.zk.groth16Verifier()).to.equal(f.ctx.record.contracts.InftVerifier.address);
      expect(await f.nft.hasRole(await f.nft.DEFAULT_ADMIN_ROLE(), f.deployer.address)).to.equal(true);
      expect(await f.nft.contractName()).to.equal("AgentNFT");
      expect(await f.nft.version()).to.equal("1.0.0");
      expect(await f.tee.contractName()).to.equal("TeeTransferVerifier");
      expect(await f.tee.version()).to.equal("1.0.0");
    });

    it("cannot be initialized twice", async function () {
      await expect(
        f.nft.initialize(f.deployer.address, f.deployer.address, "x", "y", ethers.ZeroAddress, ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(f.nft, "InvalidInitialization");
      await expect(f.tee.initialize(f.deployer.address, f.deployer.address, [])).to.be.revertedWithCustomError(
        f.tee,
        "InvalidInitialization",
      );
    });

    it("validates its params section and defaults it", function () {
      expect(inftParams({ ...f.ctx, params: { ...f.ctx.params, inft: undefined } } as never).symbol).to.equal("AGENT");
      expect(() =>
        inftParams({ ...f.ctx, params: { ...f.ctx.params, inft: { oracles: ["0x12"] } } } as never),
      ).to.throw(/inft\.oracles\.0/);
      expect(inftParamsSchema.parse(inftParamsSchema.parse({}))).to.deep.equal(inftParamsSchema.parse({}));
    });

    it("acknowledges the oracles named in params, and deploys with ZK mode off when asked", async function () {
      const ctx = isolated(f.ctx);
      for (const name of ["InftVerifier", "ZkTransferVerifier", "TeeTransferVerifier", "AgentNFT"]) {
        delete ctx.record.contracts[name];
      }
      ctx.params = { ...ctx.params, inft: { name: "A", symbol: "B", oracles: [f.oracle.address], zk: false } };
      const { deployInft } = await import("../../deploy/modules/inft");
      await deployInft(ctx);
      const nft = await ethers.getContractAt("AgentNFT", ctx.record.contracts.AgentNFT.address);
      const tee = await ethers.getContractAt("TeeTransferVerifier", ctx.record.contracts.TeeTransferVerifier.address);
      expect(await tee.isOracle(f.oracle.address)).to.equal(true);
      expect(await nft.verifier(1)).to.equal(ethers.ZeroAddress);
      await expect(deployInft({ ...ctx, admin: undefined })).to.be.rejectedWith(/needs ctx.admin/);
    });

    it("refuses a zero oracle at initialization and a zero admin", async function () {
      const Tee = await ethers.getContractFactory("TeeTransferVerifier");
      await expect(
        upgrades.deployProxy(Tee, [f.deployer.address, f.deployer.address, [ethers.ZeroAddress]], { kind: "uups" }),
      ).to.be.revertedWithCustomError(f.tee, "TeeTransferVerifierZeroAddress");
      const Nft = await ethers.getContractFactory("AgentNFT");
      await expect(
        upgrades.deployProxy(
          Nft,
          [ethers.ZeroAddress, ethers.ZeroAddress, "a", "b", ethers.ZeroAddress, ethers.ZeroAddress],
          {
            kind: "uups",
          },
        ),
      ).to.be.revertedWithCustomError(f.nft, "ProtocolZeroAdmin");
    });

    it("upgrades only to an implementation of the same name", async function () {
      const Nft = await ethers.getContractFactory("AgentNFT");
      await upgrades.upgradeProxy(await f.nft.getAddress(), Nft, { kind: "uups" });
      const impl = await ethers.deployContract("TeeTransferVerifier");
      await expect(f.nft.upgradeToAndCall(await impl.getAddress(), "0x")).to.be.revertedWithCustomError(
        f.nft,
        "ProtocolUpgradeNameMismatch",
      );
      await expect(
        f.nft.connect(f.stranger).upgradeToAndCall(await impl.getAddress(), "0x"),
      ).to.be.revertedWithCustomError(f.nft, "AccessControlUnauthorizedAccount");
    });

    it("supports the ERC-721, AccessControl and IAgentNFT interfaces", async function () {
      expect(await f.nft.supportsInterface("0x80ac58cd")).to.equal(true); // ERC-721
      expect(await f.nft.supportsInterface("0x5b5e139f")).to.equal(true); // ERC-721 metadata
      expect(await f.nft.supportsInterface("0x7965db0b")).to.equal(true); // AccessControl
      const iface = new ethers.Interface(
        (await ethers.getContractFactory("AgentNFT")).interface.fragments.filter((fr) => fr.type === "function"),
      );
      expect(iface).to.not.equal(undefined);
      expect(await f.nft.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("mint", function () {
    it("stores the entries, publishes the owner's sealed key and emits Minted", async function () {
      expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.alice.address);
      const [data] = await f.nft.intelligentDatasOf(f.tokenId);
      expect(data.dataDescription).to.equal("memory");
      expect(data.dataHash).to.equal(f.dataHash);
      expect(data.keyCommitment).to.equal(f.entry.keyCommitment);
      const key = openTee((await f.nft.sealedKeysOf(f.tokenId))[0], f.keys.alice.privateKey);
      expect(decryptData(key, f.blob)).to.deep.equal(PLAINTEXT);

      const key2 = randomDataKey();
      const entry = intelligentData("weights", dataHashOf(encryptData(key2, PLAINTEXT)), key2);
      const sealed = sealTee(key2, f.keys.bob.publicKey);
      await expect(f.nft.connect(f.alice).mint(f.bob.address, [entry], [sealed]))
        .to.emit(f.nft, "Minted")
        .withArgs(2n, f.alice.address, f.bob.address)
        .and.to.emit(f.nft, "PublishedSealedKey")
        .withArgs(f.bob.address, 2n, [sealed]);
      expect(await f.nft.ownerOf(2n)).to.equal(f.bob.address);
      expect(await f.nft.transferNonce(2n)).to.equal(0n);
    });

    it("refuses no entries, too many, mismatched keys, a zero hash, a long description and the zero owner", async function () {
      const e = f.entry;
      const m = f.nft.connect(f.alice);
      await expect(m.mint(f.alice.address, [], [])).to.be.revertedWithCustomError(f.nft, "AgentNFTBadEntryCount");
      await expect(m.mint(f.alice.address, Array(9).fill(e), Array(9).fill("0x"))).to.be.revertedWithCustomError(
        f.nft,
        "AgentNFTBadEntryCount",
      );
      await expect(m.mint(f.alice.address, [e], [])).to.be.revertedWithCustomError(f.nft, "AgentNFTLengthMismatch");
      await expect(m.mint(f.alice.address, [{ ...e, dataHash: ethers.ZeroHash }], ["0x"]))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTInvalidEntry")
        .withArgs(0n);
      await expect(m.mint(f.alice.address, [e, { ...e, dataDescription: "x".repeat(257) }], ["0x", "0x"]))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTInvalidEntry")
        .withArgs(1n);
      await expect(m.mint(ethers.ZeroAddress, [e], ["0x"])).to.be.revertedWithCustomError(f.nft, "AgentNFTZeroAddress");
    });

    it("refuses a contract receiver without the ERC-721 hook", async function () {
      await expect(
        f.nft.connect(f.alice).mint(await f.tee.getAddress(), [f.entry], ["0x"]),
      ).to.be.revertedWithCustomError(f.nft, "ERC721InvalidReceiver");
    });

    it("is stopped by a pause", async function () {
      await f.nft.pause();
      await expect(f.nft.connect(f.alice).mint(f.alice.address, [f.entry], ["0x"])).to.be.revertedWithCustomError(
        f.nft,
        "EnforcedPause",
      );
    });
  });

  describe("plain transfers", function () {
    it("transferFrom and both safeTransferFrom revert with AgentNFTUseITransferFrom", async function () {
      const n = f.nft.connect(f.alice);
      await expect(n.transferFrom(f.alice.address, f.bob.address, f.tokenId))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTUseITransferFrom")
        .withArgs(f.tokenId);
      await expect(
        n["safeTransferFrom(address,address,uint256)"](f.alice.address, f.bob.address, f.tokenId),
      ).to.be.revertedWithCustomError(f.nft, "AgentNFTUseITransferFrom");
      await expect(
        n["safeTransferFrom(address,address,uint256,bytes)"](f.alice.address, f.bob.address, f.tokenId, "0x"),
      ).to.be.revertedWithCustomError(f.nft, "AgentNFTUseITransferFrom");
      expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.alice.address);
    });
  });

  describe("update", function () {
    it("rotates the key: new entries, the owner's new sealed key, Updated, and a new nonce", async function () {
      const key2 = randomDataKey();
      const blob2 = encryptData(key2, PLAINTEXT);
      const entry2 = intelligentData("memory v2", dataHashOf(blob2), key2);
      const sealed = sealTee(key2, f.keys.alice.publicKey);
      const old = await f.nft.intelligentDatasOf(f.tokenId);
      await expect(f.nft.connect(f.alice).update(f.tokenId, [entry2], [sealed]))
        .to.emit(f.nft, "Updated")
        .withArgs(
          f.tokenId,
          old.map((d) => [d.dataDescription, d.dataHash, d.keyCommitment]),
          [[entry2.dataDescription, entry2.dataHash, entry2.keyCommitment]],
        )
        .and.to.emit(f.nft, "PublishedSealedKey")
        .withArgs(f.alice.address, f.tokenId, [sealed]);
      expect((await f.nft.intelligentDatasOf(f.tokenId))[0].dataHash).to.equal(entry2.dataHash);
      expect(await f.nft.transferNonce(f.tokenId)).to.equal(1n);
      const key = openTee((await f.nft.sealedKeysOf(f.tokenId))[0], f.keys.alice.privateKey);
      expect(decryptData(key, blob2)).to.deep.equal(PLAINTEXT);
    });

    it("is for the owner only, and checks the entries", async function () {
      await expect(f.nft.connect(f.bob).update(f.tokenId, [f.entry], ["0x"]))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTNotOwner")
        .withArgs(f.tokenId, f.bob.address);
      await expect(f.nft.connect(f.alice).update(f.tokenId, [], [])).to.be.revertedWithCustomError(
        f.nft,
        "AgentNFTBadEntryCount",
      );
      await expect(f.nft.connect(f.alice).update(99n, [f.entry], ["0x"])).to.be.revertedWithCustomError(
        f.nft,
        "ERC721NonexistentToken",
      );
    });
  });

  describe("authorizeUsage / revokeAuthorization", function () {
    it("adds and removes users with events", async function () {
      await expect(f.nft.connect(f.alice).authorizeUsage(f.tokenId, f.bob.address))
        .to.emit(f.nft, "Authorization")
        .withArgs(f.alice.address, f.bob.address, f.tokenId);
      await f.nft.connect(f.alice).authorizeUsage(f.tokenId, f.carol.address);
      await f.nft.connect(f.alice).authorizeUsage(f.tokenId, f.dave.address);
      expect(await f.nft.authorizedUsersOf(f.tokenId)).to.deep.equal([f.bob.address, f.carol.address, f.dave.address]);
      await expect(f.nft.connect(f.alice).revokeAuthorization(f.tokenId, f.bob.address))
        .to.emit(f.nft, "AuthorizationRevoked")
        .withArgs(f.alice.address, f.bob.address, f.tokenId);
      expect(await f.nft.authorizedUsersOf(f.tokenId)).to.deep.equal([f.dave.address, f.carol.address]);
      await f.nft.connect(f.alice).revokeAuthorization(f.tokenId, f.carol.address);
      await f.nft.connect(f.alice).revokeAuthorization(f.tokenId, f.dave.address);
      expect(await f.nft.authorizedUsersOf(f.tokenId)).to.deep.equal([]);
      expect(await f.nft.isAuthorizedUser(f.tokenId, f.dave.address)).to.equal(false);
    });

    it("refuses twice, unknown users, the zero user, non-owners, and more than 16 users", async function () {
      const n = f.nft.connect(f.alice);
      await n.authorizeUsage(f.tokenId, f.bob.address);
      await expect(n.authorizeUsage(f.tokenId, f.bob.address)).to.be.revertedWithCustomError(
        f.nft,
        "AgentNFTAlreadyAuthorized",
      );
      await expect(n.revokeAuthorization(f.tokenId, f.carol.address)).to.be.revertedWithCustomError(
        f.nft,
        "AgentNFTNotAuthorized",
      );
      await expect(n.authorizeUsage(f.tokenId, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.nft,
        "AgentNFTZeroAddress",
      );
      await expect(f.nft.connect(f.bob).authorizeUsage(f.tokenId, f.carol.address)).to.be.revertedWithCustomError(
        f.nft,
        "AgentNFTNotOwner",
      );
      await expect(f.nft.connect(f.bob).revokeAuthorization(f.tokenId, f.bob.address)).to.be.revertedWithCustomError(
        f.nft,
        "AgentNFTNotOwner",
      );
      for (let i = 1; i < 16; i++) await n.authorizeUsage(f.tokenId, ethers.Wallet.createRandom().address);
      await expect(n.authorizeUsage(f.tokenId, f.carol.address))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTTooManyAuthorizedUsers")
        .withArgs(16n);
    });
  });

  describe("delegateAccess", function () {
    it("sets and clears a delegate", async function () {
      await expect(f.nft.connect(f.bob).delegateAccess(f.dave.address))
        .to.emit(f.nft, "DelegateAccess")
        .withArgs(f.bob.address, f.dave.address);
      expect(await f.nft.getDelegateAccess(f.bob.address)).to.equal(f.dave.address);
      await f.nft.connect(f.bob).delegateAccess(ethers.ZeroAddress);
      expect(await f.nft.getDelegateAccess(f.bob.address)).to.equal(ethers.ZeroAddress);
    });
  });

  describe("governance", function () {
    it("setVerifier is for the admin and emits VerifierUpdated", async function () {
      await expect(f.nft.setVerifier(1, ethers.ZeroAddress))
        .to.emit(f.nft, "VerifierUpdated")
        .withArgs(1, ethers.ZeroAddress);
      await expect(f.nft.connect(f.stranger).setVerifier(0, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.nft,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("acknowledgeOracle / revokeOracle are for the admin; the zero key is refused", async function () {
      await expect(f.tee.acknowledgeOracle(f.bob.address)).to.emit(f.tee, "OracleAcknowledged").withArgs(f.bob.address);
      expect(await f.tee.isOracle(f.bob.address)).to.equal(true);
      await expect(f.tee.acknowledgeOracle(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.tee,
        "TeeTransferVerifierZeroAddress",
      );
      await expect(f.tee.connect(f.stranger).acknowledgeOracle(f.stranger.address)).to.be.revertedWithCustomError(
        f.tee,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.tee.connect(f.stranger).revokeOracle(f.bob.address)).to.be.revertedWithCustomError(
        f.tee,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("pause stops transfers, clones, updates and authorizations", async function () {
      await f.nft.pause();
      const n = f.nft.connect(f.alice);
      await expect(n.iTransferFrom(f.alice.address, f.bob.address, f.tokenId, [])).to.be.revertedWithCustomError(
        f.nft,
        "EnforcedPause",
      );
      await expect(n.iCloneFrom(f.alice.address, f.bob.address, f.tokenId, [])).to.be.revertedWithCustomError(
        f.nft,
        "EnforcedPause",
      );
      await expect(n.update(f.tokenId, [f.entry], ["0x"])).to.be.revertedWithCustomError(f.nft, "EnforcedPause");
      await expect(n.authorizeUsage(f.tokenId, f.bob.address)).to.be.revertedWithCustomError(f.nft, "EnforcedPause");
    });
  });

  describe("views", function () {
    it("refuse unknown tokens", async function () {
      for (const view of [f.nft.intelligentDatasOf, f.nft.sealedKeysOf, f.nft.transferNonce, f.nft.authorizedUsersOf]) {
        await expect(view(42n)).to.be.revertedWithCustomError(f.nft, "ERC721NonexistentToken");
      }
    });
  });
});
