/**
 * AgentMarket as the `market:*` tasks and `zg market` read it: a human-readable ABI of what they call (so they run
 * without typechain types). The deployment record names the contract `AgentMarket`.
 */
import { Contract, type ContractRunner } from "ethers";
import type { ChainClient } from "../common/chain";

export const MARKET_RECORD_NAME = "AgentMarket";

const PROOF_TUPLE =
  "tuple(uint8 mode, bytes receiverKey, bytes sealedKey, uint256 nonce, uint256 deadline, bytes consent, bytes proof)[]";

export const AGENT_MARKET_ABI = [
  "function list(uint256 tokenId, uint256 price) returns (uint256 listingId)",
  "function cancel(uint256 listingId)",
  "function buy(uint256 listingId, uint256 expectedNonce, bytes[] receiverKeys, bytes[] consents, uint256 deadline) payable",
  `function fulfill(uint256 listingId, ${PROOF_TUPLE} proofs)`,
  "function refund(uint256 listingId)",
  "function withdraw()",
  "function listing(uint256 listingId) view returns (tuple(uint256 tokenId, address seller, uint128 price, uint8 status))",
  "function purchase(uint256 listingId) view returns (tuple(address buyer, uint16 feeBps, uint64 deadline, uint128 amount, uint256 nonce, bytes32 consentHash))",
  "function openListingOf(uint256 tokenId) view returns (uint256)",
  "function owed(address account) view returns (uint256)",
  "function fee() view returns (uint256)",
  "function treasury() view returns (address)",
  "function fulfillWindow() view returns (uint256 minWindow, uint256 maxWindow)",
  "function escrowed() view returns (uint256)",
  "function listingCount() view returns (uint256)",
  "function nft() view returns (address)",
  "event Listed(uint256 indexed listingId, uint256 indexed tokenId, address indexed seller, uint256 price)",
  "event Cancelled(uint256 indexed listingId, uint256 indexed tokenId)",
  "event Purchased(uint256 indexed listingId, uint256 indexed tokenId, address indexed buyer, uint256 nonce, uint256 deadline, bytes[] receiverKeys, bytes[] consents)",
  "event Sold(uint256 indexed listingId, uint256 indexed tokenId, address seller, address indexed buyer, uint256 price, uint256 fee)",
  "event Refunded(uint256 indexed listingId, uint256 indexed tokenId, address indexed buyer, uint256 amount)",
  "event Credited(address indexed account, uint256 amount)",
  "event Withdrawn(address indexed account, uint256 amount)",
  "error AgentMarketZeroAddress()",
  "error AgentMarketFeeTooHigh(uint256 feeBps, uint256 maximum)",
  "error AgentMarketBadFulfillWindow(uint256 minWindow, uint256 maxWindow)",
  "error AgentMarketNotOwner(uint256 tokenId, address caller)",
  "error AgentMarketNotApproved(uint256 tokenId)",
  "error AgentMarketBadPrice(uint256 price)",
  "error AgentMarketAlreadyListed(uint256 tokenId, uint256 listingId)",
  "error AgentMarketNotOpen(uint256 listingId)",
  "error AgentMarketNotSeller(uint256 listingId, address caller)",
  "error AgentMarketPurchasePending(uint256 listingId)",
  "error AgentMarketWrongPayment(uint256 price, uint256 paid)",
  "error AgentMarketSelfPurchase()",
  "error AgentMarketSellerNotOwner(uint256 tokenId, address seller, address owner)",
  "error AgentMarketNonceChanged(uint256 expected, uint256 actual)",
  "error AgentMarketLengthMismatch(uint256 expected, uint256 actual)",
  "error AgentMarketBadDeadline(uint256 deadline, uint256 earliest, uint256 latest)",
  "error AgentMarketNoPurchase(uint256 listingId)",
  "error AgentMarketPurchaseExpired(uint256 deadline)",
  "error AgentMarketNotExpired(uint256 deadline)",
  "error AgentMarketConsentMismatch()",
  "error AgentMarketProofTermsMismatch(uint256 index)",
  "error AgentMarketNothingOwed(address account)",
  "error AgentMarketPaymentFailed(address account)",
];

/** What the market needs of the AgentNFT: ownership, approval, entries, sealed keys and the transfer nonce. */
export const MARKET_NFT_ABI = [
  "function ownerOf(uint256 tokenId) view returns (address)",
  "function getApproved(uint256 tokenId) view returns (address)",
  "function isApprovedForAll(address owner, address operator) view returns (bool)",
  "function approve(address to, uint256 tokenId)",
  "function sealedKeysOf(uint256 tokenId) view returns (bytes[])",
  "function intelligentDatasOf(uint256 tokenId) view returns (tuple(string dataDescription, bytes32 dataHash, bytes32 keyCommitment)[])",
  "function transferNonce(uint256 tokenId) view returns (uint256)",
  "function verifier(uint8 mode) view returns (address)",
  "error AgentNFTStaleNonce(uint256 expected, uint256 given)",
  "error AgentNFTProofExpired(uint256 deadline)",
  "error AgentNFTInvalidConsent(address signer)",
  "error AgentNFTInvalidProof(uint256 index)",
];

/** `ListingStatus` of the contract. */
export enum ListingStatus {
  None = 0,
  Open = 1,
  Cancelled = 2,
  Sold = 3,
  Refunded = 4,
}

export function agentMarketAt(address: string, runner: ContractRunner): Contract {
  return new Contract(address, AGENT_MARKET_ABI, runner);
}

/** The recorded AgentMarket, signing with the client's key when it has one. */
export function agentMarket(client: ChainClient): Contract {
  return agentMarketAt(client.contractAddress(MARKET_RECORD_NAME), client.signer ?? client.provider);
}
