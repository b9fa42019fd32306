// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {IAgentNFT} from "../../inft/interfaces/IAgentNFT.sol";

/// @title AgentReceiverMock
/// @notice Test-only: a contract receiver that records what the NFT's state is when its hook runs, to show that the
/// new owner, nonce and sealed keys are written before the external call.
contract AgentReceiverMock is IERC721Receiver {
    /// @notice The NFT under test.
    IAgentNFT public immutable nft;
    /// @notice The owner seen from inside the hook.
    address public seenOwner;
    /// @notice The transfer nonce seen from inside the hook.
    uint256 public seenNonce;
    /// @notice The first sealed key seen from inside the hook.
    bytes public seenSealedKey;

    /// @notice Binds the mock to the NFT.
    /// @param nft_ The NFT.
    constructor(IAgentNFT nft_) {
        nft = nft_;
    }

    /// @notice Names `assistant` as this contract's access delegate on the NFT.
    /// @param assistant The delegate.
    function delegate(address assistant) external {
        nft.delegateAccess(assistant);
    }

    /// @notice Records the token's state.
    /// @param tokenId The token.
    /// @return The hook's selector.
    function onERC721Received(address, address, uint256 tokenId, bytes calldata) external returns (bytes4) {
        seenOwner = IERC721Like(address(nft)).ownerOf(tokenId);
        seenNonce = nft.transferNonce(tokenId);
        seenSealedKey = nft.sealedKeysOf(tokenId)[0];
        return IERC721Receiver.onERC721Received.selector;
    }
}

/// @title IERC721Like
/// @notice The one ERC-721 view the mock reads.
interface IERC721Like {
    /// @notice The owner of a token.
    /// @param tokenId The token.
    /// @return The owner.
    function ownerOf(uint256 tokenId) external view returns (address);
}
