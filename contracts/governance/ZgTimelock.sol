// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title ZgTimelock
/// @notice Holds admin and upgrade rights over every zg protocol contract, so that each change waits out a
/// public delay before it takes effect. OpenZeppelin's TimelockController, unchanged; named for the deployment.
/// @dev The deploy code creates it with a zero delay and itself as a temporary admin and proposer, wires
/// governance through it (the governor's roles, `Staking`'s stake observer), sets the real delay with an
/// operation of its own, and renounces. From then on the timelock administers itself: only a queued operation
/// can change its roles or delay.
contract ZgTimelock is TimelockController {
    /// @notice Sets the delay and the roles.
    /// @param minDelay Seconds between queueing and executing an operation.
    /// @param proposers Accounts that may queue (and cancel) operations.
    /// @param executors Accounts that may execute ready operations; address(0) lets anyone.
    /// @param admin An optional extra admin that may grant and revoke roles (the deployer while it wires
    /// governance, renounced at the end); address(0) for none.
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
