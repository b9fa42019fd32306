// AgentMarket cases the main suite leaves out: a listing replaced while its purchase is pending, a proof for another
// nonce, the admin setters' access checks, the reported version.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { releaseSnarkjsWorkers } from "../../offchain/zk/workers";
import { entryTransfer, teeProof } from "../inft/helpers";
import { type MarketFixture, marketFixture, pendingSale, PRICE, sellerProofs } from "./helpers";

describe("AgentMarket (edges)", function () {
  let f: MarketFixture;
  beforeEach(async function () {
    f = await loadFixture(marketFixture);
  });
  after(releaseSnarkjsWorkers);

  it("refuses a new owner's listing while the old listing's purchase still waits for its refund", async function () {
    const listingId = await pendingSale(f);
    // The seller moves the token outside the market; the buyer's money stays escrowed until the deadline.
    const proof = await teeProof(f, await entryTransfer(f, f.carol.address), f.keys.carol.publicKey, f.carol);
    await f.nft.connect(f.alice).iTransferFrom(f.alice.address, f.carol.address, f.tokenId, [proof]);
    await f.nft.connect(f.carol).setApprovalForAll(f.marketAddress, true);
    await expect(f.market.connect(f.carol).list(f.tokenId, PRICE))
      .to.be.revertedWithCustomError(f.market, "AgentMarketPurchasePending")
      .withArgs(listingId);
    expect(await f.market.openListingOf(f.tokenId)).to.equal(listingId);
    expect(await f.market.escrowed()).to.equal(PRICE);
  });

  it("refuses a proof made for another transfer nonce", async function () {
    const listingId = await pendingSale(f);
    const { proofs } = await sellerProofs(f, listingId);
    await expect(f.market.fulfill(listingId, [{ ...proofs[0], nonce: proofs[0].nonce + 1n }]))
      .to.be.revertedWithCustomError(f.market, "AgentMarketProofTermsMismatch")
      .withArgs(0n);
    expect(await f.nft.ownerOf(f.tokenId)).to.equal(f.alice.address);
  });

  it("lets only the admin set the treasury and the fulfil window", async function () {
    const admin = await f.market.DEFAULT_ADMIN_ROLE();
    await expect(f.market.connect(f.bob).setTreasury(f.bob.address))
      .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
      .withArgs(f.bob.address, admin);
    await expect(f.market.connect(f.bob).setFulfillWindow(60, 120))
      .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
      .withArgs(f.bob.address, admin);
    expect(await f.market.treasury()).to.equal(f.treasury.address);
  });

  it("reports its version", async function () {
    expect(await f.market.version()).to.equal("1.0.0");
  });
});
