// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {IAgentNFT} from "../../inft/interfaces/IAgentNFT.sol";
import {IAgentMarket} from "../../market/interfaces/IAgentMarket.sol";

/// @title MarketPartyMock
/// @notice Test-only: a contract buyer or seller on the AgentMarket whose receive function accepts, rejects, or
/// reenters the market (calling `reentryData` on it) when paid.
contract MarketPartyMock is IERC721Receiver {
    /// @notice What the receive function does.
    enum Mode {
        Accept,
        Reject,
        Reenter
    }

    /// @notice Thrown by receive in Reject mode.
    error MarketPartyMockRejected();

    /// @notice The market.
    IAgentMarket public immutable market;
    /// @notice What the receive function does now.
    Mode public mode;
    /// @notice The call made on the market from receive in Reenter mode.
    bytes public reentryData;
    /// @notice How many reentries were tried, and how many succeeded.
    uint256 public reentriesTried;
    /// @notice How many reentries succeeded.
    uint256 public reentriesSucceeded;

    /// @notice Binds the mock to the market.
    /// @param market_ The market.
    constructor(IAgentMarket market_) {
        market = market_;
    }

    /// @notice Sets what receive does.
    /// @param mode_ The mode.
    /// @param reentryData_ The market call to try in Reenter mode.
    function setMode(Mode mode_, bytes calldata reentryData_) external {
        mode = mode_;
        reentryData = reentryData_;
    }

    /// @notice Names `assistant` (an EOA) as this contract's access delegate: it signs consents for the mock.
    /// @param assistant The delegate.
    function delegate(address assistant) external {
        IAgentNFT(market.nft()).delegateAccess(assistant);
    }

    /// @notice Approves the market for all of this contract's tokens.
    function approveMarket() external {
        IERC721Approve(market.nft()).setApprovalForAll(address(market), true);
    }

    /// @notice Calls the market with `data` and `value`, bubbling up a revert.
    /// @param data The calldata.
    function call(bytes calldata data) external payable {
        (bool ok, bytes memory ret) = address(market).call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    /// @notice Accepts, rejects or reenters, by mode.
    receive() external payable {
        if (mode == Mode.Reject) revert MarketPartyMockRejected();
        if (mode == Mode.Reenter) {
            ++reentriesTried;
            (bool ok, ) = address(market).call(reentryData);
            if (ok) ++reentriesSucceeded;
        }
    }

    /// @notice Accepts agent NFTs.
    /// @return The hook's selector.
    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return IERC721Receiver.onERC721Received.selector;
    }
}

/// @title IERC721Approve
/// @notice The one ERC-721 call the mock makes.
interface IERC721Approve {
    /// @notice Approves or revokes an operator for all of the caller's tokens.
    /// @param operator The operator.
    /// @param approved Whether it is approved.
    function setApprovalForAll(address operator, bool approved) external;
}
