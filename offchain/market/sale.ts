/**
 * The two sides of an AgentMarket sale, shared by the `market:*` tasks and `zg market`: the buyer's receiver keys
 * and EIP-712 consents (given with the payment), and the seller's transfer proofs for a pending purchase (TEE mode
 * through an oracle, or ZK mode proved locally). Reads go through the given contracts; nothing here sends a
 * transaction.
 */
import { AbiCoder, type Contract, hashMessage, keccak256, type Signer, SigningKey } from "ethers";
import { ZgError } from "../common/errors";
import { type DataKey } from "../inft/data";
import { type TransferRequest, type TransferResponse, requestTransfer } from "../inft/oracle";
import { agentNftDomain, openTee, sealTee, signConsent, TransferMode } from "../inft/tee";
import type { TransferValidityProof } from "../inft/transfer";
import {
  checkBabyJubKey,
  encodeGroth16Proof,
  encodeZkSealedKey,
  inftCircuitInput,
  proveKeyTransfer,
  sealZk,
} from "../inft/zk";
import { toGroth16Calldata } from "../zk/groth16";
import { ListingStatus } from "./chain";

export type SaleErrorCode = "SALE_NOT_OPEN" | "SALE_NO_PURCHASE" | "SALE_BAD_KEY" | "SALE_ORACLE" | "SALE_REVERTED";

const coder = AbiCoder.defaultAbiCoder();

/** The message a buyer signs so that its secp256k1 public key (its TEE receiver key) can be recovered. */
export const RECEIVER_KEY_MESSAGE = "zg market: reveal my public key as my agent receiver key";

export interface SaleListing {
  listingId: bigint;
  tokenId: bigint;
  seller: string;
  price: bigint;
  status: ListingStatus;
}

export interface PendingPurchase extends SaleListing {
  buyer: string;
  amount: bigint;
  feeBps: bigint;
  nonce: bigint;
  deadline: bigint;
  receiverKeys: string[];
  consents: string[];
}

/** The contract's `consentHash` of a purchase. */
export function consentHash(receiverKeys: string[], consents: string[]): string {
  return keccak256(coder.encode(["bytes[]", "bytes[]"], [receiverKeys, consents]));
}

export async function readListing(market: Contract, listingId: bigint): Promise<SaleListing> {
  const l = await market.listing(listingId);
  return { listingId, tokenId: l.tokenId, seller: l.seller, price: l.price, status: Number(l.status) };
}

/** The pending purchase of a listing with the buyer's keys and consents (from its `Purchased` event). */
export async function readPurchase(market: Contract, listingId: bigint): Promise<PendingPurchase> {
  const listing = await readListing(market, listingId);
  const p = await market.purchase(listingId);
  if (listing.status !== ListingStatus.Open || p.buyer === "0x0000000000000000000000000000000000000000") {
    throw new ZgError<SaleErrorCode>("SALE_NO_PURCHASE", `listing ${listingId} has no pending purchase`, {
      hint: "wait for a buyer (zg market listings shows pending purchases)",
    });
  }
  // The listing's own events only; the stored hash picks the live one should the topic ever repeat.
  const events = await market.queryFilter(market.filters.Purchased(listingId));
  for (const event of events.reverse()) {
    const args = (event as unknown as { args: { receiverKeys: string[]; consents: string[] } }).args;
    const keys = [...args.receiverKeys];
    const consents = [...args.consents];
    if (consentHash(keys, consents) !== p.consentHash) continue;
    return {
      ...listing,
      buyer: p.buyer,
      amount: p.amount,
      feeBps: p.feeBps,
      nonce: p.nonce,
      deadline: p.deadline,
      receiverKeys: keys,
      consents,
    };
  }
  throw new ZgError<SaleErrorCode>("SALE_NO_PURCHASE", `no Purchased event matches listing ${listingId}`, {
    hint: "query a node that keeps logs back to the purchase's block",
  });
}

/**
 * An account's TEE receiver key: its uncompressed secp256k1 public key, recovered from a signature over a fixed
 * message so that any signer (a wallet, a remote signer) works. The buyer opens the sealed key with the account key.
 */
export async function accountReceiverKey(signer: Signer): Promise<string> {
  const signature = await signer.signMessage(RECEIVER_KEY_MESSAGE);
  return SigningKey.recoverPublicKey(hashMessage(RECEIVER_KEY_MESSAGE), signature);
}

export interface BuyPlan {
  listingId: bigint;
  tokenId: bigint;
  price: bigint;
  nonce: bigint;
  deadline: bigint;
  receiverKeys: string[];
  consents: string[];
}

/**
 * A deadline `target` seconds from `now`, kept inside the market's window with room for the purchase to be mined
 * up to five minutes later.
 */
export function saleDeadline(now: bigint, window: { min: bigint; max: bigint }, target = 86_400n): bigint {
  const earliest = now + window.min + 300n;
  const latest = now + window.max;
  if (earliest > latest) return latest;
  const wanted = now + target;
  return wanted < earliest ? earliest : wanted > latest ? latest : wanted;
}

/**
 * The buyer's side: reads the listing, the token's nonce and entries, and has `signer` sign one consent per entry
 * for `receiverKey` (the same key for every entry) and `deadline`. The signer is the buyer, or the buyer's access
 * delegate on the AgentNFT when `receiver` (the paying account, such as a contract wallet) is given.
 */
export async function prepareBuy(
  market: Contract,
  nft: Contract,
  signer: Signer,
  listingId: bigint,
  options: { chainId: bigint; receiverKey: string; deadline: bigint; receiver?: string },
): Promise<BuyPlan> {
  const listing = await readListing(market, listingId);
  if (listing.status !== ListingStatus.Open) {
    throw new ZgError<SaleErrorCode>("SALE_NOT_OPEN", `listing ${listingId} is not open`, {
      hint: "pick an open listing (zg market listings)",
    });
  }
  const [nonce, datas] = (await Promise.all([
    nft.transferNonce(listing.tokenId),
    nft.intelligentDatasOf(listing.tokenId),
  ])) as [bigint, { dataHash: string }[]];
  const domain = agentNftDomain(options.chainId, await nft.getAddress());
  const receiver = options.receiver ?? (await signer.getAddress());
  const receiverKeys = datas.map(() => options.receiverKey);
  const consents: string[] = [];
  for (const data of datas) {
    consents.push(
      await signConsent(signer, domain, {
        tokenId: listing.tokenId,
        receiver,
        isClone: false,
        dataHash: data.dataHash,
        receiverKey: options.receiverKey,
        nonce,
        deadline: options.deadline,
      }),
    );
  }
  return {
    listingId,
    tokenId: listing.tokenId,
    price: listing.price,
    nonce,
    deadline: options.deadline,
    receiverKeys,
    consents,
  };
}

/** The seller opens its TEE-sealed data keys (`sealedKeysOf`) with its secp256k1 private key. */
export function openSellerKeys(sealedKeys: string[], privateKey: string): DataKey[] {
  return sealedKeys.map((sealed, i) => {
    try {
      return openTee(sealed, privateKey);
    } catch (err) {
      throw new ZgError<SaleErrorCode>("SALE_BAD_KEY", `entry ${i}'s sealed key does not open with the seller key`, {
        hint: "pass the key the token's data keys were sealed to (--key-file)",
        cause: err,
      });
    }
  });
}

/** A TEE oracle: its public key (the seller seals each data key to it) and its transfer endpoint. */
export interface SaleOracle {
  publicKey: string;
  transfer(request: TransferRequest): Promise<TransferResponse>;
}

/** The oracle server at `url` (`GET /v1/info`, `POST /v1/transfer`). */
export async function oracleAt(url: string): Promise<SaleOracle> {
  let info: { publicKey?: string };
  try {
    const res = await fetch(`${url}/v1/info`);
    info = (await res.json()) as { publicKey?: string };
  } catch (err) {
    throw new ZgError<SaleErrorCode>("SALE_ORACLE", `cannot reach the oracle at ${url}`, {
      hint: "pass --oracle <url> of a running oracle (zg inft oracle)",
      cause: err,
    });
  }
  if (typeof info.publicKey !== "string") {
    throw new ZgError<SaleErrorCode>("SALE_ORACLE", `${url}/v1/info gave no public key`, {
      hint: "check that the URL points at a zg inft oracle",
    });
  }
  return { publicKey: info.publicKey, transfer: (request) => requestTransfer(url, request) };
}

export interface EntryFacts {
  dataHash: string;
  keyCommitment: string;
}

/** TEE mode: the oracle re-seals each data key to the buyer's key and signs; the buyer's consents ride along. */
export async function teeSaleProofs(
  p: PendingPurchase,
  chain: { chainId: bigint; nft: string; teeVerifier: string; datas: EntryFacts[] },
  dataKeys: DataKey[],
  oracle: SaleOracle,
): Promise<TransferValidityProof[]> {
  const proofs: TransferValidityProof[] = [];
  for (let i = 0; i < p.receiverKeys.length; i++) {
    let answer: TransferResponse;
    try {
      answer = await oracle.transfer({
        chainId: chain.chainId.toString(),
        nft: chain.nft,
        verifier: chain.teeVerifier,
        tokenId: p.tokenId.toString(),
        receiver: p.buyer,
        receiverKey: p.receiverKeys[i],
        nonce: p.nonce.toString(),
        dataHash: chain.datas[i].dataHash,
        keyCommitment: chain.datas[i].keyCommitment,
        deadline: p.deadline.toString(),
        sealedKeyForOracle: sealTee(dataKeys[i], oracle.publicKey),
      });
    } catch (err) {
      throw new ZgError<SaleErrorCode>("SALE_ORACLE", `the oracle refused entry ${i}: ${(err as Error).message}`, {
        hint: "the buyer's receiver key must be a secp256k1 public key; otherwise check the oracle",
        cause: err,
      });
    }
    proofs.push(saleProof(p, i, TransferMode.Tee, answer.sealedKey, answer.proof));
  }
  return proofs;
}

/** ZK mode: seals each data key to the buyer's Baby Jubjub key and proves it (~1 s per entry). */
export async function zkSaleProofs(
  p: PendingPurchase,
  dataKeys: DataKey[],
  artifactsDir?: string,
): Promise<TransferValidityProof[]> {
  const proofs: TransferValidityProof[] = [];
  for (let i = 0; i < p.receiverKeys.length; i++) {
    let receiver: [bigint, bigint];
    try {
      const [x, y] = coder.decode(["uint256", "uint256"], p.receiverKeys[i]) as unknown as [bigint, bigint];
      receiver = checkBabyJubKey([x, y]) as [bigint, bigint];
    } catch (err) {
      throw new ZgError<SaleErrorCode>("SALE_BAD_KEY", `the buyer's key for entry ${i} is not a Baby Jubjub key`, {
        hint: "the buyer paid for TEE delivery: fulfil without --zk",
        cause: err,
      });
    }
    const sealing = sealZk(dataKeys[i], receiver);
    const { proof, publicSignals } = await proveKeyTransfer(
      inftCircuitInput(dataKeys[i], receiver, sealing),
      artifactsDir,
    );
    const encoded = encodeGroth16Proof(toGroth16Calldata(proof, publicSignals));
    proofs.push(saleProof(p, i, TransferMode.Zk, encodeZkSealedKey(sealing.sealed), encoded));
  }
  return proofs;
}

function saleProof(
  p: PendingPurchase,
  i: number,
  mode: TransferMode,
  sealedKey: string,
  proof: string,
): TransferValidityProof {
  return {
    mode,
    receiverKey: p.receiverKeys[i],
    sealedKey,
    nonce: p.nonce,
    deadline: p.deadline,
    consent: p.consents[i],
    proof,
  };
}

/**
 * The seller's side end to end: reads the pending purchase and the token, opens the seller's sealed data keys with
 * `sellerKey`, and builds the proofs (ZK when `zk`, else through `oracle`).
 */
export async function buildSaleProofs(
  market: Contract,
  nft: Contract,
  listingId: bigint,
  options: { chainId: bigint; sellerKey: string; zk?: boolean; oracle?: SaleOracle; artifactsDir?: string },
): Promise<{ purchase: PendingPurchase; proofs: TransferValidityProof[] }> {
  const purchase = await readPurchase(market, listingId);
  const [sealedKeys, datas] = (await Promise.all([
    nft.sealedKeysOf(purchase.tokenId),
    nft.intelligentDatasOf(purchase.tokenId),
  ])) as [string[], EntryFacts[]];
  const dataKeys = openSellerKeys([...sealedKeys], options.sellerKey);
  if (options.zk) return { purchase, proofs: await zkSaleProofs(purchase, dataKeys, options.artifactsDir) };
  if (!options.oracle) {
    throw new ZgError<SaleErrorCode>("SALE_ORACLE", "TEE delivery needs an oracle", {
      hint: "pass --oracle <url>, or --zk when the buyer paid with a Baby Jubjub key",
    });
  }
  const teeVerifier = (await nft.verifier(TransferMode.Tee)) as string;
  const chain = { chainId: options.chainId, nft: await nft.getAddress(), teeVerifier, datas };
  return { purchase, proofs: await teeSaleProofs(purchase, chain, dataKeys, options.oracle) };
}

export interface ListingRow extends SaleListing {
  /** The pending purchase's buyer and deadline, when one waits for delivery. */
  buyer?: string;
  deadline?: bigint;
}

/** Every open listing, newest first, with its pending purchase if any. */
export async function openListings(market: Contract): Promise<ListingRow[]> {
  const count = (await market.listingCount()) as bigint;
  const rows: ListingRow[] = [];
  for (let id = count; id >= 1n; id--) {
    const listing = await readListing(market, id);
    if (listing.status !== ListingStatus.Open) continue;
    const p = await market.purchase(id);
    const pending = p.buyer !== "0x0000000000000000000000000000000000000000";
    rows.push(pending ? { ...listing, buyer: p.buyer as string, deadline: p.deadline as bigint } : listing);
  }
  return rows;
}

const REVERT_HINTS: Record<string, string> = {
  AgentMarketNotOpen: "the listing is closed or unknown: zg market listings shows the open ones",
  AgentMarketNotExpired: "a refund waits until the purchase's deadline has passed",
  AgentMarketPurchasePending: "a buyer has paid: deliver (fulfill), or wait for the deadline and refund",
  AgentMarketNotApproved: "approve the market for the token (zg market list does it)",
  AgentMarketNonceChanged: "the seller changed the agent since you looked: check it and buy again",
  AgentMarketBadDeadline: "pick a --ttl inside the market's fulfil window",
  AgentMarketPurchaseExpired: "the deadline passed: the buyer can be refunded (zg market refund)",
  AgentMarketNothingOwed: "nothing was credited to this account",
  AgentNFTInvalidConsent: "the buyer's consent does not verify: the purchase can only be refunded after its deadline",
};

/**
 * Runs a transaction and turns a revert into a ZgError naming the contract error (ethers leaves a custom error
 * undecoded when gas estimation fails).
 */
export async function sendSaleTx<T>(contracts: Contract[], send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    const data = (err as { data?: unknown }).data;
    if (typeof data !== "string") throw err;
    for (const contract of contracts) {
      const parsed = contract.interface.parseError(data);
      if (!parsed) continue;
      throw new ZgError<SaleErrorCode>("SALE_REVERTED", `refused: ${parsed.name}(${parsed.args.join(", ")})`, {
        hint: REVERT_HINTS[parsed.name] ?? "see docs/market.md (Errors)",
        cause: err,
      });
    }
    throw err;
  }
}
