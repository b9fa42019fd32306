// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ProtocolUpgradeable} from "../../common/access/ProtocolUpgradeable.sol";

/// @notice Test-only: an incompatible upgrade of UpgradeableCounterV1 (a field inserted before existing ones),
/// which the storage-layout check must refuse.
contract UpgradeableCounterBadLayout is ProtocolUpgradeable {
    /// @custom:storage-location erc7201:zg.storage.UpgradeableCounter
    struct CounterStorage {
        uint256 step;
        uint256 count;
        address lastCaller;
    }

    bytes32 private constant STORAGE_SLOT = 0x01252414b45c27d22b93d9754c0537a2bfe2edc9ad7afcf466325646933d0900;

    function initialize(address admin, address pauser) external initializer {
        __Protocol_init(admin, pauser);
    }

    function count() external view returns (uint256) {
        return _store().count;
    }

    function contractName() public pure override returns (string memory) {
        return "UpgradeableCounter";
    }

    function version() external pure override returns (string memory) {
        return "2.0.0-bad";
    }

    function _store() internal pure returns (CounterStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
