// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Bounds read as the rules state them (≤ target, ≥ length); strict rewrites would obscure them.
// solhint-disable gas-strict-inequalities

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IMarket} from "./interfaces/IMarket.sol";
import {IChunkRewards} from "./interfaces/IChunkRewards.sol";

/// @title Market
/// @notice A fixed price per sector set by governance. Each fee the Flow collects is split: `serviceFeePpm` of it
/// stays here for the treasury (paid out on request), the rest funds the chunk rewards of the sectors paid for.
/// @dev Roles: FLOW_ROLE (the Flow) charges fees; TREASURY_ROLE withdraws the treasury's share; the admin sets the
/// price and the service fee.
contract Market is IMarket, ProtocolUpgradeable, ReentrancyGuardTransient {
    /// @notice Role of the Flow contract.
    bytes32 public constant FLOW_ROLE = keccak256("FLOW_ROLE");
    /// @notice Role that may withdraw the treasury's share.
    bytes32 public constant TREASURY_ROLE = keccak256("TREASURY_ROLE");
    /// @notice Parts per million: 1e6 is 100 %.
    uint256 internal constant PPM = 1e6;
    /// @notice Highest service fee (50 %).
    uint256 internal constant MAX_SERVICE_FEE_PPM = 500_000;

    /// @custom:storage-location erc7201:zg.storage.Market
    struct MarketLayout {
        IChunkRewards rewards;
        uint256 pricePerSector;
        uint256 serviceFeePpm;
        uint256 treasuryBalance;
        uint256 totalFees;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.Market")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x5e879ffd5e29c94799b7cfc11321fb51be17c3dc18dd72ec72be91533c605400;

    /// @notice Sets roles, the rewards contract, the price and the service fee.
    /// @param admin Holder of DEFAULT_ADMIN_ROLE, UPGRADER_ROLE and TREASURY_ROLE.
    /// @param pauser Holder of PAUSER_ROLE (none when zero).
    /// @param rewards_ The chunk rewards contract.
    /// @param pricePerSector_ Price per sector in wei.
    /// @param serviceFeePpm_ The treasury's share of each fee.
    function initialize(
        address admin,
        address pauser,
        address rewards_,
        uint256 pricePerSector_,
        uint256 serviceFeePpm_
    ) external initializer {
        if (rewards_ == address(0) || serviceFeePpm_ > MAX_SERVICE_FEE_PPM) revert MarketInvalidParams();
        __Protocol_init(admin, pauser);
        _grantRole(TREASURY_ROLE, admin);
        MarketLayout storage $ = _s();
        $.rewards = IChunkRewards(rewards_);
        $.pricePerSector = pricePerSector_;
        $.serviceFeePpm = serviceFeePpm_;
    }

    /// @inheritdoc IMarket
    function charge(uint256 startPos, uint256 sectors) external payable onlyRole(FLOW_ROLE) nonReentrant {
        MarketLayout storage $ = _s();
        uint256 serviceFee = (msg.value * $.serviceFeePpm) / PPM;
        $.treasuryBalance += serviceFee;
        $.totalFees += msg.value;
        emit FeeCharged(startPos, sectors, msg.value, serviceFee);
        $.rewards.fillReward{value: msg.value - serviceFee}(startPos, sectors);
    }

    /// @inheritdoc IMarket
    function setPricePerSector(uint256 pricePerSector_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _s().pricePerSector = pricePerSector_;
        emit PriceChanged(pricePerSector_);
    }

    /// @inheritdoc IMarket
    function setServiceFee(uint256 serviceFeePpm_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (serviceFeePpm_ > MAX_SERVICE_FEE_PPM) revert MarketInvalidParams();
        _s().serviceFeePpm = serviceFeePpm_;
        emit ServiceFeeChanged(serviceFeePpm_);
    }

    /// @inheritdoc IMarket
    function withdrawTreasury(address to, uint256 amount) external onlyRole(TREASURY_ROLE) nonReentrant {
        if (to == address(0)) revert MarketInvalidParams();
        MarketLayout storage $ = _s();
        if (amount > $.treasuryBalance) revert MarketInsufficientTreasury(amount, $.treasuryBalance);
        $.treasuryBalance -= amount;
        emit TreasuryWithdrawn(to, amount);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert MarketTransferFailed();
    }

    /// @inheritdoc IMarket
    function pricePerSector() external view returns (uint256) {
        return _s().pricePerSector;
    }

    /// @inheritdoc IMarket
    function serviceFeePpm() external view returns (uint256) {
        return _s().serviceFeePpm;
    }

    /// @inheritdoc IMarket
    function fee(uint256 sectors) external view returns (uint256) {
        return _s().pricePerSector * sectors;
    }

    /// @inheritdoc IMarket
    function treasuryBalance() external view returns (uint256) {
        return _s().treasuryBalance;
    }

    /// @inheritdoc IMarket
    function totalFees() external view returns (uint256) {
        return _s().totalFees;
    }

    /// @inheritdoc IMarket
    function rewards() external view returns (address) {
        return address(_s().rewards);
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "Market";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    /// @dev The state namespace.
    function _s() private pure returns (MarketLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
