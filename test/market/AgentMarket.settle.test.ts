// AgentMarket after a purchase: fulfil (TEE proofs, and one Groth16 sale), refund after the lock, withdraw. Listing,
// cancelling and buying are in AgentMarket.test.ts.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  babyJubKeyPair,
  decodeZkSealedKey,
  decryptData,
  encodeBabyJubKey,
  intelligentData,
  openTee,
  openZk,
  randomDataKey,
  sealTee,
} from "../../offchain/inft";
import { readPurchase, zkSaleProofs } from "../../offchain/market/sale";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";
import type { MarketPartyMock } from "../../typechain-types";
import { PLAINTEXT } from "../inft/helpers";
import {
  balance,
  buyPlan,
  listAgent,
  type MarketFixture,
  marketFixture,
  pendingSale,
  PRICE,
  sellerProofs,
  sellerProofsForDirectTransfer,
  sendBuy,
} from "./helpers";

const FEE = (PRICE * 250n) / 10_000n;
enum Mode {
  Accept,
  Reject,
  Reenter,
}

describe("AgentMarket settlement", function () {
  let f: MarketFixture;
  beforeEach(async function () {
    f = await loadFixture(marketFixture);
  });
  after(releaseSnarkjsWorkers);

  async function party(): Promise<MarketPartyMock> {
    const factory = await ethers.getContractFactory("MarketPartyMock");
    return (await factory.deploy(f.marketAddress)) as unknown as MarketPartyMock;
  }

  /** bob's purchase paid from a contract wallet whose consents dave signs as its access delegate. */
  async function contractBuyer(mode: Mode) {
    const buyer = await party();
    await buyer.delegate(f.dave.address);
    const listingId = await listAgent(f);
    const plan = await buyPlan(f, f.dave, listingId, { receiver: await buyer.getAddress() });
    const data = f.market.interface.encodeFunctionData("buy", [
      listingId,
      plan.nonce,
      plan.receiverKeys,
      plan.consents,
      plan.deadline,
    ]);
    await buyer.setMode(mode, f.market.interface.encodeFunctionData("refund", [listingId]));
    await buyer.call(data, { value: PRICE });
    return { buyer, listingId, plan };
  }

  describe("fulfill", function () {
    it("moves the agent with its key re-sealed to the buyer and pays seller and treasury exactly", async function () {
      const listingId = await pendingSale(f);
      const { proofs } = await sellerProofs(f, listingId);
      await f.market.pause(); // fulfil always works
      const tx = f.market.connect(f.dave).fulfill(listingId, proofs);
      await expect(tx)
        .to.emit(f.market, "Sold")
        .withArgs(listingId, f.tokenId, f.alice.address, f.bob.address, PRICE, FEE);
      await expect(tx).to.changeEtherBalances([f.market, f.alice, f.treasury, f.bob], [-PRICE, PRICE - FEE, FEE, 0n]);
      expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.bob.address);
      const key = openTee((await f.nft.sealedKeysOf(f.tokenId))[0], f.keys.bob.privateKey);
      expect(decryptData(key, f.blob)).to.deep.equal(PLAINTEXT);
      expect((await f.market.listing(listingId)).status).to.equal(3n);
      expect(await f.market.openListingOf(f.tokenId)).to.equal(0n);
      expect(await f.market.escrowed()).to.equal(0n);
      expect((await f.market.purchase(listingId)).buyer).to.equal(ethers.ZeroAddress);
      await expect(f.market.fulfill(listingId, proofs))
        .to.be.revertedWithCustomError(f.market, "AgentMarketNotOpen")
        .withArgs(listingId);
    });

    it("charges the fee fixed at purchase time", async function () {
      const listingId = await pendingSale(f);
      await f.market.setFee(1000);
      const { proofs } = await sellerProofs(f, listingId);
      await expect(f.market.fulfill(listingId, proofs)).to.changeEtherBalances([f.treasury], [FEE]);
    });

    it("refuses a listing with no purchase and a purchase past its deadline", async function () {
      const listingId = await listAgent(f);
      await expect(f.market.fulfill(listingId, []))
        .to.be.revertedWithCustomError(f.market, "AgentMarketNoPurchase")
        .withArgs(listingId);
      await sendBuy(f, f.bob, await buyPlan(f, f.bob, listingId));
      const { proofs, purchase } = await sellerProofs(f, listingId);
      await time.increaseTo(purchase.deadline + 1n);
      await expect(f.market.fulfill(listingId, proofs))
        .to.be.revertedWithCustomError(f.market, "AgentMarketPurchaseExpired")
        .withArgs(purchase.deadline);
    });

    it("refuses proofs for another receiver key or with other terms", async function () {
      const listingId = await pendingSale(f);
      const { proofs } = await sellerProofs(f, listingId);
      await expect(
        f.market.fulfill(listingId, [{ ...proofs[0], receiverKey: f.keys.carol.publicKey }]),
      ).to.be.revertedWithCustomError(f.market, "AgentMarketConsentMismatch");
      await expect(f.market.fulfill(listingId, [{ ...proofs[0], deadline: proofs[0].deadline - 1n }]))
        .to.be.revertedWithCustomError(f.market, "AgentMarketProofTermsMismatch")
        .withArgs(0n);
      await expect(f.market.fulfill(listingId, [])).to.be.revertedWithCustomError(
        f.market,
        "AgentMarketConsentMismatch",
      );
    });

    it("fails on a wrong consent (AgentNFT refuses it) and the buyer is refunded after the deadline", async function () {
      const listingId = await listAgent(f);
      // carol signs bob's consents: not bob, not bob's delegate.
      const plan = await buyPlan(f, f.carol, listingId, { receiver: f.bob.address });
      await sendBuy(f, f.bob, plan);
      const { proofs } = await sellerProofs(f, listingId);
      await expect(f.market.fulfill(listingId, proofs))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTInvalidConsent")
        .withArgs(f.carol.address);
      await time.increaseTo(plan.deadline + 1n);
      await expect(f.market.connect(f.dave).refund(listingId)).to.changeEtherBalances(
        [f.bob, f.market],
        [PRICE, -PRICE],
      );
      expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.alice.address);
    });

    it("cannot pay a seller who updated the token after the purchase", async function () {
      const listingId = await pendingSale(f);
      const { proofs } = await sellerProofs(f, listingId);
      const key = randomDataKey();
      const entry = intelligentData("other", ethers.id("other data"), key);
      await f.nft.connect(f.alice).update(f.tokenId, [entry], [sealTee(key, f.keys.alice.publicKey)]);
      await expect(f.market.fulfill(listingId, proofs))
        .to.be.revertedWithCustomError(f.nft, "AgentNFTStaleNonce")
        .withArgs(1n, 0n);
      expect(await f.market.escrowed()).to.equal(PRICE);
    });

    it("cannot pay a seller who moved the token after the purchase", async function () {
      const listingId = await listAgent(f);
      await sendBuy(f, f.carol, await buyPlan(f, f.carol, listingId, { receiverKey: f.keys.carol.publicKey }));
      const { proofs } = await sellerProofs(f, listingId);
      const { proofs: direct } = await sellerProofsForDirectTransfer(f);
      await f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.bob.address, f.tokenId, direct);
      await expect(f.market.fulfill(listingId, proofs))
        .to.be.revertedWithCustomError(f.nft, "ERC721IncorrectOwner")
        .withArgs(f.alice.address, f.tokenId, f.bob.address);
      expect(await f.market.escrowed()).to.equal(PRICE);
    });

    it("credits a seller contract that rejects the payment; it withdraws later", async function () {
      const seller = await party();
      const sellerAddress = await seller.getAddress();
      const key = randomDataKey();
      await f.nft.mint(
        sellerAddress,
        [intelligentData("m", ethers.id("m"), key)],
        [sealTee(key, f.keys.carol.publicKey)],
      );
      await seller.approveMarket();
      await seller.setMode(Mode.Reject, "0x");
      await seller.call(f.market.interface.encodeFunctionData("list", [2n, PRICE]));
      await sendBuy(f, f.bob, await buyPlan(f, f.bob, 1n));
      const { proofs } = await sellerProofs(f, 1n, f.keys.carol.privateKey);
      await expect(f.market.fulfill(1n, proofs))
        .to.emit(f.market, "Credited")
        .withArgs(sellerAddress, PRICE - FEE);
      expect(await f.market.owed(sellerAddress)).to.equal(PRICE - FEE);
      await seller.setMode(Mode.Accept, "0x");
      const withdraw = seller.call(f.market.interface.encodeFunctionData("withdraw"));
      await expect(withdraw)
        .to.emit(f.market, "Withdrawn")
        .withArgs(sellerAddress, PRICE - FEE);
      await expect(withdraw).to.changeEtherBalances([seller, f.market], [PRICE - FEE, FEE - PRICE]);
      expect(await balance(f.marketAddress)).to.equal(0n);
    });
  });

  describe("refund", function () {
    it("returns the payment once the deadline has passed and closes the listing", async function () {
      const listingId = await pendingSale(f);
      const { deadline } = await f.market.purchase(listingId);
      await time.setNextBlockTimestamp(deadline);
      await expect(f.market.refund(listingId))
        .to.be.revertedWithCustomError(f.market, "AgentMarketNotExpired")
        .withArgs(deadline);
      await f.market.pause(); // refund always works
      const tx = f.market.connect(f.dave).refund(listingId);
      await expect(tx).to.emit(f.market, "Refunded").withArgs(listingId, f.tokenId, f.bob.address, PRICE);
      await expect(tx).to.changeEtherBalances([f.bob, f.market], [PRICE, -PRICE]);
      expect((await f.market.listing(listingId)).status).to.equal(4n);
      expect(await f.market.escrowed()).to.equal(0n);
      await expect(f.market.refund(listingId)).to.be.revertedWithCustomError(f.market, "AgentMarketNotOpen");
      await f.market.unpause();
      await f.market.connect(f.alice).list(f.tokenId, PRICE);
    });

    it("refuses a listing with no purchase", async function () {
      const listingId = await listAgent(f);
      await expect(f.market.refund(listingId))
        .to.be.revertedWithCustomError(f.market, "AgentMarketNoPurchase")
        .withArgs(listingId);
    });

    it("credits a buyer contract that rejects the refund", async function () {
      const { buyer, plan, listingId } = await contractBuyer(Mode.Reject);
      await time.increaseTo(plan.deadline + 1n);
      await expect(f.market.refund(listingId))
        .to.emit(f.market, "Credited")
        .withArgs(await buyer.getAddress(), PRICE);
      expect(await balance(f.marketAddress)).to.equal(PRICE);
      await expect(buyer.call(f.market.interface.encodeFunctionData("withdraw")))
        .to.be.revertedWithCustomError(f.market, "AgentMarketPaymentFailed")
        .withArgs(await buyer.getAddress());
      expect(await f.market.owed(await buyer.getAddress())).to.equal(PRICE);
    });

    it("pays a reentrant buyer once: its reentry into refund fails", async function () {
      const { buyer, plan, listingId } = await contractBuyer(Mode.Reenter);
      await time.increaseTo(plan.deadline + 1n);
      await expect(f.market.refund(listingId)).to.changeEtherBalances([buyer, f.market], [PRICE, -PRICE]);
      expect(await buyer.reentriesTried()).to.equal(1n);
      expect(await buyer.reentriesSucceeded()).to.equal(0n);
      expect(await f.market.owed(await buyer.getAddress())).to.equal(0n);
    });
  });

  describe("withdraw", function () {
    it("refuses an account owed nothing", async function () {
      await expect(f.market.connect(f.bob).withdraw())
        .to.be.revertedWithCustomError(f.market, "AgentMarketNothingOwed")
        .withArgs(f.bob.address);
    });

    it("pays a reentrant account once: its reentry into withdraw fails", async function () {
      const { buyer, plan, listingId } = await contractBuyer(Mode.Reject);
      await time.increaseTo(plan.deadline + 1n);
      await f.market.refund(listingId);
      await buyer.setMode(Mode.Reenter, f.market.interface.encodeFunctionData("withdraw"));
      await f.market.pause(); // withdraw always works
      const tx = buyer.call(f.market.interface.encodeFunctionData("withdraw"));
      await expect(tx).to.changeEtherBalances([buyer, f.market], [PRICE, -PRICE]);
      expect(await buyer.reentriesSucceeded()).to.equal(0n);
      expect(await f.market.owed(await buyer.getAddress())).to.equal(0n);
    });
  });

  describe("a ZK-mode sale", function () {
    it("sells the agent with a Groth16 proof and the buyer opens the key", async function () {
      const bobZk = babyJubKeyPair("bob market zk key");
      const listingId = await listAgent(f);
      await sendBuy(f, f.bob, await buyPlan(f, f.bob, listingId, { receiverKey: encodeBabyJubKey(bobZk.publicKey) }));
      const purchase = await readPurchase(f.saleMarket, listingId);
      const proofs = await zkSaleProofs(purchase, [f.key]);
      await expect(f.market.fulfill(listingId, proofs)).to.changeEtherBalances(
        [f.alice, f.treasury],
        [PRICE - FEE, FEE],
      );
      const sealed = decodeZkSealedKey((await f.nft.sealedKeysOf(f.tokenId))[0]);
      expect(decryptData(openZk(sealed, bobZk.secret), f.blob)).to.deep.equal(PLAINTEXT);
    });
  });
});
