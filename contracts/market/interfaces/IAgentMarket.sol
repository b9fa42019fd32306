// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAgentNFTTypes} from "../../inft/interfaces/IAgentNFT.sol";

/// @title IAgentMarketTypes
/// @notice The structs and enums of the agent marketplace.
interface IAgentMarketTypes {
    /// @notice Where a listing stands. Only `Open` accepts a purchase; the others are final.
    enum ListingStatus {
        None,
        Open,
        Cancelled,
        Sold,
        Refunded
    }

    /// @notice An offer to sell one agent NFT for a fixed price in the native coin.
    /// @param tokenId The agent.
    /// @param seller Who listed it (its owner at listing time).
    /// @param price The price in wei.
    /// @param status Where the listing stands.
    struct Listing {
        uint256 tokenId;
        address seller;
        uint128 price;
        ListingStatus status;
    }

    /// @notice A buyer's paid, pending purchase of a listing, waiting for the seller's transfer proofs.
    /// @param buyer Who paid (zero when no purchase is pending).
    /// @param feeBps The fee rate fixed at purchase time, so governance cannot change the terms of a pending sale.
    /// @param deadline Last second at which the purchase can be fulfilled; the buyer's consents expire with it.
    /// @param amount What the buyer paid, in wei.
    /// @param nonce The token's transfer nonce the buyer's consents name.
    /// @param consentHash keccak256(abi.encode(receiverKeys, consents)) of the buyer's keys and consents.
    struct Purchase {
        address buyer;
        uint16 feeBps;
        uint64 deadline;
        uint128 amount;
        uint256 nonce;
        bytes32 consentHash;
    }
}

/// @title IAgentMarketErrors
/// @notice The custom errors of the agent marketplace.
interface IAgentMarketErrors {
    /// @notice Thrown when the zero address is given for the NFT or the treasury.
    error AgentMarketZeroAddress();

    /// @notice Thrown when a fee above `MAX_FEE_BPS` is set.
    /// @param feeBps The fee given.
    /// @param maximum The cap.
    error AgentMarketFeeTooHigh(uint256 feeBps, uint256 maximum);

    /// @notice Thrown when a fulfil window is outside 1 minute ≤ min ≤ max ≤ 30 days.
    /// @param minWindow The shortest window given.
    /// @param maxWindow The longest window given.
    error AgentMarketBadFulfillWindow(uint256 minWindow, uint256 maxWindow);

    /// @notice Thrown when the caller does not own the token it lists.
    /// @param tokenId The token.
    /// @param caller The caller.
    error AgentMarketNotOwner(uint256 tokenId, address caller);

    /// @notice Thrown when the market is not approved to move the token (`approve` or `setApprovalForAll`).
    /// @param tokenId The token.
    error AgentMarketNotApproved(uint256 tokenId);

    /// @notice Thrown when a price is zero or does not fit uint128.
    /// @param price The price given.
    error AgentMarketBadPrice(uint256 price);

    /// @notice Thrown when a token that already has an open listing is listed again.
    /// @param tokenId The token.
    /// @param listingId The open listing.
    error AgentMarketAlreadyListed(uint256 tokenId, uint256 listingId);

    /// @notice Thrown when a listing does not exist or is no longer open.
    /// @param listingId The listing.
    error AgentMarketNotOpen(uint256 listingId);

    /// @notice Thrown when someone other than the seller cancels a listing.
    /// @param listingId The listing.
    /// @param caller The caller.
    error AgentMarketNotSeller(uint256 listingId, address caller);

    /// @notice Thrown when a listing with a pending purchase is cancelled or bought again.
    /// @param listingId The listing.
    error AgentMarketPurchasePending(uint256 listingId);

    /// @notice Thrown when the payment is not exactly the price.
    /// @param price The price.
    /// @param paid The value sent.
    error AgentMarketWrongPayment(uint256 price, uint256 paid);

    /// @notice Thrown when the seller buys its own listing.
    error AgentMarketSelfPurchase();

    /// @notice Thrown when the seller no longer owns the listed token.
    /// @param tokenId The token.
    /// @param seller The seller.
    /// @param owner The token's owner now.
    error AgentMarketSellerNotOwner(uint256 tokenId, address seller, address owner);

    /// @notice Thrown when the token's transfer nonce moved since the buyer looked (the seller updated the data).
    /// @param expected The nonce the buyer expected.
    /// @param actual The token's nonce now.
    error AgentMarketNonceChanged(uint256 expected, uint256 actual);

    /// @notice Thrown when the number of receiver keys or consents is not the token's number of data entries.
    /// @param expected The number of entries.
    /// @param actual The number given.
    error AgentMarketLengthMismatch(uint256 expected, uint256 actual);

    /// @notice Thrown when a purchase deadline is outside [now + minFulfillWindow, now + maxFulfillWindow].
    /// @param deadline The deadline given.
    /// @param earliest The earliest deadline accepted now.
    /// @param latest The latest deadline accepted now.
    error AgentMarketBadDeadline(uint256 deadline, uint256 earliest, uint256 latest);

    /// @notice Thrown when a listing has no pending purchase to fulfil or refund.
    /// @param listingId The listing.
    error AgentMarketNoPurchase(uint256 listingId);

    /// @notice Thrown when a purchase is fulfilled after its deadline.
    /// @param deadline The purchase's deadline.
    error AgentMarketPurchaseExpired(uint256 deadline);

    /// @notice Thrown when a purchase is refunded before its deadline has passed.
    /// @param deadline The purchase's deadline.
    error AgentMarketNotExpired(uint256 deadline);

    /// @notice Thrown when the proofs' receiver keys and consents are not the ones the buyer paid with.
    error AgentMarketConsentMismatch();

    /// @notice Thrown when a proof names another nonce or deadline than the purchase.
    /// @param index The proof.
    error AgentMarketProofTermsMismatch(uint256 index);

    /// @notice Thrown when `withdraw` is called with nothing owed.
    /// @param account The caller.
    error AgentMarketNothingOwed(address account);

    /// @notice Thrown when a withdrawal's payment fails.
    /// @param account The caller.
    error AgentMarketPaymentFailed(address account);
}

// Amounts and settings are read, not searched for; indexing them would only cost gas.
// solhint-disable gas-indexed-events
/// @title IAgentMarketEvents
/// @notice The events of the agent marketplace.
interface IAgentMarketEvents {
    /// @notice Emitted when an agent is listed.
    /// @param listingId The new listing.
    /// @param tokenId The agent.
    /// @param seller The seller.
    /// @param price The price in wei.
    event Listed(uint256 indexed listingId, uint256 indexed tokenId, address indexed seller, uint256 price);

    /// @notice Emitted when the seller cancels a listing, or when a listing whose seller no longer owns the token is
    /// closed by a new listing of that token.
    /// @param listingId The listing.
    /// @param tokenId The agent.
    event Cancelled(uint256 indexed listingId, uint256 indexed tokenId);

    /// @notice Emitted when a buyer pays for a listing; the seller reads the receiver keys and consents from here.
    /// @param listingId The listing.
    /// @param tokenId The agent.
    /// @param buyer The buyer.
    /// @param nonce The token's transfer nonce the consents name.
    /// @param deadline Last second at which the purchase can be fulfilled.
    /// @param receiverKeys One receiver key per data entry.
    /// @param consents One EIP-712 TransferConsent signature per data entry.
    event Purchased(
        uint256 indexed listingId,
        uint256 indexed tokenId,
        address indexed buyer,
        uint256 nonce,
        uint256 deadline,
        bytes[] receiverKeys,
        bytes[] consents
    );

    /// @notice Emitted when a purchase is fulfilled: the agent moved to the buyer and the payment went out.
    /// @param listingId The listing.
    /// @param tokenId The agent.
    /// @param seller The seller.
    /// @param buyer The buyer.
    /// @param price What the buyer paid.
    /// @param fee The treasury's share of it.
    event Sold(
        uint256 indexed listingId,
        uint256 indexed tokenId,
        address seller,
        address indexed buyer,
        uint256 price,
        uint256 fee
    );

    /// @notice Emitted when an expired purchase is refunded to the buyer and its listing closed.
    /// @param listingId The listing.
    /// @param tokenId The agent.
    /// @param buyer The buyer.
    /// @param amount What was returned.
    event Refunded(uint256 indexed listingId, uint256 indexed tokenId, address indexed buyer, uint256 amount);

    /// @notice Emitted when a payment could not be sent and was credited for `withdraw` instead.
    /// @param account The payee.
    /// @param amount The amount credited.
    event Credited(address indexed account, uint256 amount);

    /// @notice Emitted when an account withdraws what it is owed.
    /// @param account The account.
    /// @param amount The amount paid.
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice Emitted when governance sets the fee.
    /// @param feeBps The fee in basis points.
    event FeeUpdated(uint256 feeBps);

    /// @notice Emitted when governance sets the treasury.
    /// @param treasury The treasury.
    event TreasuryUpdated(address indexed treasury);

    /// @notice Emitted when governance sets the fulfil window.
    /// @param minWindow Shortest time a buyer must give the seller to deliver.
    /// @param maxWindow Longest time a buyer's payment may wait for delivery.
    event FulfillWindowUpdated(uint256 minWindow, uint256 maxWindow);
}

// solhint-enable gas-indexed-events

/// @title IAgentMarket
/// @notice A fixed-price marketplace for ERC-7857 agents: a buyer pays into escrow with its receiver keys and
/// signed consents; the seller (or a relayer) fulfils with the matching transfer proofs and is paid, or the buyer is
/// refunded once the deadline has passed.
interface IAgentMarket is IAgentMarketTypes, IAgentMarketErrors, IAgentMarketEvents {
    /// @notice Lists the caller's agent for `price` wei. The market must be approved for the token.
    /// @param tokenId The agent.
    /// @param price The price in wei (above 0, at most 2^128 - 1).
    /// @return listingId The new listing.
    function list(uint256 tokenId, uint256 price) external returns (uint256 listingId);

    /// @notice Cancels an open listing with no pending purchase. Only the seller; works while paused.
    /// @param listingId The listing.
    function cancel(uint256 listingId) external;

    /// @notice Pays exactly the price into escrow with one receiver key and one consent per data entry.
    /// @param listingId The listing.
    /// @param expectedNonce The token's transfer nonce the consents name (refused when it moved).
    /// @param receiverKeys The buyer's public key per entry (TEE: secp256k1; ZK: Baby Jubjub).
    /// @param consents The buyer's EIP-712 TransferConsent per entry, for (token, buyer, false, dataHash,
    /// keccak256(receiverKey), nonce, deadline).
    /// @param deadline Last second at which the seller may fulfil; within the fulfil window from now.
    function buy(
        uint256 listingId,
        uint256 expectedNonce,
        bytes[] calldata receiverKeys,
        bytes[] calldata consents,
        uint256 deadline
    ) external payable;

    /// @notice Moves the agent to the buyer with `proofs` and pays the seller and the treasury. Anyone may call.
    /// @param listingId The listing.
    /// @param proofs One proof per entry, carrying the buyer's keys, consents, nonce and deadline.
    function fulfill(uint256 listingId, IAgentNFTTypes.TransferValidityProof[] calldata proofs) external;

    /// @notice Returns the payment of a purchase whose deadline has passed and closes its listing. Anyone may call.
    /// @param listingId The listing.
    function refund(uint256 listingId) external;

    /// @notice Pays the caller what failed payments credited to it.
    function withdraw() external;

    /// @notice Sets the fee (at most `MAX_FEE_BPS`) for purchases made from now on. Only `DEFAULT_ADMIN_ROLE`.
    /// @param feeBps The fee in basis points.
    function setFee(uint256 feeBps) external;

    /// @notice Sets the treasury that receives fees. Only `DEFAULT_ADMIN_ROLE`.
    /// @param treasury_ The treasury (not zero).
    function setTreasury(address treasury_) external;

    /// @notice Sets the bounds of a purchase's deadline. Only `DEFAULT_ADMIN_ROLE`.
    /// @param minWindow Shortest window (at least 1 minute).
    /// @param maxWindow Longest window (at least `minWindow`, at most 30 days).
    function setFulfillWindow(uint256 minWindow, uint256 maxWindow) external;

    /// @notice A listing.
    /// @param listingId The listing.
    /// @return The listing (status None when it does not exist).
    function listing(uint256 listingId) external view returns (Listing memory);

    /// @notice The pending purchase of a listing.
    /// @param listingId The listing.
    /// @return The purchase (buyer zero when none is pending).
    function purchase(uint256 listingId) external view returns (Purchase memory);

    /// @notice The open listing of a token.
    /// @param tokenId The agent.
    /// @return The listing id (0 when none).
    function openListingOf(uint256 tokenId) external view returns (uint256);

    /// @notice What `withdraw` would pay `account`.
    /// @param account The account.
    /// @return The amount in wei.
    function owed(address account) external view returns (uint256);

    /// @notice The fee for new purchases.
    /// @return The fee in basis points.
    function fee() external view returns (uint256);

    /// @notice The treasury.
    /// @return The treasury's address.
    function treasury() external view returns (address);

    /// @notice The bounds of a purchase's deadline, in seconds from the purchase.
    /// @return minWindow The shortest window.
    /// @return maxWindow The longest window.
    function fulfillWindow() external view returns (uint256 minWindow, uint256 maxWindow);

    /// @notice The sum of pending purchases' payments; the balance is always escrowed + Σ owed.
    /// @return The amount in wei.
    function escrowed() external view returns (uint256);

    /// @notice The number of listings made (ids run from 1).
    /// @return The count.
    function listingCount() external view returns (uint256);

    /// @notice The agent NFT this market sells.
    /// @return The AgentNFT's address.
    function nft() external view returns (address);
}
