// AgentMarket with the real AgentNFT and real verifiers: initialize, list, cancel, buy, governance. What follows a
// purchase (fulfil with TEE and Groth16 proofs, refund, withdraw) is in AgentMarket.settle.test.ts.
import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { intelligentData, randomDataKey, sealTee } from "../../offchain/inft";
import { readPurchase } from "../../offchain/market/sale";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";
import {
  buyPlan,
  HOUR,
  listAgent,
  type MarketFixture,
  marketFixture,
  pendingSale,
  PRICE,
  sellerProofsForDirectTransfer,
  sendBuy,
} from "./helpers";

describe("AgentMarket", function () {
  let f: MarketFixture;
  beforeEach(async function () {
    f = await loadFixture(marketFixture);
  });
  after(releaseSnarkjsWorkers);

  describe("initialize", function () {
    it("records the NFT, treasury, fee and window from the deploy params", async function () {
      expect(await f.market.nft()).to.equal(f.nftAddress);
      expect(await f.market.treasury()).to.equal(f.treasury.address);
      expect(await f.market.fee()).to.equal(250n);
      expect([...(await f.market.fulfillWindow())]).to.deep.equal([600n, 7n * 24n * HOUR]);
      expect(await f.market.contractName()).to.equal("AgentMarket");
      await expect(
        f.market.initialize(f.deployer.address, f.deployer.address, f.nftAddress, f.deployer.address, 0, 60, 60),
      ).to.be.revertedWithCustomError(f.market, "InvalidInitialization");
    });

    it("refuses a zero NFT, a fee above the cap and a window out of bounds", async function () {
      const factory = await ethers.getContractFactory("AgentMarket");
      const me = f.deployer.address;
      const deploy = (nft: string, fee: number, min: number, max: number) =>
        upgrades.deployProxy(factory, [me, me, nft, me, fee, min, max], { kind: "uups" });
      await expect(deploy(ethers.ZeroAddress, 0, 60, 60)).to.be.revertedWithCustomError(
        factory,
        "AgentMarketZeroAddress",
      );
      await expect(deploy(f.nftAddress, 1001, 60, 60)).to.be.revertedWithCustomError(factory, "AgentMarketFeeTooHigh");
      await expect(deploy(f.nftAddress, 0, 59, 60)).to.be.revertedWithCustomError(
        factory,
        "AgentMarketBadFulfillWindow",
      );
      await deploy(f.nftAddress, 1000, 60, 30 * 24 * 3600);
    });
  });

  describe("list", function () {
    it("opens a listing for the owner's approved token", async function () {
      await expect(f.market.connect(f.alice).list(f.tokenId, PRICE))
        .to.emit(f.market, "Listed")
        .withArgs(1n, f.tokenId, f.alice.address, PRICE);
      expect(await f.market.openListingOf(f.tokenId)).to.equal(1n);
      const l = await f.market.listing(1n);
      expect([l.tokenId, l.seller, l.price, l.status]).to.deep.equal([f.tokenId, f.alice.address, PRICE, 1n]);
    });

    it("refuses a caller that does not own the token", async function () {
      await expect(f.market.connect(f.bob).list(f.tokenId, PRICE))
        .to.be.revertedWithCustomError(f.market, "AgentMarketNotOwner")
        .withArgs(f.tokenId, f.bob.address);
    });

    it("refuses a token the market is not approved for", async function () {
      await f.nft.connect(f.alice).setApprovalForAll(f.marketAddress, false);
      await expect(f.market.connect(f.alice).list(f.tokenId, PRICE))
        .to.be.revertedWithCustomError(f.market, "AgentMarketNotApproved")
        .withArgs(f.tokenId);
      await f.nft.connect(f.alice).approve(f.marketAddress, f.tokenId);
      await f.market.connect(f.alice).list(f.tokenId, PRICE);
    });

    it("refuses a zero price and one above uint128", async function () {
      for (const price of [0n, 2n ** 128n]) {
        await expect(f.market.connect(f.alice).list(f.tokenId, price))
          .to.be.revertedWithCustomError(f.market, "AgentMarketBadPrice")
          .withArgs(price);
      }
      await f.market.connect(f.alice).list(f.tokenId, 2n ** 128n - 1n);
    });

    it("refuses a second open listing of the same token", async function () {
      await listAgent(f);
      await expect(f.market.connect(f.alice).list(f.tokenId, PRICE))
        .to.be.revertedWithCustomError(f.market, "AgentMarketAlreadyListed")
        .withArgs(f.tokenId, 1n);
    });

    it("lets a new owner replace a listing left behind when the token moved outside the market", async function () {
      await listAgent(f);
      const { proofs } = await sellerProofsForDirectTransfer(f);
      await f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, proofs);
      await f.nft.connect(f.bob).setApprovalForAll(f.marketAddress, true);
      await expect(f.market.connect(f.bob).list(f.tokenId, PRICE))
        .to.emit(f.market, "Cancelled")
        .withArgs(1n, f.tokenId)
        .and.to.emit(f.market, "Listed")
        .withArgs(2n, f.tokenId, f.bob.address, PRICE);
      expect((await f.market.listing(1n)).status).to.equal(2n);
    });

    it("is stopped by pause", async function () {
      await f.market.pause();
      await expect(f.market.connect(f.alice).list(f.tokenId, PRICE)).to.be.revertedWithCustomError(
        f.market,
        "EnforcedPause",
      );
    });
  });

  describe("cancel", function () {
    it("closes the seller's listing, even while paused, and the token can be listed again", async function () {
      const listingId = await listAgent(f);
      await f.market.pause();
      await expect(f.market.connect(f.alice).cancel(listingId))
        .to.emit(f.market, "Cancelled")
        .withArgs(listingId, f.tokenId);
      expect((await f.market.listing(listingId)).status).to.equal(2n);
      expect(await f.market.openListingOf(f.tokenId)).to.equal(0n);
      await expect(f.market.connect(f.alice).cancel(listingId))
        .to.be.revertedWithCustomError(f.market, "AgentMarketNotOpen")
        .withArgs(listingId);
      await f.market.unpause();
      await f.market.connect(f.alice).list(f.tokenId, PRICE);
    });

    it("refuses anyone but the seller", async function () {
      const listingId = await listAgent(f);
      await expect(f.market.connect(f.bob).cancel(listingId))
        .to.be.revertedWithCustomError(f.market, "AgentMarketNotSeller")
        .withArgs(listingId, f.bob.address);
    });

    it("refuses while a purchase is pending", async function () {
      const listingId = await pendingSale(f);
      await expect(f.market.connect(f.alice).cancel(listingId))
        .to.be.revertedWithCustomError(f.market, "AgentMarketPurchasePending")
        .withArgs(listingId);
    });
  });

  describe("buy", function () {
    it("escrows the exact price and publishes the keys and consents", async function () {
      const listingId = await listAgent(f);
      const plan = await buyPlan(f, f.bob, listingId);
      const tx = sendBuy(f, f.bob, plan);
      await expect(tx)
        .to.emit(f.market, "Purchased")
        .withArgs(listingId, f.tokenId, f.bob.address, 0n, plan.deadline, plan.receiverKeys, plan.consents);
      await expect(tx).to.changeEtherBalances([f.bob, f.market], [-PRICE, PRICE]);
      const p = await f.market.purchase(listingId);
      expect([p.buyer, p.amount, p.nonce, p.deadline, p.feeBps]).to.deep.equal([
        f.bob.address,
        PRICE,
        0n,
        plan.deadline,
        250n,
      ]);
      expect(await f.market.escrowed()).to.equal(PRICE);
      const read = await readPurchase(f.saleMarket, listingId);
      expect(read.receiverKeys).to.deep.equal(plan.receiverKeys);
      expect(read.consents).to.deep.equal(plan.consents);
    });

    it("refuses a payment that is not exactly the price", async function () {
      const listingId = await listAgent(f);
      const plan = await buyPlan(f, f.bob, listingId);
      for (const value of [PRICE - 1n, PRICE + 1n]) {
        await expect(sendBuy(f, f.bob, plan, value))
          .to.be.revertedWithCustomError(f.market, "AgentMarketWrongPayment")
          .withArgs(PRICE, value);
      }
    });

    it("refuses an unknown listing, a second buyer and the seller itself", async function () {
      const listingId = await listAgent(f);
      const plan = await buyPlan(f, f.bob, listingId);
      await expect(sendBuy(f, f.bob, { ...plan, listingId: 9n }))
        .to.be.revertedWithCustomError(f.market, "AgentMarketNotOpen")
        .withArgs(9n);
      await expect(sendBuy(f, f.alice, plan)).to.be.revertedWithCustomError(f.market, "AgentMarketSelfPurchase");
      await sendBuy(f, f.bob, plan);
      await expect(sendBuy(f, f.carol, await buyPlan(f, f.carol, listingId)))
        .to.be.revertedWithCustomError(f.market, "AgentMarketPurchasePending")
        .withArgs(listingId);
    });

    it("refuses when the seller no longer owns the token or revoked the market", async function () {
      const listingId = await listAgent(f);
      const plan = await buyPlan(f, f.carol, listingId);
      await f.nft.connect(f.alice).setApprovalForAll(f.marketAddress, false);
      await expect(sendBuy(f, f.carol, plan))
        .to.be.revertedWithCustomError(f.market, "AgentMarketNotApproved")
        .withArgs(f.tokenId);
      const { proofs } = await sellerProofsForDirectTransfer(f);
      await f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, proofs);
      await expect(sendBuy(f, f.carol, plan))
        .to.be.revertedWithCustomError(f.market, "AgentMarketSellerNotOwner")
        .withArgs(f.tokenId, f.alice.address, f.bob.address);
    });

    it("refuses when the seller updated the data after the buyer looked (nonce moved)", async function () {
      const listingId = await listAgent(f);
      const plan = await buyPlan(f, f.bob, listingId);
      const key = randomDataKey();
      const entry = intelligentData("other", ethers.id("other data"), key);
      await f.nft.connect(f.alice).update(f.tokenId, [entry], [sealTee(key, f.keys.alice.publicKey)]);
      await expect(sendBuy(f, f.bob, plan))
        .to.be.revertedWithCustomError(f.market, "AgentMarketNonceChanged")
        .withArgs(0n, 1n);
    });

    it("refuses a key or consent count other than the entry count", async function () {
      const listingId = await listAgent(f);
      const plan = await buyPlan(f, f.bob, listingId);
      await expect(sendBuy(f, f.bob, { ...plan, receiverKeys: [] }))
        .to.be.revertedWithCustomError(f.market, "AgentMarketLengthMismatch")
        .withArgs(1n, 0n);
      await expect(sendBuy(f, f.bob, { ...plan, consents: [...plan.consents, plan.consents[0]] }))
        .to.be.revertedWithCustomError(f.market, "AgentMarketLengthMismatch")
        .withArgs(1n, 2n);
    });

    it("refuses a deadline outside the fulfil window", async function () {
      const listingId = await listAgent(f);
      const now = BigInt(await time.latest());
      for (const deadline of [now + 500n, now + 8n * 24n * HOUR]) {
        const plan = await buyPlan(f, f.bob, listingId, { deadline });
        await expect(sendBuy(f, f.bob, plan)).to.be.revertedWithCustomError(f.market, "AgentMarketBadDeadline");
      }
    });

    it("is stopped by pause", async function () {
      const listingId = await listAgent(f);
      const plan = await buyPlan(f, f.bob, listingId);
      await f.market.pause();
      await expect(sendBuy(f, f.bob, plan)).to.be.revertedWithCustomError(f.market, "EnforcedPause");
    });
  });

  describe("governance", function () {
    it("sets fee, treasury and window within bounds, only as admin", async function () {
      await expect(f.market.setFee(1000)).to.emit(f.market, "FeeUpdated").withArgs(1000n);
      await expect(f.market.setFee(1001))
        .to.be.revertedWithCustomError(f.market, "AgentMarketFeeTooHigh")
        .withArgs(1001n, 1000n);
      await expect(f.market.setTreasury(f.carol.address))
        .to.emit(f.market, "TreasuryUpdated")
        .withArgs(f.carol.address);
      await expect(f.market.setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.market,
        "AgentMarketZeroAddress",
      );
      await expect(f.market.setFulfillWindow(60, 60)).to.emit(f.market, "FulfillWindowUpdated").withArgs(60n, 60n);
      for (const [min, max] of [
        [59, 60],
        [120, 60],
        [60, 30 * 24 * 3600 + 1],
      ]) {
        await expect(f.market.setFulfillWindow(min, max))
          .to.be.revertedWithCustomError(f.market, "AgentMarketBadFulfillWindow")
          .withArgs(min, max);
      }
      const admin = await f.market.DEFAULT_ADMIN_ROLE();
      await expect(f.market.connect(f.bob).setFee(0))
        .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
        .withArgs(f.bob.address, admin);
      await expect(f.market.connect(f.bob).pause()).to.be.revertedWithCustomError(
        f.market,
        "AccessControlUnauthorizedAccount",
      );
    });
  });
});
