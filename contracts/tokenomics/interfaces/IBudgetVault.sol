// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBudgetHolder} from "./IBudgetHolder.sol";

/// @title IBudgetVaultErrors
/// @notice The custom errors of a budget vault.
interface IBudgetVaultErrors {
    /// @notice Thrown when the zero address is given as a recipient.
    error BudgetVaultZeroAddress();

    /// @notice Thrown when a budget is zero or above the max supply.
    /// @param budget The budget given.
    error BudgetVaultBadBudget(uint256 budget);

    /// @notice Thrown when a draw is zero or would take more than the budget left.
    /// @param amount The amount asked for.
    /// @param left What the budget still allows.
    error BudgetVaultOverBudget(uint256 amount, uint256 left);

    /// @notice Thrown when the vault holds less than a draw asks for (it was not funded yet).
    /// @param amount The amount asked for.
    /// @param balance The vault's balance.
    error BudgetVaultInsufficientBalance(uint256 amount, uint256 balance);

    /// @notice Thrown when a deposit would make the vault hold more than its budget still allows.
    /// @param balance The balance the deposit would give.
    /// @param left What the budget still allows.
    error BudgetVaultOverfunded(uint256 balance, uint256 left);

    /// @notice Thrown when the recipient of a draw refuses the payment.
    /// @param to The recipient.
    error BudgetVaultPaymentFailed(address to);
}

// Amounts are data, not topics: nobody filters logs by an amount.
// solhint-disable gas-indexed-events
/// @title IBudgetVaultEvents
/// @notice The events of a budget vault.
interface IBudgetVaultEvents {
    /// @notice Emitted when a drawer takes coin out of the vault.
    /// @param drawer Who drew (holds DRAWER_ROLE).
    /// @param to Who received it.
    /// @param amount The amount in wei.
    /// @param reason A short tag the drawer chose (an epoch, a grant id).
    event Drawn(address indexed drawer, address indexed to, uint256 amount, bytes32 reason);

    /// @notice Emitted when the vault receives coin.
    /// @param from The sender.
    /// @param amount The amount in wei.
    event Funded(address indexed from, uint256 amount);
}
// solhint-enable gas-indexed-events

/// @title IBudgetVault
/// @notice A capped vault for one genesis bucket (ecosystem growth, AI alignment nodes). Governance, or a contract
/// governance grants DRAWER_ROLE (the alignment-node rewards contract for the alignment bucket), draws from it; the
/// sum of draws never exceeds the budget.
interface IBudgetVault is IBudgetVaultErrors, IBudgetVaultEvents, IBudgetHolder {
    /// @notice Sets up the vault.
    /// @param admin Governance: admin and upgrader.
    /// @param pauser The guardian that may pause draws (none when zero).
    /// @param drawer Given DRAWER_ROLE (none when zero; governance grants it later, e.g. to the alignment-node
    /// rewards contract).
    /// @param name_ The bucket this vault holds, for people reading the chain ("ecosystem", "alignment").
    /// @param budget_ The most it will ever pay out.
    function initialize(address admin, address pauser, address drawer, string calldata name_, uint256 budget_) external;

    /// @notice Pays `amount` to `to` from the vault; only DRAWER_ROLE, not while paused.
    /// @dev Requirements: 0 < amount ≤ budget − paidOut, amount ≤ balance, `to` accepts the coin.
    /// @param to The recipient.
    /// @param amount The amount in wei.
    /// @param reason A short tag recorded in the event.
    function draw(address to, uint256 amount, bytes32 reason) external;

    /// @notice Adds the value sent to the vault (a devnet deployer's funding; a real chain funds it at genesis).
    /// @dev Reverts when the balance would exceed what the budget still allows.
    function fund() external payable;

    /// @notice The bucket this vault holds.
    /// @return The name.
    function name() external view returns (string memory);
}
