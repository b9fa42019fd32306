// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBudgetVault} from "../../tokenomics/interfaces/IBudgetVault.sol";

/// @title ReentrantDrawerMock
/// @notice Test-only drawer of a BudgetVault that, when paid, draws again from inside its receive function.
contract ReentrantDrawerMock {
    IBudgetVault private immutable _vault;
    /// @notice How many times the receive function ran.
    uint256 public received;

    /// @param vault The vault to draw from.
    constructor(IBudgetVault vault) {
        _vault = vault;
    }

    /// @notice Draws `amount` to this contract.
    /// @param amount The amount.
    function drawToSelf(uint256 amount) external {
        _vault.draw(address(this), amount, bytes32(0));
    }

    /// @notice Re-enters `draw` once with the same amount (the first payment only, so that without a guard the
    /// vault would pay twice and succeed).
    receive() external payable {
        if (++received == 1) _vault.draw(address(this), msg.value, bytes32(0));
    }
}
