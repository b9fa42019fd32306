// AgentMarket gas: one TEE-mode sale of a one-entry agent (list, buy with one receiver key and consent, fulfil with
// one oracle-signed proof), plus cancel and refund, on the in-process network with the real NFT and verifier.
// Run: npm run bench:market  (npx hardhat run bench/market.ts; writes bench/reports/market-gas.json)
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { buyPlan, listAgent, marketFixture, sellerProofs, sendBuy } from "../test/market/helpers";
import { writeReport } from "./report";

async function main() {
  const f = await marketFixture();
  const gas = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
    Number((await (await tx).wait())!.gasUsed);

  const listGas = await gas(f.market.connect(f.alice).list(f.tokenId, 10n ** 18n));
  const listingId = await f.market.listingCount();
  const buyGas = await gas(sendBuy(f, f.bob, await buyPlan(f, f.bob, listingId)));
  const { proofs } = await sellerProofs(f, listingId);
  const fulfillGas = await gas(f.market.connect(f.dave).fulfill(listingId, proofs));

  // bob relists and cancels; carol buys bob's listing and is refunded after the deadline.
  await f.nft.connect(f.bob).setApprovalForAll(f.marketAddress, true);
  const cancelGas = await gas(
    (async () => {
      const id = await listAgent(f, { seller: f.bob });
      return f.market.connect(f.bob).cancel(id);
    })(),
  );
  const id = await listAgent(f, { seller: f.bob });
  const plan = await buyPlan(f, f.carol, id, { receiverKey: f.keys.carol.publicKey });
  await sendBuy(f, f.carol, plan);
  await time.increaseTo(plan.deadline + 1n);
  const refundGas = await gas(f.market.connect(f.dave).refund(id));

  const results = { list: listGas, buy: buyGas, fulfill: fulfillGas, cancel: cancelGas, refund: refundGas };
  console.log(JSON.stringify(results));
  const file = writeReport("market-gas", {
    note:
      "Whole-transaction gas (21k base + calldata). buy carries one 65-byte receiver key and one consent; fulfill " +
      "one TEE proof: the market's checks, AgentNFT.iTransferFrom (consent + oracle signature recovery, sealed key " +
      "storage) and two payments.",
    entries: 1,
    mode: "tee",
    results,
  });
  console.log(`wrote ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
