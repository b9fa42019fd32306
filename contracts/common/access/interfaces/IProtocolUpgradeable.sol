// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IProtocolUpgradeable
/// @notice What every zg protocol contract shares: roles, pausing, UUPS upgrades and a version string.
interface IProtocolUpgradeable {
    /// @notice Thrown when an initializer is given the zero address as admin.
    error ProtocolZeroAdmin();

    /// @notice Thrown when an upgrade names an implementation that reports a different contract name.
    /// @param expected The name the current implementation reports.
    /// @param actual The name the new implementation reports.
    error ProtocolUpgradeNameMismatch(string expected, string actual);

    /// @notice Pauses the functions that move value or state; only `PAUSER_ROLE`.
    /// @dev Reverts with `EnforcedPause` when already paused.
    function pause() external;

    /// @notice Lifts a pause; only `DEFAULT_ADMIN_ROLE`, so a guardian can stop the contract but only
    /// governance restarts it.
    /// @dev Reverts with `ExpectedPause` when not paused.
    function unpause() external;

    /// @notice The contract's name, stable across upgrades; an upgrade to a contract of another name reverts.
    function contractName() external pure returns (string memory);

    /// @notice The implementation's semantic version, e.g. "1.0.0".
    function version() external pure returns (string memory);
}
