// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title StakingRewardsMock
/// @notice Test-only stand-in for the part of Staking the rewards distributor uses: a validator list with effective
/// stakes, and `distributeRewards`, which records what each validator received (or refuses, when told to). Lets
/// tests build lists longer than one distribute's scan without registering real validators.
contract StakingRewardsMock {
    /// @notice Thrown by `distributeRewards` for a validator set to refuse, or with no value.
    /// @param validator The validator.
    error StakingRewardsMockRefused(address validator);

    address[] private _validators;
    /// @notice Effective stake per validator.
    mapping(address validator => uint256) public effectiveStake;
    /// @notice Everything `distributeRewards` received per validator.
    mapping(address validator => uint256) public received;
    /// @notice Validators whose payments are refused.
    mapping(address validator => bool) public refuses;

    /// @notice Appends validators with their stakes.
    /// @param validators The validators.
    /// @param stakes Their effective stakes.
    function addValidators(address[] calldata validators, uint256[] calldata stakes) external {
        for (uint256 i = 0; i < validators.length; ++i) {
            _validators.push(validators[i]);
            effectiveStake[validators[i]] = stakes[i];
        }
    }

    /// @notice Sets a validator's effective stake.
    /// @param validator The validator.
    /// @param stake The stake.
    function setStake(address validator, uint256 stake) external {
        effectiveStake[validator] = stake;
    }

    /// @notice Makes `distributeRewards` refuse (or accept again) a validator's payments.
    /// @param validator The validator.
    /// @param refuse Whether to refuse.
    function setRefuses(address validator, bool refuse) external {
        refuses[validator] = refuse;
    }

    /// @notice Records the payment, like Staking's reward entry point.
    /// @param validator The validator paid.
    function distributeRewards(address validator) external payable {
        if (refuses[validator] || msg.value == 0) revert StakingRewardsMockRefused(validator);
        received[validator] += msg.value;
    }

    /// @notice How many validators are listed.
    /// @return The count.
    function validatorCount() external view returns (uint256) {
        return _validators.length;
    }

    /// @notice The `index`-th validator.
    /// @param index 0-based.
    /// @return The validator.
    function validatorAt(uint256 index) external view returns (address) {
        return _validators[index];
    }
}
