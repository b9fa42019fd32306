// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ProtocolUpgradeable} from "../../common/access/ProtocolUpgradeable.sol";

/// @notice Test-only: the smallest protocol contract, used to prove the upgrade pattern.
contract UpgradeableCounterV1 is ProtocolUpgradeable {
    /// @custom:storage-location erc7201:zg.storage.UpgradeableCounter
    struct CounterStorage {
        uint256 count;
        address lastCaller;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.UpgradeableCounter")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x01252414b45c27d22b93d9754c0537a2bfe2edc9ad7afcf466325646933d0900;

    event Incremented(address indexed caller, uint256 count);

    function initialize(address admin, address pauser) external initializer {
        __Protocol_init(admin, pauser);
    }

    function increment() external whenNotPaused {
        CounterStorage storage $ = _store();
        $.count += 1;
        $.lastCaller = msg.sender;
        emit Incremented(msg.sender, $.count);
    }

    function count() external view returns (uint256) {
        return _store().count;
    }

    function lastCaller() external view returns (address) {
        return _store().lastCaller;
    }

    function contractName() public pure override returns (string memory) {
        return "UpgradeableCounter";
    }

    function version() external pure virtual override returns (string memory) {
        return "1.0.0";
    }

    function _store() internal pure returns (CounterStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
