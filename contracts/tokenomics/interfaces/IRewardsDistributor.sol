// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBudgetHolder} from "./IBudgetHolder.sol";

/// @title IRewardsDistributorTypes
/// @notice The structs of the rewards distributor.
interface IRewardsDistributorTypes {
    /// @notice How each release is split, in basis points summing to 10 000.
    /// @param validatorsBps Share paid to active validators through `Staking.distributeRewards`, by effective stake.
    /// @param storageBps Share donated to the storage base reward pool (`ChunkRewards.donate`).
    /// @param daBps Share added to the DA sampling base pool (`DASampler.fundBasePool`).
    struct Weights {
        uint16 validatorsBps;
        uint16 storageBps;
        uint16 daBps;
    }
}

/// @title IRewardsDistributorErrors
/// @notice The custom errors of the rewards distributor.
interface IRewardsDistributorErrors {
    /// @notice Thrown when the zero address is given for Staking.
    error RewardsDistributorZeroAddress();

    /// @notice Thrown when a schedule has no budget, a budget above the max supply, or does not end after it starts.
    /// @param budget The budget given.
    /// @param start The start given.
    /// @param end The end given.
    error RewardsDistributorBadSchedule(uint256 budget, uint256 start, uint256 end);

    /// @notice Thrown when weights do not sum to 10 000, or a service with a weight has no address.
    /// @param validatorsBps The validators' weight given.
    /// @param storageBps The storage weight given.
    /// @param daBps The DA weight given.
    error RewardsDistributorBadWeights(uint256 validatorsBps, uint256 storageBps, uint256 daBps);

    /// @notice Thrown when `distribute` finds nothing released since the last call and nothing carried over.
    error RewardsDistributorNothingDue();

    /// @notice Thrown when a deposit would make the distributor hold more than its budget still allows.
    /// @param balance The balance the deposit would give.
    /// @param left What the budget still allows.
    error RewardsDistributorOverfunded(uint256 balance, uint256 left);
}

// Amounts are data, not topics: nobody filters logs by an amount.
// solhint-disable gas-indexed-events
/// @title IRewardsDistributorEvents
/// @notice The events of the rewards distributor.
interface IRewardsDistributorEvents {
    /// @notice Emitted by every `distribute`.
    /// @param caller Who called it.
    /// @param released Newly released from the schedule by this call.
    /// @param toValidators Paid to validators (through Staking).
    /// @param toStorage Donated to ChunkRewards.
    /// @param toDa Added to DASampler's base pool.
    /// @param carried Released but not paid (no validator had stake, a payment failed, rounding); the next call
    /// pays it to validators.
    event Distributed(
        address indexed caller,
        uint256 released,
        uint256 toValidators,
        uint256 toStorage,
        uint256 toDa,
        uint256 carried
    );

    /// @notice Emitted for each validator paid by `distribute`.
    /// @param validator The validator.
    /// @param amount The amount sent to `Staking.distributeRewards`.
    event ValidatorRewarded(address indexed validator, uint256 amount);

    /// @notice Emitted when governance sets the split.
    /// @param validatorsBps The validators' weight.
    /// @param storageBps The storage weight.
    /// @param daBps The DA weight.
    event WeightsUpdated(uint256 validatorsBps, uint256 storageBps, uint256 daBps);

    /// @notice Emitted when governance sets the service contracts.
    /// @param chunkRewards The storage rewards contract.
    /// @param daSampler The DA sampler.
    event ServicesUpdated(address chunkRewards, address daSampler);

    /// @notice Emitted when the distributor receives coin.
    /// @param from The sender.
    /// @param amount The amount in wei.
    event Funded(address indexed from, uint256 amount);
}
// solhint-enable gas-indexed-events

/// @title IRewardsDistributor
/// @notice Holds the community-rewards budget and releases it linearly between `start` and `end`. Anyone may call
/// `distribute`, which pays what the schedule released since the last call: validators by effective stake through
/// Staking, the storage and DA base reward pools by governance-set weights.
interface IRewardsDistributor is
    IRewardsDistributorTypes,
    IRewardsDistributorErrors,
    IRewardsDistributorEvents,
    IBudgetHolder
{
    /// @notice Sets up the distributor.
    /// @param admin Governance: admin and upgrader, sets weights and services.
    /// @param pauser The guardian that may pause `distribute` (none when zero).
    /// @param staking_ The Staking contract validators are paid through.
    /// @param chunkRewards_ Storage's ChunkRewards (zero when storage gets no share).
    /// @param daSampler_ DA's sampler (zero when DA gets no share).
    /// @param budget_ What the schedule releases in all (the community-rewards bucket).
    /// @param start_ When releasing begins (unix seconds).
    /// @param end_ When everything is released (unix seconds, after `start_`).
    /// @param weights_ The split.
    function initialize(
        address admin,
        address pauser,
        address staking_,
        address chunkRewards_,
        address daSampler_,
        uint256 budget_,
        uint64 start_,
        uint64 end_,
        Weights calldata weights_
    ) external;

    /// @notice Releases what the schedule allows since the last call (bounded by the coin held) and pays it out:
    /// services by weight, validators by effective stake (plus anything carried over). Permissionless.
    /// @dev Scans at most `MAX_VALIDATORS_PER_CALL` validators; past that a cursor moves on each call. A validator
    /// payment that Staking refuses stays carried. Reverts with `RewardsDistributorNothingDue` when there is
    /// nothing to pay, and while paused.
    function distribute() external;

    /// @notice Adds the value sent to the distributor (a devnet deployer's funding; a real chain funds it at
    /// genesis). Reverts when the balance would exceed what the budget still allows.
    function fund() external payable;

    /// @notice Sets the split; only the admin.
    /// @param weights_ The weights, summing to 10 000; a service with a weight must have an address.
    function setWeights(Weights calldata weights_) external;

    /// @notice Sets the service contracts; only the admin. A service whose weight is not zero must keep an address.
    /// @param chunkRewards_ Storage's ChunkRewards.
    /// @param daSampler_ DA's sampler.
    function setServices(address chunkRewards_, address daSampler_) external;

    /// @notice What the schedule has released by `timestamp`: 0 before start, the budget after end, linear between.
    /// @param timestamp Unix seconds.
    /// @return The amount in wei.
    function scheduled(uint256 timestamp) external view returns (uint256);

    /// @notice What `distribute` would release now (the schedule's progress, bounded by the coin held).
    /// @return The amount in wei.
    function due() external view returns (uint256);

    /// @notice Everything taken from the schedule so far (paid or carried).
    /// @return The amount in wei.
    function released() external view returns (uint256);

    /// @notice Released but not yet paid; `released() == paidOut() + carried()`.
    /// @return The amount in wei.
    function carried() external view returns (uint256);

    /// @notice The schedule.
    /// @return start_ When releasing begins.
    /// @return end_ When everything is released.
    function schedule() external view returns (uint256 start_, uint256 end_);

    /// @notice The split.
    /// @return The weights.
    function weights() external view returns (Weights memory);

    /// @notice The contracts paid.
    /// @return staking_ Staking.
    /// @return chunkRewards_ Storage's ChunkRewards.
    /// @return daSampler_ DA's sampler.
    function services() external view returns (address staking_, address chunkRewards_, address daSampler_);

    /// @notice Where the next scan of the validator list starts (moves only when the list is longer than a scan).
    /// @return The index.
    function cursor() external view returns (uint256);
}
