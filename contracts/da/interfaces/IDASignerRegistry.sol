// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BN254} from "../../common/libraries/BN254.sol";

/// @title IDASignerRegistryTypes
/// @notice The structs the DA signer registry stores and returns.
interface IDASignerRegistryTypes {
    /// @notice A registered signer, keyed by the validator (operator address) whose stake backs it.
    struct Signer {
        bytes32 pubkeyHash;
        uint64 activeFromEpoch;
        uint32 quorumId;
        uint32 index;
        BN254.G1Point pk1;
        BN254.G2Point pk2;
        string socket;
    }

    /// @notice A quorum's membership from `fromEpoch` on: how many members count and their aggregate G1 key.
    struct QuorumCheckpoint {
        uint64 fromEpoch;
        uint32 size;
        BN254.G1Point apk;
    }

    /// @notice How many quorums exist from `fromEpoch` on.
    struct QuorumCountCheckpoint {
        uint64 fromEpoch;
        uint32 count;
    }
}

/// @title IDASignerRegistryErrors
/// @notice The custom errors of the DA signer registry.
interface IDASignerRegistryErrors {
    /// @notice Thrown when the staking contract address is zero.
    error DASignerRegistryZeroStaking();

    /// @notice Thrown when a parameter is outside its bounds.
    /// @param name The parameter.
    /// @param value The value given.
    error DASignerRegistryInvalidParam(string name, uint256 value);

    /// @notice Thrown when a validator that already has a signer registers again.
    /// @param signer The validator.
    error DASignerRegistryAlreadyRegistered(address signer);

    /// @notice Thrown when the caller's validator is not opted into the DA service in Staking.
    /// @param signer The validator.
    error DASignerRegistryNotOptedIn(address signer);

    /// @notice Thrown when a public key is the point at infinity or not on the curve.
    error DASignerRegistryInvalidPubkey();

    /// @notice Thrown when a public key is already registered by another signer.
    /// @param owner The signer that holds it.
    error DASignerRegistryPubkeyInUse(address owner);

    /// @notice Thrown when the proof of possession does not verify (or pk1 and pk2 hold different secrets).
    error DASignerRegistryInvalidProofOfPossession();

    /// @notice Thrown when a socket URL is empty or longer than 256 bytes.
    /// @param length Its length in bytes.
    error DASignerRegistryInvalidSocket(uint256 length);

    /// @notice Thrown when an address that never registered is used as a signer.
    /// @param signer The address.
    error DASignerRegistryUnknownSigner(address signer);

    /// @notice Thrown when a quorum has no members in an epoch.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    error DASignerRegistryUnknownQuorum(uint256 epoch, uint256 quorumId);

    /// @notice Thrown when weights are read for an epoch that has not been snapshotted yet.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    error DASignerRegistryNotSnapshotted(uint256 epoch, uint256 quorumId);

    /// @notice Thrown when a snapshot is asked for an epoch that has not started.
    /// @param epoch The epoch asked for.
    /// @param current The current epoch.
    error DASignerRegistryFutureEpoch(uint256 epoch, uint256 current);

    /// @notice Thrown when a snapshot is taken twice for the same epoch and quorum.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    error DASignerRegistryAlreadySnapshotted(uint256 epoch, uint256 quorumId);

    /// @notice Thrown when a non-signer key is not a member of the quorum in the epoch.
    /// @param pubkeyHash keccak256 of the key given.
    error DASignerRegistryNotQuorumMember(bytes32 pubkeyHash);

    /// @notice Thrown when non-signer keys are not sorted by strictly increasing pubkey hash (or repeat one).
    /// @param index The position of the first key out of order.
    error DASignerRegistryNonSignersNotSorted(uint256 index);
}

// solhint-disable gas-indexed-events
/// @title IDASignerRegistryEvents
/// @notice The events of the DA signer registry.
interface IDASignerRegistryEvents is IDASignerRegistryTypes {
    /// @notice Emitted when a validator registers its BLS signer.
    /// @param signer The validator.
    /// @param pubkeyHash keccak256(abi.encode(pk1.X, pk1.Y)).
    /// @param quorumId The quorum it joins.
    /// @param activeFromEpoch The first epoch it counts in.
    /// @param socket Where its node listens (the keys are in `getSigner`).
    event SignerRegistered(
        address indexed signer,
        bytes32 indexed pubkeyHash,
        uint32 indexed quorumId,
        uint64 activeFromEpoch,
        string socket
    );

    /// @notice Emitted when a signer changes its socket URL.
    /// @param signer The signer.
    /// @param socket The new URL.
    event SocketUpdated(address indexed signer, string socket);

    /// @notice Emitted when a quorum's weights are fixed for an epoch.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @param members How many members were weighed.
    /// @param totalWeight The sum of their weights.
    event WeightsSnapshotted(uint256 indexed epoch, uint256 indexed quorumId, uint256 members, uint256 totalWeight);

    /// @notice Emitted when a slasher has this registry (the DA service) slash a signer's validator in Staking.
    /// @param signer The signer (its validator).
    /// @param slasher The SLASHER_ROLE holder that asked.
    /// @param ppm The fraction slashed.
    /// @param reason The slasher's code for the fault.
    /// @param jailed Whether the validator was jailed too.
    event SignerSlashed(address indexed signer, address indexed slasher, uint32 ppm, bytes32 reason, bool jailed);
}

/// @title IDASignerRegistry
/// @notice The BLS signer registry of the data-availability layer: validators register BN254 keys with a proof of
/// possession, fill quorums of at most `maxQuorumSize` members in order, and carry their staked weight.
interface IDASignerRegistry is IDASignerRegistryErrors, IDASignerRegistryEvents {
    /// @notice Sets roles and parameters once, behind the proxy.
    /// @param admin Gets DEFAULT_ADMIN_ROLE and UPGRADER_ROLE.
    /// @param pauser Gets PAUSER_ROLE when non-zero.
    /// @param staking The staking contract that weighs validators (this registry is the DA service there).
    /// @param epochLength Seconds per DA epoch (60 s .. 30 days); fixed for the life of the contract.
    /// @param maxQuorumSize Most members of one quorum (1 .. 256).
    function initialize(
        address admin,
        address pauser,
        address staking,
        uint64 epochLength,
        uint32 maxQuorumSize
    ) external;

    /// @notice Registers the caller's validator as a DA signer from the next epoch on.
    /// @dev Effects: stores the keys and socket, appends the signer to the last quorum (a new one when it is
    /// full) and adds pk1 to that quorum's aggregate key from the next epoch. Requirements: not paused; the
    /// caller is a validator operator opted into this registry's service in Staking; not yet registered; pk1
    /// on the curve and not infinity; the key unused; `popSignature` is the caller's BLS signature over
    /// `popMessage(caller)` and pk1, pk2 hold the same secret; socket 1..256 bytes.
    /// @param pk1 The G1 public key.
    /// @param pk2 The G2 public key.
    /// @param popSignature The proof of possession (a G1 signature).
    /// @param socket Where the signer's node listens (a URL).
    function register(
        BN254.G1Point calldata pk1,
        BN254.G2Point calldata pk2,
        BN254.G1Point calldata popSignature,
        string calldata socket
    ) external;

    /// @notice Changes the caller's socket URL.
    /// @param socket The new URL, 1..256 bytes.
    function updateSocket(string calldata socket) external;

    /// @notice Fixes the weights of `quorumId`'s members counted in `epoch`: each member's
    /// `staking.serviceStake(validator, this)` read now. Anyone may call it, once per epoch and quorum, in that
    /// epoch (the normal case: at its start) or later (so that a missed snapshot never strands paid blobs; the
    /// stakes read are then those of the moment of the call).
    /// @param epoch The current epoch or an earlier one.
    /// @param quorumId A quorum that has members in `epoch`.
    function snapshotWeights(uint256 epoch, uint256 quorumId) external;

    /// @notice Slashes a registered signer's validator in Staking, as the DA service; only SLASHER_ROLE.
    /// @dev Effects: calls `staking.slash(signer, ppm, reason, jail)`, emits `SignerSlashed`. Requirements: the
    /// signer is registered; Staking's own checks (service active, validator opted in, ppm within the service's
    /// per-epoch cap) hold, else its error propagates.
    /// @param signer The signer.
    /// @param ppm The fraction of its stake, 1..1e6.
    /// @param reason The caller's code for the fault.
    /// @param jail Whether to jail the validator too.
    function slashSigner(address signer, uint32 ppm, bytes32 reason, bool jail) external;

    /// @notice The aggregate G1 key of the quorum's signers (all members minus `nonSigners`), the signed weight
    /// and the total weight, in `epoch`.
    /// @dev Requirements: the quorum has members in `epoch`; weights were snapshotted for it; every non-signer
    /// is a member counted in `epoch`, given in strictly increasing order of pubkey hash.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @param nonSigners The G1 keys of the members that did not sign.
    /// @return apk The signers' aggregate G1 key.
    /// @return signedWeight The weight of the signers.
    /// @return totalWeight The weight of the whole quorum.
    function signersAggregate(
        uint256 epoch,
        uint256 quorumId,
        BN254.G1Point[] calldata nonSigners
    ) external view returns (BN254.G1Point memory apk, uint256 signedWeight, uint256 totalWeight);

    /// @notice The current epoch: block.timestamp / epochLength.
    /// @return The epoch.
    function currentEpoch() external view returns (uint256);

    /// @notice Seconds per epoch.
    /// @return The length.
    function epochLength() external view returns (uint64);

    /// @notice Most members per quorum.
    /// @return The size.
    function maxQuorumSize() external view returns (uint32);

    /// @notice The staking contract.
    /// @return Its address.
    function staking() external view returns (address);

    /// @notice How many quorums have members in `epoch`.
    /// @param epoch The epoch.
    /// @return The count.
    function quorumCount(uint256 epoch) external view returns (uint256);

    /// @notice A quorum's member count and aggregate G1 key in `epoch` (0 and infinity before it exists).
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @return size The members counted.
    /// @return apk Their aggregate G1 key.
    function quorumAt(uint256 epoch, uint256 quorumId) external view returns (uint256 size, BN254.G1Point memory apk);

    /// @notice The `index`-th member of a quorum (in registration order).
    /// @param quorumId The quorum.
    /// @param index The position.
    /// @return The signer.
    function quorumMember(uint256 quorumId, uint256 index) external view returns (address);

    /// @notice A signer's record.
    /// @param signer The validator.
    /// @return The record.
    function getSigner(address signer) external view returns (Signer memory);

    /// @notice The signer that registered a key.
    /// @param pubkeyHash keccak256(abi.encode(pk1.X, pk1.Y)).
    /// @return The signer, or zero.
    function signerOf(bytes32 pubkeyHash) external view returns (address);

    /// @notice How many signers ever registered.
    /// @return The count.
    function signerCount() external view returns (uint256);

    /// @notice A member's snapshotted weight and the quorum's total weight in `epoch`.
    /// @param epoch The epoch.
    /// @param quorumId The quorum.
    /// @param signer The member.
    /// @return weight The member's weight (0 when not a member).
    /// @return totalWeight The quorum's total.
    /// @return snapshotted Whether the snapshot was taken.
    function weightAt(
        uint256 epoch,
        uint256 quorumId,
        address signer
    ) external view returns (uint256 weight, uint256 totalWeight, bool snapshotted);

    /// @notice The message a signer signs to prove possession of its key:
    /// keccak256(abi.encode(signer, block.chainid, POP_DOMAIN)).
    /// @param signer The validator.
    /// @return The message.
    function popMessage(address signer) external view returns (bytes32);
}
