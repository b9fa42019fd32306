// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInftTransferVerifier} from "./interfaces/IInftTransferVerifier.sol";
import {IInftGroth16Verifier, IZkTransferVerifier} from "./interfaces/IZkTransferVerifier.sol";

/// @title ZkTransferVerifier
/// @notice Adapts the generated Groth16 verifier of circuits/inft to the agent NFT: builds the public signals
/// from the token's key commitment, the receiver's Baby Jubjub key and the sealed key, and checks the proof.
/// @dev Stateless and immutable: a new circuit key means a new generated verifier and a new adapter, which
/// governance points the NFT at with `setVerifier`. Public signals must be field elements; the generated verifier
/// refuses any that is not, so no value can alias another modulo the field.
contract ZkTransferVerifier is IZkTransferVerifier {
    /// @inheritdoc IZkTransferVerifier
    IInftGroth16Verifier public immutable groth16Verifier;

    /// @notice Binds the adapter to the generated verifier.
    /// @param verifier_ The generated InftVerifier.
    constructor(IInftGroth16Verifier verifier_) {
        groth16Verifier = verifier_;
    }

    /// @inheritdoc IInftTransferVerifier
    function verifyTransferValidity(TransferClaim calldata claim, bytes calldata proof) external view returns (bool) {
        if (claim.receiverKey.length != 64) revert ZkTransferVerifierMalformedReceiverKey(claim.receiverKey.length);
        if (claim.sealedKey.length != 224) revert ZkTransferVerifierMalformedSealedKey(claim.sealedKey.length);
        if (proof.length != 256) revert ZkTransferVerifierMalformedProof(proof.length);

        uint256[10] memory pub;
        pub[0] = uint256(claim.keyCommitment);
        (pub[1], pub[2]) = abi.decode(claim.receiverKey, (uint256, uint256));
        uint256[4] memory ciphertext;
        (pub[3], pub[4], pub[5], ciphertext) = abi.decode(claim.sealedKey, (uint256, uint256, uint256, uint256[4]));
        for (uint256 i = 0; i < 4; ++i) pub[6 + i] = ciphertext[i];
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) = abi.decode(
            proof,
            (uint256[2], uint256[2][2], uint256[2])
        );
        if (!groth16Verifier.verifyProof(a, b, c, pub)) revert ZkTransferVerifierInvalidProof();
        return true;
    }
}
