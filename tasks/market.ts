// AgentMarket tasks: list an agent, buy it (keys and consents signed here), fulfil a purchase as the seller (TEE
// through an oracle, or ZK proved locally), cancel, refund an expired purchase, withdraw credits, show listings.
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { Contract, formatEther, isAddress, type Log, parseEther } from "ethers";
import { readKeyFile } from "../offchain/common/keys";
import { babyJubKeyPair, encodeBabyJubKey } from "../offchain/inft";
import { agentMarketAt, MARKET_NFT_ABI, MARKET_RECORD_NAME } from "../offchain/market/chain";
import {
  accountReceiverKey,
  buildSaleProofs,
  openListings,
  oracleAt,
  prepareBuy,
  readListing,
  saleDeadline,
} from "../offchain/market/sale";
import { releaseSnarkjsWorkers } from "../offchain/zk/workers";
import { accountSigner, recordedAddress, taskContext, type DeploymentArgs } from "./lib";

interface MarketArgs extends DeploymentArgs {
  account?: string;
}

async function marketContext(hre: HardhatRuntimeEnvironment, args: MarketArgs) {
  const ctx = await taskContext(hre, args);
  const signer = await accountSigner(hre, args.account);
  const market = agentMarketAt(recordedAddress(ctx, MARKET_RECORD_NAME), signer);
  const nft = new Contract((await market.nft()) as string, MARKET_NFT_ABI, signer);
  const chainId = (await hre.ethers.provider.getNetwork()).chainId;
  return { ctx, signer, market, nft, chainId };
}

function id(value: string, flag: string): bigint {
  if (!/^(0|[1-9][0-9]{0,77})$/.test(value)) throw new Error(`--${flag} ${value} is not a whole number`);
  return BigInt(value);
}

async function chainNow(hre: HardhatRuntimeEnvironment): Promise<bigint> {
  // The chain's clock, not this machine's: a devnet may run ahead of wall time.
  return BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
}

function marketTask(name: string, description: string) {
  return task(name, description)
    .addOptionalParam("account", "account index or address to act as (default: the first)")
    .addOptionalParam("deployments", "folder of <chainId>.json deployment records");
}

marketTask("market:list", "Lists an agent for sale (approves the market for it first when needed)")
  .addParam("token", "token id")
  .addParam("price", "price in native tokens, such as 1.5")
  .addOptionalParam("nft", "the AgentNFT address (checked against the market's)")
  .setAction(async (args, hre) => {
    const { signer, market, nft } = await marketContext(hre, args);
    const tokenId = id(args.token, "token");
    const marketAddress = await market.getAddress();
    if (args.nft && (!isAddress(args.nft) || args.nft.toLowerCase() !== (await nft.getAddress()).toLowerCase())) {
      throw new Error(`--nft ${args.nft}: this market sells agents of ${await nft.getAddress()} only`);
    }
    let price: bigint;
    try {
      price = parseEther(args.price);
    } catch {
      throw new Error(`--price ${args.price} is not an amount of tokens such as 1.5`);
    }
    const approved =
      (await nft.getApproved(tokenId)) === marketAddress || (await nft.isApprovedForAll(signer.address, marketAddress));
    if (!approved) await (await nft.approve(marketAddress, tokenId)).wait();
    const receipt = await (await market.list(tokenId, price)).wait();
    const listingId = (receipt.logs as Log[])
      .map((log) => market.interface.parseLog(log))
      .find((parsed) => parsed?.name === "Listed")?.args.listingId as bigint;
    console.log(`listed agent ${tokenId} as listing ${listingId} for ${formatEther(price)} (tx ${receipt.hash})`);
  });

marketTask("market:buy", "Buys a listing: pays into escrow with your receiver key and signed consents")
  .addParam("listing", "listing id")
  .addOptionalParam(
    "zkKeyFile",
    "ZK delivery: file with the seed of your Baby Jubjub key (default: TEE, your account key)",
  )
  .addOptionalParam("ttl", "seconds the seller has to deliver (kept inside the market's window)", "86400")
  .setAction(async (args, hre) => {
    const { signer, market, nft, chainId } = await marketContext(hre, args);
    const listingId = id(args.listing, "listing");
    const receiverKey = args.zkKeyFile
      ? encodeBabyJubKey(babyJubKeyPair(readKeyFile(args.zkKeyFile)).publicKey)
      : await accountReceiverKey(signer);
    const [min, max] = (await market.fulfillWindow()) as [bigint, bigint];
    const deadline = saleDeadline(await chainNow(hre), { min, max }, id(args.ttl, "ttl"));
    const plan = await prepareBuy(market, nft, signer, listingId, { chainId, receiverKey, deadline });
    const tx = await market.buy(listingId, plan.nonce, plan.receiverKeys, plan.consents, deadline, {
      value: plan.price,
    });
    const receipt = await tx.wait();
    console.log(
      `bought listing ${listingId} (agent ${plan.tokenId}) for ${formatEther(plan.price)}: ` +
        `${args.zkKeyFile ? "zk" : "tee"} delivery by ${deadline} (tx ${receipt.hash})`,
    );
  });

marketTask("market:fulfill", "Seller: delivers a pending purchase with transfer proofs and is paid")
  .addParam("listing", "listing id")
  .addParam("keyFile", "file with the secp256k1 key the token's data keys are sealed to (the seller's)")
  .addOptionalParam("oracle", "TEE oracle URL (the buyer paid for TEE delivery)")
  .addFlag("zk", "prove the re-sealing locally (the buyer paid with a Baby Jubjub key)")
  .setAction(async (args, hre) => {
    const { market, nft, chainId } = await marketContext(hre, args);
    const listingId = id(args.listing, "listing");
    const oracle = args.zk || !args.oracle ? undefined : await oracleAt(args.oracle);
    const sellerKey = readKeyFile(args.keyFile);
    const { purchase, proofs } = await buildSaleProofs(market, nft, listingId, {
      chainId,
      sellerKey,
      zk: args.zk,
      oracle,
    });
    if (args.zk) await releaseSnarkjsWorkers();
    const receipt = await (await market.fulfill(listingId, proofs)).wait();
    console.log(
      `sold agent ${purchase.tokenId} to ${purchase.buyer} for ${formatEther(purchase.amount)} ` +
        `(gas ${receipt.gasUsed}, tx ${receipt.hash})`,
    );
  });

for (const [name, what] of [
  ["market:cancel", "Seller: cancels a listing with no pending purchase"],
  ["market:refund", "Refunds a purchase whose deadline passed (anyone may call)"],
] as const) {
  marketTask(name, what)
    .addParam("listing", "listing id")
    .setAction(async (args, hre) => {
      const { market } = await marketContext(hre, args);
      const listingId = id(args.listing, "listing");
      const listing = await readListing(market, listingId);
      const fn = name === "market:cancel" ? market.cancel : market.refund;
      const receipt = await (await fn(listingId)).wait();
      console.log(
        `${name === "market:cancel" ? "cancelled" : "refunded"} listing ${listingId} (agent ${listing.tokenId}, tx ${receipt.hash})`,
      );
    });
}

marketTask(
  "market:withdraw",
  "Withdraws payments the market credited to you (your receive function reverted)",
).setAction(async (args, hre) => {
  const { signer, market } = await marketContext(hre, args);
  const owed = (await market.owed(signer.address)) as bigint;
  const receipt = await (await market.withdraw()).wait();
  console.log(`withdrew ${formatEther(owed)} (tx ${receipt.hash})`);
});

marketTask("market:listings", "Prints open listings, pending purchases and their deadlines").setAction(
  async (args, hre) => {
    const { market } = await marketContext(hre, args);
    const now = await chainNow(hre);
    const rows = await openListings(market);
    if (rows.length === 0) console.log("no open listings");
    for (const r of rows) {
      const pending = r.buyer
        ? `pending: ${r.buyer} until ${r.deadline} (${r.deadline! >= now ? `${r.deadline! - now}s left` : "expired: refundable"})`
        : "open";
      console.log(`listing ${r.listingId}: agent ${r.tokenId} by ${r.seller} for ${formatEther(r.price)}, ${pending}`);
    }
  },
);
