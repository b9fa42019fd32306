// Step 5, agent: alice publishes an agent iNFT whose encrypted manifest lives on the storage nodes (the library of
// `zg market agent publish`), lists it on AgentMarket, bob buys it with his receiver key and consent, alice delivers
// through the devnet's TEE oracle (`zg market list | buy | fulfill`), and bob opens it from storage with his own
// key (`zg market agent open`). The figures: the Sold event, the token's owner, and the manifest bob decrypts.
import { Contract, formatEther, getAddress, parseEther } from "ethers";
import type { ChainClient } from "../../common/chain";
import { isZgError, ZgError } from "../../common/errors";
import { AGENT_FORMAT, type AgentManifest } from "../../market/agent";
import { agentMarket, MARKET_NFT_ABI } from "../../market/chain";
import { openAgent, publishAgent } from "../../market/executor";
import { accountReceiverKey, buildSaleProofs, oracleAt, prepareBuy, saleDeadline, sendSaleTx } from "../../market/sale";
import type { DemoContext, DemoErrorCode } from "./context";

const PRICE = parseEther("1.5");
const MANIFEST: AgentManifest = {
  format: AGENT_FORMAT,
  name: "zg demo navigator",
  systemPrompt: "You are a ship's navigator. Answer in one short sentence.",
  maxTokens: 16,
};

export interface AgentResult {
  tokenId: bigint;
  listingId: bigint;
  buyer: string;
  txHash: string;
}

/** AgentMarket and its AgentNFT, signing as `client`'s account. */
async function marketOf(client: ChainClient) {
  const market = agentMarket(client);
  const nft = new Contract((await market.nft()) as string, MARKET_NFT_ABI, client.signer);
  return { market, nft, both: [market, nft] };
}

export async function agentStep(ctx: DemoContext): Promise<AgentResult> {
  const storageNodes = ctx.devnet.services.storageNodes;
  const published = await publishAgent(ctx.alice, MANIFEST, storageNodes, ctx.logger);
  const { tokenId } = published;
  ctx.say(`minted agent ${tokenId} "${MANIFEST.name}", data ${published.dataHash} on storage (tx ${published.txHash})`);

  const seller = await marketOf(ctx.alice);
  const marketAddress = await seller.market.getAddress();
  await sendSaleTx(seller.both, async () => (await seller.nft.approve(marketAddress, tokenId)).wait());
  const listed = await sendSaleTx(seller.both, async () => (await seller.market.list(tokenId, PRICE)).wait());
  const listingId = (await seller.market.openListingOf(tokenId)) as bigint;
  ctx.say(`listed it as listing ${listingId} for ${formatEther(PRICE)} tokens (tx ${listed.hash})`);

  const buyer = await marketOf(ctx.bob);
  const receiverKey = await accountReceiverKey(ctx.bob.signer);
  const [min, max] = (await buyer.market.fulfillWindow()) as [bigint, bigint];
  const now = BigInt((await ctx.bob.provider.getBlock("latest"))!.timestamp);
  const plan = await prepareBuy(buyer.market, buyer.nft, ctx.bob.signer, listingId, {
    chainId: BigInt(ctx.bob.chainId),
    receiverKey,
    deadline: saleDeadline(now, { min, max }, 3600n),
  });
  const bought = await sendSaleTx(buyer.both, async () =>
    (
      await buyer.market.buy(listingId, plan.nonce, plan.receiverKeys, plan.consents, plan.deadline, {
        value: plan.price,
      })
    ).wait(),
  );
  ctx.say(`bob paid ${formatEther(plan.price)} tokens into escrow (tx ${bought.hash})`);

  const oracle = await oracleAt(ctx.devnet.services.inftOracles[0]);
  const { proofs } = await buildSaleProofs(seller.market, seller.nft, listingId, {
    chainId: BigInt(ctx.alice.chainId),
    sellerKey: ctx.alice.signer.privateKey,
    oracle,
  });
  const sold = await sendSaleTx(seller.both, async () => (await seller.market.fulfill(listingId, proofs)).wait());
  const event = sold.logs
    .map((log: { topics: string[]; data: string }) => seller.market.interface.parseLog(log))
    .find((parsed: { name: string } | null) => parsed?.name === "Sold");
  const owner = getAddress((await seller.nft.ownerOf(tokenId)) as string);
  ctx.say(
    `fulfilled through the oracle ${ctx.devnet.services.inftOracles[0]} (tx ${sold.hash}): ` +
      `seller paid ${formatEther(event.args.price - event.args.fee)}, fee ${formatEther(event.args.fee)} tokens`,
  );
  ctx.say(`agent ${tokenId} owner: ${owner}`);
  if (owner !== ctx.bob.signer.address) {
    throw new ZgError<DemoErrorCode>("DEMO_STEP_FAILED", `agent ${tokenId} went to ${owner}, not bob`, {
      hint: `read ${sold.hash} on the devnet`,
    });
  }

  const opened = await openAgent(ctx.bob, tokenId, storageNodes, ctx.logger);
  if (opened.manifest.name !== MANIFEST.name || opened.manifest.systemPrompt !== MANIFEST.systemPrompt) {
    throw new ZgError<DemoErrorCode>("DEMO_STEP_FAILED", "bob's copy of the agent differs from what alice minted", {
      hint: "the oracle sealed a wrong key, or storage served other data",
    });
  }
  ctx.say(`bob opened it from storage with his own key: "${opened.manifest.name}"`);
  await openAgent(ctx.alice, tokenId, storageNodes, ctx.logger).then(
    () => {
      throw new ZgError<DemoErrorCode>("DEMO_STEP_FAILED", "alice can still open the agent she sold", {
        hint: "openAgent must refuse anyone but the owner",
      });
    },
    (err: unknown) => {
      if (!isZgError(err, "AGENT_NOT_OWNER")) throw err;
      ctx.say(`alice no longer can (AGENT_NOT_OWNER)`);
    },
  );
  return { tokenId, listingId, buyer: owner, txHash: sold.hash as string };
}
