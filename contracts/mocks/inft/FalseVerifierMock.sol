// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInftTransferVerifier} from "../../inft/interfaces/IInftTransferVerifier.sol";

/// @title FalseVerifierMock
/// @notice Test-only: a verifier that answers false instead of reverting, to show the NFT refuses that too.
contract FalseVerifierMock is IInftTransferVerifier {
    /// @inheritdoc IInftTransferVerifier
    function verifyTransferValidity(TransferClaim calldata, bytes calldata) external pure returns (bool) {
        return false;
    }
}
