// DAEntrance's fees: the blob price, the service fee, releasing a finished epoch's fees to the sampler role and
// withdrawing the service fees. Submissions and certificates are in DAEntrance.test.ts.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  BLOB_PRICE,
  SAMPLER_ROLE,
  SERVICE_FEE,
  SERVICE_FEE_PPM,
  daFixture,
  nextEpoch,
  paidFixture,
  releasedFixture,
  root,
} from "./helpers";

describe("DAEntrance fees", function () {
  describe("setBlobPrice", function () {
    it("sets the price; only the admin", async function () {
      const f = await loadFixture(daFixture);
      await expect(f.entrance.setBlobPrice(5n)).to.emit(f.entrance, "BlobPriceUpdated").withArgs(5n);
      expect(await f.entrance.blobPrice()).to.equal(5n);
      await expect(f.entrance.connect(f.stranger).setBlobPrice(1n)).to.be.revertedWithCustomError(
        f.entrance,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("withdrawFees", function () {
    it("pays released service fees out; only the admin", async function () {
      const f = await loadFixture(releasedFixture);
      expect(await f.entrance.serviceFees()).to.equal(SERVICE_FEE);
      const tx = f.entrance.withdrawFees(f.stranger.address, SERVICE_FEE);
      await expect(tx).to.emit(f.entrance, "FeesWithdrawn").withArgs(f.stranger.address, SERVICE_FEE);
      await expect(tx).to.changeEtherBalance(f.stranger, SERVICE_FEE);
      expect(await f.entrance.serviceFees()).to.equal(0n);
      await expect(f.entrance.connect(f.stranger).withdrawFees(f.stranger.address, 1n)).to.be.revertedWithCustomError(
        f.entrance,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("reverts with DAEntranceExceedsServiceFees above the service fees (pool fees are not the admin's)", async function () {
      const f = await loadFixture(paidFixture);
      await expect(f.entrance.withdrawFees(f.stranger.address, 1n))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceExceedsServiceFees")
        .withArgs(1n, 0n);
    });

    it("reverts when the transfer fails", async function () {
      const f = await loadFixture(releasedFixture);
      await expect(f.entrance.withdrawFees(await f.registry.getAddress(), SERVICE_FEE)).to.be.revertedWithCustomError(
        f.entrance,
        "DAEntranceTransferFailed",
      );
    });
  });

  describe("setServiceFeePpm", function () {
    it("sets the fee up to 50 %; only the admin", async function () {
      const f = await loadFixture(daFixture);
      await expect(f.entrance.setServiceFeePpm(500_000)).to.emit(f.entrance, "ServiceFeeUpdated").withArgs(500_000);
      expect(await f.entrance.serviceFeePpm()).to.equal(500_000n);
      await expect(f.entrance.setServiceFeePpm(500_001))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceInvalidServiceFee")
        .withArgs(500_001, 500_000);
      await expect(f.entrance.connect(f.stranger).setServiceFeePpm(1)).to.be.revertedWithCustomError(
        f.entrance,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("releaseEpochFees", function () {
    it("sends a finished epoch's fees less the service fee to the sampler role, once", async function () {
      const f = await loadFixture(paidFixture);
      await f.entrance.submitOriginalData([root(2)], { value: BLOB_PRICE });
      await f.entrance.grantRole(SAMPLER_ROLE, f.deployer.address);
      await expect(f.entrance.releaseEpochFees(f.epoch))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceEpochNotOver")
        .withArgs(f.epoch, f.epoch);
      await nextEpoch(f.registry);
      const gross = 2n * BLOB_PRICE;
      const fee = (gross * SERVICE_FEE_PPM) / 1_000_000n;
      const tx = f.entrance.releaseEpochFees(f.epoch);
      await expect(tx)
        .to.emit(f.entrance, "EpochFeesReleased")
        .withArgs(f.epoch, f.deployer.address, gross, fee, gross - fee);
      await expect(tx).to.changeEtherBalances([f.deployer, f.entrance], [gross - fee, fee - gross]);
      expect(await f.entrance.epochFees(f.epoch)).to.deep.equal([gross, true]);
      expect(await f.entrance.serviceFees()).to.equal(fee);
      await expect(f.entrance.releaseEpochFees(f.epoch))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceFeesAlreadyReleased")
        .withArgs(f.epoch);
    });

    it("keeps each epoch's fees apart when payments move to a new epoch, and releases an empty epoch", async function () {
      const f = await loadFixture(paidFixture);
      const next = await nextEpoch(f.registry);
      await f.entrance.submitOriginalData([root(2), root(3)], { value: 2n * BLOB_PRICE });
      expect(await f.entrance.epochFees(f.epoch)).to.deep.equal([BLOB_PRICE, false]);
      expect(await f.entrance.epochFees(next)).to.deep.equal([2n * BLOB_PRICE, false]);
      await nextEpoch(f.registry);
      await f.entrance.grantRole(SAMPLER_ROLE, f.deployer.address);
      await expect(f.entrance.releaseEpochFees(next)).to.changeEtherBalance(
        f.deployer,
        2n * BLOB_PRICE - (2n * BLOB_PRICE * SERVICE_FEE_PPM) / 1_000_000n,
      );
      await expect(f.entrance.releaseEpochFees(f.epoch)).to.changeEtherBalance(
        f.deployer,
        BLOB_PRICE - (BLOB_PRICE * SERVICE_FEE_PPM) / 1_000_000n,
      );
      await expect(f.entrance.releaseEpochFees(f.epoch - 5n))
        .to.emit(f.entrance, "EpochFeesReleased")
        .withArgs(f.epoch - 5n, f.deployer.address, 0, 0, 0);
      // A payment after the release does not write the released epoch again.
      await f.entrance.submitOriginalData([root(4)], { value: BLOB_PRICE });
      expect(await f.entrance.epochFees(next)).to.deep.equal([2n * BLOB_PRICE, true]);
    });

    it("refuses callers without SAMPLER_ROLE, and a recipient that rejects value", async function () {
      const f = await loadFixture(paidFixture);
      await nextEpoch(f.registry);
      await expect(f.entrance.connect(f.stranger).releaseEpochFees(f.epoch)).to.be.revertedWithCustomError(
        f.entrance,
        "AccessControlUnauthorizedAccount",
      );
      const registryAddr = await f.registry.getAddress();
      await f.entrance.grantRole(SAMPLER_ROLE, registryAddr);
      await ethers.provider.send("hardhat_impersonateAccount", [registryAddr]);
      await ethers.provider.send("hardhat_setBalance", [registryAddr, ethers.toBeHex(ethers.parseEther("1"))]);
      const asRegistry = await ethers.getSigner(registryAddr);
      await expect(f.entrance.connect(asRegistry).releaseEpochFees(f.epoch))
        .to.be.revertedWithCustomError(f.entrance, "DAEntranceTransferFailed")
        .withArgs(registryAddr);
    });
  });

  describe("reentrancy", function () {
    it("refuses a refund recipient that re-enters submitOriginalData or withdrawFees", async function () {
      const f = await loadFixture(releasedFixture);
      const payer = await (await ethers.getContractFactory("DAReentrantPayer")).deploy(await f.entrance.getAddress());
      await expect(payer.pay([root(20)], 1, { value: 3n * BLOB_PRICE })).to.be.revertedWithCustomError(
        f.entrance,
        "DAEntranceTransferFailed",
      );
      await f.entrance.grantRole(ethers.ZeroHash, await payer.getAddress());
      await payer.setMode(2);
      await expect(f.entrance.withdrawFees(await payer.getAddress(), 1n)).to.be.revertedWithCustomError(
        f.entrance,
        "DAEntranceTransferFailed",
      );
    });
  });
});
