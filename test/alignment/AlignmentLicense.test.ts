// AlignmentLicense as the deploy code sets it up (hardhat params: 16 licenses, ids 1..3 minted to accounts 1..3).
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { alignmentFixture, type AlignmentFixture, MAX_LICENSES } from "./helpers";

describe("AlignmentLicense", function () {
  let f: AlignmentFixture;
  beforeEach(async function () {
    f = await loadFixture(alignmentFixture);
  });

  describe("initialize", function () {
    it("records the name, symbol and cap, and the deploy params' licensees hold ids 1..3", async function () {
      expect(await f.license.name()).to.equal("zg Alignment Node License");
      expect(await f.license.symbol()).to.equal("ZGAN");
      expect(await f.license.maxLicenses()).to.equal(MAX_LICENSES);
      expect(await f.license.totalMinted()).to.equal(3n);
      expect(await f.license.ownerOf(1)).to.equal(f.alice.address);
      expect(await f.license.ownerOf(2)).to.equal(f.bob.address);
      expect(await f.license.ownerOf(3)).to.equal(f.carol.address);
      expect(await f.license.contractName()).to.equal("AlignmentLicense");
      await expect(
        f.license.initialize(f.deployer.address, f.deployer.address, "x", "X", 1),
      ).to.be.revertedWithCustomError(f.license, "InvalidInitialization");
    });

    it("refuses a zero cap or one above MAX_LICENSES_BOUND", async function () {
      const factory = await ethers.getContractFactory("AlignmentLicense");
      for (const cap of [0n, 100_001n]) {
        await expect(
          upgrades.deployProxy(factory, [f.deployer.address, f.deployer.address, "x", "X", cap], { kind: "uups" }),
        )
          .to.be.revertedWithCustomError(f.license, "AlignmentLicenseBadCap")
          .withArgs(cap);
      }
    });
  });

  describe("mint", function () {
    it("mints the next id to the licensee, admin only", async function () {
      await expect(f.license.mint(f.dave.address))
        .to.emit(f.license, "Transfer")
        .withArgs(ethers.ZeroAddress, f.dave.address, 4n);
      expect(await f.license.totalMinted()).to.equal(4n);
      await expect(f.license.connect(f.dave).mint(f.dave.address)).to.be.revertedWithCustomError(
        f.license,
        "AccessControlUnauthorizedAccount",
      );
      expect(await f.license.totalMinted()).to.equal(4n);
    });

    it("refuses the zero address and any license past the cap", async function () {
      await expect(f.license.mint(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.license,
        "AlignmentLicenseZeroAddress",
      );
      for (let i = 3n; i < MAX_LICENSES; i++) await f.license.mint(f.dave.address);
      await expect(f.license.mint(f.dave.address))
        .to.be.revertedWithCustomError(f.license, "AlignmentLicenseCapReached")
        .withArgs(MAX_LICENSES);
      expect(await f.license.totalMinted()).to.equal(MAX_LICENSES);
      expect(await f.license.balanceOf(f.dave.address)).to.equal(MAX_LICENSES - 3n);
    });
  });

  describe("setOperator", function () {
    it("delegates the license to an operator and clears it with zero, owner only", async function () {
      await expect(f.license.connect(f.alice).setOperator(1, f.operator.address))
        .to.emit(f.license, "OperatorSet")
        .withArgs(1n, f.alice.address, f.operator.address);
      expect(await f.license.operatorOf(1)).to.equal(f.operator.address);
      await expect(f.license.connect(f.operator).setOperator(1, f.stranger.address))
        .to.be.revertedWithCustomError(f.license, "AlignmentLicenseNotOwner")
        .withArgs(1n, f.operator.address);
      await f.license.connect(f.alice).setOperator(1, ethers.ZeroAddress);
      expect(await f.license.operatorOf(1)).to.equal(ethers.ZeroAddress);
    });

    it("refuses an unknown license", async function () {
      await expect(f.license.connect(f.alice).setOperator(99, f.operator.address))
        .to.be.revertedWithCustomError(f.license, "ERC721NonexistentToken")
        .withArgs(99n);
    });

    it("is cleared by a transfer: the new owner picks its own operator", async function () {
      await f.license.connect(f.alice).setOperator(1, f.operator.address);
      await expect(f.license.connect(f.alice).transferFrom(f.alice.address, f.dave.address, 1))
        .to.emit(f.license, "OperatorSet")
        .withArgs(1n, f.alice.address, ethers.ZeroAddress);
      expect(await f.license.operatorOf(1)).to.equal(ethers.ZeroAddress);
      expect(await f.license.isAuthorized(1, f.operator.address)).to.equal(false);
      expect(await f.license.isAuthorized(1, f.alice.address)).to.equal(false);
      expect(await f.license.isAuthorized(1, f.dave.address)).to.equal(true);
    });

    it("is refused while paused, and so are transfers; minting goes on", async function () {
      await f.license.pause();
      await expect(f.license.connect(f.alice).setOperator(1, f.operator.address)).to.be.revertedWithCustomError(
        f.license,
        "EnforcedPause",
      );
      await expect(
        f.license.connect(f.alice).transferFrom(f.alice.address, f.dave.address, 1),
      ).to.be.revertedWithCustomError(f.license, "EnforcedPause");
      await f.license.mint(f.dave.address);
      expect(await f.license.ownerOf(1)).to.equal(f.alice.address);
      expect(await f.license.ownerOf(4)).to.equal(f.dave.address);
    });
  });

  describe("isAuthorized", function () {
    it("is true for the owner and the operator only, and false for an unknown license or the zero address", async function () {
      await f.license.connect(f.alice).setOperator(1, f.operator.address);
      expect(await f.license.isAuthorized(1, f.alice.address)).to.equal(true);
      expect(await f.license.isAuthorized(1, f.operator.address)).to.equal(true);
      expect(await f.license.isAuthorized(1, f.bob.address)).to.equal(false);
      expect(await f.license.isAuthorized(2, f.operator.address)).to.equal(false);
      expect(await f.license.isAuthorized(99, f.alice.address)).to.equal(false);
      expect(await f.license.isAuthorized(2, ethers.ZeroAddress)).to.equal(false);
    });
  });

  describe("supportsInterface", function () {
    it("reports ERC-721, its metadata, AccessControl and IAlignmentLicense", async function () {
      for (const id of ["0x80ac58cd", "0x5b5e139f", "0x7965db0b", "0x01ffc9a7"]) {
        expect(await f.license.supportsInterface(id)).to.equal(true);
      }
      expect(await f.license.supportsInterface("0xffffffff")).to.equal(false);
    });
  });
});
