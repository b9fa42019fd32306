// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BN254} from "../../common/libraries/BN254.sol";

/// @title IDAEntranceTypes
/// @notice The structs the DA entrance takes.
interface IDAEntranceTypes {
    /// @notice A blob's certificate: the quorum's aggregate BLS signature over
    /// `commitMessage(dataRoot, epoch, quorumId, commitment)`, the signers' aggregate G2 key, and the G1 keys
    /// of the members that did not sign, sorted by strictly increasing keccak256(abi.encode(X, Y)).
    struct CommitRootSubmission {
        bytes32 dataRoot;
        uint256 epoch;
        uint256 quorumId;
        BN254.G1Point commitment;
        BN254.G1Point[] nonSignerPubkeys;
        BN254.G2Point apkG2;
        BN254.G1Point sigma;
    }
}

/// @title IDAEntranceErrors
/// @notice The custom errors of the DA entrance.
interface IDAEntranceErrors {
    /// @notice Thrown when the signer registry address is zero.
    error DAEntranceZeroRegistry();

    /// @notice Thrown when no data roots (or submissions) are given, or more than the batch limit.
    /// @param count How many were given.
    /// @param maximum The most accepted.
    error DAEntranceInvalidBatch(uint256 count, uint256 maximum);

    /// @notice Thrown when a data root is zero.
    error DAEntranceZeroDataRoot();

    /// @notice Thrown when the value sent is below blob price × number of roots.
    /// @param paid The value sent.
    /// @param required The price.
    error DAEntranceInsufficientFee(uint256 paid, uint256 required);

    /// @notice Thrown when no quorum has members in the current epoch.
    /// @param epoch The epoch.
    error DAEntranceNoQuorum(uint256 epoch);

    /// @notice Thrown when a data root is submitted twice to the same epoch and quorum.
    /// @param dataRoot The root.
    error DAEntranceAlreadySubmitted(bytes32 dataRoot);

    /// @notice Thrown when a certificate names a data root that was not paid for in that epoch and quorum.
    /// @param dataRoot The root.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    error DAEntranceDataRootNotPaid(bytes32 dataRoot, uint256 epoch, uint256 quorumId);

    /// @notice Thrown when a data root already has a verified commitment in that epoch and quorum (a replay).
    /// @param dataRoot The root.
    error DAEntranceAlreadyVerified(bytes32 dataRoot);

    /// @notice Thrown when the signers hold less than 2/3 of the quorum's weight (or none at all).
    /// @param signedWeight The signers' weight.
    /// @param totalWeight The quorum's weight.
    error DAEntranceInsufficientSignedWeight(uint256 signedWeight, uint256 totalWeight);

    /// @notice Thrown when the aggregate signature does not verify against the signers' aggregate key.
    error DAEntranceInvalidSignature();

    /// @notice Thrown when a native-token transfer (refund or fee withdrawal) fails.
    /// @param to The recipient.
    error DAEntranceTransferFailed(address to);
}

// solhint-disable gas-indexed-events
/// @title IDAEntranceEvents
/// @notice The events of the DA entrance.
interface IDAEntranceEvents is IDAEntranceTypes {
    /// @notice Emitted for every paid data root: the quorum `quorumId` of `epoch` is asked to sign it.
    /// @param sender The payer.
    /// @param dataRoot The blob's data root.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @param blobPrice The price paid.
    event DataUploaded(
        address indexed sender,
        bytes32 indexed dataRoot,
        uint256 indexed epoch,
        uint256 quorumId,
        uint256 blobPrice
    );

    /// @notice Emitted when a blob's commitment is accepted.
    /// @param dataRoot The blob's data root.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @param commitment The erasure commitment (a G1 point).
    /// @param signedWeight The signers' weight.
    /// @param totalWeight The quorum's weight.
    event CommitRootVerified(
        bytes32 indexed dataRoot,
        uint256 indexed epoch,
        uint256 indexed quorumId,
        BN254.G1Point commitment,
        uint256 signedWeight,
        uint256 totalWeight
    );

    /// @notice Emitted when the blob price changes.
    /// @param price The new price in wei.
    event BlobPriceUpdated(uint256 price);

    /// @notice Emitted when collected fees are paid out.
    /// @param to The recipient.
    /// @param amount The value.
    event FeesWithdrawn(address indexed to, uint256 amount);
}

/// @title IDAEntrance
/// @notice Where blobs enter the data-availability layer: a payer pays for data roots, the assigned quorum signs
/// the blob's commitment, and the aggregate signature is checked here in one pairing.
interface IDAEntrance is IDAEntranceErrors, IDAEntranceEvents {
    /// @notice Sets roles and parameters once, behind the proxy.
    /// @param admin Gets DEFAULT_ADMIN_ROLE (sets the price, withdraws fees) and UPGRADER_ROLE.
    /// @param pauser Gets PAUSER_ROLE when non-zero.
    /// @param registry The signer registry.
    /// @param blobPrice Wei per data root.
    function initialize(address admin, address pauser, address registry, uint256 blobPrice) external;

    /// @notice Pays for `dataRoots` and assigns each to a quorum of the current epoch, round robin.
    /// @dev Effects: marks each (root, epoch, quorum) paid, emits `DataUploaded` for each, refunds value sent
    /// above the price. Requirements: not paused; 1..64 roots, none zero, none already paid in this epoch and
    /// quorum; a quorum has members now; msg.value ≥ blobPrice × roots.
    /// @param dataRoots The blobs' data roots.
    function submitOriginalData(bytes32[] calldata dataRoots) external payable;

    /// @notice Accepts blob commitments certified by their quorums.
    /// @dev Effects: stores keccak256 of each commitment for its (root, epoch, quorum) and emits
    /// `CommitRootVerified`; a failing submission reverts the whole call, so nothing is stored. Requirements:
    /// not paused; 1..64 submissions; each root paid in its epoch and quorum and not yet verified; the
    /// non-signers are members of the quorum in that epoch, sorted strictly (`DASignerRegistry`
    /// errors otherwise); the quorum's weights snapshotted; signers hold ≥ 2/3 of the weight; the signature
    /// verifies: e(σ + γ·apk1, −g2) · e(H(m) + γ·g1, apkG2) = 1 with apk1 the quorum's key minus the
    /// non-signers' and γ a hash of all inputs.
    /// @param submissions The certificates.
    function submitVerifiedCommitRoots(CommitRootSubmission[] calldata submissions) external;

    /// @notice Sets the price per data root; only the admin.
    /// @param price Wei per root.
    function setBlobPrice(uint256 price) external;

    /// @notice Pays collected fees to `to`; only the admin.
    /// @param to The recipient.
    /// @param amount The value.
    function withdrawFees(address to, uint256 amount) external;

    /// @notice The message a quorum signs: keccak256(abi.encode(dataRoot, epoch, quorumId, commitment.X,
    /// commitment.Y)).
    /// @param dataRoot The root.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @param commitment The erasure commitment.
    /// @return The message.
    function commitMessage(
        bytes32 dataRoot,
        uint256 epoch,
        uint256 quorumId,
        BN254.G1Point calldata commitment
    ) external pure returns (bytes32);

    /// @notice Whether a root was paid for in an epoch and quorum.
    /// @param dataRoot The root.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @return True when paid (verified or not).
    function isPaid(bytes32 dataRoot, uint256 epoch, uint256 quorumId) external view returns (bool);

    /// @notice keccak256(abi.encode(commitment.X, commitment.Y)) of a verified blob, or zero.
    /// @param dataRoot The root.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @return The commitment's hash.
    function verifiedCommitment(bytes32 dataRoot, uint256 epoch, uint256 quorumId) external view returns (bytes32);

    /// @notice The price per data root.
    /// @return Wei.
    function blobPrice() external view returns (uint256);

    /// @notice The signer registry.
    /// @return Its address.
    function registry() external view returns (address);
}
