// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {IProtocolUpgradeable} from "./interfaces/IProtocolUpgradeable.sol";

/// @title ProtocolUpgradeable
/// @notice The base of every zg protocol contract: a UUPS implementation behind an ERC-1967 proxy, roles from
/// OpenZeppelin AccessControl, and a pause switch. A derived contract keeps its own state in an ERC-7201
/// namespaced struct so that bases and derived contracts can grow without shifting each other's slots.
/// @dev Roles: DEFAULT_ADMIN_ROLE (governance: the TimelockController, or the deployer on a devnet) grants
/// roles and unpauses; UPGRADER_ROLE authorizes upgrades; PAUSER_ROLE (a guardian) pauses.
abstract contract ProtocolUpgradeable is
    IProtocolUpgradeable,
    AccessControlUpgradeable,
    PausableUpgradeable,
    UUPSUpgradeable
{
    /// @notice Role allowed to upgrade the implementation.
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");
    /// @notice Role allowed to pause.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        // An implementation is never used directly; locking it stops anyone from initializing it and
        // taking its roles.
        _disableInitializers();
    }

    /// @dev Gives `admin` the admin and upgrader roles and `pauser` the pauser role (when non-zero).
    function __Protocol_init(address admin, address pauser) internal onlyInitializing {
        if (admin == address(0)) revert ProtocolZeroAdmin();
        __AccessControl_init();
        __Pausable_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(UPGRADER_ROLE, admin);
        if (pauser != address(0)) _grantRole(PAUSER_ROLE, pauser);
    }

    /// @inheritdoc IProtocolUpgradeable
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IProtocolUpgradeable
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IProtocolUpgradeable
    function contractName() public pure virtual returns (string memory);

    /// @inheritdoc IProtocolUpgradeable
    function version() external pure virtual returns (string memory);

    /// @dev Besides the role, the new implementation must report the same contract name: an upgrade that
    /// points a Flow proxy at a Staking implementation is a mistake no storage check would catch.
    function _authorizeUpgrade(address newImplementation) internal view override onlyRole(UPGRADER_ROLE) {
        string memory actual = IProtocolUpgradeable(newImplementation).contractName();
        if (keccak256(bytes(actual)) != keccak256(bytes(contractName()))) {
            revert ProtocolUpgradeNameMismatch(contractName(), actual);
        }
    }
}
