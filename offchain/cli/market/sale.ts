// `zg market list|buy|cancel|fulfill|refund|withdraw|listings`: fixed-price sales of agent iNFTs on AgentMarket.
// The buyer pays into escrow with its receiver key and signed consents; the seller delivers transfer proofs (TEE
// through an oracle, or ZK proved locally) and is paid; an undelivered purchase is refunded after its deadline.
import { Command } from "commander";
import { Contract, type ContractTransactionResponse, formatEther, parseEther } from "ethers";
import type { ChainClient } from "../../common/chain";
import { ZgError } from "../../common/errors";
import { readKeyFile } from "../../common/keys";
import { babyJubKeyPair, encodeBabyJubKey } from "../../inft/zk";
import { agentMarket, MARKET_NFT_ABI } from "../../market/chain";
import {
  accountReceiverKey,
  buildSaleProofs,
  openListings,
  oracleAt,
  prepareBuy,
  readListing,
  saleDeadline,
  sendSaleTx,
} from "../../market/sale";
import { releaseSnarkjsWorkers } from "../../zk/workers";
import { type ChainFlags, withChain } from "./common";

interface SaleFlags extends ChainFlags {
  json?: boolean;
}

interface Sale {
  client: ChainClient;
  market: Contract;
  nft: Contract;
  chainId: bigint;
}

function withFlags(command: Command, keyRequired = true): Command {
  if (keyRequired) command.requiredOption("--key-file <file>", "your Ethereum key (0x + 64 hex digits)");
  else command.option("--key-file <file>", "your Ethereum key (0x + 64 hex digits)");
  return command
    .option("--rpc <url>", "JSON-RPC URL (default http://127.0.0.1:8545)")
    .option("--deployments <dir>", "folder of <chainId>.json deployment records")
    .option("--log-level <level>", "fatal | error | warn | info | debug | trace")
    .option("--json", "print the result as JSON");
}

/** Sends a transaction and waits for it; a revert becomes a ZgError naming the contract's error. */
function mine(sale: Sale, send: () => Promise<ContractTransactionResponse>) {
  return sendSaleTx([sale.market, sale.nft], async () => (await (await send()).wait())!);
}

async function withSale<T>(flags: SaleFlags, fn: (sale: Sale) => Promise<T>): Promise<T> {
  return withChain(flags, async (client) => {
    const market = agentMarket(client);
    const nft = new Contract((await market.nft()) as string, MARKET_NFT_ABI, client.signer ?? client.provider);
    return fn({ client, market, nft, chainId: BigInt(client.chainId) });
  });
}

function whole(value: string, flag: string): bigint {
  if (!/^(0|[1-9][0-9]{0,77})$/.test(value)) {
    throw new ZgError("CONFIG_INVALID", `${flag} ${value} is not a whole number`, { hint: `pass ${flag} <n>` });
  }
  return BigInt(value);
}

function tokens(value: string, flag: string): bigint {
  if (!/^\d+(\.\d{1,18})?$/.test(value)) {
    throw new ZgError("CONFIG_INVALID", `${flag} ${value} is not an amount of tokens`, { hint: "write it like 1.5" });
  }
  return parseEther(value);
}

/** One line for people, or one JSON object (bigints as decimal strings) with --json. */
function print(flags: SaleFlags, line: string, result: Record<string, unknown>): void {
  if (flags.json) console.log(JSON.stringify(result, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
  else console.log(line);
}

async function chainNow(client: ChainClient): Promise<bigint> {
  return BigInt((await client.provider.getBlock("latest"))!.timestamp);
}

function listCommand(): Command {
  return withFlags(
    new Command("list")
      .description("list your agent for sale (approves the market for it first when needed)")
      .requiredOption("--token <id>", "the agent")
      .requiredOption("--price <tokens>", "the price, such as 1.5"),
  ).action(async (flags: SaleFlags & { token: string; price: string }) => {
    const tokenId = whole(flags.token, "--token");
    const price = tokens(flags.price, "--price");
    await withSale(flags, async (sale) => {
      const { client, market, nft } = sale;
      const me = client.signer!.address;
      const marketAddress = await market.getAddress();
      const approved =
        (await nft.getApproved(tokenId)) === marketAddress || (await nft.isApprovedForAll(me, marketAddress));
      if (!approved) await mine(sale, () => nft.approve(marketAddress, tokenId));
      const receipt = await mine(sale, () => market.list(tokenId, price));
      const listingId = (await market.openListingOf(tokenId)) as bigint;
      print(flags, `listed agent ${tokenId} as listing ${listingId} for ${formatEther(price)} (tx ${receipt.hash})`, {
        listingId,
        tokenId,
        price,
        tx: receipt.hash,
      });
    });
  });
}

function buyCommand(): Command {
  return withFlags(
    new Command("buy")
      .description("buy a listing: pay into escrow with your receiver key and signed consents")
      .requiredOption("--listing <id>", "the listing")
      .option("--zk-key-file <file>", "ZK delivery to the Baby Jubjub key seeded by this file (default: TEE)")
      .option("--ttl <seconds>", "time the seller has to deliver (kept inside the market's window)", "86400"),
  ).action(async (flags: SaleFlags & { listing: string; zkKeyFile?: string; ttl: string }) => {
    const listingId = whole(flags.listing, "--listing");
    const ttl = whole(flags.ttl, "--ttl");
    await withSale(flags, async (sale) => {
      const { client, market, nft, chainId } = sale;
      const signer = client.signer!;
      // TEE: the account's own public key, so the buyer opens the data key with its --key-file.
      const receiverKey = flags.zkKeyFile
        ? encodeBabyJubKey(babyJubKeyPair(readKeyFile(flags.zkKeyFile)).publicKey)
        : await accountReceiverKey(signer);
      const [min, max] = (await market.fulfillWindow()) as [bigint, bigint];
      const deadline = saleDeadline(await chainNow(client), { min, max }, ttl);
      const plan = await prepareBuy(market, nft, signer, listingId, { chainId, receiverKey, deadline });
      const receipt = await mine(sale, () =>
        market.buy(listingId, plan.nonce, plan.receiverKeys, plan.consents, deadline, { value: plan.price }),
      );
      const mode = flags.zkKeyFile ? "zk" : "tee";
      print(
        flags,
        `bought listing ${listingId} (agent ${plan.tokenId}) for ${formatEther(plan.price)}: ${mode} delivery by ${deadline} (tx ${receipt.hash})`,
        { listingId, tokenId: plan.tokenId, price: plan.price, mode, deadline, tx: receipt.hash },
      );
    });
  });
}

function fulfillCommand(): Command {
  return withFlags(
    new Command("fulfill")
      .description("seller: deliver a pending purchase with transfer proofs and be paid")
      .requiredOption("--listing <id>", "the listing")
      .option("--oracle <url>", "the TEE oracle (the buyer paid for TEE delivery)")
      .option("--zk", "prove the re-sealing locally (the buyer paid with a Baby Jubjub key)")
      .option("--seal-key-file <file>", "the key the token's data keys are sealed to (default: --key-file)"),
  ).action(async (flags: SaleFlags & { listing: string; oracle?: string; zk?: boolean; sealKeyFile?: string }) => {
    const listingId = whole(flags.listing, "--listing");
    await withSale(flags, async (sale) => {
      const { market, nft, chainId } = sale;
      const sellerKey = readKeyFile(flags.sealKeyFile ?? flags.keyFile!);
      const oracle = flags.zk || !flags.oracle ? undefined : await oracleAt(flags.oracle);
      const { purchase, proofs } = await buildSaleProofs(market, nft, listingId, {
        chainId,
        sellerKey,
        zk: flags.zk,
        oracle,
      });
      if (flags.zk) await releaseSnarkjsWorkers();
      const receipt = await mine(sale, () => market.fulfill(listingId, proofs));
      print(
        flags,
        `sold agent ${purchase.tokenId} to ${purchase.buyer} for ${formatEther(purchase.amount)} (tx ${receipt.hash})`,
        { listingId, tokenId: purchase.tokenId, buyer: purchase.buyer, price: purchase.amount, tx: receipt.hash },
      );
    });
  });
}

function closeCommand(name: "cancel" | "refund"): Command {
  const what =
    name === "cancel"
      ? "seller: cancel a listing with no pending purchase"
      : "refund a purchase whose deadline passed (anyone may)";
  return withFlags(new Command(name).description(what).requiredOption("--listing <id>", "the listing")).action(
    async (flags: SaleFlags & { listing: string }) => {
      const listingId = whole(flags.listing, "--listing");
      await withSale(flags, async (sale) => {
        const { market } = sale;
        const { tokenId } = await readListing(market, listingId);
        const receipt = await mine(sale, () =>
          name === "cancel" ? market.cancel(listingId) : market.refund(listingId),
        );
        const done = name === "cancel" ? "cancelled" : "refunded";
        print(flags, `${done} listing ${listingId} (agent ${tokenId}, tx ${receipt.hash})`, {
          listingId,
          tokenId,
          tx: receipt.hash,
        });
      });
    },
  );
}

function withdrawCommand(): Command {
  return withFlags(
    new Command("withdraw").description("withdraw payments the market credited to you (your receiver reverted)"),
  ).action(async (flags: SaleFlags) => {
    await withSale(flags, async (sale) => {
      const { client, market } = sale;
      const amount = (await market.owed(client.signer!.address)) as bigint;
      const receipt = await mine(sale, () => market.withdraw());
      print(flags, `withdrew ${formatEther(amount)} (tx ${receipt.hash})`, { amount, tx: receipt.hash });
    });
  });
}

function listingsCommand(): Command {
  return withFlags(
    new Command("listings").description("show open listings, pending purchases and their deadlines"),
    false,
  ).action(async (flags: SaleFlags) => {
    await withSale(flags, async ({ client, market }) => {
      const rows = await openListings(market);
      if (flags.json) return print(flags, "", { listings: rows });
      const now = await chainNow(client);
      if (rows.length === 0) console.log("no open listings");
      for (const r of rows) {
        const left =
          r.deadline !== undefined && r.deadline >= now ? `${r.deadline - now}s left` : "expired: refundable";
        const state = r.buyer ? `pending: ${r.buyer} until ${r.deadline} (${left})` : "open";
        console.log(`listing ${r.listingId}: agent ${r.tokenId} by ${r.seller} for ${formatEther(r.price)}, ${state}`);
      }
    });
  });
}

/** The sale subcommands of `zg market`. */
export function saleCommands(): Command[] {
  return [
    listCommand(),
    buyCommand(),
    closeCommand("cancel"),
    fulfillCommand(),
    closeCommand("refund"),
    withdrawCommand(),
    listingsCommand(),
  ];
}
