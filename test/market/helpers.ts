import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { Contract, parseEther, type Signer } from "ethers";
import { handleTransfer, teePublicKey, type TransferValidityProof } from "../../offchain/inft";
import { MARKET_NFT_ABI } from "../../offchain/market/chain";
import {
  type BuyPlan,
  openSellerKeys,
  type PendingPurchase,
  prepareBuy,
  readPurchase,
  type SaleOracle,
  teeSaleProofs,
} from "../../offchain/market/sale";
import type { AgentMarket } from "../../typechain-types";
import { entryTransfer, inftFixture, teeProof } from "../inft/helpers";

export const PRICE = parseEther("1");
export const HOUR = 3600n;

/**
 * The protocol deployed through the deploy code (inft + market modules), an acknowledged TEE oracle, alice's agent
 * (token 1, one entry sealed to alice's encryption key) approved for the market, and a dedicated treasury.
 */
export async function marketFixture() {
  const f = await inftFixture();
  const signers = await ethers.getSigners();
  const treasury = signers[6];
  const market = (await ethers.getContractAt(
    "AgentMarket",
    f.ctx.record.contracts.AgentMarket.address,
  )) as unknown as AgentMarket;
  const marketAddress = await market.getAddress();
  await market.setTreasury(treasury.address);
  await f.nft.connect(f.alice).setApprovalForAll(marketAddress, true);
  // Plain ethers contracts for the sale library (it runs without typechain types).
  const saleNft = new Contract(f.nftAddress, MARKET_NFT_ABI, ethers.provider);
  const saleMarket = new Contract(marketAddress, market.interface, ethers.provider);
  const oracle: SaleOracle = {
    publicKey: teePublicKey(f.keys.oracle),
    transfer: (request) => handleTransfer(f.keys.oracle, request),
  };
  return { ...f, market, marketAddress, treasury, saleNft, saleMarket, saleOracle: oracle };
}

export type MarketFixture = Awaited<ReturnType<typeof marketFixture>>;

/** Lists `tokenId` (default alice's token 1) as `seller` and returns the listing id. */
export async function listAgent(f: MarketFixture, options: { seller?: Signer; tokenId?: bigint; price?: bigint } = {}) {
  const seller = options.seller ?? f.alice;
  await f.market.connect(seller).list(options.tokenId ?? f.tokenId, options.price ?? PRICE);
  return f.market.listingCount();
}

/** The buyer's keys and consents for `listingId`, signed by `signer` (the buyer, or its delegate for `receiver`). */
export async function buyPlan(
  f: MarketFixture,
  signer: Signer,
  listingId: bigint,
  options: { receiverKey?: string; deadline?: bigint; receiver?: string } = {},
): Promise<BuyPlan> {
  return prepareBuy(f.saleMarket, f.saleNft, signer, listingId, {
    chainId: f.chainId,
    receiverKey: options.receiverKey ?? f.keys.bob.publicKey,
    deadline: options.deadline ?? BigInt(await time.latest()) + HOUR,
    receiver: options.receiver,
  });
}

/** Sends the purchase described by `plan` from `buyer`. */
export async function sendBuy(f: MarketFixture, buyer: Signer, plan: BuyPlan, value = plan.price) {
  return f.market
    .connect(buyer)
    .buy(plan.listingId, plan.nonce, plan.receiverKeys, plan.consents, plan.deadline, { value });
}

/** Lists alice's agent and has bob buy it (TEE receiver key bob's encryption key); returns the listing id. */
export async function pendingSale(f: MarketFixture, options: { deadline?: bigint } = {}) {
  const listingId = await listAgent(f);
  await sendBuy(f, f.bob, await buyPlan(f, f.bob, listingId, options));
  return listingId;
}

/** The seller's TEE-mode proofs for the pending purchase of `listingId` (the oracle runs in-process). */
export async function sellerProofs(
  f: MarketFixture,
  listingId: bigint,
  sellerKey = f.keys.alice.privateKey,
): Promise<{ purchase: PendingPurchase; proofs: TransferValidityProof[] }> {
  const purchase = await readPurchase(f.saleMarket, listingId);
  const datas = await f.nft.intelligentDatasOf(purchase.tokenId);
  const keys = openSellerKeys([...(await f.nft.sealedKeysOf(purchase.tokenId))], sellerKey);
  const proofs = await teeSaleProofs(
    purchase,
    { chainId: f.chainId, nft: f.nftAddress, teeVerifier: f.teeAddress, datas },
    keys,
    f.saleOracle,
  );
  return { purchase, proofs };
}

/** alice's direct transfer to bob (outside the market), built with the same helpers the sale uses. */
export async function sellerProofsForDirectTransfer(f: MarketFixture): Promise<{ proofs: TransferValidityProof[] }> {
  const proof = await teeProof(f, await entryTransfer(f, f.bob.address), f.keys.bob.publicKey, f.bob);
  return { proofs: [proof] };
}

/** Balance of `address` in wei. */
export async function balance(address: string): Promise<bigint> {
  return ethers.provider.getBalance(address);
}
