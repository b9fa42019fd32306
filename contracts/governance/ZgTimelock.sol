// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title ZgTimelock
/// @notice Holds admin and upgrade rights over every zg protocol contract, so that each change waits out a
/// public delay before it takes effect. OpenZeppelin's TimelockController, unchanged; named for the deployment.
/// @dev Deployed self-administered (admin = address(0)): only a queued operation can change its own roles.
contract ZgTimelock is TimelockController {
    /// @notice Sets the delay and the roles; the timelock administers itself from then on.
    /// @param minDelay Seconds between queueing and executing an operation.
    /// @param proposers Accounts that may queue (and cancel) operations.
    /// @param executors Accounts that may execute ready operations; address(0) lets anyone.
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors
    ) TimelockController(minDelay, proposers, executors, address(0)) {}
}
