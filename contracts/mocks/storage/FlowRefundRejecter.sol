// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFlow} from "../../storage/interfaces/IFlow.sol";

/// @title FlowRefundRejecter
/// @notice Test-only: submits to the Flow from a contract that refuses plain transfers until told otherwise.
contract FlowRefundRejecter {
    /// @notice Whether plain transfers are accepted.
    bool public accept;

    /// @notice Submits `submission` with all the value sent.
    /// @param flow The Flow.
    /// @param submission The submission.
    function submit(IFlow flow, IFlow.Submission calldata submission) external payable {
        flow.submit{value: msg.value}(submission);
    }

    /// @notice Withdraws a refund the Flow kept.
    /// @param flow The Flow.
    function withdraw(IFlow flow) external {
        flow.withdrawRefund();
    }

    /// @notice Calls `target` with `data`, bubbling up a revert.
    /// @param target The contract.
    /// @param data The calldata.
    function forward(address target, bytes calldata data) external {
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    /// @notice Sets whether plain transfers are accepted.
    /// @param accept_ The new setting.
    function setAccept(bool accept_) external {
        accept = accept_;
    }

    /// @notice Accepts value only when `accept` is set.
    receive() external payable {
        require(accept, "rejected");
    }
}
