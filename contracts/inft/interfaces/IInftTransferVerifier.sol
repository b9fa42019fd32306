// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IInftTransferVerifier
/// @notice A verifier of ERC-7857 key transfers: checks that a data key was re-sealed to a receiver's key.
/// The agent NFT builds the claim from its own state (token, data hash, key commitment, nonce) and the caller's
/// proof; a verifier returns true or reverts with its own named error, so a refusal always says why.
interface IInftTransferVerifier {
    /// @notice What a transfer (or clone) of one data entry claims.
    /// @param tokenId The token whose entry moves.
    /// @param receiver The address that will own the token (or the clone).
    /// @param dataHash The entry's data hash (the encrypted data's storage root).
    /// @param keyCommitment The entry's Poseidon commitment to its data key (0 when the entry has none).
    /// @param nonce The token's current transfer nonce.
    /// @param deadline Last second (unix time) at which the transfer is valid.
    /// @param receiverKey The receiver's public key the data key is sealed to (format set by the verifier).
    /// @param sealedKey The data key sealed to `receiverKey` (format set by the verifier).
    struct TransferClaim {
        uint256 tokenId;
        address receiver;
        bytes32 dataHash;
        bytes32 keyCommitment;
        uint256 nonce;
        uint256 deadline;
        bytes receiverKey;
        bytes sealedKey;
    }

    /// @notice Checks `proof` for `claim`, made by the calling NFT contract (`msg.sender`).
    /// @param claim The claim the NFT built from its state and the caller's input.
    /// @param proof The verifier-specific proof (an oracle signature, a Groth16 proof).
    /// @return valid Always true: every failure reverts with a named error.
    function verifyTransferValidity(
        TransferClaim calldata claim,
        bytes calldata proof
    ) external view returns (bool valid);
}
