// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStakingTypes} from "./IStakingTypes.sol";

// Amounts and rates are log data, not search keys: indexing them would cost a topic each and hide their values
// from decoders that read only the data.
// solhint-disable gas-indexed-events
/// @title IStakingEvents
/// @notice The events of the staking contract.
interface IStakingEvents is IStakingTypes {
    /// @notice Emitted when an operator registers a validator with its self-stake.
    /// @param validator The operator, which is also the validator's id.
    /// @param consensusPubKey The consensus public key.
    /// @param commissionPpm The commission rate.
    /// @param maxCommissionPpm The validator's commission ceiling.
    /// @param maxCommissionChangePerDayPpm The most the commission moves per change (one change a day).
    /// @param selfStake The value staked.
    /// @param shares The shares minted to the operator.
    event ValidatorRegistered(
        address indexed validator,
        bytes consensusPubKey,
        uint32 commissionPpm,
        uint32 maxCommissionPpm,
        uint32 maxCommissionChangePerDayPpm,
        uint256 selfStake,
        uint256 shares
    );

    /// @notice Emitted when a validator's description is set (at registration and by `setDescription`).
    /// @param validator The validator.
    /// @param description The new description.
    event DescriptionUpdated(address indexed validator, string description);

    /// @notice Emitted when an operator changes its commission.
    /// @param validator The validator.
    /// @param oldPpm The previous rate.
    /// @param newPpm The new rate.
    event CommissionUpdated(address indexed validator, uint32 oldPpm, uint32 newPpm);

    /// @notice Emitted when an operator takes out all of its self-stake and the validator leaves for good.
    /// @param validator The validator.
    event ValidatorExited(address indexed validator);

    /// @notice Emitted when value is delegated.
    /// @param delegator Who delegated.
    /// @param validator To whom.
    /// @param amount The value.
    /// @param shares The shares minted.
    event Delegated(address indexed delegator, address indexed validator, uint256 amount, uint256 shares);

    /// @notice Emitted when shares are undelegated into a withdrawal entry.
    /// @param delegator Who undelegated (the entry's owner).
    /// @param validator From whom.
    /// @param entryId The withdrawal entry.
    /// @param shares The bonded shares burned.
    /// @param amount Their value, moved into the unbonding pool.
    /// @param completionTime When the entry can be withdrawn.
    event Undelegated(
        address indexed delegator,
        address indexed validator,
        uint256 indexed entryId,
        uint256 shares,
        uint256 amount,
        uint64 completionTime
    );

    /// @notice Emitted for each withdrawal entry paid out.
    /// @param entryId The entry.
    /// @param owner Who was paid.
    /// @param validator The entry's validator.
    /// @param amount The value paid (after any slashes during the delay).
    event Withdrawn(uint256 indexed entryId, address indexed owner, address indexed validator, uint256 amount);

    /// @notice Emitted when shares move from one validator to another without waiting.
    /// @param delegator Who redelegated.
    /// @param src The source validator.
    /// @param dst The destination validator.
    /// @param redelegationId The redelegation entry that locks the new shares.
    /// @param srcShares The source shares burned.
    /// @param amount The value moved.
    /// @param dstShares The destination shares minted (locked until `completionTime`).
    /// @param completionTime When the lock ends.
    event Redelegated(
        address indexed delegator,
        address indexed src,
        address indexed dst,
        uint256 redelegationId,
        uint256 srcShares,
        uint256 amount,
        uint256 dstShares,
        uint64 completionTime
    );

    /// @notice Emitted when a reward is pushed to a validator.
    /// @param validator The validator.
    /// @param from Who pushed it.
    /// @param amount The value pushed.
    /// @param tax The community tax owed to the treasury.
    /// @param commission The operator's commission.
    /// @param toDelegators What raised the share price.
    event RewardsDistributed(
        address indexed validator,
        address indexed from,
        uint256 amount,
        uint256 tax,
        uint256 commission,
        uint256 toDelegators
    );

    /// @notice Emitted when an operator claims its commission.
    /// @param operator The operator.
    /// @param amount The value paid.
    event CommissionClaimed(address indexed operator, uint256 amount);

    /// @notice Emitted when the treasury balance (community tax and slashed value) is paid out.
    /// @param to The recipient.
    /// @param by The treasury role holder.
    /// @param amount The value paid.
    event TreasuryWithdrawn(address indexed to, address indexed by, uint256 amount);

    /// @notice Emitted when governance registers a service.
    /// @param service The service's address (the account that will call `slash`).
    /// @param name A readable name.
    /// @param maxSlashPpmPerEpoch The most it may slash one validator per epoch.
    event ServiceRegistered(address indexed service, string name, uint32 maxSlashPpmPerEpoch);

    /// @notice Emitted when governance deactivates a service.
    /// @param service The service.
    event ServiceDeactivated(address indexed service);

    /// @notice Emitted when a validator opts into a service.
    /// @param validator The validator.
    /// @param service The service.
    event OptedIn(address indexed validator, address indexed service);

    /// @notice Emitted when a validator asks to leave a service.
    /// @param validator The validator.
    /// @param service The service.
    /// @param effectiveAt When it stops being slashable by the service.
    event OptOutRequested(address indexed validator, address indexed service, uint64 effectiveAt);

    /// @notice Emitted for every slash.
    /// @param validator The slashed validator.
    /// @param slasher The service (or the consensus role account).
    /// @param reason Why: a service's code, `DOUBLE_SIGN_REASON` or `DOWNTIME_REASON`.
    /// @param ppm The fraction slashed.
    /// @param bondedAmount Taken from bonded stake.
    /// @param unbondingAmount Taken from pending withdrawal entries.
    /// @param redelegatedAmount Taken from shares redelegated away from the validator and still locked.
    event Slashed(
        address indexed validator,
        address indexed slasher,
        bytes32 indexed reason,
        uint32 ppm,
        uint256 bondedAmount,
        uint256 unbondingAmount,
        uint256 redelegatedAmount
    );

    /// @notice Emitted when a slash of a redelegation's source burns part of its locked destination shares.
    /// @param redelegationId The redelegation.
    /// @param dst The destination validator whose pool lost the value.
    /// @param delegator The delegator whose shares were burned.
    /// @param shares The shares burned.
    /// @param amount Their value, sent to the treasury.
    event RedelegationSlashed(
        uint256 indexed redelegationId,
        address indexed dst,
        address indexed delegator,
        uint256 shares,
        uint256 amount
    );

    /// @notice Emitted when a validator is jailed.
    /// @param validator The validator.
    /// @param until When its operator may unjail it.
    event Jailed(address indexed validator, uint64 until);

    /// @notice Emitted when an operator unjails its validator.
    /// @param validator The validator.
    event Unjailed(address indexed validator);

    /// @notice Emitted when the consensus system reports a double signature.
    /// @param validator The validator.
    /// @param evidenceHash The evidence, usable once.
    event DoubleSignReported(address indexed validator, bytes32 indexed evidenceHash);

    /// @notice Emitted when the consensus system reports a window of missed-block counts.
    /// @param window The window.
    /// @param reported How many validators the report named.
    /// @param penalized How many were over the threshold and were slashed and jailed.
    event MissedBlocksReported(uint64 indexed window, uint256 reported, uint256 penalized);

    /// @notice Emitted when governance sets the parameters (and once at initialization).
    /// @param params The new parameters.
    event ParamsUpdated(Params params);

    /// @notice Emitted when the admin sets (or clears, with zero) the contract told of every share change.
    /// @param previous The observer before.
    /// @param observer The observer now.
    event StakeObserverUpdated(address indexed previous, address indexed observer);
}

// solhint-enable gas-indexed-events
