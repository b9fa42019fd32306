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

    /// @notice Thrown when a native-token transfer (refund, fee withdrawal or released pool) fails.
    /// @param to The recipient.
    error DAEntranceTransferFailed(address to);

    /// @notice Thrown when the service fee is set above its maximum.
    /// @param ppm The fee given.
    /// @param maximum The most allowed.
    error DAEntranceInvalidServiceFee(uint256 ppm, uint256 maximum);

    /// @notice Thrown when an epoch's fees are released before the epoch is over.
    /// @param epoch The epoch asked for.
    /// @param current The current epoch.
    error DAEntranceEpochNotOver(uint256 epoch, uint256 current);

    /// @notice Thrown when an epoch's fees are released twice.
    /// @param epoch The epoch.
    error DAEntranceFeesAlreadyReleased(uint256 epoch);

    /// @notice Thrown when the admin withdraws more than the service fees collected.
    /// @param amount The amount asked for.
    /// @param available The service fees not yet withdrawn.
    error DAEntranceExceedsServiceFees(uint256 amount, uint256 available);
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

    /// @notice Emitted when service fees are paid out.
    /// @param to The recipient.
    /// @param amount The value.
    event FeesWithdrawn(address indexed to, uint256 amount);

    /// @notice Emitted when the service fee changes.
    /// @param ppm The new fee in parts per million of the blob fees.
    event ServiceFeeUpdated(uint256 ppm);

    /// @notice Emitted when an epoch's fees are split into the service fee and the sampling reward pool.
    /// @param epoch The epoch.
    /// @param to The sampler that received the pool.
    /// @param gross The epoch's blob fees.
    /// @param serviceFee The part kept for the admin's withdrawal.
    /// @param pool The part sent to the sampler.
    event EpochFeesReleased(uint256 indexed epoch, address indexed to, uint256 gross, uint256 serviceFee, uint256 pool);
}

/// @title IDAEntrance
/// @notice Where blobs enter the data-availability layer: a payer pays for data roots, the assigned quorum signs
/// the blob's commitment, and the aggregate signature is checked here in one pairing.
interface IDAEntrance is IDAEntranceErrors, IDAEntranceEvents {
    /// @notice Sets roles and parameters once, behind the proxy.
    /// @param admin Gets DEFAULT_ADMIN_ROLE (sets the price and fee, withdraws service fees) and UPGRADER_ROLE.
    /// @param pauser Gets PAUSER_ROLE when non-zero.
    /// @param registry The signer registry.
    /// @param blobPrice Wei per data root.
    /// @param serviceFeePpm The admin's share of each epoch's fees, at most 500000 (50 %).
    function initialize(
        address admin,
        address pauser,
        address registry,
        uint256 blobPrice,
        uint32 serviceFeePpm
    ) external;

    /// @notice Pays for `dataRoots` and assigns each to a quorum of the current epoch, round robin.
    /// @dev Effects: marks each (root, epoch, quorum) paid, emits `DataUploaded` for each, adds the fee to the
    /// epoch's fees (in the slot the round-robin counter already takes), refunds value sent above the price.
    /// Requirements: not paused; 1..64 roots, none zero, none already paid in this epoch and quorum; a quorum has
    /// members now; msg.value ≥ blobPrice × roots.
    /// @param dataRoots The blobs' data roots.
    function submitOriginalData(bytes32[] calldata dataRoots) external payable;

    /// @notice Accepts blob commitments certified by their quorums.
    /// @dev Effects: stores the certificate hash `certificateHashOf(commitment, nonSignerPubkeys)` for its
    /// (root, epoch, quorum) and emits `CommitRootVerified`; a failing submission reverts the whole call, so
    /// nothing is stored. Requirements: not paused; 1..64 submissions; each root paid in its epoch and quorum
    /// and not yet verified; the non-signers are members of the quorum in that epoch, sorted strictly
    /// (`DASignerRegistry` errors otherwise); the quorum's weights snapshotted; signers hold ≥ 2/3 of the
    /// weight; the signature verifies: e(σ + γ·apk1, −g2) · e(H(m) + γ·g1, apkG2) = 1 with apk1 the quorum's
    /// key minus the non-signers' and γ a hash of all inputs.
    /// @param submissions The certificates.
    function submitVerifiedCommitRoots(CommitRootSubmission[] calldata submissions) external;

    /// @notice Sets the price per data root; only the admin.
    /// @param price Wei per root.
    function setBlobPrice(uint256 price) external;

    /// @notice Pays service fees (the part of released epochs' fees kept back) to `to`; only the admin.
    /// @dev Requirements: amount ≤ `serviceFees()`; the transfer goes through.
    /// @param to The recipient.
    /// @param amount The value.
    function withdrawFees(address to, uint256 amount) external;

    /// @notice Sets the service fee for epochs released from now on; only the admin.
    /// @param ppm Parts per million of an epoch's fees, at most 500000.
    function setServiceFeePpm(uint32 ppm) external;

    /// @notice Sends a finished epoch's fees, less the service fee, to the caller (the sampler) as that epoch's
    /// sampling reward pool; only SAMPLER_ROLE.
    /// @dev Effects: marks the epoch released, adds `gross × serviceFeePpm / 1e6` to the service fees, sends the
    /// rest, emits `EpochFeesReleased`. Requirements: epoch < the registry's current epoch (its fees are final);
    /// not released yet; the transfer goes through.
    /// @param epoch The epoch.
    /// @return pool The value sent.
    function releaseEpochFees(uint256 epoch) external returns (uint256 pool);

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

    /// @notice Whether a blob's certificate was accepted.
    /// @param dataRoot The root.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @return True once verified.
    function isVerified(bytes32 dataRoot, uint256 epoch, uint256 quorumId) external view returns (bool);

    /// @notice The certificate hash recorded for a verified blob (`certificateHashOf`), or zero.
    /// @param dataRoot The root.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @return The hash.
    function certificateHash(bytes32 dataRoot, uint256 epoch, uint256 quorumId) external view returns (bytes32);

    /// @notice Whether a blob is verified with exactly this commitment and these non-signers.
    /// @param dataRoot The root.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @param commitment The erasure commitment claimed.
    /// @param nonSignerPubkeys The non-signers claimed, in the certificate's order.
    /// @return True when they hash to the record.
    function matchesCertificate(
        bytes32 dataRoot,
        uint256 epoch,
        uint256 quorumId,
        BN254.G1Point calldata commitment,
        BN254.G1Point[] calldata nonSignerPubkeys
    ) external view returns (bool);

    /// @notice The certificate hash: keccak256(abi.encode(commitment.X, commitment.Y,
    /// keccak256(abi.encode(nonSignerPubkeys)))).
    /// @param commitment The erasure commitment.
    /// @param nonSignerPubkeys The non-signers.
    /// @return The hash.
    function certificateHashOf(
        BN254.G1Point calldata commitment,
        BN254.G1Point[] calldata nonSignerPubkeys
    ) external pure returns (bytes32);

    /// @notice An epoch's blob fees and whether they were released to the sampler.
    /// @param epoch The epoch.
    /// @return gross The fees paid in the epoch.
    /// @return released Whether `releaseEpochFees` ran for it.
    function epochFees(uint256 epoch) external view returns (uint256 gross, bool released);

    /// @notice The service fee in parts per million.
    /// @return The fee.
    function serviceFeePpm() external view returns (uint32);

    /// @notice Service fees collected and not yet withdrawn.
    /// @return Wei.
    function serviceFees() external view returns (uint256);

    /// @notice The price per data root.
    /// @return Wei.
    function blobPrice() external view returns (uint256);

    /// @notice The signer registry.
    /// @return Its address.
    function registry() external view returns (address);
}
