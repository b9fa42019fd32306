// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ProtocolUpgradeable} from "../../common/access/ProtocolUpgradeable.sol";

/// @notice Test-only: a compatible upgrade of UpgradeableCounterV1 (a field appended to the namespace).
contract UpgradeableCounterV2 is ProtocolUpgradeable {
    /// @custom:storage-location erc7201:zg.storage.UpgradeableCounter
    struct CounterStorage {
        uint256 count;
        address lastCaller;
        uint256 step;
    }

    bytes32 private constant STORAGE_SLOT = 0x01252414b45c27d22b93d9754c0537a2bfe2edc9ad7afcf466325646933d0900;

    event Incremented(address indexed caller, uint256 count);

    function initialize(address admin, address pauser) external initializer {
        __Protocol_init(admin, pauser);
    }

    /// @notice Runs once, during the upgrade from V1: the parents were initialized then already.
    /// @custom:oz-upgrades-unsafe-allow missing-initializer-call
    function initializeV2(uint256 step) external reinitializer(2) {
        _store().step = step;
    }

    function increment() external whenNotPaused {
        CounterStorage storage $ = _store();
        $.count += $.step == 0 ? 1 : $.step;
        $.lastCaller = msg.sender;
        emit Incremented(msg.sender, $.count);
    }

    function count() external view returns (uint256) {
        return _store().count;
    }

    function lastCaller() external view returns (address) {
        return _store().lastCaller;
    }

    function step() external view returns (uint256) {
        return _store().step;
    }

    function contractName() public pure override returns (string memory) {
        return "UpgradeableCounter";
    }

    function version() external pure override returns (string memory) {
        return "2.0.0";
    }

    function _store() internal pure returns (CounterStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
