// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInftTransferVerifier} from "./IInftTransferVerifier.sol";

/// @title ITeeTransferVerifier
/// @notice The TEE-mode verifier: a transfer is valid when an oracle key acknowledged by governance signed (EIP-712)
/// an `OwnershipProof` over the transfer and the sealed key it produced.
interface ITeeTransferVerifier is IInftTransferVerifier {
    /// @notice Thrown when the proof is not a well-formed ECDSA signature.
    error TeeTransferVerifierMalformedSignature();

    /// @notice Thrown when the proof was signed by a key governance has not acknowledged (or was signed over other
    /// fields, which recovers an unrelated address).
    /// @param signer The address recovered from the proof.
    error TeeTransferVerifierUnknownOracle(address signer);

    /// @notice Thrown when the zero address is acknowledged as an oracle.
    error TeeTransferVerifierZeroAddress();

    /// @notice Emitted when governance acknowledges an oracle signing key.
    /// @param oracle The key's address.
    event OracleAcknowledged(address indexed oracle);

    /// @notice Emitted when governance withdraws an oracle signing key.
    /// @param oracle The key's address.
    event OracleRevoked(address indexed oracle);

    /// @notice Acknowledges an oracle signing key (after checking its TEE attestation off chain). Only
    /// `DEFAULT_ADMIN_ROLE`.
    /// @param oracle The key's address.
    function acknowledgeOracle(address oracle) external;

    /// @notice Withdraws an oracle signing key: its signatures stop being accepted at once. Only
    /// `DEFAULT_ADMIN_ROLE`.
    /// @param oracle The key's address.
    function revokeOracle(address oracle) external;

    /// @notice Whether `oracle` is an acknowledged signing key.
    /// @param oracle The key's address.
    /// @return True when acknowledged.
    function isOracle(address oracle) external view returns (bool);

    /// @notice The EIP-712 digest an oracle signs for one entry of a transfer through `nft`.
    /// @param nft The agent NFT contract that will ask for verification.
    /// @param claim The transfer claim.
    /// @return The digest.
    function ownershipProofDigest(address nft, TransferClaim calldata claim) external view returns (bytes32);
}
