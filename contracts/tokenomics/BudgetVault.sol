// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IBudgetHolder} from "./interfaces/IBudgetHolder.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IBudgetVault} from "./interfaces/IBudgetVault.sol";

/// @title BudgetVault
/// @notice Holds one genesis bucket's coin until governance, or a contract governance appoints, draws it. Two
/// instances exist: the ecosystem-growth vault (drawn by governance for grants) and the AI-alignment-node vault
/// (the hook for the alignment-node rewards contract: governance grants it DRAWER_ROLE once it exists).
/// @dev Roles: DEFAULT_ADMIN_ROLE grants DRAWER_ROLE and upgrades; PAUSER_ROLE pauses `draw`. Invariants:
/// paidOut ≤ budget; balance + paidOut ≤ budget (deposits past it are refused).
contract BudgetVault is IBudgetVault, ProtocolUpgradeable, ReentrancyGuardTransient {
    /// @notice Role allowed to draw from the vault.
    bytes32 public constant DRAWER_ROLE = keccak256("DRAWER_ROLE");
    /// @notice The native coin's max supply (1 billion coins), the bound on any budget.
    uint256 public constant MAX_SUPPLY = 1e9 ether;

    /// @custom:storage-location erc7201:zg.storage.BudgetVault
    struct BudgetVaultLayout {
        string name;
        uint256 budget;
        uint256 paidOut;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.BudgetVault")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x7af26d1ababb031853b52f7efc79f8241e6378da4198f2fbaf3fb8db19b9ba00;

    /// @inheritdoc IBudgetVault
    function initialize(
        address admin,
        address pauser,
        address drawer,
        string calldata name_,
        uint256 budget_
    ) external initializer {
        __Protocol_init(admin, pauser);
        if (drawer != address(0)) _grantRole(DRAWER_ROLE, drawer);
        if (budget_ == 0 || budget_ > MAX_SUPPLY) revert BudgetVaultBadBudget(budget_);
        BudgetVaultLayout storage $ = _s();
        $.name = name_;
        $.budget = budget_;
    }

    /// @notice Accepts coin like `fund` (a plain transfer from a devnet deployer or a multisig).
    receive() external payable {
        _funded();
    }

    /// @inheritdoc IBudgetVault
    function fund() external payable {
        _funded();
    }

    /// @inheritdoc IBudgetVault
    function draw(
        address to,
        uint256 amount,
        bytes32 reason
    ) external onlyRole(DRAWER_ROLE) whenNotPaused nonReentrant {
        BudgetVaultLayout storage $ = _s();
        if (to == address(0)) revert BudgetVaultZeroAddress();
        uint256 left = $.budget - $.paidOut;
        if (amount == 0 || amount > left) revert BudgetVaultOverBudget(amount, left);
        if (amount > address(this).balance) revert BudgetVaultInsufficientBalance(amount, address(this).balance);
        $.paidOut += amount;
        emit Drawn(msg.sender, to, amount, reason);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert BudgetVaultPaymentFailed(to);
    }

    /// @inheritdoc IBudgetVault
    function name() external view returns (string memory) {
        return _s().name;
    }

    /// @inheritdoc IBudgetHolder
    function budget() external view returns (uint256) {
        return _s().budget;
    }

    /// @inheritdoc IBudgetHolder
    function paidOut() external view returns (uint256) {
        return _s().paidOut;
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "BudgetVault";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    /// @dev The value is already in the balance: refuse it when the vault would hold more than it may still pay.
    function _funded() private {
        BudgetVaultLayout storage $ = _s();
        uint256 left = $.budget - $.paidOut;
        if (address(this).balance > left) revert BudgetVaultOverfunded(address(this).balance, left);
        emit Funded(msg.sender, msg.value);
    }

    function _s() private pure returns (BudgetVaultLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
