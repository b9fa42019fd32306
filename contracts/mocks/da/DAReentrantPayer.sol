// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDAEntrance} from "../../da/interfaces/IDAEntrance.sol";

/// @title DAReentrantPayer
/// @notice Test-only: an account that re-enters the DA entrance when it receives a refund or a fee payout.
contract DAReentrantPayer {
    /// @notice The entrance under test.
    IDAEntrance public immutable ENTRANCE;
    /// @notice 1: re-enter submitOriginalData; 2: re-enter withdrawFees.
    uint256 public mode;

    /// @notice Sets the entrance.
    /// @param entrance The entrance.
    constructor(IDAEntrance entrance) {
        ENTRANCE = entrance;
    }

    /// @notice Pays for `roots` with `msg.value` (more than the price, so a refund comes back).
    /// @param roots The data roots.
    /// @param mode_ What to do when value arrives.
    function pay(bytes32[] calldata roots, uint256 mode_) external payable {
        mode = mode_;
        ENTRANCE.submitOriginalData{value: msg.value}(roots);
    }

    /// @notice Sets what to do when value arrives.
    /// @param mode_ 0 nothing, 1 re-enter submitOriginalData, 2 re-enter withdrawFees.
    function setMode(uint256 mode_) external {
        mode = mode_;
    }

    /// @notice Re-enters the entrance.
    receive() external payable {
        bytes32[] memory roots = new bytes32[](1);
        roots[0] = keccak256("reentry");
        if (mode == 1) ENTRANCE.submitOriginalData{value: msg.value}(roots);
        if (mode == 2) ENTRANCE.withdrawFees(address(this), 1);
    }
}
