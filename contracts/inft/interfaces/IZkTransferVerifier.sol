// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInftTransferVerifier} from "./IInftTransferVerifier.sol";

/// @title IInftGroth16Verifier
/// @notice The generated Groth16 verifier of circuits/inft (contracts/verifiers/generated/InftVerifier.sol).
interface IInftGroth16Verifier {
    /// @notice Checks a Groth16 proof against the circuit's verification key.
    /// @param a The proof's A point.
    /// @param b The proof's B point (G2, coordinates as (c1, c0)).
    /// @param c The proof's C point.
    /// @param pub keyCommitment, receiverX, receiverY, ephemeralX, ephemeralY, nonce, ciphertext[4].
    /// @return True when the proof verifies.
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[10] calldata pub
    ) external view returns (bool);
}

/// @title IZkTransferVerifier
/// @notice The ZK-mode verifier: a transfer is valid when a Groth16 proof shows that the sealed key is the
/// Poseidon-cipher encryption, under an ECDH key with the receiver's Baby Jubjub key, of the very data key whose
/// Poseidon commitment the token stores. No oracle is trusted.
interface IZkTransferVerifier is IInftTransferVerifier {
    /// @notice Thrown when the receiver key is not abi.encode(uint256 x, uint256 y) (64 bytes).
    /// @param length The length given.
    error ZkTransferVerifierMalformedReceiverKey(uint256 length);

    /// @notice Thrown when the sealed key is not abi.encode(ephemeralX, ephemeralY, nonce, uint256[4]) (224 bytes).
    /// @param length The length given.
    error ZkTransferVerifierMalformedSealedKey(uint256 length);

    /// @notice Thrown when the proof is not abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c) (256 bytes).
    /// @param length The length given.
    error ZkTransferVerifierMalformedProof(uint256 length);

    /// @notice Thrown when the Groth16 proof does not verify for the claim's public signals.
    error ZkTransferVerifierInvalidProof();

    /// @notice The generated Groth16 verifier this adapter calls.
    /// @return The verifier contract.
    function groth16Verifier() external view returns (IInftGroth16Verifier);
}
