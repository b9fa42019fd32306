// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStaking} from "../../staking/interfaces/IStaking.sol";

/// @notice Test-only: a contract account that delegates, undelegates and claims, and whose `receive` either
/// accepts, refuses, or tries to re-enter the staking contract (recording the error it gets back).
contract StakingActorMock {
    enum Mode {
        Accept,
        Refuse,
        Reenter
    }

    IStaking public immutable staking;
    Mode public mode;
    bytes public reentryError;
    bytes private _reentryCall;

    constructor(IStaking staking_) {
        staking = staking_;
    }

    /// @param reentryCall Calldata the mock sends back to the staking contract from `receive` in Reenter mode.
    function setMode(Mode mode_, bytes calldata reentryCall) external {
        mode = mode_;
        _reentryCall = reentryCall;
    }

    function registerValidator(bytes calldata key, uint32 commissionPpm) external payable {
        staking.registerValidator{value: msg.value}(key, "mock", commissionPpm, commissionPpm, 0);
    }

    function delegate(address validator) external payable {
        staking.delegate{value: msg.value}(validator);
    }

    function undelegate(address validator, uint256 shares) external returns (uint256) {
        return staking.undelegate(validator, shares);
    }

    function withdraw(uint256[] calldata ids) external returns (uint256) {
        return staking.withdraw(ids);
    }

    function claimCommission() external returns (uint256) {
        return staking.claimCommission();
    }

    function withdrawTreasury() external returns (uint256) {
        return staking.withdrawTreasury(address(this));
    }

    receive() external payable {
        if (mode == Mode.Refuse) revert("refused");
        if (mode == Mode.Reenter) {
            (bool ok, bytes memory reason) = address(staking).call(_reentryCall);
            if (!ok) reentryError = reason;
        }
    }
}
