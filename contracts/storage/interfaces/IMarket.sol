// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Amounts in events stay unindexed: they are read, not filtered on.
// solhint-disable gas-indexed-events

/// @title IMarket
/// @notice Prices storage per sector and collects the Flow's fees: a service fee goes to the treasury, the rest to
/// the chunk rewards of the sectors paid for.
interface IMarket {
    /// @notice Thrown when a parameter is out of bounds or an address is zero.
    error MarketInvalidParams();
    /// @notice Thrown when the treasury withdraws more than it is owed.
    /// @param requested The amount asked for.
    /// @param available The amount owed.
    error MarketInsufficientTreasury(uint256 requested, uint256 available);
    /// @notice Thrown when sending value fails.
    error MarketTransferFailed();

    /// @notice Emitted when the price per sector changed.
    /// @param pricePerSector The new price in wei.
    event PriceChanged(uint256 pricePerSector);
    /// @notice Emitted when the service fee changed.
    /// @param serviceFeePpm The new share, in parts per million.
    event ServiceFeeChanged(uint256 serviceFeePpm);
    /// @notice Emitted when a fee was collected.
    /// @param startPos First sector paid for.
    /// @param sectors Sectors paid for.
    /// @param fee The fee.
    /// @param serviceFee The treasury's share of it.
    event FeeCharged(uint256 startPos, uint256 sectors, uint256 fee, uint256 serviceFee);
    /// @notice Emitted when the treasury was paid.
    /// @param to The recipient.
    /// @param amount The amount.
    event TreasuryWithdrawn(address indexed to, uint256 amount);

    /// @notice Takes the fee for sectors [startPos, startPos + sectors): keeps the service fee for the treasury
    /// and passes the rest to the chunk rewards. Only the Flow (FLOW_ROLE) calls it.
    /// @param startPos First sector.
    /// @param sectors Sectors.
    function charge(uint256 startPos, uint256 sectors) external payable;

    /// @notice Sets the price per sector (admin).
    /// @param pricePerSector_ The price in wei.
    function setPricePerSector(uint256 pricePerSector_) external;

    /// @notice Sets the treasury's share of each fee (admin), at most 50 %.
    /// @param serviceFeePpm_ The share in parts per million.
    function setServiceFee(uint256 serviceFeePpm_) external;

    /// @notice Pays `amount` of the treasury's balance to `to` (TREASURY_ROLE).
    /// @param to The recipient.
    /// @param amount The amount.
    function withdrawTreasury(address to, uint256 amount) external;

    /// @notice The price per sector in wei.
    /// @return The price.
    function pricePerSector() external view returns (uint256);

    /// @notice The treasury's share of each fee in parts per million.
    /// @return The share.
    function serviceFeePpm() external view returns (uint256);

    /// @notice What `sectors` sectors cost now.
    /// @param sectors The sectors.
    /// @return The fee in wei.
    function fee(uint256 sectors) external view returns (uint256);

    /// @notice The treasury's unpaid balance.
    /// @return The balance.
    function treasuryBalance() external view returns (uint256);

    /// @notice Every fee ever collected.
    /// @return The total.
    function totalFees() external view returns (uint256);

    /// @notice The chunk rewards contract.
    /// @return Its address.
    function rewards() external view returns (address);
}
