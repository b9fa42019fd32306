// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAlignmentRewards} from "../../alignment/interfaces/IAlignmentRewards.sol";

/// @title ReentrantPayee
/// @notice Test-only: a license's operator and payee that, when paid, tries once to claim the same epochs again and
/// records the error it got (the claim must not pay twice).
contract ReentrantPayee {
    /// @notice The rewards contract under test.
    IAlignmentRewards public immutable REWARDS;
    /// @notice The license it claims for.
    uint256 public licenseId;
    /// @notice The epochs it claims again.
    uint256[] public epochs;
    /// @notice Whether the re-entering claim went through.
    bool public reentered;
    /// @notice The revert data of the re-entering claim.
    bytes public lastError;
    bool private _tried;

    /// @param rewards The rewards contract.
    constructor(IAlignmentRewards rewards) {
        REWARDS = rewards;
    }

    /// @notice Accepts a payment and re-enters `claim` once.
    receive() external payable {
        if (_tried) return;
        _tried = true;
        try REWARDS.claim(licenseId, epochs) {
            reentered = true;
        } catch (bytes memory err) {
            lastError = err;
        }
    }

    /// @notice Claims `epochs_` for `licenseId_` (this contract must be the license's operator).
    /// @param licenseId_ The license.
    /// @param epochs_ The epochs.
    function claim(uint256 licenseId_, uint256[] calldata epochs_) external {
        licenseId = licenseId_;
        epochs = epochs_;
        REWARDS.claim(licenseId_, epochs_);
    }
}
