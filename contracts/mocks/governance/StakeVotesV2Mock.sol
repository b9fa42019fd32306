// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {StakeVotes} from "../../governance/StakeVotes.sol";

/// @notice Test-only: a compatible upgrade of StakeVotes (same storage, a new version) that governance installs
/// through a proposal in the end-to-end test. It adds no state, so it needs no initializer of its own.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract StakeVotesV2Mock is StakeVotes {
    /// @notice The version this implementation reports.
    /// @return "2.0.0-mock".
    function version() external pure override returns (string memory) {
        return "2.0.0-mock";
    }
}
