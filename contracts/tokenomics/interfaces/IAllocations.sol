// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAllocationsTypes
/// @notice The structs and enums of the genesis allocation registry.
interface IAllocationsTypes {
    /// @notice How a holder's locked amount is computed.
    /// @param Vesting A `GenesisVesting` wallet: locked = amount − vested(t), from the wallet's own schedule.
    /// @param Budget An `IBudgetHolder` (rewards distributor, budget vault): locked = amount − paidOut.
    enum HolderKind {
        Vesting,
        Budget
    }

    /// @notice A contract holding part of a bucket.
    /// @param account The contract.
    /// @param kind How its locked amount is computed.
    /// @param amount Its genesis allocation in wei.
    struct Holder {
        address account;
        HolderKind kind;
        uint256 amount;
    }

    /// @notice A bucket as given to `initialize`.
    /// @param name The bucket's name ("backers", "team", ...).
    /// @param holders Its holders; their amounts sum to the bucket's amount.
    struct BucketInit {
        string name;
        Holder[] holders;
    }
}

/// @title IAllocationsErrors
/// @notice The custom errors of the genesis allocation registry.
interface IAllocationsErrors {
    /// @notice Thrown when the buckets' amounts do not sum to the max supply exactly.
    /// @param total The sum given.
    /// @param maxSupply The max supply.
    error AllocationsSupplyMismatch(uint256 total, uint256 maxSupply);

    /// @notice Thrown when there are no buckets or more than `MAX_BUCKETS`.
    /// @param count The number given.
    error AllocationsBadBucketCount(uint256 count);

    /// @notice Thrown when a bucket has no holders or more than `MAX_HOLDERS`.
    /// @param bucket The bucket's index.
    /// @param count The number given.
    error AllocationsBadHolderCount(uint256 bucket, uint256 count);

    /// @notice Thrown when a holder is the zero address or has no allocation.
    /// @param bucket The bucket's index.
    /// @param holder The holder's index in the bucket.
    error AllocationsBadHolder(uint256 bucket, uint256 holder);

    /// @notice Thrown when a bucket index is out of range.
    /// @param bucket The index given.
    error AllocationsUnknownBucket(uint256 bucket);
}

// Amounts are data, not topics: nobody filters logs by an amount.
// solhint-disable gas-indexed-events
/// @title IAllocationsEvents
/// @notice The events of the genesis allocation registry.
interface IAllocationsEvents {
    /// @notice Emitted once per bucket by `initialize`.
    /// @param index The bucket's index.
    /// @param name The bucket's name.
    /// @param amount The bucket's allocation in wei.
    /// @param holders How many contracts hold it.
    event BucketRecorded(uint256 indexed index, string name, uint256 amount, uint256 holders);
}
// solhint-enable gas-indexed-events

/// @title IAllocations
/// @notice The record of the native coin's genesis distribution: each bucket's name, amount and holder contracts,
/// summing to the max supply exactly, and what of it is locked (not yet vested, or still held by a budget
/// contract) versus circulating.
interface IAllocations is IAllocationsTypes, IAllocationsErrors, IAllocationsEvents {
    /// @notice Records the buckets; their amounts must sum to `MAX_SUPPLY`.
    /// @param admin Governance: admin and upgrader.
    /// @param buckets The buckets with their holders.
    function initialize(address admin, BucketInit[] calldata buckets) external;

    /// @notice How many buckets there are.
    /// @return The count.
    function bucketCount() external view returns (uint256);

    /// @notice One bucket.
    /// @param index The bucket's index.
    /// @return name The bucket's name.
    /// @return amount Its allocation in wei.
    /// @return holders Its holder contracts.
    function bucket(uint256 index) external view returns (string memory name, uint256 amount, Holder[] memory holders);

    /// @notice What of a bucket is locked at `timestamp`: vesting wallets' unvested part at that time, plus budget
    /// contracts' unpaid budget as it stands now (read at a past block for history).
    /// @param index The bucket's index.
    /// @param timestamp Unix seconds.
    /// @return The amount in wei; never above the bucket's amount.
    function lockedAt(uint256 index, uint256 timestamp) external view returns (uint256);

    /// @notice What of a bucket is locked now.
    /// @param index The bucket's index.
    /// @return The amount in wei.
    function locked(uint256 index) external view returns (uint256);

    /// @notice What of the whole supply is locked now.
    /// @return The amount in wei.
    function totalLocked() external view returns (uint256);

    /// @notice What of the supply is circulating now: `MAX_SUPPLY − totalLocked()`.
    /// @return The amount in wei.
    function circulating() external view returns (uint256);
}
