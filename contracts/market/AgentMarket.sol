// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A deadline is inclusive (the last second a purchase may be fulfilled), as in AgentNFT.
// solhint-disable gas-strict-inequalities

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IAgentNFT, IAgentNFTTypes} from "../inft/interfaces/IAgentNFT.sol";
import {IAgentMarket} from "./interfaces/IAgentMarket.sol";

/// @title AgentMarket
/// @notice A fixed-price marketplace for ERC-7857 agents. An agent's data key must be re-sealed to the buyer, so a
/// sale takes two steps: the buyer pays into escrow with its receiver keys and signed consents (`buy`), then the
/// seller, or a relayer, delivers the matching transfer proofs (`fulfill`), which moves the token and pays out. A
/// purchase not fulfilled by its deadline is refunded (`refund`). Payments are in the native coin.
/// @dev Roles: DEFAULT_ADMIN_ROLE sets the fee, treasury and fulfil window; PAUSER_ROLE pauses `list` and `buy`
/// only, so money never gets stuck. A payment whose receiver reverts is credited to `owed` and pulled by
/// `withdraw`, so no payee can block a sale or a refund. Invariant: balance == escrowed + Σ owed.
contract AgentMarket is IAgentMarket, ProtocolUpgradeable, ReentrancyGuardTransient {
    /// @notice Highest fee, in basis points (10%).
    uint256 public constant MAX_FEE_BPS = 1000;
    /// @notice Shortest fulfil window governance may set.
    uint256 public constant MIN_WINDOW_BOUND = 1 minutes;
    /// @notice Longest fulfil window governance may set.
    uint256 public constant MAX_WINDOW_BOUND = 30 days;

    /// @custom:storage-location erc7201:zg.storage.AgentMarket
    struct AgentMarketLayout {
        address nft;
        address treasury;
        uint16 feeBps;
        uint64 minWindow;
        uint64 maxWindow;
        uint256 listingCount;
        uint256 escrowed;
        mapping(uint256 listingId => Listing) listings;
        mapping(uint256 listingId => Purchase) purchases;
        mapping(uint256 tokenId => uint256 listingId) openListing;
        mapping(address account => uint256) owed;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.AgentMarket")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x965f5bf61eb3605ed39c53e97124f923a52f143de5ba8406d4f16d90d8526e00;

    /// @notice Sets up the market: roles, the agent NFT it sells, the treasury, the fee and the fulfil window.
    /// @param admin Governance: admin and upgrader.
    /// @param pauser The guardian that may pause (none when zero).
    /// @param nft_ The AgentNFT.
    /// @param treasury_ Who receives fees.
    /// @param feeBps The fee in basis points (at most `MAX_FEE_BPS`).
    /// @param minWindow Shortest time a buyer must give the seller to deliver.
    /// @param maxWindow Longest time a buyer's payment may wait for delivery.
    function initialize(
        address admin,
        address pauser,
        address nft_,
        address treasury_,
        uint256 feeBps,
        uint256 minWindow,
        uint256 maxWindow
    ) external initializer {
        __Protocol_init(admin, pauser);
        if (nft_ == address(0)) revert AgentMarketZeroAddress();
        _s().nft = nft_;
        _setTreasury(treasury_);
        _setFee(feeBps);
        _setFulfillWindow(minWindow, maxWindow);
    }

    // ------------------------------------------------------------------ sellers

    /// @inheritdoc IAgentMarket
    function list(uint256 tokenId, uint256 price) external whenNotPaused nonReentrant returns (uint256 listingId) {
        AgentMarketLayout storage $ = _s();
        IERC721 token = IERC721($.nft);
        if (token.ownerOf(tokenId) != msg.sender) revert AgentMarketNotOwner(tokenId, msg.sender);
        if (!_approved(token, msg.sender, tokenId)) revert AgentMarketNotApproved(tokenId);
        if (price == 0 || price > type(uint128).max) revert AgentMarketBadPrice(price);
        uint256 previous = $.openListing[tokenId];
        if (previous != 0) {
            // A listing whose seller no longer owns the token (it moved outside the market) is dead; the new owner
            // may replace it unless a buyer's payment still waits on it (that one ends in a refund).
            if ($.listings[previous].seller == msg.sender) revert AgentMarketAlreadyListed(tokenId, previous);
            if ($.purchases[previous].buyer != address(0)) revert AgentMarketPurchasePending(previous);
            $.listings[previous].status = ListingStatus.Cancelled;
            emit Cancelled(previous, tokenId);
        }
        listingId = ++$.listingCount;
        // The bound was checked just above.
        $.listings[listingId] = Listing(tokenId, msg.sender, uint128(price), ListingStatus.Open);
        $.openListing[tokenId] = listingId;
        emit Listed(listingId, tokenId, msg.sender, price);
    }

    /// @inheritdoc IAgentMarket
    function cancel(uint256 listingId) external nonReentrant {
        AgentMarketLayout storage $ = _s();
        Listing storage lst = _open(listingId);
        if (lst.seller != msg.sender) revert AgentMarketNotSeller(listingId, msg.sender);
        if ($.purchases[listingId].buyer != address(0)) revert AgentMarketPurchasePending(listingId);
        _close(lst, listingId, ListingStatus.Cancelled);
        emit Cancelled(listingId, lst.tokenId);
    }

    // ------------------------------------------------------------------ buyers

    /// @inheritdoc IAgentMarket
    function buy(
        uint256 listingId,
        uint256 expectedNonce,
        bytes[] calldata receiverKeys,
        bytes[] calldata consents,
        uint256 deadline
    ) external payable whenNotPaused nonReentrant {
        AgentMarketLayout storage $ = _s();
        Listing storage lst = _open(listingId);
        if ($.purchases[listingId].buyer != address(0)) revert AgentMarketPurchasePending(listingId);
        if (msg.value != lst.price) revert AgentMarketWrongPayment(lst.price, msg.value);
        if (msg.sender == lst.seller) revert AgentMarketSelfPurchase();
        uint256 nonce = _checkDeliverable(lst, expectedNonce, receiverKeys.length, consents.length, deadline);
        // Casts: msg.value equals a uint128 price; deadline ≤ now + 30 days fits uint64.
        $.purchases[listingId] = Purchase({
            buyer: msg.sender,
            feeBps: $.feeBps,
            deadline: uint64(deadline),
            amount: uint128(msg.value),
            nonce: nonce,
            consentHash: keccak256(abi.encode(receiverKeys, consents))
        });
        $.escrowed += msg.value;
        emit Purchased(listingId, lst.tokenId, msg.sender, nonce, deadline, receiverKeys, consents);
    }

    /// @inheritdoc IAgentMarket
    function fulfill(uint256 listingId, IAgentNFTTypes.TransferValidityProof[] calldata proofs) external nonReentrant {
        AgentMarketLayout storage $ = _s();
        Listing storage lst = _open(listingId);
        Purchase memory p = $.purchases[listingId];
        if (p.buyer == address(0)) revert AgentMarketNoPurchase(listingId);
        if (block.timestamp > p.deadline) revert AgentMarketPurchaseExpired(p.deadline);
        _checkTerms(p, proofs);

        // Effects first: the purchase and listing are closed before the NFT (and its receiver hook) is called.
        address seller = lst.seller;
        uint256 tokenId = lst.tokenId;
        delete $.purchases[listingId];
        $.escrowed -= p.amount;
        _close(lst, listingId, ListingStatus.Sold);
        // AgentNFT checks each consent against the buyer and each proof against its verifier; any failure reverts
        // the whole fulfil, and the buyer is refunded after the deadline.
        IAgentNFT($.nft).iTransferFrom(seller, p.buyer, tokenId, proofs);

        uint256 fee_ = (uint256(p.amount) * p.feeBps) / 10_000;
        emit Sold(listingId, tokenId, seller, p.buyer, p.amount, fee_);
        if (fee_ != 0) _pay($.treasury, fee_);
        _pay(seller, p.amount - fee_);
    }

    /// @inheritdoc IAgentMarket
    function refund(uint256 listingId) external nonReentrant {
        AgentMarketLayout storage $ = _s();
        Listing storage lst = _open(listingId);
        Purchase memory p = $.purchases[listingId];
        if (p.buyer == address(0)) revert AgentMarketNoPurchase(listingId);
        if (block.timestamp <= p.deadline) revert AgentMarketNotExpired(p.deadline);
        delete $.purchases[listingId];
        $.escrowed -= p.amount;
        _close(lst, listingId, ListingStatus.Refunded);
        emit Refunded(listingId, lst.tokenId, p.buyer, p.amount);
        _pay(p.buyer, p.amount);
    }

    /// @inheritdoc IAgentMarket
    function withdraw() external nonReentrant {
        AgentMarketLayout storage $ = _s();
        uint256 amount = $.owed[msg.sender];
        if (amount == 0) revert AgentMarketNothingOwed(msg.sender);
        delete $.owed[msg.sender];
        emit Withdrawn(msg.sender, amount);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert AgentMarketPaymentFailed(msg.sender);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IAgentMarket
    function setFee(uint256 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFee(feeBps);
    }

    /// @inheritdoc IAgentMarket
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @inheritdoc IAgentMarket
    function setFulfillWindow(uint256 minWindow, uint256 maxWindow) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFulfillWindow(minWindow, maxWindow);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IAgentMarket
    function listing(uint256 listingId) external view returns (Listing memory) {
        return _s().listings[listingId];
    }

    /// @inheritdoc IAgentMarket
    function purchase(uint256 listingId) external view returns (Purchase memory) {
        return _s().purchases[listingId];
    }

    /// @inheritdoc IAgentMarket
    function openListingOf(uint256 tokenId) external view returns (uint256) {
        return _s().openListing[tokenId];
    }

    /// @inheritdoc IAgentMarket
    function owed(address account) external view returns (uint256) {
        return _s().owed[account];
    }

    /// @inheritdoc IAgentMarket
    function fee() external view returns (uint256) {
        return _s().feeBps;
    }

    /// @inheritdoc IAgentMarket
    function treasury() external view returns (address) {
        return _s().treasury;
    }

    /// @inheritdoc IAgentMarket
    function fulfillWindow() external view returns (uint256 minWindow, uint256 maxWindow) {
        return (_s().minWindow, _s().maxWindow);
    }

    /// @inheritdoc IAgentMarket
    function escrowed() external view returns (uint256) {
        return _s().escrowed;
    }

    /// @inheritdoc IAgentMarket
    function listingCount() external view returns (uint256) {
        return _s().listingCount;
    }

    /// @inheritdoc IAgentMarket
    function nft() external view returns (address) {
        return _s().nft;
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "AgentMarket";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    // ------------------------------------------------------------------ internal

    /// @dev The proofs must carry exactly the keys and consents the buyer paid with, for the purchase's nonce and
    /// deadline: the seller cannot deliver to another key, and AgentNFT then checks each consent's signature.
    function _checkTerms(Purchase memory p, IAgentNFTTypes.TransferValidityProof[] calldata proofs) private pure {
        uint256 n = proofs.length;
        bytes[] memory keys = new bytes[](n);
        bytes[] memory consents = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            if (proofs[i].nonce != p.nonce || proofs[i].deadline != p.deadline) revert AgentMarketProofTermsMismatch(i);
            keys[i] = proofs[i].receiverKey;
            consents[i] = proofs[i].consent;
        }
        if (keccak256(abi.encode(keys, consents)) != p.consentHash) revert AgentMarketConsentMismatch();
    }

    /// @dev Refusing a purchase that cannot be delivered keeps the buyer's money from waiting out a deadline: the
    /// seller still owns the token and approves the market, the data did not change since the buyer looked, there is
    /// one key and consent per entry, and the deadline is within the window.
    function _checkDeliverable(
        Listing storage lst,
        uint256 expectedNonce,
        uint256 keyCount,
        uint256 consentCount,
        uint256 deadline
    ) private view returns (uint256 nonce) {
        AgentMarketLayout storage $ = _s();
        uint256 tokenId = lst.tokenId;
        IAgentNFT nft_ = IAgentNFT($.nft);
        address owner = IERC721(address(nft_)).ownerOf(tokenId);
        if (owner != lst.seller) revert AgentMarketSellerNotOwner(tokenId, lst.seller, owner);
        if (!_approved(IERC721(address(nft_)), owner, tokenId)) revert AgentMarketNotApproved(tokenId);
        nonce = nft_.transferNonce(tokenId);
        if (nonce != expectedNonce) revert AgentMarketNonceChanged(expectedNonce, nonce);
        uint256 entries = nft_.intelligentDatasOf(tokenId).length;
        if (keyCount != entries) revert AgentMarketLengthMismatch(entries, keyCount);
        if (consentCount != entries) revert AgentMarketLengthMismatch(entries, consentCount);
        uint256 earliest = block.timestamp + $.minWindow;
        uint256 latest = block.timestamp + $.maxWindow;
        if (deadline < earliest || deadline > latest) revert AgentMarketBadDeadline(deadline, earliest, latest);
    }

    /// @dev Pushes `amount` to `to`; a receiver that reverts (or has no receive function) is credited instead, so it
    /// cannot block the sale or refund that pays it.
    function _pay(address to, uint256 amount) private {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) {
            _s().owed[to] += amount;
            emit Credited(to, amount);
        }
    }

    function _open(uint256 listingId) private view returns (Listing storage lst) {
        lst = _s().listings[listingId];
        if (lst.status != ListingStatus.Open) revert AgentMarketNotOpen(listingId);
    }

    function _close(Listing storage lst, uint256 listingId, ListingStatus status) private {
        lst.status = status;
        AgentMarketLayout storage $ = _s();
        if ($.openListing[lst.tokenId] == listingId) delete $.openListing[lst.tokenId];
    }

    function _approved(IERC721 token, address owner, uint256 tokenId) private view returns (bool) {
        return token.getApproved(tokenId) == address(this) || token.isApprovedForAll(owner, address(this));
    }

    function _setFee(uint256 feeBps) private {
        if (feeBps > MAX_FEE_BPS) revert AgentMarketFeeTooHigh(feeBps, MAX_FEE_BPS);
        // Bounded by MAX_FEE_BPS just above.
        _s().feeBps = uint16(feeBps);
        emit FeeUpdated(feeBps);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert AgentMarketZeroAddress();
        _s().treasury = treasury_;
        emit TreasuryUpdated(treasury_);
    }

    function _setFulfillWindow(uint256 minWindow, uint256 maxWindow) private {
        if (minWindow < MIN_WINDOW_BOUND || maxWindow < minWindow || maxWindow > MAX_WINDOW_BOUND) {
            revert AgentMarketBadFulfillWindow(minWindow, maxWindow);
        }
        // Both bounded by MAX_WINDOW_BOUND just above.
        (_s().minWindow, _s().maxWindow) = (uint64(minWindow), uint64(maxWindow));
        emit FulfillWindowUpdated(minWindow, maxWindow);
    }

    function _s() private pure returns (AgentMarketLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
