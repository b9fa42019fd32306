// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ProtocolUpgradeable} from "../../common/access/ProtocolUpgradeable.sol";

/// @notice Test-only: a protocol contract of another name; upgrading a counter proxy to it must revert.
contract UpgradeableOther is ProtocolUpgradeable {
    function contractName() public pure override returns (string memory) {
        return "Other";
    }

    function version() external pure override returns (string memory) {
        return "1.0.0";
    }
}
