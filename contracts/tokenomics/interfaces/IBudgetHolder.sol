// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IBudgetHolder
/// @notice What a contract that holds a genesis budget (the rewards distributor, a budget vault) reports to the
/// `Allocations` registry: its budget and how much of it has left the contract. What is left is locked supply.
interface IBudgetHolder {
    /// @notice The most this contract may ever pay out (its genesis allocation).
    /// @return The amount in wei.
    function budget() external view returns (uint256);

    /// @notice Everything this contract has paid out so far; never above `budget()`.
    /// @return The amount in wei.
    function paidOut() external view returns (uint256);
}
