// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IStakeObserver
/// @notice What `Staking` calls after a delegator's bonded shares in a validator change (register, delegate,
/// undelegate, redelegate on both sides). The observer reads the new holding back from `Staking`.
interface IStakeObserver {
    /// @notice Tells the observer that `delegator`'s shares of `validator` changed; only `Staking` calls it.
    /// @param delegator The account whose shares changed.
    /// @param validator The validator whose pool they are shares of.
    function onStakeChanged(address delegator, address validator) external;
}
