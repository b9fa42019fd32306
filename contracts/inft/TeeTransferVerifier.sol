// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IInftTransferVerifier} from "./interfaces/IInftTransferVerifier.sol";
import {ITeeTransferVerifier} from "./interfaces/ITeeTransferVerifier.sol";

/// @title TeeTransferVerifier
/// @notice Verifies TEE-mode ERC-7857 transfers: the oracle, running in a TEE, decrypts the data key, re-seals it
/// to the receiver's key and signs an EIP-712 `OwnershipProof` over the NFT, token, receiver, data hash, key
/// commitment, receiver key, sealed key, nonce and deadline. Governance acknowledges the oracle's signing key
/// after checking its attestation; the contract trusts exactly the acknowledged keys.
/// @dev Stateless with respect to replays: the NFT's nonce (signed here) and deadline stop them.
contract TeeTransferVerifier is ITeeTransferVerifier, ProtocolUpgradeable, EIP712Upgradeable {
    // solhint-disable gas-small-strings
    /// @notice EIP-712 type of the oracle's proof; bytes fields are signed as their keccak256.
    bytes32 public constant OWNERSHIP_PROOF_TYPEHASH = keccak256(
        "OwnershipProof(address nft,uint256 tokenId,address receiver,bytes32 dataHash,bytes32 keyCommitment,"
        "bytes32 receiverKeyHash,bytes32 sealedKeyHash,uint256 nonce,uint256 deadline)"
    );
    // solhint-enable gas-small-strings

    /// @custom:storage-location erc7201:zg.storage.TeeTransferVerifier
    struct TeeTransferVerifierLayout {
        mapping(address oracle => bool) oracles;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.TeeTransferVerifier")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xd97eb39737cb9361eae5b3ac90dd517d97aebfcbd6dc7ccb26b4e0cbb71cce00;

    /// @notice Sets up roles and the oracle keys acknowledged from the start.
    /// @param admin Governance: admin and upgrader; acknowledges oracle keys.
    /// @param pauser The guardian that may pause verification (none when zero).
    /// @param oracles The oracle keys acknowledged at deployment (may be empty).
    function initialize(address admin, address pauser, address[] calldata oracles) external initializer {
        __Protocol_init(admin, pauser);
        __EIP712_init("TeeTransferVerifier", "1");
        for (uint256 i = 0; i < oracles.length; ++i) {
            if (oracles[i] == address(0)) revert TeeTransferVerifierZeroAddress();
            _acknowledge(oracles[i]);
        }
    }

    /// @inheritdoc ITeeTransferVerifier
    function acknowledgeOracle(address oracle) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (oracle == address(0)) revert TeeTransferVerifierZeroAddress();
        _acknowledge(oracle);
    }

    /// @inheritdoc ITeeTransferVerifier
    function revokeOracle(address oracle) external onlyRole(DEFAULT_ADMIN_ROLE) {
        delete _s().oracles[oracle];
        emit OracleRevoked(oracle);
    }

    /// @inheritdoc IInftTransferVerifier
    function verifyTransferValidity(
        TransferClaim calldata claim,
        bytes calldata proof
    ) external view whenNotPaused returns (bool) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(_digest(msg.sender, claim), proof);
        if (err != ECDSA.RecoverError.NoError) revert TeeTransferVerifierMalformedSignature();
        if (!_s().oracles[signer]) revert TeeTransferVerifierUnknownOracle(signer);
        return true;
    }

    /// @inheritdoc ITeeTransferVerifier
    function isOracle(address oracle) external view returns (bool) {
        return _s().oracles[oracle];
    }

    /// @inheritdoc ITeeTransferVerifier
    function ownershipProofDigest(address nft, TransferClaim calldata claim) external view returns (bytes32) {
        return _digest(nft, claim);
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "TeeTransferVerifier";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    function _digest(address nft, TransferClaim calldata c) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        OWNERSHIP_PROOF_TYPEHASH,
                        nft,
                        c.tokenId,
                        c.receiver,
                        c.dataHash,
                        c.keyCommitment,
                        keccak256(c.receiverKey),
                        keccak256(c.sealedKey),
                        c.nonce,
                        c.deadline
                    )
                )
            );
    }

    function _acknowledge(address oracle) private {
        _s().oracles[oracle] = true;
        emit OracleAcknowledged(oracle);
    }

    function _s() private pure returns (TeeTransferVerifierLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
