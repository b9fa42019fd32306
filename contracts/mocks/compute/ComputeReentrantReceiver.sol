// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ComputeReentrantReceiver
/// @notice Test-only: an account (user or provider) that calls whatever it is told, and on receiving value
/// either re-enters a contract with a prepared call (recording how it failed) or refuses the value.
contract ComputeReentrantReceiver {
    /// @notice Thrown by `receive` in refusing mode.
    error ComputeReentrantReceiverRefused();

    /// @notice The call made on receiving value (none when zero).
    address public reentryTarget;
    /// @notice Its calldata.
    bytes public reentryData;
    /// @notice Whether receiving value reverts.
    bool public refusing;
    /// @notice The revert data of the last failed re-entry.
    bytes public lastError;

    /// @notice Calls `target` with `data` and `msg.value`, bubbling a revert.
    /// @param target The contract.
    /// @param data The calldata.
    /// @return result The return data.
    function execute(address target, bytes calldata data) external payable returns (bytes memory result) {
        bool ok;
        // solhint-disable-next-line avoid-low-level-calls
        (ok, result) = target.call{value: msg.value}(data);
        if (!ok) _bubble(result);
    }

    /// @notice Sets the call made on receiving value.
    /// @param target The contract (zero for none).
    /// @param data The calldata.
    function setReentry(address target, bytes calldata data) external {
        reentryTarget = target;
        reentryData = data;
    }

    /// @notice Sets whether receiving value reverts.
    /// @param refusing_ The mode.
    function setRefusing(bool refusing_) external {
        refusing = refusing_;
    }

    /// @notice Refuses or re-enters, as configured.
    receive() external payable {
        if (refusing) revert ComputeReentrantReceiverRefused();
        address target = reentryTarget;
        if (target == address(0)) return;
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory result) = target.call(reentryData);
        if (!ok) lastError = result;
    }

    function _bubble(bytes memory result) private pure {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            revert(add(result, 32), mload(result))
        }
    }
}
